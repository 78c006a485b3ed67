"""Ablations of structural plasticity: what growth and elimination add to the rule.

The variants of one model definition, all trained on the same schedule and
readout, differ only in how the hidden layer gets its synapses:

- ``dense_prune``: magnitude pruning, not structural plasticity. Every unit
  first holds all of its potential synapses for one dense instar pass, then
  keeps its strongest ``budget`` (a one-shot prune), and nothing grows after.
- ``fixed_random``: sparse from birth, the support fixed at uniformly random
  inputs (no growth, no elimination).
- ``fixed_active``: sparse from birth, the support fixed at the bright
  pixels of one training image (activity-dependent synaptogenesis, no growth).
- ``structural``: the rule itself: sparse from birth, growth at active inputs
  and elimination all through learning.
"""

import dataclasses

import numpy as np

from ..rule import updates
from ..rule.state import HiddenSynapses

__all__ = ["VARIANTS", "variant_model", "magnitude_pruned_hidden"]

VARIANTS = ("dense_prune", "fixed_random", "fixed_active", "structural")


def variant_model(model, variant):
    """The model definition of one ablation variant (see the module docstring).

    Parameters
    ----------
    model : ModelDefinition
    variant : str
        One of :data:`VARIANTS`.

    Returns
    -------
    ModelDefinition
    """
    if variant == "structural":
        return model
    r = model.rule.rewiring
    fixed = dataclasses.replace(r, max_synapses_per_unit=r.budget, synapses_per_unit=None, initial_synapses=None,
                                growth_probability=0.0, readout_growth_probability=0.0,
                                initial_support="random" if variant == "fixed_random" else "active")
    return dataclasses.replace(model, rule=dataclasses.replace(model.rule, rewiring=fixed))


def magnitude_pruned_hidden(X, n_hidden, budget, rng, *, weight_low=0.01, weight_high=0.1, win_count=1.0,
                            homeostasis=None, batch_size=100):
    """The one-shot magnitude-prune ablation: one dense instar pass, then each unit keeps its ``budget`` strongest.

    This is deliberately dense (``n_hidden x n_inputs`` weights) and exists
    only as the baseline that structural plasticity is measured against.

    Returns
    -------
    HiddenSynapses
    """
    H, n_inputs = n_hidden, X.shape[1]
    W = rng.uniform(weight_low, weight_high, size=(H, n_inputs)).astype(np.float32)
    counts = np.full(H, win_count, dtype=np.float32)
    win_rate, conscience = np.full(H, 1.0 / H, dtype=np.float32), np.zeros(H, dtype=np.float32)
    everywhere = np.ones((1, n_inputs), dtype=np.float32)
    order = rng.permutation(X.shape[0])
    for start in range(0, X.shape[0], batch_size):
        batch = X[order[start:start + batch_size]]
        winners = updates.select_winners(W, batch, conscience)
        wins = np.bincount(winners, minlength=H).astype(np.float32)
        counts += wins
        rows, increment = updates.instar_update(W, np.broadcast_to(everywhere, W.shape), batch, winners, 1.0 / counts)
        W[rows] = np.maximum(W[rows] + increment, 0.0)
        if homeostasis is not None and homeostasis.strength > 0:
            win_rate, conscience = updates.homeostatic_bias_update(win_rate, wins, batch.shape[0],
                                                                   homeostasis.time_constant, homeostasis.strength)
    index = np.argsort(-W, axis=1, kind="stable")[:, :budget].astype(np.int32)
    weight = np.take_along_axis(W, index, axis=1)
    birth = np.where(weight > 0, 0, -1).astype(np.int64)
    return HiddenSynapses(index=index, weight=np.where(weight > 0, weight, 0.0).astype(np.float32), birth=birth,
                          n_inputs=n_inputs)
