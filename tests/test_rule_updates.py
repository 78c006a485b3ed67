"""The rule's update equations against hand-computed values: locality, signs, exact counts."""

import numpy as np
import pytest

from neuroplastic.rule import updates


def tiny_layer():
    """Three hidden units on 4x4 'images' (16 inputs), every synapse non-silent."""
    rng = np.random.default_rng(0)
    W = rng.uniform(0.01, 0.1, size=(3, 16)).astype(np.float32)
    X = (rng.random((4, 16)) < 0.3).astype(np.float32)
    return W, np.ones_like(W, dtype=bool), X


def test_instar_update_equals_hand_computed_rule():
    W, mask, X = tiny_layer()
    winners = np.array([0, 2, 0, 2])
    rate = np.array([0.5, 0.25, 0.1], dtype=np.float32)
    rows, increment = updates.instar_update(W, mask, X, winners, rate)
    expected = {0: 0.5 * ((X[0] - W[0]) + (X[2] - W[0])), 2: 0.1 * ((X[1] - W[2]) + (X[3] - W[2]))}
    assert rows.tolist() == [0, 2]
    for row, inc in zip(rows, increment):
        np.testing.assert_allclose(inc, expected[row], rtol=1e-6)


def test_instar_update_of_a_unit_ignores_other_units_and_their_inputs():
    W, mask, X = tiny_layer()
    winners = np.array([0, 1, 1, 2])
    rate = np.full(3, 0.2, dtype=np.float32)
    _, before = updates.instar_update(W, mask, X, winners, rate)
    W2, X2 = W.copy(), X.copy()
    W2[1] += 0.5  # another unit's weights
    X2[1] = 1 - X2[1]  # an input won by another unit
    _, after = updates.instar_update(W2, mask, X2, winners, rate)
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[2], after[2])


def test_silent_synapses_do_not_learn():
    W, mask, X = tiny_layer()
    mask[0, :8] = False
    W[0, :8] = 0
    _, increment = updates.instar_update(W, mask, X, np.zeros(4, dtype=int), np.full(3, 0.5, np.float32))
    assert np.all(increment[0, :8] == 0)
    assert np.any(increment[0, 8:] != 0)


def test_instar_with_online_kmeans_rate_keeps_weights_non_negative():
    W, mask, X = tiny_layer()
    counts = np.ones(3, dtype=np.float32)
    rng = np.random.default_rng(1)
    for _ in range(50):
        winners = rng.integers(0, 3, size=4)
        counts += np.bincount(winners, minlength=3)
        rows, increment = updates.instar_update(W, mask, X, winners, 1.0 / counts)
        W[rows] += increment
        assert W.min() >= -1e-7


def test_winner_is_the_nearest_unit_unless_its_conscience_bias_says_otherwise():
    W = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]], dtype=np.float32)
    X = np.array([[1, 0, 0, 0], [0, 0, 1, 1]], dtype=np.float32)
    assert updates.select_winners(W, X, np.zeros(3, np.float32)).tolist() == [0, 2]
    assert updates.select_winners(W, X, np.array([10, 0, 0], np.float32)).tolist() == [1, 2]


def test_homeostatic_bias_raises_frequent_winners_and_lowers_silent_ones():
    rate = np.full(3, 1 / 3, dtype=np.float32)
    rate, bias = updates.homeostatic_bias_update(rate, np.array([10.0, 0.0, 0.0]), 10, 100.0, 30.0)
    np.testing.assert_allclose(rate, [1 / 3 + (10 - 10 / 3) / 100, 1 / 3 - (10 / 3) / 100, 1 / 3 - (10 / 3) / 100],
                               rtol=1e-6)
    np.testing.assert_allclose(bias, 30 * (3 * rate - 1), rtol=1e-5)
    assert bias[0] > 0 > bias[1]


def test_rewiring_event_changes_the_count_by_grown_minus_eliminated():
    rng = np.random.default_rng(0)
    W = rng.uniform(0, 1, size=(3, 16)).astype(np.float32)
    mask = rng.random((3, 16)) < 0.7
    W[~mask] = 0
    new_W, new_mask, grown, eliminated = updates.rewiring_event(
        W, mask, rng, elimination_threshold=0.3, growth_probability=0.2, growth_weight=0.05)
    assert new_mask.sum() == mask.sum() + grown - eliminated
    assert eliminated == int((mask & (W < 0.3)).sum())
    assert np.all(new_W[new_mask] > 0) and np.all(new_W[~new_mask] == 0)
    assert np.all(new_W >= 0)


def test_rewiring_budget_keeps_each_units_strongest_synapses():
    W = np.array([[0.9, 0.1, 0.5, 0.3], [0.2, 0.0, 0.0, 0.8]], dtype=np.float32)
    new_W, new_mask, grown, eliminated = updates.rewiring_event(
        W, W > 0, np.random.default_rng(0), elimination_threshold=0.0, growth_probability=0.0,
        growth_weight=0.05, synapses_per_unit=2)
    assert new_mask.tolist() == [[True, False, True, False], [True, False, False, True]]
    assert (grown, eliminated) == (0, 2)


def test_activity_cost_makes_the_budget_prefer_weights_on_seldom_active_inputs():
    W = np.array([[0.9, 0.1, 0.5, 0.3], [0.2, 0.0, 0.0, 0.8]], dtype=np.float32)
    rates = np.array([0.64, 0.0, 0.04, 0.01])  # input 0 is on for almost every image
    upkeep = updates.synapse_upkeep(rates, 0.5)
    np.testing.assert_allclose(upkeep, np.sqrt(rates + updates.UPKEEP_FLOOR))
    assert np.all(updates.synapse_upkeep(rates, 0.0) == 1.0)
    new_W, new_mask, _, eliminated = updates.rewiring_event(
        W, W > 0, np.random.default_rng(0), elimination_threshold=0.0, growth_probability=0.0,
        growth_weight=0.05, synapses_per_unit=2, upkeep=upkeep)
    # merits w / upkeep: unit 0 -> 1.11, 0.99, 2.22, 2.12; unit 1 -> 0.25, -, -, 5.66
    assert new_mask.tolist() == [[False, False, True, True], [True, False, False, True]]
    np.testing.assert_array_equal(new_W[new_mask], W[new_mask])  # the kept weights themselves are unchanged
    assert eliminated == 2


def test_node_perturbation_update_is_the_noise_times_pre_outer_product_times_a_scalar():
    rng = np.random.default_rng(0)
    h = rng.random((1, 5)).astype(np.float32)
    noise = rng.normal(0, 0.3, size=(1, 1, 3)).astype(np.float32)
    dW, db = updates.node_perturbation_update(h, noise, np.array([[0.7]], np.float32), 0.3, 0.1)
    outer = np.outer(h[0], noise[0, 0])
    np.testing.assert_allclose(dW, -0.1 * 0.7 / 0.09 * outer, rtol=1e-5)
    np.testing.assert_allclose(db, -0.1 * 0.7 / 0.09 * noise[0, 0], rtol=1e-5)


def test_node_perturbation_follows_the_loss_gradient_on_average():
    rng = np.random.default_rng(0)
    h = rng.random((1, 4))
    V = rng.normal(size=(4, 3))
    y = np.array([1])
    u = h @ V
    sigma, K = 0.01, 20000
    noise = rng.normal(0, sigma, size=(K, 1, 3))
    change = updates.cross_entropy(u + noise, np.broadcast_to(y, (K, 1))) - updates.cross_entropy(u, y)
    dW, _ = updates.node_perturbation_update(h, noise, change, sigma, 1.0)
    p = np.exp(u - u.max()) / np.exp(u - u.max()).sum()
    gradient = np.outer(h[0], p[0] - np.eye(3)[1])
    np.testing.assert_allclose(dW, -gradient, atol=0.05)


def test_weight_perturbation_update_is_collinear_with_the_weight_noise():
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.2, size=(1, 4, 3))
    bias_noise = rng.normal(0, 0.2, size=(1, 3))
    dW, db = updates.weight_perturbation_update(noise, bias_noise, np.array([0.4]), 0.2, 0.5)
    np.testing.assert_allclose(dW, -0.5 * 0.4 / 0.04 * noise[0], rtol=1e-12)
    np.testing.assert_allclose(db, -0.5 * 0.4 / 0.04 * bias_noise[0], rtol=1e-12)


def test_keep_strongest_over_the_whole_layer_keeps_exactly_the_budget():
    magnitude = np.array([[0.5, 0.5, 0.1], [0.5, 0.0, 0.2]])
    keep = updates.keep_strongest(magnitude, 2)
    assert keep.sum() == 2 and keep[magnitude == 0.1].sum() == 0


@pytest.mark.parametrize("targets", [np.array([0, 2])])
def test_cross_entropy_is_the_negative_log_softmax_of_the_target(targets):
    u = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = np.exp(u) / np.exp(u).sum(1, keepdims=True)
    np.testing.assert_allclose(updates.cross_entropy(u, targets), -np.log(p[[0, 1], targets]))
