"""One batch of each learning phase, and the events between them.

The schedule of one training session (``epochs`` passes over the data):

1. hidden passes (``hidden.epochs`` dense warm-up, then
   ``hidden.consolidation_epochs`` under the synapse budget): winner-take-all
   instar learning with a conscience bias; a rewiring event every
   ``rewiring.period`` presentations;
2. consolidation events that impose the per-unit synapse budget: one at the
   end of the warm-up, and (if there were consolidation passes) one at the
   end of hidden plasticity, without growth;
3. output passes: perturbation learning of the readout on the (frozen)
   hidden activity; with an output synapse budget, the last
   ``output.retrain_epochs`` passes retrain the strongest synapses only.
"""

import numpy as np

from ...rule import updates

__all__ = ["record_inputs", "hidden_batch", "output_batch", "upkeep", "rewire", "consolidate", "sparsify_output", "scale_new_outputs",
           "record_event"]

F32 = np.float32


def record_inputs(state, X):
    """Add presented images to the running mean activity of each input (for ``activity_cost``)."""
    if state.get("input_sum") is not None:  # absent in states saved before the activity cost existed
        state["input_sum"] += X.sum(axis=0, dtype=np.float64)
        state["inputs_seen"] += X.shape[0]


def hidden_batch(state, X, rule, in_consolidation):
    """Present one batch to the hidden layer and apply the instar and homeostatic updates."""
    record_inputs(state, X)
    winners = updates.select_winners(state["W"], X, state["conscience"])
    wins = np.bincount(winners, minlength=state["W"].shape[0]).astype(F32)
    state["counts"] += wins
    rows, increment = updates.instar_update(state["W"], state["mask"], X, winners, 1.0 / state["counts"])
    block = state["W"][rows] + increment
    np.maximum(block, 0.0, out=block)
    state["W"][rows] = block
    if rule.homeostasis.strength > 0:
        state["win_rate"], state["conscience"] = updates.homeostatic_bias_update(
            state["win_rate"], wins, X.shape[0], rule.homeostasis.time_constant, rule.homeostasis.strength)


def upkeep(state, rule):
    """Upkeep cost of a synapse from each input (None when ``activity_cost`` is 0 or nothing was seen)."""
    if rule.rewiring.activity_cost == 0 or state.get("input_sum") is None or not state.get("inputs_seen"):
        return None
    return updates.synapse_upkeep(state["input_sum"] / state["inputs_seen"], rule.rewiring.activity_cost)


def rewire(state, rng, rule, with_budget, with_growth=True):
    """A rewiring event on the input->hidden synapses; returns (grown, eliminated)."""
    r = rule.rewiring
    W, mask, grown, eliminated = updates.rewiring_event(
        state["W"], state["mask"], rng, elimination_threshold=r.elimination_threshold,
        growth_probability=r.growth_probability if with_growth else 0.0, growth_weight=r.growth_weight,
        synapses_per_unit=r.synapses_per_unit if with_budget else None, upkeep=upkeep(state, rule))
    state["W"], state["mask"] = W, mask
    return grown, eliminated


def consolidate(state, rng, rule):
    """End of hidden plasticity: eliminate to the budget, grow nothing."""
    return rewire(state, rng, rule, with_budget=True, with_growth=False)


def sparsify_output(state, budget, taught=None):
    """Output structural plasticity: keep the ``budget`` strongest readout synapses; returns eliminated.

    With ``taught`` (indices of the output units taught this session) only
    those units' synapses compete, for their share of the budget
    (``budget * len(taught) / n_outputs``); the other units keep theirs.
    """
    V = state["V"]
    before = int(np.count_nonzero(V))
    if taught is None or taught.size == V.shape[1]:
        keep = updates.keep_strongest(np.abs(V), budget, axis=None)
    else:
        keep = V != 0
        share = int(round(budget * taught.size / V.shape[1]))
        keep[:, taught] = updates.keep_strongest(np.abs(V[:, taught]), share, axis=None)
    state["out_mask"] = keep
    state["V"] = np.where(keep, V, 0.0).astype(F32)
    return before - int(keep.sum())


def output_batch(state, H, y, rng, rule, learning_rate, taught=None):
    """Present one batch of hidden activity to the readout; perturbation update. Returns (loss, correct).

    ``taught`` (indices of output units, sorted) restricts the teaching signal
    to the output units of the classes in the session's data: the others get
    no perturbation and no loss term, so their synapses do not change (a
    continual-learning session does not unlearn the classes it never shows).
    ``None`` teaches every output unit.
    """
    if taught is not None and taught.size < state["V"].shape[1]:
        sub = {"V": state["V"][:, taught], "b": state["b"][taught], "out_mask": None}
        if state.get("out_mask") is not None:
            sub["out_mask"] = state["out_mask"][:, taught]
        loss, correct = output_batch(sub, H, np.searchsorted(taught, y), rng, rule, learning_rate)
        state["V"][:, taught] = sub["V"]
        state["b"][taught] = sub["b"]
        return loss, correct
    o = rule.output
    V, b = state["V"], state["b"]
    u = H @ V + b
    clean_loss = updates.cross_entropy(u, y)
    correct = int(np.sum(np.argmax(u, axis=1) == y))
    K, sigma = o.n_perturbations, o.noise_std
    targets = np.broadcast_to(y, (K, y.shape[0]))
    if o.method == "node":
        noise = rng.normal(0.0, sigma, size=(K,) + u.shape).astype(F32)
        if o.antithetic:
            change = 0.5 * (updates.cross_entropy(u + noise, targets) - updates.cross_entropy(u - noise, targets))
        else:
            change = updates.cross_entropy(u + noise, targets) - clean_loss
        dV, db = updates.node_perturbation_update(H, noise, change.astype(F32), sigma, learning_rate)
    else:
        weight_noise = rng.normal(0.0, sigma, size=(K,) + V.shape).astype(F32)
        bias_noise = rng.normal(0.0, sigma, size=(K, b.shape[0])).astype(F32)
        if state.get("out_mask") is not None:
            weight_noise *= state["out_mask"]
        change = np.empty(K, dtype=F32)
        for k in range(K):
            du = H @ weight_noise[k] + bias_noise[k]
            plus = updates.cross_entropy(u + du, y).mean()
            minus = updates.cross_entropy(u - du, y).mean() if o.antithetic else None
            change[k] = 0.5 * (plus - minus) if o.antithetic else plus - clean_loss.mean()
        dV, db = updates.weight_perturbation_update(weight_noise, bias_noise, change, sigma, learning_rate)
    if o.hebbian_rate > 0:
        target = np.eye(V.shape[1], dtype=F32)[y]
        dV = dV + updates.hebbian_output_update(V, H, target, o.hebbian_rate)
    V += dV.astype(F32)
    b += db.astype(F32)
    if state.get("out_mask") is not None:
        V *= state["out_mask"]
    return float(clean_loss.sum()), correct


def scale_new_outputs(state, taught):
    """Synaptic scaling at the end of a session (``session_scaling``); returns the factor or None.

    Output units in ``taught`` that no earlier session taught are scaled (weights
    and bias) so that their mean effective weight norm matches that of the
    units earlier sessions taught.
    """
    std = state["act_std"][:, None] if state["act_std"] is not None else 1.0
    norms = np.linalg.norm(state["V"] / std, axis=0)
    new, factor = updates.norm_matching_factor(norms, taught, state["taught_before"])
    if factor is not None:
        state["V"][:, new] *= F32(factor)
        state["b"][new] *= F32(factor)
    return factor


def record_event(clf, phase, grown=0, eliminated=0):
    """Append one record to ``history_`` and reset the running loss and accuracy."""
    s = clf._state
    n = s["window_count"]
    clf.history_.append({
        "event": len(clf.history_),
        "phase": phase,
        "presentations": int(s["presentations"]),
        "nonsilent_hidden": int(s["mask"].sum()),
        "nonsilent_output": int(np.count_nonzero(s["V"])) if s.get("V") is not None else 0,
        "grown": int(grown),
        "eliminated": int(eliminated),
        "loss": float(s["window_loss"] / n) if n else None,
        "train_accuracy": float(s["window_correct"] / n) if n else None,
    })
    s["window_loss"], s["window_correct"], s["window_count"] = 0.0, 0, 0
