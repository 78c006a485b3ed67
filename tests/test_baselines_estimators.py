"""The JAX baselines: the learner contract, what each method guarantees, and the saved format."""

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs jax: pip install 'neuroplastic[baselines]'")

from neuroplastic.baselines import (BASELINES, BackpropClassifier, ConstrainedBackpropClassifier,
                                    PrunedBackpropClassifier, SparseEvolutionaryClassifier)
from neuroplastic.baselines.pruning import magnitude_mask
from neuroplastic.baselines.sparse_evolutionary import rewire_layer
from neuroplastic.errors import ConfigError, DataError


def toy_problem(n_per_class=60, seed=0):
    """Three classes of 4x4 'images': a bright row, column or diagonal, plus noise."""
    rng = np.random.default_rng(seed)
    prototypes = np.zeros((3, 4, 4))
    prototypes[0, 1, :] = 1
    prototypes[1, :, 2] = 1
    prototypes[2][np.eye(4, dtype=bool)] = 1
    X = np.concatenate([np.clip(p.ravel() + 0.2 * rng.standard_normal((n_per_class, 16)), 0, 1) for p in prototypes])
    y = np.repeat([1, 2, 6], n_per_class)
    order = rng.permutation(y.size)
    return X[order].astype(np.float32), y[order]


FAST = {"epochs": 15, "batch_size": 32, "learning_rate": 1e-2}


@pytest.mark.parametrize("method", sorted(BASELINES))
def test_every_baseline_follows_the_learner_contract(method):
    X, y = toy_problem()
    clf = BASELINES[method](n_hidden=8, random_state=0, **FAST)
    assert clf.get_params()["n_hidden"] == 8
    assert clf.fit(X, y) is clf
    assert set(clf.classes_) == {1, 2, 6}
    assert clf.predict(X).shape == y.shape
    assert set(np.unique(clf.predict(X))) <= {1, 2, 6}
    assert clf.score(X, y) >= 0.9
    clone = type(clf)(**clf.get_params())
    assert clone.get_params() == clf.get_params()
    assert not hasattr(clone, "params_")


def test_set_params_rejects_unknown_hyperparameters():
    with pytest.raises(ConfigError, match="hidden_units"):
        BackpropClassifier().set_params(hidden_units=3)


def test_same_random_state_gives_identical_weights():
    X, y = toy_problem()
    a = BackpropClassifier(n_hidden=5, random_state=3, **FAST).fit(X, y)
    b = BackpropClassifier(n_hidden=5, random_state=3, **FAST).fit(X, y)
    c = BackpropClassifier(n_hidden=5, random_state=4, **FAST).fit(X, y)
    np.testing.assert_array_equal(a.params_["W1"], b.params_["W1"])
    assert not np.array_equal(a.params_["W1"], c.params_["W1"])


def test_fit_rejects_bad_inputs_and_hyperparameters():
    X, y = toy_problem()
    with pytest.raises(ConfigError, match="n_hidden"):
        BackpropClassifier(n_hidden=0).fit(X, y)
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        BackpropClassifier(n_hidden=2).fit(X_bad, y)
    with pytest.raises(DataError, match="not fitted"):
        BackpropClassifier().predict(X)


def test_constrained_backprop_keeps_weights_non_negative_and_silences_many():
    X, y = toy_problem()
    clf = ConstrainedBackpropClassifier(n_hidden=8, l1=1e-2, random_state=0, **FAST).fit(X, y)
    assert clf.params_["W1"].min() >= 0.0 and clf.params_["W2"].min() >= 0.0
    assert clf.n_nonsilent_["hidden"] < 0.5 * X.shape[1] * 8
    assert clf.score(X, y) >= 0.9


def test_pruning_reaches_exactly_the_target_sparsity():
    X, y = toy_problem()
    clf = PrunedBackpropClassifier(n_hidden=10, target_sparsity=0.75, output_sparsity=0.5, prune_steps=2,
                                   retrain_epochs=3, random_state=0, **FAST).fit(X, y)
    assert clf.n_nonsilent_["hidden"] == round(0.25 * 16 * 10)
    assert clf.n_nonsilent_["output"] == round(0.5 * 10 * 3)
    assert [h["phase"] for h in clf.history_].count("retrain2") == 3


def test_magnitude_mask_keeps_the_largest_existing_weights():
    w = np.array([[0.1, -0.9, 0.3], [-0.2, 0.5, 0.05]])
    mask = np.array([[True, True, True], [True, False, True]])
    kept = magnitude_mask(w, mask, sparsity=0.5)
    np.testing.assert_array_equal(kept, [[False, True, True], [True, False, False]])


def test_set_rewiring_moves_the_weakest_synapses_and_keeps_their_number():
    rng = np.random.default_rng(0)
    w = np.array([[0.5, -0.01, 0.0, 0.8], [0.02, 0.0, -0.7, 0.0]])
    mask = w != 0
    new_w, new_mask = rewire_layer(w, mask, zeta=0.4, rng=rng, init_scale=0.1)
    assert new_mask.sum() == mask.sum()
    survivors = mask & new_mask
    np.testing.assert_array_equal(new_w[survivors], w[survivors])
    assert {tuple(i) for i in np.argwhere(mask & ~new_mask)} == {(0, 1), (1, 0)}


def test_set_network_is_sparse_from_the_start():
    X, y = toy_problem()
    clf = SparseEvolutionaryClassifier(n_hidden=20, epsilon=1.0, random_state=0, **FAST).fit(X, y)
    expected = (16 + 20) / (16 * 20) * 16 * 20  # epsilon (n_in + n_out) synapses on average
    assert 0.5 * expected < clf.n_nonsilent_["hidden"] < 1.5 * expected


@pytest.mark.parametrize("method", sorted(BASELINES))
def test_saved_network_predicts_like_the_learner(method, tmp_path):
    from neuroplastic.network import TrainedNetwork

    X, y = toy_problem()
    clf = BASELINES[method](n_hidden=6, random_state=1, **FAST).fit(X, y)
    network = clf.to_network()
    np.testing.assert_array_equal(network.predict(X), clf.predict(X))
    np.testing.assert_allclose(network.hidden(X), clf.hidden(X), rtol=1e-5, atol=1e-6)
    assert network.n_nonsilent == clf.n_nonsilent_
    assert network.metadata["method"] == method
    network.save(tmp_path / "net.npz")
    again = TrainedNetwork.load(tmp_path / "net.npz")
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
