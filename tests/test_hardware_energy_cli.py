"""`neuroplastic energy` as users run it: a subprocess, the real Lava backend, every bundled profile."""

import json
import subprocess
import sys

import pytest

from neuroplastic.hardware.profiles import available_profiles

from small_networks import prototype_network


@pytest.fixture(scope="module")
def saved_network(tmp_path_factory):
    path = tmp_path_factory.mktemp("energy") / "net.npz"
    prototype_network().save(path)
    return path


def energy(path, profile, *extra):
    command = [sys.executable, "-m", "neuroplastic", "energy", str(path), "--profile", profile, "--images", "3",
               "--steps", "16", "--data", "mnist-sample", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_energy_runs_lava_and_prices_every_bundled_profile(saved_network):
    done = energy(saved_network, "loihi2")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(saved_network.with_name("energy_loihi2.json").read_text())
    this = report["networks"][0]
    assert this["backend"] == "lava fixed_pt" and this["images"] == 3
    assert set(this["priced"]) == set(available_profiles())
    for name, priced in this["priced"].items():
        assert "error" in priced or priced["energy_uj"] > 0, name
        assert name in done.stdout
    assert this["priced"]["loihi2"]["events_per_inference"]["synaptic_ops"] > 0
    bench = this["neurobench"]
    assert bench["samples"] == 3 and 0 < bench["synaptic_operations"]["Effective_MACs"] < bench["synaptic_operations"]["Dense"]
    assert "NeuroBench" in done.stdout


@pytest.mark.parametrize("profile, reason", [("truenorth", "truenorth"), ("loihi9", "unknown hardware profile")])
def test_a_profile_that_cannot_run_the_network_fails_in_one_line_and_writes_no_report(saved_network, profile, reason):
    done = energy(saved_network, profile)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neuroplastic: error:") and reason in lines[0], done.stderr
    assert not saved_network.with_name(f"energy_{profile}.json").exists()
