"""Lava build and run: counts equal the NumPy reference dynamics, bit for bit in fixed_pt."""

import dataclasses
import json

import numpy as np
import pytest

from neuroplastic.errors import HardwareError
from neuroplastic.hardware.energy_report import save_energy_report
from neuroplastic.hardware.evaluate import evaluate_energy
from neuroplastic.hardware.lava_net import run_lava
from neuroplastic.hardware.rate_code import build_plan, simulate

from conftest import needs_lava
from test_hardware_rate_code import relu_network, triangle_network


def test_unknown_lava_tag_is_rejected_before_building():
    plan = build_plan(relu_network(), np.zeros((2, 6)) + 0.5, steps=16)
    with pytest.raises(HardwareError, match="fixed_pt"):
        run_lava(plan, np.zeros((1, 6)), tag="approximate")


def test_evaluation_report_is_written_as_json_markdown_and_png(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, (30, 8)), rng.integers(0, 3, 30)
    result = evaluate_energy(triangle_network(), X, y, X, steps=32, backend="numpy",
                             compare=[("dense", relu_network(n_in=8))])
    names = [n["name"] for n in result["networks"]]
    assert names == ["this model", "dense"]
    priced = result["networks"][0]["priced"]
    assert set(priced) == {"loihi1", "loihi2", "truenorth", "spinnaker2", "cpu", "gpu"}
    assert set(priced["loihi2"]["breakdown_uj"]) == {"synaptic", "neuron", "spike", "hop", "static"}
    assert "dense_equivalent" in priced["cpu"]
    paths = save_energy_report(result, tmp_path)
    assert json.loads(paths["json"].read_text())["profile"] == "loihi2"
    assert "energy (uJ)" in paths["markdown"].read_text()
    assert paths["plot"].read_bytes()[:4] == b"\x89PNG"


def squared_distance_network():
    net = triangle_network(seed=2)
    net.activation = "squared_distance_triangle"
    return net


@pytest.mark.slow
@needs_lava
@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
@pytest.mark.parametrize("make, rate", [(relu_network, 1.0), (triangle_network, 1.0), (triangle_network, 0.25),
                                        (squared_distance_network, 0.5)])
def test_lava_spike_counts_equal_the_numpy_reference(make, rate, tag):
    net = make()
    X = np.random.default_rng(7).uniform(0, 1, (6, net.n_inputs))
    plan = build_plan(net, X, steps=16, hidden_rate=rate, inhibition_rate=rate)
    lava = run_lava(plan, X, tag=tag, batch_size=4)  # two runs: batches of 4 and 2 images
    reference = simulate(plan, X, fixed=(tag == "fixed_pt"))
    for layer in ("input", "hidden", "inhibition", "output", "output_last"):
        np.testing.assert_array_equal(lava[layer], reference[layer], err_msg=layer)
    assert lava["hidden"].sum() > 0 and lava["output"].sum() > 0


@pytest.mark.parametrize("lanes", [0, 2.5])
def test_lanes_must_be_a_whole_number_from_one(lanes):
    plan = build_plan(relu_network(), np.zeros((2, 6)) + 0.5, steps=16)
    with pytest.raises(HardwareError, match="lanes"):
        run_lava(plan, np.zeros((1, 6)), lanes=lanes)


@needs_lava
@pytest.mark.parametrize("make", [triangle_network, squared_distance_network])
def test_copies_side_by_side_count_as_one_network_image_by_image(make):
    """Four lanes on a batch of 5 images (three of them blank padding) and one on the last image: the counts of
    every layer, the interneuron and relay included, are the NumPy reference's, image by image."""
    net = make()
    net.output_bias = np.linspace(-2.0, 2.0, net.n_classes)  # the triangle then needs the relay neuron
    X = np.random.default_rng(3).uniform(0, 1, (6, net.n_inputs))
    plan = build_plan(net, X, steps=16, hidden_rate=1.0, inhibition_rate=1.0)
    assert plan.has_inhibition and plan.n_relay == (2 if make is triangle_network else 0)
    lava = run_lava(plan, X, batch_size=5, lanes=4)
    reference = simulate(plan, X, fixed=True)
    if plan.has_relay:  # both relays fire: the input count and the count above the knot (biased by -t)
        assert np.all(reference["relay"].sum(axis=1) > 0)
    for layer in ("input", "hidden", "inhibition", "relay", "output", "output_last"):
        np.testing.assert_array_equal(lava[layer], reference[layer], err_msg=layer)
    assert lava["hidden"].shape == (net.n_hidden, 6) and lava["hidden"].sum() > 0


@pytest.mark.parametrize("flag", ["--hidden-rate", "--inhibition-rate"])
def test_energy_cli_rejects_a_rate_outside_0_1_in_one_line(flag, capsys, tmp_path):
    from neuroplastic.cli.main import main

    assert main(["energy", str(tmp_path), "--backend", "numpy", flag, "1.5"]) == 2
    err = capsys.readouterr().err.strip()
    assert flag in err and "(0, 1]" in err and len(err.splitlines()) == 1


def test_energy_cli_rejects_fewer_than_one_lane_in_one_line(capsys, tmp_path):
    from neuroplastic.cli.main import main

    assert main(["energy", str(tmp_path), "--lanes", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--lanes" in err and "1 or more" in err and len(err.splitlines()) == 1


def squared_triangle_network():
    net = triangle_network(seed=4)
    net.activation = "triangle_squared"
    net.output_bias = np.linspace(-2.0, 2.0, net.n_classes)  # a per-image gain: the relay with a facilitating synapse
    return net


@needs_lava
@pytest.mark.parametrize("tag", ["fixed_pt", pytest.param("floating_pt", marks=pytest.mark.slow)])
def test_graded_spikes_realise_facilitating_synapses_as_the_simulator_counts(tag):
    """A squared activation on Lava: the k-th spike of a hidden unit (and of the relay) carries 2k - 1 to the
    outputs. Every layer counts as the NumPy reference does, image by image, over lanes and two batches."""
    net = squared_triangle_network()
    X = np.random.default_rng(5).uniform(0, 1, (7, net.n_inputs))
    plan = build_plan(net, X, steps=16, hidden_rate=1.0, inhibition_rate=1.0, squares=True)
    assert plan.facilitates and plan.relay_facilitated is not None and plan.relay_facilitated.nnz
    lava = run_lava(plan, X, tag=tag, batch_size=5, lanes=2)
    reference = simulate(plan, X, fixed=(tag == "fixed_pt"))
    for layer in ("input", "hidden", "inhibition", "relay", "output", "output_last"):
        np.testing.assert_array_equal(lava[layer], reference[layer], err_msg=layer)
    assert lava["hidden"].max() >= 4 and lava["output"].sum() > 0  # several spikes per unit: payloads above 1
    plain = simulate(dataclasses.replace(plan, hidden_power=1, relay_facilitated=None), X, fixed=(tag == "fixed_pt"))
    assert not np.array_equal(plain["output"], reference["output"])  # the payloads changed what the outputs count


def test_facilitation_by_graded_spikes_needs_even_weights():
    net = squared_triangle_network()
    X = np.random.default_rng(5).uniform(0, 1, (7, net.n_inputs))
    plan = build_plan(net, X, steps=16, squares=True)
    odd = plan.output_weights.copy()
    odd.data = odd.data + 1
    with pytest.raises(HardwareError, match="hidden->output weights must be even"):
        run_lava(dataclasses.replace(plan, output_weights=odd), X)


def test_a_squared_activation_is_priced_with_graded_spikes_or_with_counter_neurons():
    net = squared_triangle_network()
    rng = np.random.default_rng(1)
    X, y = rng.uniform(0, 1, (20, net.n_inputs)), rng.integers(0, 3, 20)
    result = evaluate_energy(net, X, y, X, profile="loihi2", steps=16, backend="numpy")
    priced = result["networks"][0]["priced"]
    for name in ("loihi2", "spinnaker2"):  # graded spikes: no counters
        assert priced[name]["energy_uj"] > 0 and "counters" not in priced[name]
    for name in ("loihi1", "truenorth"):  # binary spikes: counters, priced from the same run's hidden counts
        assert "error" not in priced[name] and priced[name]["counters"]["neurons"] > 0
    on_loihi1 = evaluate_energy(net, X, y, X, profile="loihi1", steps=16, backend="numpy")["networks"][0]
    assert on_loihi1["agreement"] == result["networks"][0]["agreement"]  # the counters count what facilitation does
    assert on_loihi1["priced"]["loihi1"]["energy_uj"] == pytest.approx(priced["loihi1"]["energy_uj"])
