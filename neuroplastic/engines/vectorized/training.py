"""One batch of the schedule, executed on the typed training state with NumPy.

A batch runs the whole rule once: the sparse dendritic sums of every
hidden unit, the winner-take-all competition with its conscience bias, the
instar update of the winners' synapses, activity-dependent growth, the
homeostatic variables, and (in the readout phase) the perturbation update
of the readout. The sums the competition needs also give the hidden
activity, so the readout costs no second pass over the hidden synapses.
See :mod:`neuroplastic.rule.schedule` for the order of phases and events.
"""

import numpy as np

from ...errors import ConfigError
from ...rule import structural, updates
from ...rule.activations import DISTANCE_ACTIVATIONS, activity_from_sums
from .workspace import Workspace

__all__ = ["dendritic_sums", "learn_batch", "readout_from_sums", "readout_input", "readout_batch",
           "rewiring_event", "upkeep", "scale_new_outputs", "check_output_method"]

F32 = np.float32

#: Hidden units per sparse product in :func:`dendritic_sums`, so that no product makes a large array.
SUM_CHUNK = 2048


def dendritic_sums(hidden, X, workspace=None):
    """``w_j . x`` of every unit for a batch, from the existing synapses only; shape (batch, n_hidden).

    The sums are computed ``SUM_CHUNK`` units at a time into one array of
    ``workspace`` (a new one without it) and returned as its transpose. Each
    sum is the same, term by term, as in one product over all units.
    """
    XT = np.ascontiguousarray(X.T)
    out = (workspace or Workspace()).array("sums", (hidden.n_hidden, X.shape[0]), F32)
    for start in range(0, hidden.n_hidden, SUM_CHUNK):
        stop = min(start + SUM_CHUNK, hidden.n_hidden)
        out[start:stop] = hidden.slot_matrix(start, stop) @ XT
    return out.T


def upkeep(state, rule):
    """Upkeep of a synapse from each input (None when ``activity_cost`` is 0)."""
    if rule.rewiring.activity_cost == 0:
        return None
    return updates.synapse_upkeep(state.input_trace, rule.rewiring.activity_cost)


def _hidden_bias(activation, squared_norm):
    return squared_norm if activation in DISTANCE_ACTIVATIONS else -0.5 * squared_norm


def learn_batch(state, X, y, rule, phase, rng, *, activation, activation_params, learning_rate, taught,
                workspace=None):
    """Present one batch: hidden learning and growth, gain control, and the readout update in its phase.

    ``workspace`` (:class:`Workspace`) holds the batch x units arrays from one batch to the next.

    Returns
    -------
    (loss, correct) : (float, int)
        Summed clean cross-entropy and correct predictions of the readout
        (0, 0 when the readout does not learn in this phase).
    """
    hidden, units, census = state.hidden, state.units, state.census
    B = X.shape[0]
    rate = min(1.0, B / rule.homeostasis.time_constant)
    state.input_trace += rate * (X.mean(axis=0, dtype=np.float64) - state.input_trace)
    workspace = workspace or Workspace()
    sums = dendritic_sums(hidden, X, workspace)
    squared_norm = hidden.squared_norm()
    bias = squared_norm + units.conscience
    score = workspace.like("score", sums, np.result_type(bias, sums))  # bias - 2 sums, without temporaries
    np.multiply(sums, 2.0, out=score)
    winners = np.argmin(np.subtract(bias, score, out=score), axis=1)
    wins = structural.instar_step(hidden, units.counts, X, winners)
    if rule.homeostasis.strength > 0:
        units.win_rate, units.conscience = updates.homeostatic_bias_update(
            units.win_rate, wins, B, rule.homeostasis.time_constant, rule.homeostasis.strength)
    now = state.progress.presentations + B
    r = rule.rewiring
    grown, lifetimes = structural.grow_at_active_inputs(
        hidden, rng, X, winners, probability=phase.growth_probability, threshold=r.growth_threshold,
        growth_weight=phase.growth_weight, now=now, upkeep=upkeep(state, rule))
    census.record_growth(grown)
    census.record_elimination(lifetimes)
    return readout_from_sums(state, X, y, sums, squared_norm, rule, phase, rng, activation=activation,
                             activation_params=activation_params, learning_rate=learning_rate, taught=taught,
                             workspace=workspace)


def readout_from_sums(state, X, y, sums, squared_norm, rule, phase, rng, *, activation, activation_params,
                      learning_rate, taught, workspace=None):
    """The part of a batch after the hidden layer's learning: hidden activity, gain control, readout update.

    Any engine that computes the dendritic sums of a batch (and the squared
    weight norms they were computed with) calls this for the rest of the batch.

    Parameters
    ----------
    state : TrainingState
    X : numpy.ndarray, shape (batch, n_inputs)
    y : numpy.ndarray of int, shape (batch,)
        Output-unit index of each label.
    sums : numpy.ndarray, shape (batch, n_hidden)
        ``w_j . x`` of every unit, before this batch's instar update.
    squared_norm : numpy.ndarray, shape (n_hidden,) or (batch, n_hidden)
        ``||w_j||^2`` the sums were computed with.
    rule, phase, rng, activation, activation_params, learning_rate, taught, workspace
        As for :func:`learn_batch`.

    Returns
    -------
    (loss, correct) : (float, int)
    """
    activity = readout_input(state, X, sums, squared_norm, rule, phase, activation=activation,
                             activation_params=activation_params, workspace=workspace)
    if activity is None:
        return 0.0, 0
    eligibility_rate = min(1.0, X.shape[0] / rule.output.eligibility_time_constant)
    return readout_batch(state.readout, activity, y, rng, rule.output, learning_rate, eligibility_rate, taught)


def readout_input(state, X, sums, squared_norm, rule, phase, *, activation, activation_params, workspace=None):
    """Hidden activity of a batch as the readout sees it; updates the gain control on the way.

    Returns
    -------
    numpy.ndarray of float32, shape (batch, n_hidden), or None
        The activity, standardised if ``rule.output.standardize``; None if
        the readout does not learn in ``phase``.
    """
    B = X.shape[0]
    activity = activity_from_sums(activation, sums, np.einsum("ij,ij->i", X, X),
                                  _hidden_bias(activation, squared_norm).astype(F32), **(activation_params or {}))
    if not state.taught_before.any():  # the gain's set point develops in the first session and is kept after it
        _update_gain(state.gain, activity, min(1.0, B / rule.output.gain_time_constant), workspace)
    if not phase.readout_learns:
        return None
    if rule.output.standardize:
        activity -= state.gain.mean.astype(F32)
        activity /= state.gain.std()
    return activity


def _update_gain(gain, activity, rate, workspace=None):
    """Update the running mean and variance of each unit's activity by one batch.

    The batch's variance is computed operation by operation as ``numpy.var``
    computes it, with its float64 deviations held in ``workspace``.
    """
    mean = activity.mean(axis=0, dtype=np.float64)
    deviation = np.subtract(activity, mean, out=(workspace or Workspace()).like("deviation", activity, np.float64))
    var = np.multiply(deviation, deviation, out=deviation).sum(axis=0) / activity.shape[0]
    if not gain.started:
        gain.mean[:], gain.var[:] = mean, var
        gain.started = True
        return
    gain.var += rate * (var + (mean - gain.mean) ** 2 * (1.0 - rate) - gain.var)
    gain.mean += rate * (mean - gain.mean)


def readout_batch(readout, H, y, rng, o, learning_rate, eligibility_rate, taught=None):
    """Perturbation update of the output synapses that exist; eligibility of all potential ones.

    ``taught`` (sorted output-unit indices) restricts the teaching signal to
    those units: the others get no perturbation and no loss term, so their
    synapses do not change (a continual-learning session does not unlearn
    classes it never shows). ``None`` teaches every output unit.

    Returns
    -------
    (loss, correct) : (float, int)
    """
    cols = np.arange(readout.weight.shape[1]) if taught is None else taught
    y = np.searchsorted(cols, y)
    V, b, alive = readout.weight[:, cols], readout.bias[cols], readout.alive[:, cols]
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
        readout.eligibility[:, cols] += eligibility_rate * (dV / learning_rate - readout.eligibility[:, cols])
    else:
        weight_noise = rng.normal(0.0, sigma, size=(K,) + V.shape).astype(F32) * alive
        bias_noise = rng.normal(0.0, sigma, size=(K, b.shape[0])).astype(F32)
        change = np.empty(K, dtype=F32)
        for k in range(K):
            du = H @ weight_noise[k] + bias_noise[k]
            plus = updates.cross_entropy(u + du, y).mean()
            change[k] = 0.5 * (plus - updates.cross_entropy(u - du, y).mean()) if o.antithetic else (
                plus - clean_loss.mean())
        dV, db = updates.weight_perturbation_update(weight_noise, bias_noise, change, sigma, learning_rate)
    if o.hebbian_rate > 0:
        target = np.eye(V.shape[1], dtype=F32)[y]
        dV = dV + updates.hebbian_output_update(V, H, target, o.hebbian_rate)
    V += dV.astype(F32)
    V *= alive
    readout.weight[:, cols] = V
    readout.bias[cols] = b + db.astype(F32)
    return float(clean_loss.sum()), correct


def rewiring_event(state, rule, turnover_fraction, learning_rate, batch_size, taught=None, eliminate_hidden=True):
    """Threshold elimination of hidden synapses and turnover of output synapses; counts go to the census.

    A grown output synapse starts at the efficacy its eligibility predicts: the
    summed updates it would have received over one eligibility time constant,
    ``learning_rate * e_jc * tau_e / batch_size`` (e_jc is the mean update per unit learning rate).
    ``eliminate_hidden=False`` leaves out the hidden elimination (an engine
    that ran it already, such as Brian2's rate form, inside its network).
    """
    now = state.progress.presentations
    if eliminate_hidden:
        state.census.record_elimination(structural.eliminate_weak(state.hidden, rule.rewiring.elimination_threshold,
                                                                  now))
    scale = learning_rate * rule.output.eligibility_time_constant / batch_size
    grown, eliminated = structural.turn_over_readout(state.readout, rule.output.synapses_per_unit, turnover_fraction,
                                                     now, units=taught, growth_scale=scale)
    state.census.record_growth(grown, output=True)
    state.census.output_eliminated += eliminated


def check_output_method(rule):
    """Output turnover needs a learning signal per output unit, which weight perturbation does not give."""
    if rule.output.synapses_per_unit is not None and rule.output.method != "node":
        raise ConfigError("rule.output.synapses_per_unit",
                          "needs method = 'node': output turnover ranks silent sites by each output unit's "
                          "own learning signal, which weight perturbation does not provide")


def scale_new_outputs(state, taught, gain_std):
    """Synaptic scaling at the end of a session (``session_scaling``); returns the factor or None."""
    readout = state.readout
    norms = np.linalg.norm(readout.weight / gain_std[:, None], axis=0)
    new, factor = updates.norm_matching_factor(norms, taught, state.taught_before)
    if factor is not None:
        readout.weight[:, new] *= F32(factor)
        readout.bias[new] *= F32(factor)
    return factor
