"""Activations compute their written formulas from sparse weights; impossible parameters are named."""

import numpy as np
import pytest
import scipy.sparse as sp

from neuroplastic.errors import ConfigError
from neuroplastic.rule.activations import ACTIVATIONS, DISTANCE_ACTIVATIONS, hidden_activity, squared_norm_bias
from neuroplastic.rule.params import HiddenRuleParams, HomeostasisParams, OutputRuleParams, RewiringParams


def tiny_weights():
    rng = np.random.default_rng(0)
    W = rng.uniform(0, 1, size=(3, 16)) * (rng.random((3, 16)) < 0.5)
    X = rng.uniform(0, 1, size=(5, 16))
    return W, X


def test_triangle_is_mean_distance_minus_distance_computed_from_sparse_weights():
    W, X = tiny_weights()
    d = np.linalg.norm(X[:, None, :] - W[None, :, :], axis=2)
    expected = np.maximum(0, d.mean(1, keepdims=True) - d)
    got = hidden_activity(X, sp.csr_matrix(W), squared_norm_bias(sp.csr_matrix(W)), "triangle")
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_paper_sigmoid_is_twice_the_sigmoid_minus_one_clipped_at_zero():
    W, X = tiny_weights()
    b = np.array([-1.0, 0.5, 0.0])
    u = X @ W.T + b
    expected = np.maximum(0, 2 / (1 + np.exp(-u)) - 1)
    np.testing.assert_allclose(hidden_activity(X, sp.csr_matrix(W), b, "paper_sigmoid"), expected, rtol=1e-10)


def test_batches_do_not_change_the_result():
    W, X = tiny_weights()
    a = hidden_activity(X, sp.csr_matrix(W), squared_norm_bias(W), "triangle", batch_size=2)
    b = hidden_activity(X, sp.csr_matrix(W), squared_norm_bias(W), "triangle")
    np.testing.assert_array_equal(a, b)


def test_unknown_activation_is_named():
    W, X = tiny_weights()
    with pytest.raises(ConfigError, match="activation must be one of"):
        hidden_activity(X, sp.csr_matrix(W), np.zeros(3), "softplus")
    assert {"triangle", "paper_sigmoid", "relu", "sigmoid"} <= set(ACTIVATIONS)


@pytest.mark.parametrize("params, field", [
    (RewiringParams(period=0), "period"),
    (RewiringParams(growth_probability=1.5), "growth_probability"),
    (RewiringParams(synapses_per_unit=0), "synapses_per_unit"),
    (RewiringParams(max_synapses_per_unit=0), "max_synapses_per_unit"),
    (RewiringParams(max_synapses_per_unit=5, synapses_per_unit=6), "synapses_per_unit"),
    (RewiringParams(readout_growth_probability=-0.1), "readout_growth_probability"),
    (RewiringParams(consolidate_after=0), "consolidate_after"),
    (HomeostasisParams(time_constant=0.0), "time_constant"),
    (HiddenRuleParams(initial_weight_low=0.2, initial_weight_high=0.1), "initial_weight_low"),
    (OutputRuleParams(noise_std=-1.0), "noise_std"),
    (OutputRuleParams(synapses_per_unit=0), "synapses_per_unit"),
    (OutputRuleParams(turnover=1.5), "turnover"),
])
def test_impossible_rule_parameters_raise_a_config_error_naming_the_field(params, field):
    with pytest.raises(ConfigError) as info:
        params.validate()
    assert info.value.field == field


def test_activity_from_sums_equals_hidden_activity_for_every_activation():
    from neuroplastic.rule.activations import activity_from_sums, synaptic_input

    W, X = tiny_weights()
    norm = squared_norm_bias(W)
    sums, x2 = synaptic_input(X, sp.csr_matrix(W)), np.einsum("ij,ij->i", X, X)
    for name in ACTIVATIONS:
        bias = norm if name in DISTANCE_ACTIVATIONS else -0.5 * norm
        np.testing.assert_allclose(activity_from_sums(name, sums, x2, bias),
                                   hidden_activity(X, sp.csr_matrix(W), bias, name), rtol=1e-6, atol=1e-9)


def test_triangle_squared_is_the_square_of_the_triangle():
    W, X = tiny_weights()
    bias = squared_norm_bias(W)
    plain = hidden_activity(X, sp.csr_matrix(W), bias, "triangle")
    np.testing.assert_allclose(hidden_activity(X, sp.csr_matrix(W), bias, "triangle_squared"), plain ** 2, rtol=1e-12)
