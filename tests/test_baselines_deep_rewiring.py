"""DEEP R: the connection budget, the fixed signs, dormant connections, seeds and errors."""

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="needs jax: pip install 'neuroplastic[baselines]'")

import jax.numpy as jnp  # noqa: E402

from neuroplastic.baselines import BASELINES, DeepRewiringClassifier
from neuroplastic.baselines.deep_rewiring import REGROW_TIERS, regrow
from neuroplastic.errors import ConfigError


def two_blobs(n_per_class=40, n_features=12, seed=0):
    """Two classes of 'images': the first or the second half of the pixels bright, plus noise."""
    rng = np.random.default_rng(seed)
    half = n_features // 2
    prototypes = np.zeros((2, n_features))
    prototypes[0, :half] = 1
    prototypes[1, half:] = 1
    X = np.concatenate([np.clip(p + 0.3 * rng.standard_normal((n_per_class, n_features)), 0, 1) for p in prototypes])
    y = np.repeat([3, 7], n_per_class)
    order = rng.permutation(y.size)
    return X[order].astype(np.float32), y[order]


# High temperature: many connections die and are regrown, so the budget is really exercised.
FAST = {"n_hidden": 6, "epochs": 8, "batch_size": 16, "learning_rate": 1e-2, "temperature": 1.0}


def test_registered_under_its_method_name():
    assert BASELINES["deep_r"] is DeepRewiringClassifier


def test_regrow_picks_exactly_the_missing_number_among_dormant_connections():
    active = jnp.asarray(np.random.default_rng(0).random((7, 5)) < 0.4)
    picks = [np.asarray(regrow(jax.random.PRNGKey(seed), active, 6)) for seed in range(3)]
    for chosen in picks:
        assert chosen.sum() == 6
        assert not (chosen & np.asarray(active)).any()
    assert not np.array_equal(picks[0], picks[1])
    every_dormant = np.asarray(regrow(jax.random.PRNGKey(0), active, int((~active).sum())))
    np.testing.assert_array_equal(every_dormant, ~np.asarray(active))


def _regrow_by_full_sort(key, active, n_missing):
    """The definition: the n_missing dormant connections with the lowest scores, by sorting the whole layer."""
    flat = active.ravel()
    scores = jnp.where(flat, 2.0, jax.random.uniform(key, flat.shape))
    order = jnp.argsort(scores)
    return jnp.zeros(flat.shape, dtype=bool).at[order].set(jnp.arange(flat.size) < n_missing).reshape(active.shape)


def test_regrow_partial_sorts_pick_what_the_full_sort_picks_in_every_tier():
    small, large = REGROW_TIERS
    active = jnp.asarray(np.random.default_rng(1).random((100, 60)) < 0.2)  # more potential connections than tiers
    n_dormant = int((~active).sum())
    assert n_dormant > large + 1
    fast, reference = jax.jit(regrow), jax.jit(_regrow_by_full_sort)  # one compilation each for every n_missing
    for seed, n_missing in enumerate([0, 1, small, small + 1, large, large + 1, n_dormant]):
        key, n_missing = jax.random.PRNGKey(seed), jnp.int32(n_missing)
        chosen = np.asarray(fast(key, active, n_missing))
        np.testing.assert_array_equal(chosen, np.asarray(reference(key, active, n_missing)))
        assert chosen.sum() == n_missing and not (chosen & np.asarray(active)).any()


@pytest.mark.parametrize("rewire_every", [1, 3])
def test_active_connections_stay_at_the_budget(rewire_every):
    X, y = two_blobs()
    clf = DeepRewiringClassifier(hidden_connections=20, output_connections=7, rewire_every=rewire_every,
                                 random_state=0, **FAST).fit(X, y)
    assert clf.budgets_ == {"hidden": 20, "output": 7}
    assert sum(h["regrown_hidden"] for h in clf.history_) > 0  # connections did die and were regrown
    for entry in clf.history_:
        assert entry["active_hidden"] == [20, 20]
        assert entry["active_output"] == [7, 7]
    assert clf.masks_["W1"].sum() == 20 and clf.masks_["W2"].sum() == 7
    assert clf.n_nonsilent_ == {"hidden": 20, "output": 7, "total": 27}


def test_weights_keep_their_fixed_sign_and_dormant_ones_are_zero():
    X, y = two_blobs()
    clf = DeepRewiringClassifier(hidden_connections=25, output_connections=8, random_state=1, **FAST).fit(X, y)
    initial = DeepRewiringClassifier(hidden_connections=25, output_connections=8, random_state=1,
                                     **{**FAST, "epochs": 1}).fit(X, y)
    for name in ("W1", "W2"):
        w, mask, sign = clf.params_[name], clf.masks_[name], clf.signs_[name]
        assert set(np.unique(sign)) == {-1, 1}
        np.testing.assert_array_equal(np.sign(w[mask]), sign[mask])
        assert np.all(w[~mask] == 0.0)
        # the signs are drawn once, before training
        np.testing.assert_array_equal(sign, initial.signs_[name])


def test_same_seed_gives_identical_networks_and_another_seed_differs():
    X, y = two_blobs()
    a = DeepRewiringClassifier(hidden_connections=20, random_state=5, **FAST).fit(X, y)
    b = DeepRewiringClassifier(hidden_connections=20, random_state=5, **FAST).fit(X, y)
    c = DeepRewiringClassifier(hidden_connections=20, random_state=6, **FAST).fit(X, y)
    np.testing.assert_array_equal(a.params_["W1"], b.params_["W1"])
    np.testing.assert_array_equal(a.masks_["W1"], b.masks_["W1"])
    assert a.history_ == b.history_
    assert not np.array_equal(a.masks_["W1"], c.masks_["W1"])


def test_learns_a_separable_problem_with_few_connections():
    X, y = two_blobs(seed=1)
    X_test, y_test = two_blobs(seed=2)
    clf = DeepRewiringClassifier(hidden_connections=12, output_connections=6, random_state=0,
                                 **{**FAST, "epochs": 20, "temperature": 1e-6}).fit(X, y)
    assert clf.n_nonsilent_["hidden"] == 12
    assert clf.score(X_test, y_test) >= 0.9


@pytest.mark.parametrize("params, field", [
    ({"hidden_connections": 0}, "hidden_connections"),
    ({"hidden_connections": 12 * 6 + 1}, "hidden_connections"),
    ({"hidden_connections": 2.5}, "hidden_connections"),
    ({"output_connections": 6 * 2 + 1}, "output_connections"),
    ({"output_connections": 0}, "output_connections"),
    ({"temperature": -1e-3}, "temperature"),
    ({"alpha": -1.0}, "alpha"),
    ({"connectivity": 0.0}, "connectivity"),
    ({"rewire_every": 0}, "rewire_every"),
])
def test_bad_hyperparameters_raise_config_error_naming_the_field(params, field):
    X, y = two_blobs(n_per_class=5)
    with pytest.raises(ConfigError, match=field):
        DeepRewiringClassifier(n_hidden=6, epochs=1, **params).fit(X, y)


def test_the_whole_layer_is_a_valid_budget():
    X, y = two_blobs()
    clf = DeepRewiringClassifier(hidden_connections=12 * 6, output_connections=6 * 2, random_state=0,
                                 **FAST).fit(X, y)
    assert clf.masks_["W1"].all() and clf.masks_["W2"].all()
