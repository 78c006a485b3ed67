"""Structural plasticity of the sparse layers: birth, growth, elimination, consolidation, output turnover.

Each function changes a :class:`~neuroplastic.rule.state.HiddenSynapses` or
:class:`~neuroplastic.rule.state.ReadoutSynapses` in place and returns what it
grew and eliminated, so the non-silent count changes by exactly
``grown - eliminated``. Every decision about a unit's synapses uses only
that unit's own synapses, its own activity and the presynaptic activity:
there is no ranking across units.
"""

import numpy as np

from .state import EMPTY, HiddenSynapses, ReadoutSynapses

__all__ = ["new_hidden_synapses", "new_readout_synapses", "grow_at_active_inputs", "eliminate_weak",
           "consolidate", "turn_over_readout", "instar_step"]

F32 = np.float32
_CHUNK = 256


def _top_k_by_keys(keys, k):
    """Column indices of the ``k`` largest keys per row (rows with fewer valid keys get -inf entries)."""
    if k >= keys.shape[1]:
        return np.argsort(-keys, axis=1)[:, :k]
    return np.argpartition(-keys, k - 1, axis=1)[:, :k]


def new_hidden_synapses(rng, n_hidden, n_inputs, *, capacity, n_initial, support, weight_low, weight_high,
                        growth_weight, images=None):
    """The synapses hidden units are born with.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_hidden, n_inputs : int
    capacity : int
        Slots per unit (``max_synapses_per_unit``).
    n_initial : int
        Synapses each unit is born with (at most ``capacity``).
    support : {"random", "active"}
        ``random``: distinct uniformly random inputs, efficacies U(low, high).
        ``active``: inputs active in one training image drawn for the unit,
        chosen with probability proportional to their intensity (without
        replacement), efficacy ``growth_weight * x_i``, the growth rule's.
    images : numpy.ndarray, shape (n, n_inputs), optional
        Training images (needed for ``active``).

    Returns
    -------
    HiddenSynapses
    """
    index = np.zeros((n_hidden, capacity), dtype=np.int32)
    weight = np.zeros((n_hidden, capacity), dtype=F32)
    birth = np.full((n_hidden, capacity), EMPTY, dtype=np.int64)
    for start in range(0, n_hidden, _CHUNK):
        rows = slice(start, min(start + _CHUNK, n_hidden))
        n = rows.stop - rows.start
        if support == "random":
            chosen = _top_k_by_keys(rng.random((n, n_inputs)), n_initial)
            index[rows, :n_initial] = chosen
            weight[rows, :n_initial] = rng.uniform(weight_low, weight_high, size=(n, n_initial))
            birth[rows, :n_initial] = 0
        else:
            x = images[rng.integers(images.shape[0], size=n)].astype(np.float64)
            with np.errstate(divide="ignore"):
                keys = np.log(x) - np.log(-np.log(rng.random(x.shape)))  # Gumbel top-k: p proportional to x
            chosen = _top_k_by_keys(keys, n_initial)
            valid = np.isfinite(np.take_along_axis(keys, chosen, axis=1))
            index[rows, :n_initial] = chosen
            weight[rows, :n_initial] = np.where(valid, growth_weight * np.take_along_axis(x, chosen, axis=1), 0.0)
            birth[rows, :n_initial] = np.where(valid, 0, EMPTY)
    return HiddenSynapses(index=index, weight=weight, birth=birth, n_inputs=n_inputs)


def new_readout_synapses(rng, n_hidden, n_outputs, budget):
    """Output synapses at birth: ``budget`` uniformly random hidden units per output unit (all if None), weight 0."""
    if budget is None or budget >= n_hidden:
        alive = np.ones((n_hidden, n_outputs), dtype=bool)
    else:
        alive = np.zeros((n_hidden, n_outputs), dtype=bool)
        for c in range(n_outputs):
            alive[rng.choice(n_hidden, size=budget, replace=False), c] = True
    return ReadoutSynapses(weight=np.zeros((n_hidden, n_outputs), dtype=F32), alive=alive,
                           birth=np.where(alive, 0, EMPTY).astype(np.int64),
                           bias=np.zeros(n_outputs, dtype=F32), eligibility=np.zeros((n_hidden, n_outputs), dtype=F32))


def instar_step(hidden, counts, X, winners):
    """Competitive Hebbian (instar) update of the winners' existing synapses, in place.

    Parameters
    ----------
    hidden : HiddenSynapses
    counts : numpy.ndarray, shape (n_hidden,)
        Win counts; incremented by this batch's wins.
    X : numpy.ndarray, shape (batch, n_inputs)
        Presynaptic activity.
    winners : numpy.ndarray of int, shape (batch,)

    Returns
    -------
    numpy.ndarray of float32, shape (n_hidden,)
        Wins of each unit in the batch.

    Notes
    -----
    dw_js = eta_j * sum_b post_bj (x_b,i(js) - w_js) over the unit's slots s,
    with eta_j = 1 / count_j (online k-means; count includes this batch).
    Since eta_j * n_j < 1, efficacies stay non-negative.
    """
    order = np.argsort(winners, kind="stable")
    sorted_winners = winners[order]
    rows, starts, n_wins = np.unique(sorted_winners, return_index=True, return_counts=True)
    gathered = X[order[:, None], hidden.index[sorted_winners]]
    pre_sum = np.add.reduceat(gathered, starts, axis=0)
    wins = np.zeros(hidden.n_hidden, dtype=F32)
    wins[rows] = n_wins
    counts += wins
    block = hidden.weight[rows]
    increment = pre_sum - n_wins[:, None].astype(F32) * block
    increment *= (1.0 / counts[rows])[:, None]
    increment *= hidden.birth[rows] != EMPTY
    block += increment
    np.maximum(block, 0.0, out=block)
    hidden.weight[rows] = block
    return wins


def _merit(hidden, units, upkeep):
    merit = hidden.weight[units].astype(np.float64)
    if upkeep is not None:
        merit = merit / upkeep[hidden.index[units]]
    return merit


def grow_at_active_inputs(hidden, rng, X, winners, *, probability, threshold, growth_weight, now, upkeep=None):
    """Activity-dependent growth: a winner grows a synapse at an input active in the image it won.

    With probability ``probability`` per presentation the winning unit
    grows one synapse at a uniformly chosen input with ``x_i > threshold``
    that it does not already hold, with efficacy ``growth_weight * x_i``.
    It fills an empty slot if it has one; otherwise it makes room by
    eliminating its weakest synapse (by ``w / upkeep`` if given). A unit
    grows at most once per batch.

    Returns
    -------
    (grown, lifetimes) : (int, numpy.ndarray)
        Synapses grown, and the lifetimes (presentations) of those eliminated to make room.
    """
    if probability <= 0:
        return 0, np.zeros(0)
    b = np.flatnonzero(rng.random(X.shape[0]) < probability)
    if b.size == 0:
        return 0, np.zeros(0)
    units, first = np.unique(winners[b], return_index=True)
    b = b[first]
    candidate = X[b] > threshold
    alive = hidden.birth[units] != EMPTY
    held_rows = np.repeat(np.arange(units.size), hidden.capacity).reshape(alive.shape)
    candidate[held_rows[alive], hidden.index[units][alive]] = False
    keys = np.where(candidate, rng.random(candidate.shape), -1.0)
    chosen = keys.argmax(axis=1)
    ok = keys[np.arange(units.size), chosen] >= 0
    units, b, chosen, alive = units[ok], b[ok], chosen[ok], alive[ok]
    if units.size == 0:
        return 0, np.zeros(0)
    merit = np.where(alive, _merit(hidden, units, upkeep), -np.inf)  # an empty slot is filled first
    slot = merit.argmin(axis=1)
    replaced = alive[np.arange(units.size), slot]
    lifetimes = now - hidden.birth[units[replaced], slot[replaced]]
    hidden.index[units, slot] = chosen
    hidden.weight[units, slot] = growth_weight * X[b, chosen]
    hidden.birth[units, slot] = now
    return int(units.size), lifetimes


def eliminate_weak(hidden, threshold, now):
    """Eliminate existing synapses with efficacy below ``threshold`` (or at 0); returns their lifetimes."""
    alive = hidden.birth != EMPTY
    weak = alive & ((hidden.weight < threshold) | (hidden.weight <= 0))
    lifetimes = now - hidden.birth[weak]
    hidden.weight[weak] = 0.0
    hidden.birth[weak] = EMPTY
    return lifetimes


def consolidate(hidden, budget, now, upkeep=None):
    """Each unit keeps its strongest ``budget`` synapses; the layer shrinks to ``budget`` slots per unit.

    Returns
    -------
    (HiddenSynapses, numpy.ndarray)
        The consolidated synapses and the lifetimes of the eliminated ones.
    """
    if budget >= hidden.capacity:
        return hidden, np.zeros(0)
    units = np.arange(hidden.n_hidden)
    merit = np.where(hidden.birth != EMPTY, _merit(hidden, units, upkeep), -np.inf)
    order = np.argsort(-merit, axis=1, kind="stable")
    keep, drop = order[:, :budget], order[:, budget:]
    dropped = np.take_along_axis(hidden.birth, drop, axis=1)
    lifetimes = now - dropped[dropped != EMPTY]
    kept = HiddenSynapses(index=np.take_along_axis(hidden.index, keep, axis=1),
                          weight=np.take_along_axis(hidden.weight, keep, axis=1),
                          birth=np.take_along_axis(hidden.birth, keep, axis=1), n_inputs=hidden.n_inputs)
    return kept, lifetimes


def turn_over_readout(readout, budget, fraction, now, units=None, growth_scale=0.0):
    """Output structural plasticity: each output unit replaces its weakest synapses by its most eligible silent sites.

    Parameters
    ----------
    readout : ReadoutSynapses
    budget : int or None
        Synapses per output unit; ``None`` (all connected) does nothing.
    fraction : float
        Share of the unit's budget replaced (rounded down, at least one when positive).
    now : int
        Presentation count (birth time of the grown synapses).
    units : numpy.ndarray of int, optional
        Output units that turn over (default all).
    growth_scale : float
        A grown synapse starts at ``growth_scale * e_jc``: the efficacy its
        eligibility trace predicts (0: start at 0).

    Returns
    -------
    (grown, eliminated) : (int, int)

    Notes
    -----
    For output unit c: eliminate the k existing synapses with the smallest
    |V_jc|; grow k new ones (efficacy 0) at the silent sites j with the
    largest |e_jc|, where e_jc is the running mean of the site's
    three-factor update (presynaptic activity h_j times the unit's learning
    signal), with efficacy ``growth_scale * e_jc``. A unit below its budget
    grows up to it. Only unit c's own
    synapses, signal and presynaptic activity enter the decision.
    """
    if budget is None:
        return 0, 0
    units = np.arange(readout.weight.shape[1]) if units is None else units
    grown = eliminated = 0
    for c in units:
        alive = readout.alive[:, c]
        k = int(fraction * budget) if fraction > 0 else 0
        if fraction > 0:
            k = max(k, 1)
        existing = np.flatnonzero(alive)
        k = min(k, existing.size)
        if k:
            weakest = existing[np.argpartition(np.abs(readout.weight[existing, c]), k - 1)[:k]]
            alive[weakest] = False
            readout.weight[weakest, c] = 0.0
            readout.birth[weakest, c] = EMPTY
            eliminated += k
        else:
            weakest = np.zeros(0, dtype=int)
        room = budget - int(alive.sum())
        silent = np.flatnonzero(~alive)
        silent = np.setdiff1d(silent, weakest, assume_unique=True)
        room = min(room, silent.size)
        if room > 0:
            score = np.abs(readout.eligibility[silent, c])
            best = silent[np.argpartition(-score, room - 1)[:room]] if room < silent.size else silent
            alive[best] = True
            readout.birth[best, c] = now
            readout.weight[best, c] = growth_scale * readout.eligibility[best, c]
            grown += best.size
        readout.alive[:, c] = alive
    return grown, eliminated
