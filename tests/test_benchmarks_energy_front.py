"""benchmarks/energy_front.py: its points are measured by the simulator, its front and selection follow their definitions."""

import numpy as np
import pytest
from benchmark_scripts import load_benchmark
from small_networks import prototype_network

from neuroplastic.datasets import load_sample
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.rate_code import build_plan, classify_counts, simulate


@pytest.fixture(scope="module")
def energy_front():
    return load_benchmark("energy_front")


def _point(accuracy, energy):
    return {"accuracy": accuracy, "loihi1": {"energy_uj": energy}}


def test_front_keeps_only_points_no_other_point_beats_on_both_axes(energy_front):
    points = [_point(0.90, 1.0), _point(0.95, 2.0), _point(0.93, 3.0), _point(0.97, 4.0), _point(0.96, 5.0),
              {"accuracy": 0.99, "loihi1": None}]
    line = energy_front.front(points, "loihi1")
    assert [(p["accuracy"], p["loihi1"]["energy_uj"]) for p in line] == [(0.90, 1.0), (0.95, 2.0), (0.97, 4.0)]


def test_select_takes_the_cheapest_point_that_reaches_the_target(energy_front):
    points = [_point(0.90, 1.0), _point(0.96, 6.0), _point(0.97, 4.0), _point(0.99, 9.0)]
    assert energy_front.select(points, "loihi1", 0.96)["loihi1"]["energy_uj"] == 4.0
    assert energy_front.select(points, "loihi1", 0.995) is None


def test_a_point_is_the_simulators_accuracy_and_its_cheapest_placement(energy_front):
    network = prototype_network()
    sample = load_sample()
    X, y = sample.test.X[:60], sample.test.y[:60]
    profiles = [load_profile("loihi1")]
    point = energy_front.measure_point(network, sample.train.X[:200], X, y, steps=16, rate=1.0, profiles=profiles)
    plan = build_plan(network, sample.train.X[:200], steps=16, weight_bits=8, hidden_rate=1.0, inhibition_rate=1.0)
    counts = simulate(plan, X)
    expected = np.mean(classify_counts(counts["output"], counts["output_last"], plan.classes) == y)
    assert point["accuracy"] == pytest.approx(expected)
    priced = point["loihi1"]
    assert 0 < priced["energy_uj"] <= priced["fill_energy_uj"]
    assert priced["fill_energy_uj"] == pytest.approx(sum(priced["fill_breakdown_uj"].values()))
    longer = energy_front.measure_point(network, sample.train.X[:200], X, y, steps=32, rate=1.0, profiles=profiles)
    slot_ratio = build_plan(network, sample.train.X[:200], steps=32, weight_bits=8).slot / plan.slot
    # every neuron is updated at every step of an image's slot, spiking or not
    assert longer["loihi1"]["fill_breakdown_uj"]["neuron"] == pytest.approx(slot_ratio * priced["fill_breakdown_uj"]["neuron"])
