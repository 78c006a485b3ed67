"""SANA-FE as the independent estimate: the same spikes as our simulator, and `neuroplastic energy` reporting it."""

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from neuroplastic.datasets import load_sample
from neuroplastic.hardware.evaluate import place_plan
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.rate_code import build_plan, simulate

from small_networks import prototype_network


def relay_network():
    """The prototype network with a triangle activation and class biases: interneuron and relay both present."""
    return dataclasses.replace(prototype_network(activation="triangle"), output_bias=np.linspace(-0.5, 0.5, 10))


@pytest.mark.parametrize("make", [prototype_network, relay_network], ids=["interneuron", "interneuron+relay"])
def test_sanafe_spikes_equal_our_simulator(make):
    pytest.importorskip("sanafe")
    from neuroplastic.hardware.sanafe_bridge import run_sanafe

    sample = load_sample()
    plan = build_plan(make(), sample.train.X[:300], steps=16, hidden_rate=0.25, inhibition_rate=0.25)
    assert plan.has_inhibition and plan.n_relay == (0 if make is prototype_network else 2)
    layers, splits, mapping = place_plan(plan, load_profile("loihi1"))
    X = sample.test.X[:3]
    ours = simulate(plan, X)
    theirs = run_sanafe(plan, X, mapping.core_of)
    for name in ("input", "hidden", "inhibition", "relay", "output", "output_last"):
        assert theirs["counts"][name].shape == ours[name].shape, name
        np.testing.assert_array_equal(theirs["counts"][name], ours[name], err_msg=name)
    assert ours["hidden"].sum() > 0 and ours["output"].sum() > 0  # the comparison is not between silences
    assert theirs["images"] == 3 and theirs["steps_per_image"] == plan.slot + 2
    parts = theirs["breakdown_uj"]
    assert parts["synapse"] > 0 and parts["soma"] > 0 and parts["network"] > 0
    assert theirs["energy_uj"] == pytest.approx(sum(parts.values()))
    assert theirs["latency_us"] > 0


@pytest.fixture(scope="module")
def saved_network(tmp_path_factory):
    path = tmp_path_factory.mktemp("sanafe") / "net.npz"
    prototype_network().save(path)
    return path


def energy(path, *extra, env=None, backend="numpy"):
    command = [sys.executable, "-m", "neuroplastic", "energy", str(path), "--profile", "loihi1", "--images", "3",
               "--steps", "16", "--data", "mnist-sample", "--backend", backend, "--sanafe-images", "2", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize("backend", ["numpy", "lava"])
def test_energy_prints_sanafe_beside_ours(saved_network, backend):
    pytest.importorskip("sanafe")
    if backend == "lava":
        pytest.importorskip("lava")  # its counts carry a scalar wall time, which once crashed the cross-check
    done = energy(saved_network, backend=backend)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.strip().startswith("SANA-FE"))
    assert "uJ" in line and "us" in line and "same spikes" in line
    assert "ours on the same images" in done.stdout
    report = json.loads(saved_network.with_name("energy_loihi1.json").read_text())
    check = report["networks"][0]["sanafe"]
    assert check["images"] == 2 and check["spike_mismatches"] == 0 and check["architecture"] == "loihi.yaml"
    assert check["energy_uj"] > 0 and check["ours"]["energy_uj"] > 0
    assert check["energy_ratio"] == pytest.approx(check["energy_uj"] / check["ours"]["energy_uj"])
    markdown = saved_network.with_name("energy_loihi1.md").read_text()
    assert "SANA-FE cross-check" in markdown and "| this model | loihi.yaml | 2 |" in markdown


def test_sanafe_failure_is_one_line_and_leaves_no_report(tmp_path):
    pytest.importorskip("sanafe")
    path = tmp_path / "net.npz"
    prototype_network().save(path)
    bad = tmp_path / "broken.yaml"
    bad.write_text("architecture: [unterminated\n")
    done = energy(path, "--sanafe-arch", str(bad))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neuroplastic: error:") and "broken.yaml" in lines[0], done.stderr
    assert not list(tmp_path.glob("energy_*")) and not (tmp_path / "plots").exists()


def test_without_sanafe_one_line_and_our_estimate(tmp_path):
    path = tmp_path / "net.npz"
    prototype_network().save(path)
    stub = tmp_path / "stub" / "sanafe"  # an import of sanafe that fails as a missing package does
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'sanafe'\", name='sanafe')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(stub.parent), os.environ.get("PYTHONPATH")])))
    done = energy(path, env=env)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "SANA-FE" in line]
    assert len(notes) == 1 and "not installed" in notes[0]
    report = json.loads(path.with_name("energy_loihi1.json").read_text())
    assert "sanafe" not in report["networks"][0] and report["networks"][0]["priced"]["loihi1"]["energy_uj"] > 0
    assert "not installed" in report["sanafe"]["skipped"]
