"""Brian2's three-factor readout synapses compute the vectorized engine's node-perturbation update."""

import copy

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.engines.brian2.device import brian2_target
from neuroplastic.engines.brian2.readout import run_readout
from neuroplastic.engines.vectorized.training import readout_batch
from neuroplastic.rule.params import OutputRuleParams
from neuroplastic.rule.state import ReadoutSynapses


class _Draws:
    """A generator stand-in that hands out given perturbations in order."""

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def normal(self, loc, scale, size):
        drawn = self.arrays.pop(0)
        assert drawn.shape == size
        return drawn


@pytest.mark.parametrize("antithetic", [True, False])
def test_brian2_readout_equals_the_vectorized_update_batch_by_batch(antithetic):
    rng = np.random.default_rng(0)
    H, C, K, sizes = 6, 4, 3, [5, 5, 2]
    weight = rng.normal(0, 0.3, (H, C)).astype(np.float32)
    alive = rng.random((H, C)) < 0.6
    weight *= alive
    start = ReadoutSynapses(weight=weight, alive=alive, birth=np.zeros((H, C), np.int64),
                            bias=rng.normal(0, 0.1, C).astype(np.float32), eligibility=np.zeros((H, C), np.float32))
    numpy_side, brian2_side = copy.deepcopy(start), copy.deepcopy(start)
    rule = OutputRuleParams(n_perturbations=K, noise_std=0.3, antithetic=antithetic)
    activity = [rng.normal(0, 1, (B, H)).astype(np.float32) for B in sizes]
    labels = [rng.integers(0, C, B) for B in sizes]
    noise = [rng.normal(0, 0.3, (K, B, C)).astype(np.float32) for B in sizes]
    rates, traces = [0.05, 0.04, 0.03], [0.1, 0.1, 0.2]
    draws = _Draws(noise)
    expected = [readout_batch(numpy_side, a, l, draws, rule, eta, trace)
                for a, l, eta, trace in zip(activity, labels, rates, traces)]
    with brian2_target("numpy"):
        loss, correct = run_readout(brian2_side, np.concatenate(activity), np.concatenate(labels),
                                    np.concatenate([n.transpose(1, 0, 2) for n in noise]), sizes,
                                    learning_rates=rates, trace_rates=traces, noise_std=0.3, antithetic=antithetic)
    assert np.abs(numpy_side.weight - start.weight).max() > 1e-3  # the update is not trivial
    np.testing.assert_allclose(brian2_side.weight, numpy_side.weight, rtol=0, atol=1e-6)
    np.testing.assert_allclose(brian2_side.bias, numpy_side.bias, rtol=0, atol=1e-6)
    np.testing.assert_allclose(brian2_side.eligibility, numpy_side.eligibility, rtol=0, atol=1e-6)
    assert not brian2_side.weight[~alive].any()  # silent sites stay silent inside the run
    assert (numpy_side.eligibility[~alive] != 0).any()  # ... while their eligibility is traced
    ends = np.cumsum(sizes)
    np.testing.assert_allclose([loss[end - B:end].sum() for end, B in zip(ends, sizes)],
                               [e[0] for e in expected], rtol=1e-5)
    assert [int(correct[end - B:end].sum()) for end, B in zip(ends, sizes)] == [e[1] for e in expected]
