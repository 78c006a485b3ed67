"""Fully spiking inference in Brian2: the rate-coded plan's spike counts, bit for bit, and the evaluate command."""

import dataclasses

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from small_networks import prototype_network, relu_network

from neuroplastic.cli.main import main
from neuroplastic.datasets import load_sample
from neuroplastic.engines.brian2 import InferenceParams, evaluate_spiking, spiking_predict
from neuroplastic.engines.brian2.device import brian2_target
from neuroplastic.engines.brian2.spiking_inference import run_plan
from neuroplastic.engines.vectorized import StructuralPlasticityClassifier
from neuroplastic.errors import ConfigError
from neuroplastic.hardware.rate_code import build_plan, classify_counts, simulate
from neuroplastic.rule.params import OutputRuleParams, RewiringParams
from neuroplastic.runs import RunFolder

from test_brian2_train_cli import TINY

FAST = InferenceParams(integration_time_ms=16.0, rest_time_ms=2.0, hidden_rate_hz=500.0)


@pytest.fixture(scope="module")
def sample():
    data = load_sample()
    return data.train.X[:200].astype(np.float64), data.test.X[:6].astype(np.float64)


def _network(activation):
    if activation == "relu":
        return relu_network()
    network = prototype_network(activation=activation)
    network.output_bias = np.linspace(-0.5, 0.5, 10)  # a non-zero output bias: the Euclidean triangle needs the relay
    return network


@pytest.mark.standalone_compatible
@pytest.mark.parametrize("activation, fixed", [("squared_distance_triangle", True), ("triangle", True),
                                               ("relu", True), ("triangle", False), ("triangle_squared", True),
                                               ("triangle_squared", False)])
def test_brian2_spike_counts_equal_the_numpy_simulator_in_every_layer(sample, activation, fixed, brian2_settings):
    calibration, X = sample
    plan = build_plan(_network(activation), calibration, steps=16, pad=3, hidden_rate=0.5, inhibition_rate=0.5,
                      squares=True)
    assert plan.has_inhibition == (activation != "relu")
    assert plan.has_relay == activation.startswith("triangle")
    assert plan.facilitates == (activation == "triangle_squared")
    reference = simulate(plan, X, fixed=fixed)
    with brian2_target(*brian2_settings):
        counts = run_plan(plan, X, fixed=fixed)
    for layer in ("hidden", "inhibition", "relay", "output", "output_last"):
        np.testing.assert_array_equal(counts[layer], reference[layer], err_msg=layer)
    assert counts["hidden"].sum() > 0 and counts["output"].sum() > 0
    assert counts["total_spikes"]["input"] == reference["input"].sum()


@pytest.mark.standalone_compatible
@pytest.mark.parametrize("activation", ["triangle", "triangle_squared"])
def test_counts_stay_equal_when_the_interneuron_fires_through_the_rest_steps(sample, activation, brian2_settings):
    # a saturated interneuron keeps firing after the image's input ends; a spike in its last step of an
    # image must not reach the hidden units in the next image (the plan's images are independent)
    calibration, X = sample
    plan = build_plan(_network(activation), calibration, steps=16, pad=3, hidden_rate=0.5, squares=True)
    plan = dataclasses.replace(plan, inhibition_vth=max(1, plan.inhibition_vth // 4))
    reference = simulate(plan, X)
    assert (reference["inhibition"] > plan.steps).any()  # it fires in the rest steps
    with brian2_target(*brian2_settings):
        counts = run_plan(plan, X)
    for layer in ("hidden", "inhibition", "relay", "output", "output_last"):
        np.testing.assert_array_equal(counts[layer], reference[layer], err_msg=layer)


@pytest.fixture(scope="module")
def trained():
    data = load_sample()
    learner = StructuralPlasticityClassifier(
        n_hidden=40, hidden_epochs=1, readout_epochs=3, rewiring=RewiringParams(synapses_per_unit=16),
        output=OutputRuleParams(n_perturbations=2), random_state=0).fit(data.train.X, data.train.y)
    return learner.to_network(), data.train.X[:300], data.test.X[:15], data.test.y[:15]


def test_spiking_predictions_follow_the_trained_network(trained):
    network, calibration, X, _ = trained
    with brian2_target("numpy"):
        result = spiking_predict(network, X, calibration, FAST, record=True)
    reference = simulate(result["plan"], X)
    np.testing.assert_array_equal(result["predictions"],
                                  classify_counts(reference["output"], reference["output_last"], network.classes))
    assert np.mean(result["predictions"] == network.predict(X)) >= 0.8  # Euclidean triangle: approximate form
    assert result["hidden"].sum() > 0 and result["inhibition"].sum() > 0


@pytest.mark.codegen_independent
def test_an_activation_without_integrate_and_fire_form_is_refused(sample):
    calibration, X = sample
    with pytest.raises(ConfigError, match="activation.*sigmoid"):
        spiking_predict(prototype_network(activation="sigmoid"), X, calibration, FAST)
    with pytest.raises(ConfigError, match="rest_time_ms"):
        InferenceParams(rest_time_ms=1.0).validate()
    with pytest.raises(ConfigError, match="hidden_rate_hz"):
        InferenceParams(hidden_rate_hz=2000.0).validate()


def test_evaluate_function_reports_agreement_and_mapping(trained):
    network, calibration, X, y = trained
    figures = evaluate_spiking(network, X, y, calibration, n_images=10, params=FAST, target="numpy")
    assert figures["n_images"] == 10 and 0.0 <= figures["accuracy"] <= 1.0
    assert figures["mapping"]["activation"] == "triangle" and not figures["mapping"]["exact"]
    assert figures["spikes_per_image"]["output"] > 0 and figures["mapping"]["steps"] == 16


def test_evaluate_command_adds_spiking_figures_to_the_run_folder(trained, tmp_path, capsys):
    network = trained[0]
    run = RunFolder(tmp_path / "run")
    run.write_text(RunFolder.MODEL, TINY + '\n[spiking]\nintegration_time = "16 ms"\n')
    network.save(run.file(RunFolder.NETWORK))
    code = main(["evaluate", str(run.path), "--engine", "brian2", "--mode", "spiking", "--images", "5",
                 "--target", "numpy"])
    assert code == 0
    figures = run.read_json(RunFolder.METRICS)["brian2_spiking"]
    assert figures["n_images"] == 5 and 0.0 <= figures["accuracy"] <= 1.0
    assert "spiking accuracy" in capsys.readouterr().out


def test_evaluate_takes_timing_and_rates_from_the_runs_spiking_table(trained, tmp_path):
    network = trained[0]
    spikes = {}
    for name, table in (("short", 'integration_time = "16 ms"\nhidden_rate = "500 Hz"'),
                        ("long", 'integration_time = "32 ms"\nhidden_rate = "500 Hz"'),
                        ("slow", 'integration_time = "32 ms"\nhidden_rate = "250 Hz"')):
        run = RunFolder(tmp_path / name)
        run.write_text(RunFolder.MODEL, TINY + f"\n[spiking]\n{table}\n")
        network.save(run.file(RunFolder.NETWORK))
        assert main(["evaluate", str(run.path), "--images", "3", "--target", "numpy", "--calibration", "40"]) == 0
        figures = run.read_json(RunFolder.METRICS)["brian2_spiking"]
        assert figures["mapping"]["steps"] == int(table.split('"')[1].split()[0])
        spikes[name] = figures["spikes_per_image"]
    # one spike per step at full intensity; a doubled threshold halves the hidden counts
    assert spikes["long"]["input"] == pytest.approx(2 * spikes["short"]["input"], rel=0.05)
    assert spikes["slow"]["hidden"] == pytest.approx(0.5 * spikes["long"]["hidden"], rel=0.25)
