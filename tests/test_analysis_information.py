"""Information measures: the VIB bound, the plug-in cross-check and the capacities."""

import importlib.util
import math

import numpy as np
import pytest

from conftest import needs_jax
from neuroplastic.analysis import (confusion_matrix, label_information_bits, lognormal_fit, plugin_entropy_bits,
                                   plugin_mutual_information_bits, stored_information_capacity, synaptic_capacity)

if importlib.util.find_spec("jax") is not None:  # the VIB needs JAX (the baselines extra)
    from neuroplastic.analysis import VIBEstimator, gaussian_kl_bits, vib_information


@needs_jax
def test_rate_of_a_gaussian_channel_equals_its_mutual_information():
    # z = c x + sqrt(1 - c^2) e with x, e ~ N(0, 1): the marginal of z is N(0, 1), so
    # E_x KL(q(z|x) || N(0,1)) is exactly I(X;Z) = -log2(1 - c^2) / 2 per dimension.
    rng = np.random.default_rng(0)
    c = np.array([0.6, 0.9, 0.99])
    x = rng.standard_normal((200_000, 3))
    mu, log_var = c * x, np.broadcast_to(np.log(1 - c**2), x.shape)
    exact = float(np.sum(-0.5 * np.log2(1 - c**2)))
    assert np.mean(gaussian_kl_bits(mu, log_var)) == pytest.approx(exact, rel=0.01)


def _fitted_channel_information(vib, dim):
    # The fitted encoder is z = W^T h + b + noise with fixed covariance D; for h ~ N(0, I) (standardised
    # Gaussian input) I(H;Z) = log det(I + D^-1/2 W^T W D^-1/2) / 2, known in closed form.
    W, D = vib.params_["W_mu"], np.exp(vib.params_["b_lv"])
    M = np.eye(W.shape[1]) + (W.T @ W) / np.sqrt(np.outer(D, D))
    return 0.5 * np.linalg.slogdet(M)[1] / math.log(2)


@needs_jax
def test_vib_estimator_recovers_the_information_of_a_gaussian_channel_within_ten_percent():
    rng = np.random.default_rng(1)
    H = rng.standard_normal((4000, 6)).astype(np.float32)
    y = (H[:, 0] > 0).astype(int) + 2 * (H[:, 1] + 0.5 * H[:, 2] > 0)
    vib = VIBEstimator(latent_dim=4, beta=1e-2, epochs=30, homoscedastic=True, random_state=0).fit(H, y)
    known = _fitted_channel_information(vib, 6)
    assert known > 2.0  # the channel carries several bits, so 10% is a real test
    H_new = rng.standard_normal((20000, 6)).astype(np.float32)
    assert vib.marginal_rate_bits(H_new) == pytest.approx(known, rel=0.10)
    # the paper's fixed-prior rate is an upper bound on the same information
    assert vib.rate_bits(H_new) >= known * 0.99


@needs_jax
def test_vib_information_reports_spread_over_seeds_and_settings():
    rng = np.random.default_rng(2)
    H = np.abs(rng.standard_normal((600, 5))).astype(np.float32)
    y = (H[:, 0] > H[:, 1]).astype(int)
    out = vib_information(H, y, H, y, seeds=(0, 1, 2), latent_dim=3, epochs=5)
    assert len(out["i_xz_bits_per_seed"]) == 3
    assert out["i_xz_bits_sd"] == pytest.approx(np.std(out["i_xz_bits_per_seed"], ddof=1))
    assert out["settings"]["latent_dim"] == 3 and out["settings"]["seed"] == [0, 1, 2]
    assert out["i_xz_bits_marginal"] <= out["i_xz_bits"] + 1e-6


def test_divergent_seeds_are_those_more_than_twice_off_the_median():
    from neuroplastic.analysis import divergent_seeds

    assert divergent_seeds([156.0, 3028.0, 161.0], [0, 1, 2]) == [1]
    assert divergent_seeds([100.0, 40.0, 110.0], [5, 6, 7]) == [6]  # below half the median
    assert divergent_seeds([100.0, 190.0, 60.0], [0, 1, 2]) == []  # within 2x either way


def test_vib_reports_the_median_over_seeds_and_flags_a_divergent_seed(monkeypatch):
    # One fit that diverged (the case seen: 3,028 bits against 156 and 161) must not carry the figure.
    rates = {0: 156.0, 1: 3028.0, 2: 161.0}
    monkeypatch.setattr(VIBEstimator, "rate_bits", lambda self, H: rates[self.random_state])
    rng = np.random.default_rng(0)
    H = np.abs(rng.standard_normal((200, 4))).astype(np.float32)
    y = (H[:, 0] > H[:, 1]).astype(int)
    out = vib_information(H, y, H, seeds=(0, 1, 2), latent_dim=2, epochs=1)
    assert out["i_xz_bits"] == 161.0
    assert out["i_xz_bits_mean"] == pytest.approx(np.mean(list(rates.values())))
    assert out["i_xz_bits_divergent_seeds"] == [1]
    assert out["settings"]["summary"] == "median over seeds"


def test_plugin_entropy_of_four_equally_frequent_codes_is_two_bits():
    codes = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25, dtype=bool)
    assert plugin_entropy_bits(codes) == pytest.approx(2.0)
    assert plugin_entropy_bits(codes[:, :1]) == pytest.approx(1.0)


def test_plugin_mutual_information_of_copies_and_of_independent_variables():
    a = np.repeat([0, 1, 2, 3], 50)
    assert plugin_mutual_information_bits(a, a) == pytest.approx(2.0)
    b = np.tile([0, 1], 100)  # independent of a by construction
    assert plugin_mutual_information_bits(a, b) == pytest.approx(0.0, abs=1e-12)


def test_label_information_of_perfect_and_of_useless_classifiers():
    assert label_information_bits(np.diag([10, 10, 10, 10])) == pytest.approx(2.0)
    assert label_information_bits(np.full((3, 3), 7)) == pytest.approx(0.0, abs=1e-12)
    assert confusion_matrix([1, 2, 6, 6], [1, 6, 6, 2], [1, 2, 6]).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]


class _PerfectTwoClassNetwork:
    classes = np.array([0, 1])
    n_nonsilent = {"hidden": 40, "output": 8, "total": 48}
    n_potential = {"hidden": 400, "output": 20, "total": 420}

    def predict(self, X):
        return (np.asarray(X)[:, 0] > 0.5).astype(int)


def test_stored_information_counts_training_images_times_label_bits():
    X = np.array([[0.0], [1.0]] * 50)
    y = (X[:, 0] > 0.5).astype(int)
    cap = stored_information_capacity(_PerfectTwoClassNetwork(), X, y)
    assert cap["i_y_yhat_bits"] == pytest.approx(1.0)
    assert cap["stored_bits"] == pytest.approx(100.0)
    assert cap["capacity_per_synapse"] == pytest.approx(100.0 / 48)
    assert cap["network_capacity"] == pytest.approx(100.0 / 420)
    assert synaptic_capacity(20.0, 400) == pytest.approx(0.05)


def test_lognormal_fit_recovers_its_parameters():
    rng = np.random.default_rng(3)
    fit = lognormal_fit(rng.lognormal(mean=-2.0, sigma=0.5, size=20000))
    assert fit["mu"] == pytest.approx(-2.0, abs=0.02)
    assert fit["sigma"] == pytest.approx(0.5, rel=0.02)
    assert fit["ks_distance"] < 0.02
    assert lognormal_fit([0.0, -1.0]) == {}


@needs_jax
def test_vib_rate_stays_finite_for_a_unit_almost_never_active_in_training():
    # A unit active on one training image has a tiny sd; test codes where it fires must not blow up the rate.
    rng = np.random.default_rng(4)
    H = np.abs(rng.standard_normal((1000, 5))).astype(np.float32)
    H[:, 4] = 0.0
    H[0, 4] = 0.01
    y = (H[:, 0] > H[:, 1]).astype(int)
    vib = VIBEstimator(latent_dim=3, epochs=10, random_state=0).fit(H, y)
    H_test = H.copy()
    H_test[:, 4] = 0.05  # 5 times its largest training value (160 of its own sd), on every test image
    assert vib.rate_bits(H_test) < 2 * vib.rate_bits(H) + 5
