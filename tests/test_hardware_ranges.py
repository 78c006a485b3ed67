"""Peak inputs and potentials of a fixed-point run against Loihi's 16-bit input and 24-bit state."""

import dataclasses

import numpy as np

from neuroplastic.cli.energy import range_warning
from neuroplastic.hardware.evaluate import evaluate_energy
from neuroplastic.hardware.ranges import INPUT_LIMIT, PeakRanges
from neuroplastic.hardware.rate_code import build_plan, simulate

from test_hardware_rate_code import triangle_network


def test_peaks_are_recorded_per_layer_and_an_input_beyond_16_bits_is_named():
    net = triangle_network(seed=3)
    X = np.random.default_rng(2).uniform(0, 1, (12, 8))
    plan = build_plan(net, X, steps=16, hidden_rate=1.0, inhibition_rate=1.0)
    within = PeakRanges()
    simulate(plan, X, observe=within)
    layers = within.layers()
    assert {"hidden", "inhibition", "output"} <= set(layers)
    assert 0 < layers["hidden"]["max_input_weight_steps"] <= INPUT_LIMIT and within.beyond_input() == {}
    assert layers["hidden"]["within_16_bit_input"] and layers["output"]["max_potential_weight_steps"] > 0
    loud = dataclasses.replace(plan, hidden_weights=plan.hidden_weights * 300)  # 254 x 300 > 32,767 per synapse
    beyond = PeakRanges()
    simulate(loud, X, observe=beyond)
    assert set(beyond.beyond_input()) == {"hidden"} and not beyond.layers()["hidden"]["within_16_bit_input"]


def test_energy_reports_the_ranges_and_the_cli_warns_only_beyond_16_bits():
    net = triangle_network(seed=3)
    rng = np.random.default_rng(2)
    X, y = rng.uniform(0, 1, (12, 8)), rng.integers(0, 3, 12)
    entry = evaluate_energy(net, X, y, X, steps=16, backend="numpy")["networks"][0]
    ranges = entry["ranges"]
    assert ranges["images"] == 12 and ranges["limits_weight_steps"]["input_16_bit"] == INPUT_LIMIT
    assert range_warning(ranges) is None
    ranges["layers"]["hidden"].update(max_input_weight_steps=44032.0, within_16_bit_input=False)
    warning = range_warning(ranges)
    assert "hidden 44,032" in warning and "32,767" in warning and "first 12 images" in warning
    floating = evaluate_energy(net, X, y, X, steps=16, backend="numpy", tag="floating_pt")["networks"][0]
    assert "ranges" not in floating
