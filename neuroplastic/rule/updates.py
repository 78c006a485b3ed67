"""The rule's update equations, each written once as a small pure function.

Every function takes arrays and returns new values (or increments); none
keeps state. The vectorized engine applies them batch by batch; tests check
them against hand-computed values.
"""

import numpy as np

__all__ = [
    "select_winners", "instar_update", "homeostatic_bias_update", "rewiring_event", "keep_strongest",
    "synapse_upkeep", "norm_matching_factor", "cross_entropy", "node_perturbation_update", "weight_perturbation_update", "hebbian_output_update",
]


def select_winners(hidden_weights, pre, conscience_bias):
    """Winner-take-all competition: the unit nearest the input, handicapped by its conscience bias.

    Parameters
    ----------
    hidden_weights : numpy.ndarray, shape (n_hidden, n_inputs)
        Efficacies (0 at silent synapses).
    pre : numpy.ndarray, shape (batch, n_inputs)
        Presynaptic activity (the input images).
    conscience_bias : numpy.ndarray, shape (n_hidden,)

    Returns
    -------
    numpy.ndarray of int, shape (batch,)
        Index of the winning unit for each input.

    Notes
    -----
    winner = argmin_j ( ||x - w_j||^2 + b_j ) = argmin_j ( ||w_j||^2 - 2 w_j . x + b_j )
    (||x||^2 is the same for every unit).
    """
    score = pre @ hidden_weights.T
    score *= -2.0
    score += np.einsum("ij,ij->i", hidden_weights, hidden_weights) + conscience_bias
    return np.argmin(score, axis=1)


def instar_update(hidden_weights, nonsilent, pre, winners, learning_rate):
    """Competitive Hebbian (instar) increment of the winners' non-silent synapses.

    Parameters
    ----------
    hidden_weights : numpy.ndarray, shape (n_hidden, n_inputs)
    nonsilent : numpy.ndarray of bool, shape (n_hidden, n_inputs)
        Which potential synapses are non-silent; silent ones do not learn.
    pre : numpy.ndarray, shape (batch, n_inputs)
        Presynaptic activity x.
    winners : numpy.ndarray of int, shape (batch,)
        The unit with post activity 1 for each input (all others have 0).
    learning_rate : numpy.ndarray, shape (n_hidden,)
        Per-unit rate eta_j (online k-means: 1 / number of wins so far).

    Returns
    -------
    rows : numpy.ndarray of int
        The units that won at least once in the batch.
    increment : numpy.ndarray, shape (len(rows), n_inputs)
        Delta w for those units; every other unit's increment is 0.

    Notes
    -----
    dw_ij = eta_j * sum_b post_bj * (pre_bi - w_ij) * nonsilent_ij,
    with post_bj = 1 if j won input b else 0. With eta_j = 1 / count_j
    (count including this batch's wins) the result stays non-negative:
    w + dw = (1 - eta n) w + eta sum x with eta n <= 1.
    """
    order = np.argsort(winners, kind="stable")
    rows, starts, n_wins = np.unique(winners[order], return_index=True, return_counts=True)
    pre_sum = np.add.reduceat(pre[order], starts, axis=0)
    increment = pre_sum - n_wins[:, None].astype(pre.dtype) * hidden_weights[rows]
    increment *= learning_rate[rows, None]
    increment *= nonsilent[rows]
    return rows, increment


def homeostatic_bias_update(win_rate, wins, n_presented, time_constant, strength):
    """Conscience: track each unit's win rate and bias frequent winners away.

    Parameters
    ----------
    win_rate : numpy.ndarray, shape (n_hidden,)
        Running win rate r_j of each unit.
    wins : numpy.ndarray, shape (n_hidden,)
        Wins of each unit in the batch just presented.
    n_presented : int
        Presentations in that batch.
    time_constant : float
        Averaging window tau, in presentations.
    strength : float
        Bias gain gamma (squared-distance units).

    Returns
    -------
    (win_rate, bias) : tuple of numpy.ndarray
        Updated r_j and the bias b_j added to the squared distance.

    Notes
    -----
    r_j <- r_j + (wins_j - n r_j) / tau;   b_j = gamma (n_hidden r_j - 1).
    The target activity of every unit is 1 / n_hidden (DeSieno 1988).
    """
    win_rate = win_rate + (wins - n_presented * win_rate) / time_constant
    bias = strength * (win_rate.shape[0] * win_rate - 1.0)
    return win_rate.astype(np.float32), bias.astype(np.float32)


def keep_strongest(magnitude, budget, axis=None):
    """Mask of the ``budget`` largest entries (per row with ``axis=1``, overall with ``axis=None``).

    Zero entries are never kept. Ties are broken by position, so the count
    is exact.
    """
    magnitude = np.asarray(magnitude)
    keep = np.zeros(magnitude.shape, dtype=bool)
    if axis is None:
        flat = magnitude.ravel()
        if budget < flat.size:
            index = np.argpartition(-flat, budget - 1, kind="introselect")[:budget]
            keep.ravel()[index] = True
        else:
            keep[...] = True
    else:
        if budget < magnitude.shape[1]:
            index = np.argpartition(-magnitude, budget - 1, axis=1)[:, :budget]
            np.put_along_axis(keep, index, True, axis=1)
        else:
            keep[...] = True
    return keep & (magnitude > 0)


#: Activity added to every input's mean rate in the upkeep cost, so that silent inputs cost a finite amount.
UPKEEP_FLOOR = 0.01


def synapse_upkeep(input_mean, activity_cost):
    """Upkeep cost of a synapse from each input: ``(r_i + UPKEEP_FLOOR) ** activity_cost``.

    Parameters
    ----------
    input_mean : numpy.ndarray, shape (n_inputs,)
        Mean presynaptic activity ``r_i`` of each input.
    activity_cost : float
        Exponent gamma (0: every synapse costs 1).

    Returns
    -------
    numpy.ndarray, shape (n_inputs,)
    """
    return (np.asarray(input_mean, dtype=np.float64) + UPKEEP_FLOOR) ** float(activity_cost)


def rewiring_event(hidden_weights, nonsilent, random, *, elimination_threshold, growth_probability,
                   growth_weight, synapses_per_unit=None, upkeep=None):
    """One structural-plasticity event: eliminate weak synapses, then grow new ones.

    Parameters
    ----------
    hidden_weights : numpy.ndarray, shape (n_hidden, n_inputs)
    nonsilent : numpy.ndarray of bool, same shape
    random : numpy.random.Generator
    elimination_threshold : float
        Non-silent synapses with w < threshold are eliminated.
    growth_probability : float
        Each silent site (silent before this event) grows with this probability.
    growth_weight : float
        Initial efficacy of a grown synapse.
    synapses_per_unit : int, optional
        Resource budget: each unit keeps at most its strongest this many.
    upkeep : numpy.ndarray, shape (n_inputs,), optional
        Cost of a synapse from each input (see :func:`synapse_upkeep`); the
        budget then ranks synapses by ``w_ij / upkeep_i`` instead of ``w_ij``.

    Returns
    -------
    (hidden_weights, nonsilent, grown, eliminated) : (ndarray, ndarray, int, int)
        New arrays, and how many synapses were grown and eliminated; the
        non-silent count changes by exactly ``grown - eliminated``.

    Notes
    -----
    eliminate: w_ij <- 0 if w_ij = 0, w_ij < theta, or w_ij / c_i is not among unit j's K largest (c_i = upkeep, 1);
    grow: w_ij <- w_init with probability p_grow where w_ij was silent.
    """
    keep = nonsilent & (hidden_weights > 0) & (hidden_weights >= elimination_threshold)
    if synapses_per_unit is not None:
        merit = hidden_weights if upkeep is None else hidden_weights / upkeep.astype(hidden_weights.dtype)
        keep &= keep_strongest(np.where(keep, merit, 0.0), synapses_per_unit, axis=1)
    eliminated = int(nonsilent.sum() - keep.sum())
    grow = np.zeros_like(nonsilent)
    if growth_probability > 0:
        grow = ~nonsilent & (random.random(nonsilent.shape, dtype=np.float32) < growth_probability)
    new_weights = np.where(keep, hidden_weights, 0.0).astype(hidden_weights.dtype)
    new_weights[grow] = growth_weight
    return new_weights, keep | grow, int(grow.sum()), eliminated


def norm_matching_factor(norms, taught, taught_before):
    """Common factor that gives newly taught output units the mean weight norm of earlier ones.

    Parameters
    ----------
    norms : numpy.ndarray, shape (n_outputs,)
        Weight norm of each output unit.
    taught : numpy.ndarray of int
        Output units taught in the session that just ended.
    taught_before : numpy.ndarray of bool, shape (n_outputs,)
        Output units taught in earlier sessions.

    Returns
    -------
    (new, factor) : (numpy.ndarray of int, float or None)
        The units in ``taught`` no earlier session taught, and
        ``mean(norms[old]) / mean(norms[new])``, or None if there are no new
        or no old units, or the new ones have no weights.
    """
    old = np.flatnonzero(taught_before)
    new = np.setdiff1d(taught, old)
    if not (new.size and old.size) or norms[new].mean() <= 0:
        return new, None
    return new, float(norms[old].mean() / norms[new].mean())


def cross_entropy(potentials, targets):
    """Cross-entropy of softmax(potentials) against integer targets, per sample (last axis = classes).

    Notes
    -----
    L = log sum_c exp(u_c) - u_y
    """
    shifted = potentials - potentials.max(axis=-1, keepdims=True)
    picked = np.take_along_axis(shifted, targets[..., None], axis=-1)[..., 0]
    return np.log(np.exp(shifted).sum(axis=-1)) - picked


def node_perturbation_update(pre, noise, loss_change, noise_std, learning_rate):
    """Node perturbation: weight change from the loss change under noise on the output potentials.

    Parameters
    ----------
    pre : numpy.ndarray, shape (batch, n_hidden)
        Presynaptic (hidden) activity h.
    noise : numpy.ndarray, shape (n_perturbations, batch, n_classes)
        The Gaussian perturbations xi of the output potentials.
    loss_change : numpy.ndarray, shape (n_perturbations, batch)
        Scalar learning signal dL per trial and presentation.
    noise_std : float
        sigma.
    learning_rate : float
        eta.

    Returns
    -------
    (weight_change, bias_change) : numpy.ndarray of shape (n_hidden, n_classes) and (n_classes,)

    Notes
    -----
    dW_jc = -eta / (B K sigma^2) * sum_b sum_k dL_kb xi_kbc h_bj;  db_c likewise with h = 1.
    E[dL xi] / sigma^2 -> dL/du, so the update follows the loss gradient on
    average with only a global scalar per trial (Williams 1992; Fiete and
    Seung 2006).
    """
    signal = np.einsum("kb,kbc->bc", loss_change, noise) / (noise.shape[0] * pre.shape[0] * noise_std ** 2)
    return -learning_rate * (pre.T @ signal), -learning_rate * signal.sum(axis=0)


def weight_perturbation_update(weight_noise, bias_noise, loss_change, noise_std, learning_rate):
    """Weight perturbation (the paper's form): weight change from the loss change under weight noise.

    Parameters
    ----------
    weight_noise : numpy.ndarray, shape (n_perturbations, n_hidden, n_classes)
    bias_noise : numpy.ndarray, shape (n_perturbations, n_classes)
    loss_change : numpy.ndarray, shape (n_perturbations,)
        Change of the batch-mean loss under each perturbation.
    noise_std, learning_rate : float

    Returns
    -------
    (weight_change, bias_change)

    Notes
    -----
    dW = -eta / (K sigma^2) * sum_k dL_k Xi_k   (Stricker et al. 2024, Eq. 2, without its Hebbian term).
    """
    scale = -learning_rate / (loss_change.shape[0] * noise_std ** 2)
    return (scale * np.tensordot(loss_change, weight_noise, axes=1),
            scale * np.tensordot(loss_change, bias_noise, axes=1))


def hebbian_output_update(output_weights, pre, target, learning_rate):
    """Optional Hebbian (instar) term of the output layer, driven by the target class.

    Notes
    -----
    dW_jc = eta / B * sum_b y_bc (h_bj - W_jc)   (y one-hot target: post activity).
    """
    wins = target.sum(axis=0)
    return learning_rate * (pre.T @ target - output_weights * wins) / pre.shape[0]
