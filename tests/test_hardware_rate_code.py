"""Rate-coded integer network: encoding, quantisation, activation mapping, and its NumPy dynamics."""

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from neuroplastic.errors import HardwareError
from neuroplastic.hardware.linear_form import HINGE_PERCENTILE, linear_form
from neuroplastic.hardware.rate_code import (OUTPUT_MARGIN, build_plan, classify_counts, encode_inputs, quantise_weights,
                                             simulate)
from neuroplastic.network import TrainedNetwork
from neuroplastic.rule.activations import squared_norm_bias


def relu_network(seed=0, n_in=6, n_hidden=5, n_classes=3):
    rng = np.random.default_rng(seed)
    hidden = sp.csr_matrix(rng.uniform(0, 1, (n_hidden, n_in)) * (rng.random((n_hidden, n_in)) < 0.6))
    return TrainedNetwork(hidden_weights=hidden, hidden_bias=rng.normal(0, 0.1, n_hidden),
                          output_weights=rng.normal(0, 1, (n_classes, n_hidden)), output_bias=rng.normal(0, 0.1, n_classes),
                          activation="relu", classes=np.arange(n_classes))


def triangle_network(seed=0, n_in=8, n_hidden=6, n_classes=3):
    rng = np.random.default_rng(seed)
    hidden = sp.csr_matrix(rng.uniform(0, 1, (n_hidden, n_in)) * (rng.random((n_hidden, n_in)) < 0.5))
    return TrainedNetwork(hidden_weights=hidden, hidden_bias=squared_norm_bias(hidden),
                          output_weights=rng.normal(0, 1, (n_classes, n_hidden)), output_bias=np.zeros(n_classes),
                          activation="triangle", classes=np.arange(n_classes))


def test_each_input_emits_round_steps_times_intensity_spikes():
    counts = encode_inputs(np.array([[0.0, 0.5, 1.0, 0.26]]), steps=10)
    assert counts[:, 0].tolist() == [0, 5, 10, 3]
    with pytest.raises(HardwareError, match=r"\[0, 1\]"):
        encode_inputs(np.array([[1.5]]), steps=10)


def test_weights_are_quantised_to_the_profile_bits_in_lavas_format():
    matrix = sp.csr_matrix(np.array([[0.1, 0.5, 1.0], [0.0, 0.25, 0.7]]))
    ints, scale = quantise_weights(matrix, 4)
    assert set(np.unique(ints.data) % 16) == {0} and ints.data.max() == 240
    assert scale == pytest.approx(240.0)
    signed, _ = quantise_weights(sp.csr_matrix(0.3 - matrix.toarray()), 8)
    assert signed.data.min() >= -254 and signed.data.max() <= 254 and np.all(signed.data % 2 == 0)


def test_hidden_spike_counts_are_a_rate_code_of_the_relu_drive():
    net = relu_network()
    X = np.random.default_rng(1).uniform(0, 1, (50, 6))
    plan = build_plan(net, X, steps=64)
    counts = simulate(plan, X)["hidden"]
    Xq = encode_inputs(X, 64).T / 64
    drive = np.asarray(plan.hidden_weights @ Xq.T).T + plan.hidden_bias[None, :] * plan.slot / plan.steps
    expected = np.maximum(drive, 0) * plan.steps / plan.hidden_vth
    assert np.abs(counts.T - expected).max() <= 2.0


def test_spiking_relu_network_agrees_with_the_engine():
    net = relu_network(seed=3)
    X = np.random.default_rng(2).uniform(0, 1, (300, 6))
    plan = build_plan(net, X, steps=256)
    spikes = simulate(plan, X)
    predicted = classify_counts(spikes["output"], spikes["output_last"], plan.classes)
    assert np.mean(predicted == net.predict(X)) >= 0.95


def test_the_winning_class_fires_with_headroom_on_every_calibration_image():
    # An image whose every class potential ends below zero is decided by transient spikes, not by its
    # potentials, so the common shift leaves the lowest top potential OUTPUT_MARGIN of the range above zero.
    net = relu_network(seed=5)
    X = np.random.default_rng(6).uniform(0, 1, (400, 6))
    plan = build_plan(net, X, steps=128, quantile=1.0)
    top = simulate(plan, X)["output"].max(axis=0)
    assert top.min() >= np.floor(0.8 * OUTPUT_MARGIN * plan.steps)
    assert top.max() <= plan.steps


def test_triangle_maps_to_squared_distance_drive_with_one_interneuron_and_a_bias_gain():
    net = triangle_network()
    X = np.random.default_rng(4).uniform(0, 1, (40, 8))
    form = linear_form(net, X)
    W = net.hidden_weights.toarray()
    u = X @ W.T - 0.5 * (W * W).sum(axis=1)  # w.x - ||w||^2 / 2
    distance = np.sqrt(np.maximum((X * X).sum(1, keepdims=True) - 2 * u, 0))
    half_variance = 0.5 * distance.var(axis=1).mean()
    assert np.allclose(form.drive(X), u - u.mean(axis=1, keepdims=True) - half_variance)
    assert np.allclose(form.inhibition, W.mean(axis=0))
    total = X.sum(axis=1)
    knot = np.percentile(total, HINGE_PERCENTILE)
    features = np.c_[np.ones(len(X)), total, np.maximum(0, total - knot)]
    (intercept, slope, gamma), *_ = np.linalg.lstsq(features, distance.mean(axis=1), rcond=None)
    assert form.bias_gain == pytest.approx((intercept, slope)) and form.hinge == pytest.approx((knot, gamma))
    assert np.allclose(form.gain(X), features @ (intercept, slope, gamma)) and not form.exact
    # the fitted gain is the least-squares estimate of the mean distance: closer than a line in sum x alone
    line = np.polyval(np.polyfit(total, distance.mean(axis=1), 1), total)
    assert np.sum((form.gain(X) - distance.mean(axis=1)) ** 2) <= np.sum((line - distance.mean(axis=1)) ** 2)


def test_linearised_triangle_ranks_units_like_the_engine():
    net = triangle_network(seed=5, n_hidden=20)
    X = np.random.default_rng(6).uniform(0, 1, (100, 8))
    form = linear_form(net, X)
    engine, mapped = net.hidden(X), form.hidden(X) / form.gain(X)[:, None]
    assert np.mean(np.argmax(engine, 1) == np.argmax(mapped, 1)) >= 0.95


def test_squared_distance_triangle_is_exactly_a_relu_with_one_interneuron():
    net = triangle_network(seed=7, n_hidden=12)
    net.activation = "squared_distance_triangle"
    X = np.random.default_rng(8).uniform(0, 1, (60, 8))
    W = net.hidden_weights.toarray()
    distance2 = (X * X).sum(1, keepdims=True) - 2 * X @ W.T + (W * W).sum(axis=1)
    expected = np.maximum(distance2.mean(axis=1, keepdims=True) - distance2, 0)
    np.testing.assert_allclose(net.hidden(X), expected, atol=1e-9)
    form = linear_form(net)  # exact: needs no calibration images
    assert form.exact and form.bias_gain is None
    np.testing.assert_allclose(form.hidden(X), expected, atol=1e-9)
    plan = build_plan(net, X, steps=128)
    assert plan.has_inhibition and not plan.has_relay


@pytest.mark.parametrize("rate", [0.5, 0.25])
def test_lower_rates_send_proportionally_fewer_spikes(rate):
    net = triangle_network(seed=9, n_hidden=30)
    X = np.random.default_rng(10).uniform(0, 1, (80, 8))
    full = simulate(build_plan(net, X, steps=128), X)
    plan = build_plan(net, X, steps=128, hidden_rate=rate, inhibition_rate=rate)
    low = simulate(plan, X)
    # the interneuron's count is the rate code of one drive; the hidden counts also carry the coarser
    # inhibition and the rounding of small counts
    assert low["inhibition"].sum() == pytest.approx(rate * full["inhibition"].sum(), rel=0.05)
    assert low["hidden"].sum() == pytest.approx(rate * full["hidden"].sum(), rel=0.2)
    assert plan.notes["hidden_rate"] == rate
    with pytest.raises(HardwareError, match="hidden_rate"):
        build_plan(net, X, steps=128, hidden_rate=1.5)


def test_squared_triangle_maps_to_the_linearised_triangle_squared_with_a_squared_gain():
    net = triangle_network(seed=5, n_hidden=20)
    net.activation = "triangle_squared"
    X = np.random.default_rng(6).uniform(0, 1, (100, 8))
    plain = linear_form(dataclasses.replace(net, activation="triangle"), X)
    form = linear_form(net, X, squares=True)
    assert form.power == 2 and form.hinge is None and plain.hinge is not None and not form.exact
    np.testing.assert_allclose(form.hidden(X), plain.hidden(X) ** 2)
    W = net.hidden_weights.toarray()  # the squared gain: the square of one relay's line, no hinge
    u = X @ W.T - 0.5 * (W * W).sum(axis=1)
    mean_distance = np.sqrt(np.maximum((X * X).sum(1, keepdims=True) - 2 * u, 0)).mean(axis=1)
    slope, intercept = np.polyfit(X.sum(axis=1), mean_distance, 1)
    assert form.bias_gain == pytest.approx((intercept, slope))
    np.testing.assert_allclose(form.gain(X), (intercept + slope * X.sum(axis=1)) ** 2)
    engine, mapped = net.hidden(X), form.hidden(X) / form.gain(X)[:, None]
    assert np.mean(np.argmax(engine, 1) == np.argmax(mapped, 1)) >= 0.95
    assert np.corrcoef(engine.ravel(), mapped.ravel())[0, 1] > 0.9


def test_squared_triangle_is_refused_unless_the_caller_can_square():
    net = triangle_network()
    net.activation = "triangle_squared"
    X = np.random.default_rng(4).uniform(0, 1, (40, 8))
    with pytest.raises(HardwareError, match="'triangle_squared' squares a spike count, which needs graded spikes"):
        build_plan(net, X, steps=16)
    plan = build_plan(net, X, steps=16, squares=True)
    assert plan.facilitates and plan.hidden_power == 2
    assert build_plan(dataclasses.replace(net, activation="triangle"), X, steps=16).count_caps == (0, 0)


@pytest.mark.parametrize("fixed", [False, True])
def test_facilitating_synapses_add_half_the_square_of_the_spike_count(fixed):
    net = triangle_network(seed=2, n_hidden=6)
    net.activation = "triangle_squared"
    X = np.random.default_rng(3).uniform(0, 1, (30, 8))
    plan = build_plan(net, X, steps=16, squares=True)
    # one output that sums the squares of the hidden counts: weight 2, no bias, no relay
    vth = 200  # above the largest input of one step (6 units x 2 x 16.5), so at most one spike per step
    probe = dataclasses.replace(plan, output_weights=sp.csr_matrix(np.full((1, 6), 2, np.int32)),
                                output_bias=np.zeros(1), output_vth=vth, classes=np.arange(1), relay_weights=None,
                                relay_to_output=None, relay_facilitated=None)
    spikes = simulate(probe, X, fixed=fixed)
    n = spikes["hidden"]
    assert n.max() >= 8
    np.testing.assert_array_equal(spikes["output"][0], np.floor((vth / 2 + (n**2).sum(axis=0)) / vth))
    linear = simulate(dataclasses.replace(probe, hidden_power=1), X, fixed=fixed)  # plain synapses: 2 n per unit
    np.testing.assert_array_equal(linear["output"][0], np.floor((vth / 2 + 2 * n.sum(axis=0)) / vth))


def test_unmappable_activation_is_a_clear_error():
    net = relu_network()
    net.activation = "paper_sigmoid"
    with pytest.raises(HardwareError, match="paper_sigmoid.*supported: relu, triangle, squared_distance_triangle"):
        build_plan(net, np.zeros((2, 6)), steps=16)


def test_too_few_steps_is_rejected():
    with pytest.raises(HardwareError, match="steps >= 8"):
        build_plan(relu_network(), np.zeros((2, 6)), steps=4)


def test_fixed_point_current_wraps_and_potential_clips_at_24_bits_as_in_lava():
    from neuroplastic.hardware.rate_code import UV_LIMIT, V_SHIFT, _layer_step

    v = np.array([[UV_LIMIT - 10 * V_SHIFT, 0, 0]], dtype=np.int64)
    a_in = np.array([[100, UV_LIMIT // V_SHIFT + 1, -1]])  # the second current is 2**23 + 64: it wraps
    spikes = _layer_step(v, a_in, 0, vth=UV_LIMIT, fixed=True)  # a threshold the clipped potential cannot pass
    assert not spikes.any()
    assert v.tolist() == [[UV_LIMIT - 1, V_SHIFT - UV_LIMIT, -V_SHIFT]]


def test_a_facilitating_plan_has_even_output_weights_even_when_they_share_one_sign():
    """Half a facilitating weight must be whole (graded spikes halve 2k - 1 times it; counters add w / 2)."""
    net = triangle_network(seed=5)
    net.output_weights = abs(net.output_weights.toarray()) + 0.01  # one sign: Lava would keep odd values
    X = np.random.default_rng(4).uniform(0, 1, (40, 8))
    plain = build_plan(net, X, steps=16)
    assert np.any(plain.output_weights.data % 2)  # the same weights at full precision, for a plain plan
    net.activation = "triangle_squared"
    squared = build_plan(net, X, steps=16, squares=True)
    assert np.all(squared.output_weights.data % 2 == 0) and squared.output_weights.data.max() <= 254


def test_signed_readout_weights_are_halved_at_the_same_precision():
    """Halved weights (Lava: even mantissas with weight_exp -1) send half the input per spike, the same levels."""
    net = triangle_network(seed=6)
    X = np.random.default_rng(4).uniform(0, 1, (40, 8))
    full, _ = quantise_weights(net.output_weights, 8)
    halved, _ = quantise_weights(net.output_weights, 8, halve=True)
    np.testing.assert_array_equal(halved.toarray() * 2, full.toarray())
    assert np.any(halved.data % 2) and np.abs(halved.data).max() <= 127
    plan = build_plan(net, X, steps=16)
    assert plan.output_exp == -1 and np.array_equal(plan.output_weights.toarray(), halved.toarray())
    net.activation = "triangle_squared"  # facilitating weights stay whole and even: w / 2 must be whole
    assert build_plan(net, X, steps=16, squares=True).output_exp == 0
