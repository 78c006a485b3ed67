"""Rate form of the hidden layer: one presentation per time step, all in Brian2.

Per time step (``when`` slots of Brian2's schedule):

- ``groups``: the input->hidden synapses sum ``w_j . x`` and ``||w_j||^2``
  into each unit; each unit's score is its squared distance to the input
  (minus the common ``||x||^2``) plus its conscience bias; a lateral
  circuit counts, for every unit, the rivals with a better score;
- ``end``: the unit with no better rival (the winner) counts its win and
  moves its non-silent synapses towards the input; every unit updates its
  win rate and conscience bias.
- ``start`` of every ``period``-th step: a rewiring event on the synapses
  and a census of non-silent, grown and eliminated synapses.

The images are one 2-D ``TimedArray`` indexed through a second
``TimedArray`` of image numbers, both built once per run.
"""

import numpy as np

from ...rule import equations as eq

__all__ = ["build_rate_hidden", "run_rate_hidden", "census_events"]


def _pairs(n_pre, n_post):
    """All-to-all connection indices in the order of a (n_post, n_pre) matrix's ravel."""
    post, pre = np.divmod(np.arange(n_pre * n_post), n_pre)
    return pre, post


def build_rate_hidden(state, X, order, *, gamma, tau_h, period=None, w_elim=0.0, p_grow=0.0, w_grow=0.05):
    """Brian2 objects of the rate-form hidden layer, initialised from ``state``.

    Parameters
    ----------
    state : dict
        ``W`` (n_hidden, n_inputs), ``mask``, ``counts``, ``win_rate``, ``conscience``.
    X : numpy.ndarray, shape (n_images, n_inputs)
    order : numpy.ndarray of int
        Image shown at each presentation.
    gamma, tau_h : float
        Homeostatic strength and time constant (presentations).
    period : int, optional
        Presentations between rewiring events; ``None`` for no events.
    w_elim, p_grow, w_grow : float
        Rewiring parameters.

    Returns
    -------
    dict
        ``network``, ``synapses``, ``hidden``, ``census_monitor`` (or None), ``duration``.
    """
    import brian2 as b2

    H, n_in = state["W"].shape
    n = len(order)
    step = b2.defaultclock.dt
    image_dt = 1 * b2.ms
    namespace = {
        "images": b2.TimedArray(np.asarray(X, dtype=float), dt=image_dt),
        "image_index": b2.TimedArray(np.append(order, order[-1]).astype(float), dt=step),
        "plastic": b2.TimedArray(np.append(np.ones(n), 0.0), dt=step),
        "image_dt": image_dt, "gamma": float(gamma), "tau_h": float(tau_h), "N": H,
        "w_elim": float(w_elim), "p_grow": float(p_grow), "w_grow": float(w_grow),
    }
    inputs = b2.NeuronGroup(n_in, eq.RATE_INPUT, name="inputs")
    hidden = b2.NeuronGroup(H, eq.RATE_HIDDEN, name="hidden", order=-10)
    pool = b2.NeuronGroup(H, eq.RATE_COMPETITION, name="competition", order=0)
    hidden.n_better = b2.linked_var(pool, "n_better")
    pool.own_score = b2.linked_var(hidden, "score")
    hidden.count = state["counts"]
    hidden.win_rate = state["win_rate"]
    hidden.conscience = state["conscience"]
    synapses = b2.Synapses(inputs, hidden, eq.RATE_SYNAPSE, name="instar")
    pre, post = _pairs(n_in, H)
    synapses.connect(i=pre, j=post)
    synapses.w = state["W"].ravel().astype(float)
    synapses.nonsilent = state["mask"].ravel().astype(float)
    lateral = b2.Synapses(hidden, pool, eq.RATE_LATERAL, name="lateral")
    lateral.connect(condition="i != j")
    objects = [inputs, hidden, pool, synapses, lateral]
    # between the summed updaters of the hidden layer (order -11) and of the competition pool (-1)
    objects.append(hidden.run_regularly(eq.RATE_SCORE, when="groups", order=-5, name="score"))
    objects.append(hidden.run_regularly(eq.RATE_COUNT, when="end", order=0, name="count"))
    objects.append(synapses.run_regularly(eq.RATE_INSTAR, when="end", order=1, name="instar_update"))
    objects.append(hidden.run_regularly(eq.RATE_HOMEOSTASIS, when="end", order=2, name="homeostasis"))
    monitor = add_rewiring(synapses, objects, period * step) if period is not None and period <= n else None
    network = b2.Network(objects)
    return {"network": network, "synapses": synapses, "hidden": hidden, "census": monitor,
            "duration": (n + 1) * step, "namespace": namespace}


def add_rewiring(synapses, objects, event_dt):
    """Add the rewiring event (``eq.REWIRE`` every ``event_dt``) and its census monitor to ``objects``.

    Returns
    -------
    brian2.StateMonitor
        Non-silent, grown and eliminated synapses, recorded at every event.
    """
    import brian2 as b2

    objects.append(synapses.run_regularly(eq.REWIRE, dt=event_dt, when="start", order=0, name="rewiring"))
    census = b2.StateMonitor(synapses, ["nonsilent", "grown", "eliminated"], record=True, dt=event_dt,
                             when="start", order=1, name="census")
    objects.append(census)
    return census


def census_events(monitor):
    """Rewiring events from the census monitor: list of (nonsilent, grown, eliminated), one per event."""
    if monitor is None:
        return []
    ns, grown, eliminated = (np.asarray(getattr(monitor, name)) for name in ("nonsilent", "grown", "eliminated"))
    return [(int(round(ns[:, k].sum())), int(round(grown[:, k].sum())), int(round(eliminated[:, k].sum())))
            for k in range(1, ns.shape[1])]


def run_rate_hidden(state, X, order, *, gamma, tau_h, period=None, w_elim=0.0, p_grow=0.0, w_grow=0.05,
                    seed=None):
    """Present ``X[order]`` one image per time step; update ``state`` in place; return the rewiring events.

    Runs on the code-generation target selected by the caller (see
    :func:`~neuroplastic.engines.brian2.device.brian2_target`); runtime targets only.

    Returns
    -------
    list of (nonsilent, grown, eliminated)
    """
    import brian2 as b2

    if seed is not None:
        b2.seed(int(seed))
    built = build_rate_hidden(state, X, order, gamma=gamma, tau_h=tau_h, period=period, w_elim=w_elim,
                              p_grow=p_grow, w_grow=w_grow)
    built["network"].run(built["duration"], namespace=built["namespace"])
    S, hidden = built["synapses"], built["hidden"]
    H, n_in = state["W"].shape
    state["W"] = np.asarray(S.w[:], dtype=np.float32).reshape(H, n_in)
    state["mask"] = np.asarray(S.nonsilent[:]).reshape(H, n_in) > 0.5
    state["counts"] = np.asarray(hidden.count[:], dtype=np.float32)
    state["win_rate"] = np.asarray(hidden.win_rate[:], dtype=np.float32)
    state["conscience"] = np.asarray(hidden.conscience[:], dtype=np.float32)
    return census_events(built["census"])
