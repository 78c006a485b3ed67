"""Counter neurons: a squared activation on hardware, simulators and formats whose spikes are binary."""

import dataclasses
import importlib.util
import json
import subprocess
import sys

import nir
import numpy as np
import pytest

from neuroplastic.datasets import load_sample
from neuroplastic.hardware.counters import counters_of, count_cap
from neuroplastic.hardware.evaluate import place_plan, price_network
from neuroplastic.hardware.nir_export import plan_to_nir, run_nir
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.rate_code import build_plan, encoder_spikes, simulate

from conftest import needs_lava
from small_networks import prototype_network
from test_hardware_lava import squared_triangle_network


def squared_plan(hidden_rate=1.0):
    net = squared_triangle_network()
    X = np.random.default_rng(5).uniform(0, 1, (9, net.n_inputs))
    return build_plan(net, X, steps=16, hidden_rate=hidden_rate, inhibition_rate=1.0, squares=True), X


@pytest.mark.parametrize("fixed", [True, False])
def test_counters_fire_from_their_rank_on_and_the_outputs_count_as_with_facilitating_synapses(fixed):
    plan, X = squared_plan()
    assert plan.relay_facilitated is not None and min(plan.count_caps) >= 1
    graded = simulate(plan, X, fixed=fixed)
    binary = simulate(plan, X, fixed=fixed, binary=True)
    counters = counters_of(plan)
    # counter j of a source that fired n times fires max(0, n - j + 1) times
    np.testing.assert_array_equal(binary["counters"], counters.counts(binary["hidden"], binary["relay"]))
    assert binary["counters"][counters.rank >= 4].sum() > 0  # not only the first ranks: the square is at work
    for layer in ("hidden", "inhibition", "relay", "output", "output_last"):
        np.testing.assert_array_equal(binary[layer], graded[layer], err_msg=layer)
    assert "counters" not in graded


def test_beyond_its_counters_a_source_adds_linearly_so_too_few_counters_change_the_outputs():
    plan, X = squared_plan()
    short = dataclasses.replace(plan, count_caps=(2, 2))
    assert counters_of(short).size < counters_of(plan).size
    graded, binary = simulate(short, X), simulate(short, X, binary=True)
    np.testing.assert_array_equal(binary["counters"], counters_of(short).counts(binary["hidden"], binary["relay"]))
    assert not np.array_equal(binary["output"], graded["output"])


def test_lavas_counter_synapses_are_even_mantissas_that_add_up_to_the_counters_weights():
    from neuroplastic.hardware.lava_net import counter_synapses

    plan, _ = squared_plan()
    counters = counters_of(plan)
    parts = counter_synapses(plan, counters)
    total = sum(weights.toarray() * 2.0**exp for weights, exp in parts)
    np.testing.assert_array_equal(total, counters.to_output.toarray())
    for weights, _ in parts:
        assert np.all(weights.data % 2 == 0) and np.abs(weights.data).max() <= 254


@needs_lava
@pytest.mark.parametrize("tag", ["fixed_pt", pytest.param("floating_pt", marks=pytest.mark.slow)])
def test_lava_runs_the_counter_neurons_as_the_simulator_does(tag):
    """Loihi 1 in Lava: binary spikes, counters one layer deeper; every layer counts as the simulator's, over
    lanes and two batches."""
    from neuroplastic.hardware.lava_net import run_lava

    plan, X = squared_plan()
    lava = run_lava(plan, X, tag=tag, batch_size=5, lanes=2, binary=True)
    reference = simulate(plan, X, fixed=(tag == "fixed_pt"), binary=True)
    for layer in ("input", "hidden", "inhibition", "relay", "counters", "output", "output_last"):
        np.testing.assert_array_equal(lava[layer], reference[layer], err_msg=layer)
    assert lava["counters"][counters_of(plan).rank >= 4].sum() > 0


def test_count_cap_has_a_margin_and_never_exceeds_one_spike_per_step():
    assert count_cap(np.array([[3, 8], [0, 2]]), slot=40) == 10
    assert count_cap(np.array([[39]]), slot=40) == 40
    assert count_cap(np.zeros((2, 2)), slot=40) == 1


@pytest.mark.parametrize("profile", ["loihi1", "truenorth"])
def test_a_squared_activation_maps_onto_hardware_with_binary_spikes_through_counters(profile):
    plan, X = squared_plan()
    target = load_profile(profile)
    assert not target.graded_spikes
    layers, splits, mapping = place_plan(plan, target)
    names = [layer.name for layer in layers]
    assert "counters" in names and "counters" in mapping.core_of
    output = next(layer for layer in layers if layer.name == "output")
    assert [name for name, _ in output.sources if not name.endswith("_partial")] == ["counters"]
    priced = price_network(plan, simulate(plan, X, binary=True), [target, load_profile("loihi2")], None)
    assert "error" not in priced[profile], priced[profile]
    cost = priced[profile]["counters"]
    assert cost["neurons"] == counters_of(plan).size and cost["energy_uj"] > 0 and cost["spikes"] > 0
    # on graded spikes the same plan needs no counters, and costs less
    assert "counters" not in priced["loihi2"] and "counters" not in place_plan(plan, load_profile("loihi2"))[2].core_of


def test_the_nir_graph_of_a_squared_activation_counts_with_counter_neurons_as_the_simulator():
    net = dataclasses.replace(prototype_network(activation="triangle_squared"),
                              output_bias=np.linspace(-0.5, 0.5, 10))
    sample = load_sample()
    plan = build_plan(net, sample.train.X[:300], steps=24, hidden_rate=0.5, inhibition_rate=0.5, squares=True)
    assert plan.facilitates and plan.has_relay
    graph = plan_to_nir(plan)
    assert isinstance(graph.nodes["counters"], nir.I) and "hidden_to_counters" in graph.nodes
    X = sample.test.X[:200]
    reference = simulate(plan, X, binary=True)
    ran = run_nir(graph, encoder_spikes(X, plan.steps, plan.slot), len(X))
    np.testing.assert_array_equal(ran["counts"], reference["output"])
    np.testing.assert_array_equal(ran["last"], reference["output_last"])
    assert reference["output"].sum() > 0


def test_sanafe_runs_the_counters_of_a_squared_activation_with_our_spikes():
    pytest.importorskip("sanafe")
    from neuroplastic.hardware.sanafe_bridge import run_sanafe

    net = dataclasses.replace(prototype_network(activation="triangle_squared"),
                              output_bias=np.linspace(-0.5, 0.5, 10))
    sample = load_sample()
    plan = build_plan(net, sample.train.X[:300], steps=16, hidden_rate=0.5, inhibition_rate=0.5, squares=True)
    _, _, mapping = place_plan(plan, load_profile("loihi1"))
    X = sample.test.X[:2]
    ours = simulate(plan, X, binary=True)
    theirs = run_sanafe(plan, X, mapping.core_of)
    for name in ("hidden", "inhibition", "relay", "counters", "output", "output_last"):
        np.testing.assert_array_equal(theirs["counts"][name], ours[name], err_msg=name)
    assert ours["counters"].sum() > 0 and theirs["steps_per_image"] == plan.slot + 3


def test_energy_on_loihi1_prices_a_squared_activation_with_counters(tmp_path):
    net = prototype_network(activation="triangle_squared")
    net.save(tmp_path / "net.npz")
    command = [sys.executable, "-m", "neuroplastic", "energy", str(tmp_path / "net.npz"), "--profile", "loihi1",
               "--images", "5", "--steps", "16", "--data", "mnist-sample", "--sanafe-images", "0"]
    done = subprocess.run(command + ["--backend", "numpy", "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    priced = result["networks"][0]["priced"]
    assert priced["loihi1"]["counters"]["neurons"] > 0 and "counters" not in priced["loihi2"]
    with open(result["files"]["markdown"], encoding="utf-8") as report:
        assert "Counter neurons: a squared activation on binary spikes" in report.read()
    if importlib.util.find_spec("lava") is not None:  # Lava runs the counters too, with the same outputs
        done = subprocess.run(command + ["--backend", "lava", "--json"], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        lava = json.loads(done.stdout)["networks"][0]
        assert lava["backend"] == "lava fixed_pt" and lava["agreement"] == result["networks"][0]["agreement"]
        assert lava["priced"]["loihi1"]["counters"] == priced["loihi1"]["counters"]
