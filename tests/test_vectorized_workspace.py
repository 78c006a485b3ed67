"""The training workspace: arrays reused from batch to batch change no result, bit for bit."""

import numpy as np
import pytest

from neuroplastic.engines.vectorized import classifier, training
from neuroplastic.engines.vectorized.workspace import Workspace
from neuroplastic.rule.state import GainState, HiddenSynapses

from test_vectorized_classifier import tiny_data, tiny_learner


def random_hidden(n_hidden, n_inputs, capacity, rng):
    shape = (n_hidden, capacity)
    return HiddenSynapses(index=rng.integers(0, n_inputs, size=shape).astype(np.int32),
                          weight=rng.uniform(0, 1, size=shape).astype(np.float32),
                          birth=np.zeros(shape, dtype=np.int64), n_inputs=n_inputs)


def test_workspace_keeps_an_array_until_its_shape_type_or_order_changes():
    ws = Workspace()
    a = ws.array("x", (4, 3), np.float32)
    assert ws.array("x", (4, 3), np.float32) is a
    assert ws.array("x", (4, 2), np.float32) is not a
    b = ws.array("x", (4, 2), np.float32)
    assert ws.array("x", (4, 2), np.float64) is not b
    f = ws.like("y", np.zeros((5, 3), order="F"), np.float64)
    assert f.flags.f_contiguous and not f.flags.c_contiguous and f.dtype == np.float64
    assert ws.like("y", np.zeros((5, 3)), np.float64).flags.c_contiguous


def test_sums_taken_in_chunks_equal_one_product_over_all_units(monkeypatch):
    rng = np.random.default_rng(0)
    hidden = random_hidden(11, 16, 5, rng)
    X = rng.uniform(0, 1, size=(7, 16)).astype(np.float32)
    whole = np.asarray((hidden.slot_matrix() @ X.T).T, dtype=np.float32)
    monkeypatch.setattr(training, "SUM_CHUNK", 3)  # 11 units: chunks of 3, 3, 3 and 2
    ws = Workspace()
    np.testing.assert_array_equal(training.dendritic_sums(hidden, X, ws), whole)
    np.testing.assert_array_equal(training.dendritic_sums(hidden, X[:4], ws), whole[:4])  # a shorter batch


@pytest.mark.parametrize("order", ["C", "F"])
def test_gain_variance_is_numpys_variance_bit_for_bit(order):
    rng = np.random.default_rng(1)
    activity = np.asarray(rng.gamma(1.0, 1.0, size=(100, 37)).astype(np.float32), order=order)
    gain = GainState(mean=np.zeros(37), var=np.zeros(37))
    training._update_gain(gain, activity, 0.5, Workspace())
    np.testing.assert_array_equal(gain.mean, activity.mean(axis=0, dtype=np.float64))
    np.testing.assert_array_equal(gain.var, activity.var(axis=0, dtype=np.float64))


class FreshArrays(Workspace):
    """A workspace that never reuses an array: training as it was before arrays were kept."""

    def array(self, name, shape, dtype, order="C"):
        self._arrays.clear()
        return super().array(name, shape, dtype, order)


def test_training_with_kept_arrays_equals_training_with_fresh_ones(monkeypatch):
    X, y = tiny_data(n=65)  # the last batch of each pass is shorter, so the arrays change shape
    kept = tiny_learner().fit(X, y)
    monkeypatch.setattr(classifier.training, "Workspace", FreshArrays)
    fresh = tiny_learner().fit(X, y)
    np.testing.assert_array_equal(kept.hidden_weights_.toarray(), fresh.hidden_weights_.toarray())
    for name in ("hidden_bias_", "output_weights_", "output_bias_"):
        np.testing.assert_array_equal(getattr(kept, name), getattr(fresh, name))
    np.testing.assert_array_equal(kept.state_.gain.var, fresh.state_.gain.var)
