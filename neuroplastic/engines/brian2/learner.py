"""`Brian2Classifier`: the rule's one schedule executed with Brian2 (rate form), with the face of the vectorized learner.

The learner keeps the same typed :class:`~neuroplastic.rule.state.TrainingState`
as the vectorized engine and runs the same schedule
(:func:`neuroplastic.rule.schedule.session_schedule`: a ``hidden`` phase,
then a ``readout`` phase). What runs where:

In Brian2 (:class:`~.rate.RateHiddenLayer`, one presentation per time step, both phases):
    the dendritic sums ``w_j . x`` and ``||w_j||^2`` over the synapses that
    exist (one Brian2 element per slot of a unit, reading its input through
    ``src``), the winner-take-all competition with the conscience bias, the
    win counts, the instar update of the winner's existing synapses, the
    homeostatic win rate and conscience, and growth at active inputs (the
    winner, with probability ``p`` per win, moves its weakest synapse, or
    fills an empty slot, to an input active in the image that it does not
    hold yet; the weakest is found by pairwise comparison among the unit's
    own synapses, the input by rejection sampling with four draws), and the
    rewiring events' threshold elimination (an ``eliminate`` event at the
    end of the presentation that completes a ``rewiring.period``, after its
    instar and growth; a Brian2 run lasts until the next event).

In Brian2 (:func:`~.readout.run_readout`, readout phase, one run per stretch up to a rewiring event):
    the three-factor readout: one time step per noise trial of a
    presentation; output units with a node perturbation, a critic that forms
    one global loss-change signal, and the pool of every potential output
    synapse (existing ones flagged ``alive``) that accumulates signal x
    noise x presynaptic activity, applies the update at each batch's last
    trial and keeps every site's eligibility trace. The perturbations come
    from the learner's generator, drawn in the vectorized engine's order.

In NumPy, between Brian2 runs, with the rule's own functions (the remaining
part of issue 12):
    the hidden activity the readout sees, from the sums Brian2 recorded,
    with the homeostatic gain control
    (:func:`neuroplastic.engines.vectorized.training.readout_input`), the
    input trace, the output turnover at each rewiring event (each output
    unit swaps its weakest synapses for its most eligible silent sites: a
    ranking among one unit's own sites, which Brian2 has no operation for),
    the consolidation at the start of the readout phase (each unit keeps
    its strongest ``synapses_per_unit``; the layer's slots shrink) and the
    census of synapse dynamics (from the growth and elimination events
    Brian2 recorded).

Differences from the vectorized engine: Brian2 updates the hidden layer
after every presentation (the vectorized engine once per batch; with
``batch_size=1`` and no growth both give the same synapses, up to float32
rounding, and draw the same random numbers); growth draws come from
Brian2's random numbers (seeded from ``random_state``); a unit may grow at
every win rather than once per batch; if all four draws land on inputs a
unit holds, it does not grow at that win; with ``rewiring.activity_cost``
the upkeep of each input is read when a Brian2 run starts (the vectorized
engine reads it at every batch); the readout's arithmetic is float64 (the
vectorized engine's float32). With ``batch_size=1`` and no hidden growth
the two engines turn over the same output synapses at every event, with
efficacies within 1e-3 of their range (float32 rounding; tests/test_brian2_rate.py). The
Brian2 readout runs node perturbation without the Hebbian term (other
output rules: ``readout_engine="vectorized"``).

With ``mode="spiking"`` the hidden phase runs in the spiking form instead
(:class:`~.spiking.SpikingHiddenLayer`: stochastic release at every
synapse, integrate-and-fire units, a falling threshold and a shunting
interneuron for the competition, the instar at the winner's spike; growth,
homeostasis and the rewiring events' threshold elimination run in the
network at image boundaries). Each hidden pass is one Brian2 run, so it
builds once in ``cpp_standalone``. After the run, NumPy replays the pass's
batches for the input trace and the output gain statistics, computed from
the synapses the pass ended with, and writes the census and history from
the growth and elimination events Brian2 recorded. The readout phase runs
in the rate form, or, with ``readout_engine="vectorized"``, in the
vectorized engine from the same typed state (the readout's rate form
presents one image per Brian2 time step, too slow for full MNIST).
"""

import time

import numpy as np

from ...errors import ConfigError, DataError
from ...rule.state import HiddenSynapses
from .. import READOUT_ENGINES, TARGETS, check_engine
from ..base import RuleLearner, json_ready
from ..vectorized import learned, training
from ..vectorized.checks import check_images
from .device import brian2_target, frozen_garbage
from .rate import RateHiddenLayer
from .readout import run_readout
from .spiking import SpikingHiddenLayer, SpikingParams

F32 = np.float32

__all__ = ["Brian2Classifier"]


def _slot_sums(hidden, X):
    """``w_j . x`` of every unit for the images ``X`` (shape (n_images, n_hidden)), from the per-unit slots."""
    return np.einsum("hc,bhc->bh", hidden.weight, X[:, hidden.index])

#: Upper bound on the recorded sums of one Brian2 run (floats), which bounds the length of a run without growth.
_RECORD_BUDGET = 4_000_000


class Brian2Classifier(RuleLearner):
    """The structural-plasticity classifier executed by Brian2 (rate or spiking form).

    Parameters
    ----------
    mode : {"rate", "spiking"}
        Form of the hidden phase: the rate form (held against the vectorized
        engine) or the spiking form.
    n_hidden, activation, activation_params, hidden_epochs, readout_epochs, hidden, rewiring, homeostasis, output
        As for :class:`~neuroplastic.engines.vectorized.StructuralPlasticityClassifier`.
    batch_size : int
        Presentations per batch. Brian2 presents one image per time step
        (instar, conscience and growth per presentation); gain control and the
        readout update are applied once per batch, as in the vectorized engine.
    spiking : SpikingParams, optional
        Biophysical parameters of the spiking form (defaults if omitted).
    readout_engine : {"brian2", "vectorized"}, optional
        Where the readout phase runs: Brian2's rate form, or the vectorized
        engine continuing the same typed state. Default: ``"brian2"`` in rate
        mode, ``"vectorized"`` in spiking mode.
    target : {"numpy", "cython", "cpp_standalone"}
        Brian2 code-generation target. ``cpp_standalone`` is for the spiking
        form's hidden passes (one build per pass); the rate form then runs on
        ``numpy``.
    build_dir : str or Path, optional
        Folder for the cython cache (a temporary folder if omitted).
    random_state : int, optional
        Seed of every random choice; the same seed gives the same result.
    progress : callable, optional
        ``progress(done, total, nonsilent)`` after every batch.

    Attributes
    ----------
    hidden_weights_, hidden_bias_, output_weights_, output_bias_, classes_, n_synapses_, history_, dynamics_, fit_seconds_
        As for the vectorized learner.
    state_ : TrainingState
        The typed training state.
    spiking_runs_ : list of dict
        One record per spiking hidden pass (:meth:`.spiking.SpikingHiddenLayer.run`
        without its event arrays): spikes per image, images with a winner,
        simulation and wall seconds, presentations.
    """

    _PARAM_NAMES = ("mode", "n_hidden", "activation", "activation_params", "hidden_epochs", "readout_epochs",
                    "batch_size", "hidden", "rewiring", "homeostasis", "output", "spiking", "readout_engine",
                    "target", "build_dir", "random_state", "progress")

    def __init__(self, *, mode="rate", n_hidden=1000, activation="triangle", activation_params=None, hidden_epochs=1,
                 readout_epochs=20, batch_size=1, hidden=None, rewiring=None, homeostasis=None, output=None,
                 spiking=None, readout_engine=None, target="numpy", build_dir=None, random_state=None, progress=None):
        self.mode = mode
        self.n_hidden = n_hidden
        self.activation = activation
        self.activation_params = activation_params
        self.hidden_epochs = hidden_epochs
        self.readout_epochs = readout_epochs
        self.batch_size = batch_size
        self.hidden = hidden
        self.rewiring = rewiring
        self.homeostasis = homeostasis
        self.output = output
        self.spiking = spiking
        self.readout_engine = readout_engine
        self.target = target
        self.build_dir = build_dir
        self.random_state = random_state
        self.progress = progress

    def _validate(self):
        check_engine("brian2", self.mode)
        if self.readout_engine not in (None, *READOUT_ENGINES):
            raise ConfigError("readout_engine", f"must be one of {', '.join(READOUT_ENGINES)}, got "
                              f"{self.readout_engine!r}")
        targets = TARGETS if self.mode == "spiking" else tuple(t for t in TARGETS if t != "cpp_standalone")
        if self.target not in targets:
            raise ConfigError("target", f"must be one of {', '.join(targets)} in {self.mode} mode, got {self.target!r}")
        self._spiking_params().validate()
        self._check_counts()
        self._check_activation()
        rule = self.rule_params()
        training.check_output_method(rule)
        if not self._readout_in_vectorized() and (rule.output.method != "node" or rule.output.hebbian_rate > 0):
            raise ConfigError("readout_engine", "'brian2' runs node perturbation without the Hebbian term; "
                                                "use readout_engine='vectorized' for this output rule")
        return rule

    # -- training ----------------------------------------------------------
    def fit(self, X, y, *, progress=None, checkpoint=None, checkpoint_every=None, resume_state=None,
            max_presentations=None):
        """Train from scratch on images ``X`` with labels ``y``.

        Parameters
        ----------
        X : array, shape (n_samples, n_pixels), values in [0, 1]
        y : array, shape (n_samples,)
        progress : callable, optional
            Overrides the ``progress`` hyperparameter for this call.
        checkpoint : callable, optional
            ``checkpoint(state)`` with :meth:`get_state` at the end of every
            pass (and, in the vectorized readout, every ``checkpoint_every``
            presentations), if ``checkpoint_every`` is set.
        checkpoint_every : int, optional
        resume_state : dict, optional
            A state from :meth:`get_state`; training continues from it. From
            a checkpoint (the end of a pass) it ends as the uninterrupted run
            would; from a state taken in the middle of a rate-form pass it
            does not, since Brian2's random numbers are seeded once per pass.
        max_presentations : int, optional
            Stop once this many presentations of the session are done.

        Returns
        -------
        self

        Raises
        ------
        ConfigError, DataError
        """
        rule = self._rule = self._validate()
        X = check_images(X)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise DataError(f"labels must be a 1-D array of {X.shape[0]} entries, got shape {y.shape}")
        self.classes_ = np.unique(y)
        if self.classes_.size < 2:
            raise DataError(f"need at least two classes, got {self.classes_.tolist()}")
        rule.check_sizes(X.shape[1], self.n_hidden)
        self.n_features_in_ = X.shape[1]
        if resume_state is not None:
            self.set_state(resume_state)
            if not np.array_equal(self.classes_, np.unique(y)):
                raise DataError(f"the saved state has classes {self.classes_.tolist()}, the data {np.unique(y).tolist()}")
        else:
            self._rng = np.random.default_rng(self.random_state)
            self.state_ = learned.initial_state(rule, self._rng, self.n_hidden, X, self.classes_.size)
            self.history_ = []
            self.spiking_runs_ = []
        self._checkpoint = (checkpoint, checkpoint_every) if checkpoint is not None and checkpoint_every else None
        rate_target = "numpy" if self.target == "cpp_standalone" else self.target
        with brian2_target(rate_target, self.build_dir), frozen_garbage():
            self._run(X, y, progress or self.progress, max_presentations)
        self._export()
        return self

    def _extra_state(self):
        return {"spiking_runs": json_ready(list(self.spiking_runs_))}

    def _restore_extra(self, state):
        self.spiking_runs_ = [dict(run) for run in state.get("spiking_runs", [])]

    def partial_fit(self, X, y, classes=None):
        raise ConfigError("partial_fit", "is not available in the Brian2 engine; use the vectorized engine")

    def _spiking_params(self):
        params = self.spiking if self.spiking is not None else SpikingParams()
        if isinstance(params, dict):
            try:
                params = SpikingParams(**params)
            except TypeError as exc:
                raise ConfigError("spiking", f"has an unknown field ({exc})") from None
        return params

    def _readout_in_vectorized(self):
        return (self.readout_engine or ("vectorized" if self.mode == "spiking" else "brian2")) == "vectorized"

    def _run(self, X, y, progress, max_presentations):
        y_index = np.searchsorted(self.classes_, y)
        state, rng = self.state_, self._rng
        p, census = state.progress, state.census
        phases = self.schedule_
        N, B = X.shape[0], self.batch_size
        batches_per_pass = -(-N // B)
        total = sum(ph.epochs for ph in phases) * N
        started = time.perf_counter()
        stop = False
        while p.phase < len(phases) and not stop:
            phase = phases[p.phase]
            if p.started_phase != p.phase:
                self._open_phase(phase)
            if phase.readout_learns and self._readout_in_vectorized():
                p.elapsed_seconds += time.perf_counter() - started
                self._vectorized_readout(X, y, progress, max_presentations)
                return
            if p.position == 0:
                p.perm = rng.permutation(N)
                census.start_epoch(p.presentations, state.hidden)
            if self.mode == "spiking" and not phase.readout_learns:
                self._spiking_pass(X, y_index, phase, batches_per_pass, progress, total)
            else:
                self._rate_stretch(X, y_index, phase, batches_per_pass, progress, total, max_presentations)
            stop = max_presentations is not None and p.session_done >= max_presentations
            if self._end_pass(phase, N):
                if self._checkpoint is not None:  # between passes: a resumed run starts the next pass
                    p.elapsed_seconds += time.perf_counter() - started
                    started = time.perf_counter()
                    self._checkpoint[0](self.get_state())
        p.elapsed_seconds += time.perf_counter() - started
        self._close_session(np.unique(y_index))

    def _rate_stretch(self, X, y_index, phase, batches_per_pass, progress, total, max_presentations):
        """The rest of a pass in the rate form: Brian2 runs up to each rewiring event, NumPy between them."""
        rule, state, rng = self._rule, self.state_, self._rng
        p, census = state.progress, state.census
        N, B = X.shape[0], self.batch_size
        layer = RateHiddenLayer(state, X, p.perm[p.position:], gamma=rule.homeostasis.strength,
                                tau_h=rule.homeostasis.time_constant, p_grow=phase.growth_probability,
                                growth_threshold=rule.rewiring.growth_threshold, growth_weight=phase.growth_weight,
                                upkeep=training.upkeep(state, rule),
                                seed=rng.integers(2 ** 31) if phase.growth_probability > 0 else None,
                                elimination_threshold=rule.rewiring.elimination_threshold)
        while p.position < N:
            n = self._run_length(N, max_presentations)
            layer.push(state)
            # the stretch ends at a rewiring event when its presentations reach the period (see _run_length)
            rewire = p.since_event + n >= rule.rewiring.period
            sums, squared_norm, winners, grown, lifetimes, eliminated = layer.run(n, rewire=rewire)
            layer.pull(state)
            census.record_growth(grown)
            census.record_elimination(lifetimes)
            census.record_elimination(eliminated)  # the event's threshold elimination, run in the network
            readout = [] if phase.readout_learns else None  # batches for Brian2's readout, run after the stretch
            event = None
            for start in range(0, n, B):
                batch = slice(start, min(start + B, n))
                event = self._after_hidden(X, y_index, phase, batches_per_pass, sums[batch], squared_norm[batch],
                                           readout=readout)
                if progress is not None and readout is None:
                    progress(p.session_done, total, state.hidden.count())
            if readout:
                self._brian2_readout(readout)
                if event is not None:  # the stretch ends at a rewiring event: after the readout's updates
                    event()
                if progress is not None:
                    progress(p.session_done, total, state.hidden.count())
            if max_presentations is not None and p.session_done >= max_presentations:
                return

    def _spiking_pass(self, X, y_index, phase, batches_per_pass, progress, total):
        """A whole hidden pass in the spiking form: one Brian2 run, then its bookkeeping in NumPy.

        The rewiring events fall where the batch loop of the vectorized engine
        puts them; the census and the history records are rebuilt from the
        growth and elimination events the network recorded.
        """
        rule, state, rng = self._rule, self.state_, self._rng
        p, census = state.progress, state.census
        N, B = X.shape[0], self.batch_size
        ends, events, since = [], [], p.since_event
        for start in range(0, N, B):
            ends.append(min(start + B, N))
            since += ends[-1] - start
            if since >= rule.rewiring.period:
                since = 0
                events.append(ends[-1])
        shown = HiddenSynapses(state.hidden.index.copy(), state.hidden.weight.copy(), state.hidden.birth.copy(),
                               state.hidden.n_inputs)
        shown_counts = state.units.counts.copy()
        with brian2_target(self.target, self.build_dir):
            layer = SpikingHiddenLayer(
                state, X, p.perm, self._spiking_params(), gamma=rule.homeostasis.strength,
                tau_h=rule.homeostasis.time_constant, p_grow=phase.growth_probability,
                growth_threshold=rule.rewiring.growth_threshold, growth_weight=phase.growth_weight,
                w_elim=rule.rewiring.elimination_threshold, rewiring_at=events, upkeep=training.upkeep(state, rule),
                seed=rng.integers(2 ** 31))
            run = layer.run(state, standalone=self.target == "cpp_standalone",
                            report="stderr" if progress is not None else None)
        grown, eliminated, after_events = run.pop("grown"), run.pop("eliminated"), run.pop("after_events")
        self.spiking_runs_.append(run)
        # until the first event, the records and progress reports see the layer it started from
        (final, state.hidden), (final_counts, state.units.counts) = (state.hidden, shown), (state.units.counts, shown_counts)
        squared_norm = np.einsum("ij,ij->i", final.weight, final.weight)
        start = opened = 0
        for end in ends:
            due = self._after_hidden(X, y_index, phase, batches_per_pass,
                                     _slot_sums(final, X[p.perm[start:end]]), squared_norm, rewire=False)
            if due is not None or end == N:  # the census since the last record: image boundaries in (opened, end]
                new = grown[(grown[:, 0] > opened) & (grown[:, 0] <= end)]
                gone = eliminated[(eliminated[:, 0] > opened) & (eliminated[:, 0] <= end)]
                census.record_growth(len(new))
                census.record_elimination(np.concatenate([new[new[:, 2] >= 0, 2], gone[:, 2]]))
                opened = end
            if due:  # the records and the progress report see the layer as the event left it
                *slots, state.units.counts = after_events[end]
                state.hidden = HiddenSynapses(*slots, n_inputs=final.n_inputs)
                self._record(phase.name)
            start = end
            if end == N:
                state.hidden, state.units.counts = final, final_counts
            if progress is not None:
                progress(p.session_done, total, state.hidden.count())

    def _run_length(self, N, max_presentations):
        """Presentations of the next Brian2 run: up to the next rewiring event, the end of the pass or the stop."""
        p, B = self.state_.progress, self.batch_size
        until_event = -(-(self._rule.rewiring.period - p.since_event) // B) * B
        n = min(N - p.position, max(until_event, B), max(B, _RECORD_BUDGET // self.n_hidden // B * B))
        if max_presentations is not None:
            n = min(n, max(1, -(-(max_presentations - p.session_done) // B) * B))
        return n

    def _after_hidden(self, X, y_index, phase, batches_per_pass, sums, squared_norm, rewire=True, readout=None):
        """The NumPy part of one batch (after Brian2 presented it): input trace, gain, readout, events.

        With a list ``readout``, the readout's update is left to Brian2: the
        batch's readout input (activity, labels, noise, rates) is appended to
        it, and a rewiring event is not run here (the caller runs it after
        Brian2's readout). Returns the rewiring event that fell after this
        batch, as a callable (already run if ``rewire`` and not deferred), or
        None.
        """
        rule, state, rng = self._rule, self.state_, self._rng
        p = state.progress
        index = p.perm[p.position:p.position + len(sums)]
        Xb = X[index]
        done = len(index)
        state.input_trace += min(1.0, done / rule.homeostasis.time_constant) * (
            Xb.mean(axis=0, dtype=np.float64) - state.input_trace)
        readout_fraction = self._readout_fraction(phase, batches_per_pass)
        taught = np.unique(y_index)
        taught = None if taught.size == self.classes_.size else taught
        learning_rate = rule.output.learning_rate * (1.0 - readout_fraction)
        if readout is None:
            loss, correct = training.readout_from_sums(
                state, Xb, y_index[index], sums, squared_norm, rule, phase, rng, activation=self.activation,
                activation_params=self.activation_params, learning_rate=learning_rate, taught=taught)
            p.window_loss += loss
            p.window_correct += correct
            p.window_count += done if phase.readout_learns else 0
        else:
            activity = training.readout_input(state, Xb, sums, squared_norm, rule, phase, activation=self.activation,
                                              activation_params=self.activation_params)
            o = rule.output
            # the same draws, in the same order, as the vectorized engine's readout_batch
            noise = rng.normal(0.0, o.noise_std, size=(o.n_perturbations, done, self.classes_.size)).astype(F32)
            readout.append((activity, y_index[index], noise.transpose(1, 0, 2), learning_rate,
                            min(1.0, done / o.eligibility_time_constant)))
        if not self._count(done):
            return None
        turnover = rule.output.turnover * (1.0 - readout_fraction) if phase.readout_learns else 0.0

        def event():  # the hidden elimination ran in the Brian2 network; output turnover and the record here
            training.rewiring_event(state, rule, turnover, learning_rate, self.batch_size, taught,
                                    eliminate_hidden=False)
            self._record(phase.name)

        if rewire and readout is None:
            event()
        return event

    def _brian2_readout(self, batches):
        """Brian2's three-factor readout over a stretch's batches (see :meth:`_after_hidden`)."""
        rule, state = self._rule, self.state_
        p = state.progress
        activity, labels, noise, rates, traces = zip(*batches)
        loss, correct = run_readout(state.readout, np.concatenate(activity), np.concatenate(labels),
                                    np.concatenate(noise), [len(a) for a in activity], learning_rates=rates,
                                    trace_rates=traces, noise_std=rule.output.noise_std,
                                    antithetic=rule.output.antithetic)
        p.window_loss += float(loss.sum())
        p.window_correct += int(correct.sum())
        p.window_count += len(loss)

    def _vectorized_readout(self, X, y, progress, max_presentations):
        """The remaining phases in the vectorized engine, from this learner's typed state (same schedule)."""
        from ..vectorized import StructuralPlasticityClassifier

        shared = {name: getattr(self, name) for name in StructuralPlasticityClassifier._PARAM_NAMES}
        other = StructuralPlasticityClassifier(**shared)
        other._rule, other._rng, other.classes_ = self._rule, self._rng, self.classes_
        other.n_features_in_, other.state_, other.history_ = self.n_features_in_, self.state_, self.history_
        checkpoint, every = self._checkpoint or (None, None)
        extra = self._extra_state()  # the spiking runs, which the vectorized learner's snapshots do not hold
        other._run(X, y, progress, checkpoint and (lambda snapshot: checkpoint({**snapshot, **extra})),
                   every, max_presentations)

    # -- inference ---------------------------------------------------------
    def to_network(self):
        """The trained network as a :class:`neuroplastic.network.TrainedNetwork` (engine ``brian2-<mode>``)."""
        return learned.trained_network(self, f"brian2-{self.mode}")

    def decision_function(self, X):
        """Output potentials, shape (n_samples, n_classes)."""
        return learned.inference_network(self).decision_function(X)

    def predict(self, X):
        """Predicted labels."""
        return learned.inference_network(self).predict(X)

    def score(self, X, y):
        """Accuracy on (X, y)."""
        return learned.inference_network(self).score(X, y)
