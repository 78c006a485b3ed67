"""Spiking form of the hidden layer: Poisson inputs, LIF units, lateral inhibition, trace-based instar.

Not yet wired to the sparse-from-birth rule (remaining part of issue 12):
this circuit runs on a dense pool of potential synapses (a weight matrix
``W`` and a ``nonsilent`` mask in a plain dict) with the earlier rewiring
event (:data:`neuroplastic.rule.equations.REWIRE`), so
:class:`~.learner.Brian2Classifier` refuses ``mode="spiking"``. It is kept
as a tested circuit to adapt: a spiking synapse's presynaptic neuron is
fixed when it is connected, so moving a synapse to a new input needs either
a rebuild between runs or a rate-read input as in :mod:`.rate`.

Each image is shown for ``t_on`` (inputs fire as Poisson processes at
``f_max * x_i``), then ``t_off`` of silence lets the membranes relax. A
hidden unit's drive is ``gain * (w_j . x - ||w_j||^2 / 2)``, the (negative)
half squared distance to the input up to a common term, so the unit nearest
the input fires first and silences its rivals through lateral inhibition.
At every postsynaptic spike the unit's non-silent synapses move towards the
presynaptic traces (whose mean is the pixel intensity) with rate
``1 / count``: the instar of the rate form, driven by spikes. An adaptive
threshold makes frequent winners harder to fire (homeostasis). Rewiring
events are ``run_regularly`` operations on the synapses.
"""

import time
from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from ...rule import equations as eq

__all__ = ["SpikingParams", "build_spiking_hidden", "run_spiking_hidden", "add_rewiring", "census_events"]


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


@dataclass(frozen=True)
class SpikingParams:
    """Biophysical parameters of the spiking form (times in ms, potentials in mV, rates in Hz).

    Defaults follow Diehl and Cook (2015, Front. Comput. Neurosci. 9:99) where
    they have a counterpart (resting/reset -65 mV, threshold -52 mV, 63.75 Hz
    maximal input rate, 350 ms + 150 ms presentations, shortened here to
    100 ms + 50 ms, which ran 3-4 times as many presentations per second
    in brian2 2.9 standalone on a 2-core machine). The drive gain, the offset
    ``i_0`` and the faster membrane make the network fire from its first
    presentation. The threshold adaptation is stronger and slower than
    Diehl and Cook's (0.05 mV, 10^7 ms) because training here is short: with
    0.5 mV and 20 s only 42 of 400 units ever fired on 600 images (test
    accuracy 69.5%); with 5 mV and 2000 s all 400 fired (76.7%).
    """

    dt_ms: float = 0.5
    t_on_ms: float = 100.0
    t_off_ms: float = 50.0
    f_max_hz: float = 63.75
    tau_pre_ms: float = 20.0
    tau_m_ms: float = 20.0
    tau_e_ms: float = 5.0
    tau_i_ms: float = 10.0
    refractory_ms: float = 5.0
    v_rest_mv: float = -65.0
    v_reset_mv: float = -65.0
    v_thresh_mv: float = -52.0
    i_0_mv: float = 12.0
    gain_mv: float = 0.5
    w_inh_mv: float = 20.0
    theta_plus_mv: float = 5.0
    tau_theta_ms: float = 2_000_000.0

    def validate(self):
        for name, value in vars(self).items():
            if name not in ("v_rest_mv", "v_reset_mv", "v_thresh_mv", "i_0_mv") and not value > 0:
                raise ConfigError(name, f"must be positive, got {value}")
        if self.t_on_ms % self.t_off_ms:
            raise ConfigError("t_on_ms", f"must be a multiple of t_off_ms ({self.t_off_ms}), got {self.t_on_ms}")

    def namespace(self):
        """The parameters with Brian2 units, under the names the equations use."""
        import brian2 as b2

        ms, mV, Hz = b2.ms, b2.mV, b2.Hz
        return {
            "f_max": self.f_max_hz * Hz, "tau_pre": self.tau_pre_ms * ms, "tau_m": self.tau_m_ms * ms,
            "tau_e": self.tau_e_ms * ms, "tau_i": self.tau_i_ms * ms, "v_rest": self.v_rest_mv * mV,
            "v_reset": self.v_reset_mv * mV, "v_thresh": self.v_thresh_mv * mV, "I_0": self.i_0_mv * mV,
            "gain": self.gain_mv * mV, "w_inh": self.w_inh_mv * mV, "theta_plus": self.theta_plus_mv * mV,
            "tau_theta": self.tau_theta_ms * ms,
        }


def build_spiking_hidden(state, X, order, params, *, period=None, w_elim=0.0, p_grow=0.0, w_grow=0.05):
    """Brian2 objects of the spiking hidden layer, initialised from ``state`` (see :func:`run_spiking_hidden`)."""
    import brian2 as b2

    params.validate()
    H, n_in = state["W"].shape
    n = len(order)
    ms = b2.ms
    dt = params.dt_ms * ms
    t_present = (params.t_on_ms + params.t_off_ms) * ms
    image_dt = 1 * ms
    on_steps = int(round(params.t_on_ms / params.t_off_ms))
    namespace = params.namespace() | {
        "images": b2.TimedArray(np.asarray(X, dtype=float), dt=image_dt),
        "image_index": b2.TimedArray(np.append(order, order[-1]).astype(float), dt=t_present),
        "stimulus_on": b2.TimedArray(np.append(np.tile([1.0] * on_steps + [0.0], n), 0.0), dt=params.t_off_ms * ms),
        "plastic": b2.TimedArray(np.append(np.ones(n), 0.0), dt=t_present),
        "image_dt": image_dt, "w_elim": float(w_elim), "p_grow": float(p_grow), "w_grow": float(w_grow),
    }
    inputs = b2.NeuronGroup(n_in, eq.SPIKING_INPUT, threshold=eq.SPIKING_INPUT_THRESHOLD,
                            reset=eq.SPIKING_INPUT_RESET, method="exponential_euler", dt=dt, name="poisson_inputs")
    hidden = b2.NeuronGroup(H, eq.SPIKING_HIDDEN, threshold=eq.SPIKING_HIDDEN_THRESHOLD,
                            reset=eq.SPIKING_HIDDEN_RESET, refractory=params.refractory_ms * ms,
                            method="exponential_euler",
                            dt=dt, name="lif_hidden")
    hidden.v = params.v_rest_mv * b2.mV
    hidden.count = state["counts"]
    W = np.where(state["mask"], state["W"], 0.0)
    hidden.w2 = np.einsum("ij,ij->i", W, W)
    synapses = b2.Synapses(inputs, hidden, eq.SPIKING_SYNAPSE, on_pre=eq.SPIKING_ON_PRE, on_post=eq.SPIKING_ON_POST,
                           dt=dt, name="instar_synapses")
    post, pre = np.divmod(np.arange(n_in * H), n_in)
    synapses.connect(i=pre, j=post)
    synapses.w = W.ravel()
    synapses.nonsilent = state["mask"].ravel().astype(float)
    inhibition = b2.Synapses(hidden, hidden, on_pre=eq.SPIKING_INHIBITION, dt=dt, name="lateral_inhibition")
    inhibition.connect(condition="i != j")
    spikes = b2.SpikeMonitor(hidden, name="hidden_spikes")
    objects = [inputs, hidden, synapses, inhibition, spikes]
    census = add_rewiring(synapses, objects, period * t_present) if period is not None and period <= n else None
    return {"objects": objects, "synapses": synapses, "hidden": hidden, "census": census, "spikes": spikes,
            "duration": n * t_present + dt, "namespace": namespace}


def run_spiking_hidden(state, X, order, params, *, period=None, w_elim=0.0, p_grow=0.0, w_grow=0.05, seed=None,
                       standalone=False):
    """Present ``X[order]`` to the spiking hidden layer; update ``state`` in place.

    Parameters
    ----------
    state : dict
        ``W``, ``mask``, ``counts`` (updated in place).
    X, order : numpy.ndarray
    params : SpikingParams
    period : int, optional
        Presentations between rewiring events.
    seed : int, optional
    standalone : bool
        True if the caller selected ``cpp_standalone`` (the network is built and run once).

    Returns
    -------
    dict
        ``events`` (list of (nonsilent, grown, eliminated)), ``n_spikes``, ``spikes_per_presentation``,
        ``units_that_fired``, ``mean_rate_hz`` (hidden units), ``max_unit_spikes``, ``simulation_seconds``
        (without code generation and compilation).
    """
    import brian2 as b2

    if seed is not None:
        b2.seed(int(seed))
    built = build_spiking_hidden(state, X, order, params, period=period, w_elim=w_elim, p_grow=p_grow, w_grow=w_grow)
    network = b2.Network(built["objects"])
    began = time.perf_counter()
    network.run(built["duration"], namespace=built["namespace"])
    simulation_seconds = time.perf_counter() - began
    if standalone:
        simulation_seconds = float(b2.device._last_run_time)
    S, hidden = built["synapses"], built["hidden"]
    H, n_in = state["W"].shape
    state["W"] = np.asarray(S.w[:], dtype=np.float32).reshape(H, n_in)
    state["mask"] = np.asarray(S.nonsilent[:]).reshape(H, n_in) > 0.5
    state["counts"] = np.asarray(hidden.count[:], dtype=np.float32)
    n_spikes = int(built["spikes"].num_spikes)
    per_unit = np.bincount(np.asarray(built["spikes"].i, dtype=int), minlength=H)
    return {"events": census_events(built["census"]), "n_spikes": n_spikes,
            "spikes_per_presentation": n_spikes / max(len(order), 1),
            "units_that_fired": int(np.count_nonzero(per_unit)),
            "mean_rate_hz": float(n_spikes / (H * float(built["duration"] / b2.second))),
            "max_unit_spikes": int(per_unit.max()),
            "simulation_seconds": simulation_seconds}
