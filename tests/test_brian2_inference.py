"""Spiking inference in Brian2 reproduces a vectorized-trained network's decisions."""

import dataclasses

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.cli.main import main
from neuroplastic.datasets import load_sample
from neuroplastic.engines.brian2 import InferenceParams, evaluate_spiking, spiking_predict
from neuroplastic.engines.brian2.device import brian2_target
from neuroplastic.engines.vectorized import StructuralPlasticityClassifier
from neuroplastic.errors import ConfigError
from neuroplastic.rule.params import OutputRuleParams, RewiringParams
from neuroplastic.runs import RunFolder

from test_brian2_train_cli import TINY

FAST = InferenceParams(t_int_ms=50.0, t_out_ms=50.0, f_in_hz=400.0, f_h_hz=900.0)


@pytest.fixture(scope="module")
def trained():
    data = load_sample()
    learner = StructuralPlasticityClassifier(
        n_hidden=40, hidden_epochs=1, readout_epochs=3, rewiring=RewiringParams(synapses_per_unit=16),
        output=OutputRuleParams(n_perturbations=2), random_state=0).fit(data.train.X, data.train.y)
    return learner.to_network(), data.test.X[:25], data.test.y[:25]


def test_spiking_inference_gives_the_vectorized_potentials_and_predictions(trained):
    network, X, _ = trained
    with brian2_target("numpy"):
        result = spiking_predict(network, X, FAST)
    reference = network.decision_function(X)
    assert result["potentials"].shape == reference.shape
    assert np.mean(result["predictions"] == network.predict(X)) >= 0.9
    assert np.abs(result["potentials"] - reference).mean() < 0.05 * np.abs(reference).mean() + 0.05
    assert result["hidden_spikes"] > 0 and result["input_spikes"] > 0


def test_spiking_inference_accepts_poisson_inputs(trained):
    network, X, y = trained
    poisson = dataclasses.replace(FAST, coding="poisson")
    figures = evaluate_spiking(network, X, y, n_images=10, params=poisson, target="numpy")
    assert figures["n_images"] == 10
    assert figures["agreement"] >= 0.6


@pytest.mark.codegen_independent
def test_spiking_inference_refuses_rates_above_one_spike_per_step():
    with pytest.raises(ConfigError, match="f_in_hz"):
        InferenceParams(dt_ms=1.0, f_in_hz=2000.0).validate()


def test_evaluate_command_adds_spiking_figures_to_the_run_folder(trained, tmp_path, capsys):
    network, _, _ = trained
    run = RunFolder(tmp_path / "run")
    run.write_text(RunFolder.MODEL, TINY)
    network.save(run.file(RunFolder.NETWORK))
    code = main(["evaluate", str(run.path), "--engine", "brian2", "--mode", "spiking", "--images", "5",
                 "--target", "numpy"])
    assert code == 0
    figures = run.read_json(RunFolder.METRICS)["brian2_spiking"]
    assert figures["n_images"] == 5 and 0.0 <= figures["accuracy"] <= 1.0
    assert "spiking accuracy" in capsys.readouterr().out


def test_evaluate_takes_timing_and_rates_from_the_runs_spiking_table(trained, tmp_path):
    network, _, _ = trained
    counts = {}
    for rate in ("100 Hz", "400 Hz"):
        run = RunFolder(tmp_path / rate.replace(" ", ""))
        run.write_text(RunFolder.MODEL, TINY + f'\n[spiking]\nintegration_time = "50 ms"\noutput_time = "50 ms"\n'
                                               f'input_rate = "{rate}"\n')
        network.save(run.file(RunFolder.NETWORK))
        assert main(["evaluate", str(run.path), "--images", "3", "--target", "numpy"]) == 0
        counts[rate] = run.read_json(RunFolder.METRICS)["brian2_spiking"]["input_spikes_per_image"]
    assert counts["400 Hz"] == pytest.approx(4 * counts["100 Hz"], rel=0.05)  # regular trains: count = rate x time
