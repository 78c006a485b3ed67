"""`neuroplastic energy` as users run it: a subprocess, the real Lava backend, every bundled profile."""

import dataclasses
import json
import re
import subprocess
import sys

import pytest

from neuroplastic.cli.main import main
from neuroplastic.hardware.profiles import PROFILE_DIR, available_profiles

from conftest import needs_lava
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


@needs_lava
def test_energy_runs_lava_and_prices_every_bundled_profile(saved_network):
    done = energy(saved_network, "loihi2")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(saved_network.with_name("energy_loihi2.json").read_text())
    this = report["networks"][0]
    assert this["backend"] == "lava fixed_pt" and this["images"] == 3
    hidden = this["ranges"]["layers"]["hidden"]  # the simulator's, beside the Lava run
    assert this["ranges"]["images"] == 3 and hidden["max_input_weight_steps"] > 0
    assert ("16-bit input" in done.stderr) == (not hidden["within_16_bit_input"])
    assert set(this["priced"]) == set(available_profiles())
    for name, priced in this["priced"].items():  # every profile holds it (too-large neurons are split)
        assert "error" not in priced and priced["energy_uj"] > 0, name
        assert name in done.stdout
    assert this["priced"]["truenorth"]["splitting"]["compartments"] > 0  # the interneuron's 256+ inputs
    assert this["priced"]["loihi2"]["events_per_inference"]["synaptic_ops"] > 0
    for order in ("fill", "locality", "balanced"):  # placements priced side by side on every neuromorphic profile
        assert this["priced"]["truenorth"]["placement"][order]["cores"] > 0
    assert "placement: fill" in done.stdout
    measured = this["priced"]["cpu"]["measured"]  # measured time x cited power, beside the MAC count
    assert measured["energy_uj"] > 0 and measured["images"] == 3 and "cpu (measured)" in done.stdout
    bench = this["neurobench"]
    assert bench["samples"] == 3 and 0 < bench["synaptic_operations"]["Effective_MACs"] < bench["synaptic_operations"]["Dense"]
    assert "NeuroBench" in done.stdout


@pytest.fixture(scope="module")
def signed_network(saved_network):
    base = prototype_network()  # signed output weights: no level left with TrueNorth's 1-bit weights
    net = dataclasses.replace(base, output_weights=base.output_weights.toarray() - 0.25)
    path = saved_network.with_name("signed.npz")
    net.save(path)
    return path


@pytest.fixture(scope="module")
def tiny_chip(saved_network):
    text = re.sub(r"(cores_per_chip|max_chips) = \{ value = \d+", r"\1 = { value = 1",
                  (PROFILE_DIR / "loihi2.toml").read_text())
    path = saved_network.with_name("tiny_chip.toml")
    path.write_text(text.replace('name = "loihi2"', 'name = "tiny_chip"'))
    return path


@pytest.mark.parametrize("which, profile, reason", [
    ("signed", "truenorth", "weight_bits=1 leaves no level for signed"),
    ("saved", "tiny_chip", "max_chips=1"),
    ("saved", "loihi9", "unknown hardware profile"),
])
def test_a_profile_that_cannot_run_the_network_fails_in_one_line_and_writes_no_report(
        request, capsys, which, profile, reason, tiny_chip):
    # in process (these fail before Lava starts; the subprocess above covers the real start-up)
    path = request.getfixturevalue(f"{which}_network")
    code = main(["energy", str(path), "--profile", str(tiny_chip) if profile == "tiny_chip" else profile,
                 "--images", "3", "--steps", "16", "--data", "mnist-sample"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neuroplastic: error:") and reason in lines[0], err
    assert not list(path.parent.glob(f"energy_{profile}*"))


def test_low_agreement_gets_a_hint_naming_the_coarse_rate_code():
    from neuroplastic.cli.energy import agreement_hint

    args = {"hidden_rate": 0.25, "inhibition_rate": 1.0, "steps": 128}
    hint = agreement_hint(0.957, args)
    assert "95.7%" in hint and "--hidden-rate 0.25" in hint and "--steps 128" in hint
    assert "--inhibition-rate" not in hint  # already at its finest
    assert agreement_hint(0.995, args) is None


def test_a_run_folder_brings_its_models_rate_code_and_flags_override_it(tmp_path):
    """``[hardware]`` of the run's model sets steps and rates for energy and export; a flag wins over it."""
    from neuroplastic.hardware.evaluate import energy_for_run
    from neuroplastic.runs import RunFolder

    run = RunFolder(tmp_path / "run")
    run.write_text(RunFolder.MODEL, '[model]\nname = "tiny"\n\n[network]\nn_hidden = 20\n\n[data]\n'
                                    'dataset = "mnist-sample"\n\n[hardware]\nsteps = 24\nhidden_rate = 0.5\n')
    prototype_network(activation="triangle").save(run.file(RunFolder.NETWORK))
    result, _ = energy_for_run(run.path, images=3, backend="numpy")
    assert (result["steps"], result["hidden_rate"], result["inhibition_rate"]) == (24, 0.5, 0.25)
    assert result["networks"][0]["steps"] == 24
    result, _ = energy_for_run(run.path, images=3, backend="numpy", steps=16, inhibition_rate=1.0)
    assert (result["steps"], result["hidden_rate"], result["inhibition_rate"]) == (16, 0.5, 1.0)
    done = subprocess.run([sys.executable, "-m", "neuroplastic", "export", str(run.path), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["steps_per_image"] == 24
