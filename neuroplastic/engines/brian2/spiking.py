"""Spiking form of the hidden layer: one image per presentation time, on the same slots as the rate form.

The synapses are one Brian2 group with one element per slot of a unit
(the :class:`~neuroplastic.rule.state.HiddenSynapses` layout, as in
:mod:`.rate`). No dense ``n_hidden x n_inputs`` pool exists at any time.

One image is shown for ``presentation_ms``:

- every synapse releases transmitter as a Poisson process at
  ``release_rate * x_src`` (releases are independent from synapse to
  synapse, as stochastic vesicle release is, so two units holding the same
  input see two realisations of its rate); a release adds to its unit's
  drive ``ge``, whose mean is ``gain * w_j . x``;
- the unit's membrane integrates ``ge - gain * (||w_j||^2 + b_j) / 2``,
  that is minus half the score of the rate form (the squared distance to
  the image, up to the common ``||x||^2``, plus the conscience bias);
- from ``decision_ms`` on the firing threshold falls linearly; the unit
  nearest the image (by its noisy drive) reaches it first; its spike reaches
  an interneuron that shunts every unit for the rest of the image (the gate
  closes on the next time step, so units that cross in the same step all fire);
- at the winner's spike its synapses move towards the release-count
  estimate of their input (releases / (release_rate * elapsed time)), with
  rate ``1 / wins``: the instar of the rate form, from spikes.

At the first time step of the next image (an image boundary) the network
runs, for the image that ended: growth (a unit that fired moves its
weakest synapse, or fills an empty slot, to an input active in that
image, with probability ``p_grow``: the draws, the "held" test and the
weakest-synapse search of the rate form), the homeostatic win rate and
conscience, and, at the boundaries named by ``rewiring_at``, threshold
elimination. A pass over the data is therefore one Brian2 run, with no
Python between time steps, so it builds once in ``cpp_standalone``.
"""

import contextlib
import logging
import time
from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from ...rule import equations as eq
from .slots import active_input_table, sibling_pairs, upkeep_row
from ...rule.state import EMPTY

__all__ = ["SpikingParams", "SpikingHiddenLayer"]

F32 = np.float32


@dataclass(frozen=True)
class SpikingParams:
    """Biophysical parameters of spiking training (times in ms, potentials in mV, rates in Hz).

    Attributes
    ----------
    dt_ms : float
        Time step.
    presentation_ms : float
        How long each image is shown (a multiple of ``dt_ms``).
    decision_ms : float
        Time after the image's onset at which the threshold starts to fall;
        before it the units integrate their drive.
    release_rate_hz : float
        Release rate of a synapse whose input has intensity 1 (at most ``1 / dt``).
    tau_m_ms, tau_e_ms : float
        Membrane and synaptic time constants.
    gain_mv : float
        Potential per unit of the rate form's score.
    threshold_start_mv, threshold_fall_mv : float
        Threshold above rest until ``decision_ms``, and how far it falls by the image's end.
    """

    dt_ms: float = 1.0
    presentation_ms: float = 20.0
    decision_ms: float = 10.0
    release_rate_hz: float = 1000.0
    tau_m_ms: float = 10.0
    tau_e_ms: float = 2.0
    gain_mv: float = 3.0
    threshold_start_mv: float = 20.0
    threshold_fall_mv: float = 60.0

    @property
    def steps(self):
        """Time steps per image."""
        return int(round(self.presentation_ms / self.dt_ms))

    def validate(self):
        for name, value in vars(self).items():
            if not (np.isfinite(value) and value > 0):
                raise ConfigError(name, f"must be positive, got {value}")
        if abs(self.steps * self.dt_ms - self.presentation_ms) > 1e-9 * self.presentation_ms:
            raise ConfigError("presentation_ms", f"must be a multiple of dt_ms ({self.dt_ms}), got {self.presentation_ms}")
        if not self.decision_ms < self.presentation_ms:
            raise ConfigError("decision_ms", f"must be below presentation_ms ({self.presentation_ms}), got "
                              f"{self.decision_ms}")
        if self.release_rate_hz * self.dt_ms / 1000.0 > 1.0:
            raise ConfigError("release_rate_hz", f"must be at most 1 / dt_ms ({1000.0 / self.dt_ms:g} Hz), got "
                              f"{self.release_rate_hz:g}")

    def namespace(self):
        """The parameters with Brian2 units, under the names the equations use."""
        import brian2 as b2

        ms, mV = b2.ms, b2.mV
        return {"dt_step": self.dt_ms * ms, "t_present": self.presentation_ms * ms, "t_decide": self.decision_ms * ms,
                "release_rate": self.release_rate_hz * b2.Hz, "tau_m": self.tau_m_ms * ms, "tau_e": self.tau_e_ms * ms,
                "gain": self.gain_mv * mV, "theta_start": self.threshold_start_mv * mV,
                "theta_fall": self.threshold_fall_mv * mV, "v_rest": -65 * mV, "steps": self.steps}


class _OrderIndependent(logging.Filter):
    """Drops Brian2's warning that an abstract code block "may depend on the order of execution".

    In this network every synapse that writes a presynaptic variable on a
    spike (the release-count estimate ``xhat_pre``) is the only synapse of
    its presynaptic element, so the order cannot matter.
    """

    def filter(self, record):
        return "may depend on the order of execution" not in record.getMessage()


@contextlib.contextmanager
def _order_independent():
    logger = logging.getLogger("brian2.codegen.generators.base")
    quiet = _OrderIndependent()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


class SpikingHiddenLayer:
    """One pass of spiking training of the hidden layer, as one Brian2 network.

    Parameters
    ----------
    state : TrainingState
        Synapses and unit variables the pass starts from.
    X : numpy.ndarray, shape (n_images, n_inputs)
    order : numpy.ndarray of int
        Image shown at each presentation of the pass.
    params : SpikingParams
    gamma, tau_h : float
        Homeostatic strength and time constant (presentations).
    p_grow, growth_threshold, growth_weight : float
        As for :class:`~.rate.RateHiddenLayer`.
    w_elim : float
        Elimination threshold of the rewiring events.
    rewiring_at : sequence of int
        Presentations of the pass (1 to ``len(order)``) after which a rewiring event eliminates weak synapses.
    upkeep : numpy.ndarray, optional
        As for :class:`~.rate.RateHiddenLayer` (read once, at the start of the pass).
    seed : int, optional
        Seed of Brian2's random numbers.
    """

    def __init__(self, state, X, order, params, *, gamma, tau_h, p_grow=0.0, growth_threshold=0.5, growth_weight=0.5,
                 w_elim=0.0, rewiring_at=(), upkeep=None, seed=None):
        import brian2 as b2

        params.validate()
        if params.steps < 4:
            raise ConfigError("presentation_ms", f"must last at least 4 time steps, got {params.steps}")
        if seed is not None:
            b2.seed(int(seed))
        hidden = state.hidden
        H, C = hidden.index.shape
        n = len(order)
        order = np.asarray(order, dtype=float)
        self.params, self.n, self.shape = params, n, (H, C)
        dt = params.dt_ms * b2.ms
        t_present = params.presentation_ms * b2.ms
        image_dt = 1 * b2.ms
        X = np.asarray(X, dtype=float)
        table, n_active = active_input_table(X, growth_threshold)
        due = np.zeros(n + 1)
        due[[k for k in rewiring_at if 1 <= k <= n]] = 1.0
        self.t0 = int(state.progress.presentations)
        self.namespace = params.namespace() | {
            "images": b2.TimedArray(X, dt=image_dt),
            "active_inputs": b2.TimedArray(table, dt=image_dt),
            "n_active": b2.TimedArray(n_active, dt=image_dt),
            "image_index": b2.TimedArray(np.append(order, order[-1]), dt=t_present),
            "previous_image": b2.TimedArray(np.append(order[:1], order), dt=t_present),
            "rewire_due": b2.TimedArray(due, dt=t_present),
            "upkeep": b2.TimedArray(upkeep_row(upkeep, X.shape[1]), dt=1 * b2.second),
            "image_dt": image_dt, "gamma": float(gamma), "tau_h": float(tau_h), "N": H,
            "p_grow": float(p_grow), "w_grow": float(growth_weight), "w_elim": float(w_elim), "t0": self.t0,
        }
        self.hidden = b2.NeuronGroup(H, eq.SPIKING_HIDDEN, threshold=eq.SPIKING_HIDDEN_THRESHOLD, method="euler",
                                     events={"decide": eq.SPIKING_DECIDE_EVENT, "snapshot": eq.SPIKING_SNAPSHOT_EVENT},
                                     dt=dt, name="lif_hidden")
        interneuron = b2.NeuronGroup(1, eq.SPIKING_INTERNEURON, dt=dt, name="interneuron")
        interneuron.first = -1
        interneuron.margin = -1 * b2.volt
        self.hidden.gate = b2.linked_var(interneuron, "shut", index=np.zeros(H, dtype=int))
        self.hidden.first = b2.linked_var(interneuron, "first", index=np.zeros(H, dtype=int))
        self.synapses = b2.NeuronGroup(
            H * C, eq.SPIKING_SYNAPSES, threshold=eq.SPIKING_RELEASE, reset=eq.SPIKING_ON_RELEASE,
            events={"regrow": eq.SPIKING_REGROW_EVENT, "eliminate": eq.SPIKING_ELIMINATE_EVENT,
                    "compare": eq.SPIKING_COMPARE_EVENT, "snapshot": eq.SPIKING_SNAPSHOT_EVENT}, dt=dt,
            name="synapses")
        unit = np.repeat(np.arange(H), C)
        self.synapses.unit = unit
        self.synapses.grow_unit = b2.linked_var(self.hidden, "grow", index=unit)
        self.synapses.won_unit = b2.linked_var(self.hidden, "won", index=unit)
        self.synapses.count_unit = b2.linked_var(self.hidden, "wins", index=unit)
        self.synapses.chosen_unit = b2.linked_var(self.hidden, "chosen", index=unit)
        dendrite = b2.Synapses(self.synapses, self.hidden, eq.SPIKING_DENDRITE, on_pre=eq.SPIKING_ON_TRANSMIT,
                               on_post=eq.SPIKING_ON_POST, dt=dt, name="dendrite")
        dendrite.connect(i=np.arange(H * C), j=unit)
        # before the dendrite's instar (order 0) in the same step: the instar needs the winner
        shunt = b2.Synapses(self.hidden, interneuron, on_pre=eq.SPIKING_TO_INTERNEURON, dt=dt, order=-1,
                            name="to_interneuron")
        shunt.connect()
        self.regrown = b2.EventMonitor(self.synapses, "regrow", variables=["birth"], name="regrown")
        self.eliminated = b2.EventMonitor(self.synapses, "eliminate", variables=["birth"], name="eliminated")
        self.snapshots = b2.EventMonitor(self.synapses, "snapshot", variables=["src", "w", "birth"], name="snapshots")
        self.counts = b2.EventMonitor(self.hidden, "snapshot", variables=["wins"], name="win_snapshots")
        self.spikes = b2.SpikeMonitor(self.hidden, name="hidden_spikes")
        boundary = dict(dt=t_present)
        self.network = b2.Network(
            self.hidden, interneuron, self.synapses, dendrite, shunt, self.regrown, self.eliminated, self.snapshots,
            self.counts, self.spikes,
            self.hidden.run_regularly(eq.SPIKING_WINNER, when="start", order=-2, name="winner", **boundary),
            self.synapses.run_regularly(eq.SPIKING_INSTAR, when="start", order=-1, name="instar", **boundary),
            self.hidden.run_regularly(eq.SPIKING_NEW_IMAGE, when="start", order=0, name="new_image", **boundary),
            self.synapses.run_regularly(eq.SPIKING_NEW_IMAGE_SYNAPSES, when="start", order=0,
                                        name="new_image_synapses", **boundary),
            # after growth and homeostasis, which read the winner of the image that ended
            interneuron.run_regularly(eq.SPIKING_NEW_IMAGE_INTERNEURON, when="end", order=6,
                                      name="new_image_interneuron", **boundary),
            self.synapses.run_on_event("eliminate", eq.SPIKING_ELIMINATE, when="end", order=4),
            self.hidden.run_regularly(eq.SPIKING_HOMEOSTASIS, when="end", order=5, name="homeostasis", **boundary),
        )
        if p_grow > 0:
            held = b2.Synapses(self.synapses, self.hidden, on_pre=eq.SPIKING_HELD, on_event={"pre": "compare"}, dt=dt,
                               name="held")
            held.connect(i=np.arange(H * C), j=unit)
            siblings = b2.Synapses(self.synapses, self.synapses, on_pre=eq.SPIKING_SIBLINGS,
                                   on_event={"pre": "compare"}, dt=dt, name="siblings")
            pre, post = sibling_pairs(H, C)
            siblings.connect(i=pre, j=post)
            self.network.add(
                held, siblings,
                self.hidden.run_regularly(eq.SPIKING_DRAW, when="start", order=1, name="draw", **boundary),
                self.hidden.run_on_event("decide", eq.SPIKING_GROW_DECISION),
                self.synapses.run_on_event("regrow", eq.SPIKING_REGROW, when="end", order=3),
            )
        self._push(state)

    def _push(self, state):
        hidden, units = state.hidden, state.units
        self.synapses.src[:] = hidden.index.ravel()
        self.synapses.birth[:] = hidden.birth.ravel()
        self.synapses.w[:] = hidden.weight.ravel().astype(float)
        self.hidden.wins[:] = units.counts.astype(float)
        self.hidden.win_rate[:] = units.win_rate.astype(float)
        self.hidden.conscience[:] = units.conscience.astype(float)

    def run(self, state, standalone=False, report=None):
        """Present the pass's images; copy the synapses and unit variables back into ``state``.

        ``report`` is passed to Brian2's ``run`` (e.g. ``"stderr"``: the share
        done and the time left, printed while the pass runs, also in
        ``cpp_standalone``).

        Returns
        -------
        dict
            ``grown`` and ``eliminated`` as arrays of (presentation of the pass
            at whose end it happened, unit, lifetime; lifetime -1 for growth
            into an empty slot), ``after_events`` (the slots right after each
            rewiring event, by presentation of the pass), ``spikes_per_image``, ``images_with_a_winner``,
            ``units_that_fired``, ``simulation_seconds`` (in ``cpp_standalone``
            the compiled run alone), ``wall_seconds`` (code generation and
            compilation included), ``presentations``.
        """
        import brian2 as b2

        p = self.params
        began = time.perf_counter()
        # four steps past the last image: the first steps of an image finish the one before (growth, events)
        with _order_independent():
            self.network.run(self.n * p.presentation_ms * b2.ms + 4 * p.dt_ms * b2.ms, namespace=self.namespace,
                             report=report, report_period=10 * b2.second)
        wall = time.perf_counter() - began
        seconds = float(b2.device._last_run_time) if standalone else wall
        H, C = self.shape
        state.hidden.weight[...] = np.asarray(self.synapses.w[:], dtype=F32).reshape(H, C)
        state.hidden.index[...] = np.asarray(self.synapses.src[:], dtype=np.int32).reshape(H, C)
        state.hidden.birth[...] = np.asarray(self.synapses.birth[:], dtype=np.int64).reshape(H, C)
        state.units.counts = np.asarray(self.hidden.wins[:], dtype=F32)
        state.units.win_rate = np.asarray(self.hidden.win_rate[:], dtype=F32)
        state.units.conscience = np.asarray(self.hidden.conscience[:], dtype=F32)
        image_of_spike = self._image_of(self.spikes.t)
        return {"grown": self._events(self.regrown), "eliminated": self._events(self.eliminated),
                "after_events": self._snapshots(),
                "spikes_per_image": float(image_of_spike.size / self.n),
                "images_with_a_winner": int(np.unique(image_of_spike).size),
                "units_that_fired": int(np.unique(np.asarray(self.spikes.i)).size),
                "simulation_seconds": seconds, "wall_seconds": wall, "presentations": self.n}

    def _image_of(self, times):
        """The image (presentation of the pass) each recorded time falls in."""
        import brian2 as b2

        steps = np.round(np.asarray(times / (self.params.dt_ms * b2.ms))).astype(np.int64)
        return steps // self.params.steps

    def _snapshots(self):
        """The slots and win counts right after each rewiring event: {presentation: (index, weight, birth, counts)}."""
        H, C = self.shape
        k = self._image_of(self.snapshots.t)
        slot = np.asarray(self.snapshots.i, dtype=np.int64)
        unit_k = self._image_of(self.counts.t)
        src, w, birth = (np.asarray(getattr(self.snapshots, name)) for name in ("src", "w", "birth"))
        taken = {}
        for event in np.unique(k):
            rows = np.flatnonzero(k == event)
            rows = rows[np.argsort(slot[rows])]
            units = np.flatnonzero(unit_k == event)
            counts = np.empty(H, dtype=F32)
            counts[np.asarray(self.counts.i)[units]] = np.asarray(self.counts.wins)[units]
            taken[int(event)] = (src[rows].astype(np.int32).reshape(H, C), w[rows].astype(F32).reshape(H, C),
                                 birth[rows].astype(np.int64).reshape(H, C), counts)
        return taken

    def _events(self, monitor):
        C = self.shape[1]
        k = self._image_of(monitor.t)
        birth = np.asarray(monitor.birth, dtype=np.int64)
        lifetime = np.where(birth == EMPTY, -1, self.t0 + k - birth)
        return np.stack([k, np.asarray(monitor.i, dtype=np.int64) // C, lifetime], axis=1).reshape(-1, 3)
