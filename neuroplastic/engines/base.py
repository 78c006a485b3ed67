"""What the learners of the rule share: resumable state, the session's bookkeeping and its records.

Both learners (:class:`~neuroplastic.engines.vectorized.StructuralPlasticityClassifier`
and :class:`~neuroplastic.engines.brian2.Brian2Classifier`) keep one typed
:class:`~neuroplastic.rule.state.TrainingState` and walk the same schedule of
phases and passes. They differ in who presents the images; the counting of
presentations, the ends of passes and phases, the close of a session and the
snapshot for resuming are the same code, here.
"""

import numpy as np

from ..errors import ConfigError
from ..rule.schedule import session_schedule
from ..rule.state import TrainingState
from .hyperparameters import RuleHyperparameters
from .vectorized import learned, training

__all__ = ["RuleLearner", "json_ready"]


class RuleLearner(RuleHyperparameters):
    """Base of the learners that execute the rule (not used on its own).

    A subclass provides ``_validate()``, which checks its hyperparameters and
    returns the :class:`~neuroplastic.rule.params.RuleParams`, and may add
    keys to the snapshot with ``_extra_state`` and ``_restore_extra``.
    """

    #: Keys of a snapshot besides the typed state's arrays.
    _STATE_KEYS = ("n_hidden", "classes", "rng_state", "history", "values")

    @property
    def schedule_(self):
        """The phases of a session (:func:`neuroplastic.rule.schedule.session_schedule`)."""
        return session_schedule(self._rule, self.hidden_epochs, self.readout_epochs)

    # -- snapshots ---------------------------------------------------------
    def get_state(self):
        """Everything needed to resume training exactly: a flat dict of arrays and JSON values."""
        arrays, values = self.state_.to_arrays()
        return {**{key: np.array(value) for key, value in arrays.items()}, "values": json_ready(values),
                "n_hidden": int(self.n_hidden), "classes": self.classes_.tolist(),
                "rng_state": self._rng.bit_generator.state, "history": list(self.history_), **self._extra_state()}

    def set_state(self, state):
        """Restore :meth:`get_state` output (the hyperparameters must be those of the saved learner)."""
        self._rule = self._validate()
        missing = [key for key in self._STATE_KEYS if key not in state]
        if missing:
            raise ConfigError("resume", f"the saved state lacks {', '.join(missing)}: not a checkpoint of this learner")
        if int(state["n_hidden"]) != self.n_hidden:
            raise ConfigError("n_hidden", f"is {self.n_hidden} but the saved state has {state['n_hidden']}")
        self._rng = np.random.default_rng()
        self._rng.bit_generator.state = state["rng_state"]
        self.classes_ = np.asarray(state["classes"])
        self.history_ = [dict(record) for record in state["history"]]
        self.state_ = TrainingState.from_arrays({k: v for k, v in state.items() if isinstance(v, np.ndarray)},
                                                state["values"])
        self._restore_extra(state)
        self._export()
        return self

    def _extra_state(self):
        """Keys a subclass adds to :meth:`get_state` (JSON values)."""
        return {}

    def _restore_extra(self, state):
        """Read back what :meth:`_extra_state` added (``state`` may come from an older snapshot without it)."""

    # -- the session's bookkeeping -----------------------------------------
    def _readout_fraction(self, phase, batches_per_pass):
        """How far the readout phase has gone (0 to 1; 0 outside it): learning rate and turnover decay with it."""
        if not phase.readout_learns:
            return 0.0
        p = self.state_.progress
        return (p.epoch * batches_per_pass + p.position // self.batch_size) / (phase.epochs * batches_per_pass)

    def _count(self, done):
        """Count ``done`` presentations; True if they complete a rewiring period (whose count then restarts)."""
        p = self.state_.progress
        p.position += done
        p.presentations += done
        p.session_done += done
        p.since_event += done
        if p.since_event < self._rule.rewiring.period:
            return False
        p.since_event = 0
        return True

    def _end_pass(self, phase, n_images):
        """Close the pass if its ``n_images`` presentations are done (census record, next pass or phase); True if so."""
        state = self.state_
        p = state.progress
        if p.position < n_images:
            return False
        p.position = 0
        p.epoch += 1
        state.census.end_epoch(len(state.census.epochs) + 1, phase.name, p.presentations, state.hidden)
        if p.epoch >= phase.epochs:
            p.epoch = 0
            p.phase += 1
        return True

    def _close_session(self, taught):
        """After the last phase: scale the outputs taught for the first time and mark ``taught`` as taught."""
        state, p = self.state_, self.state_.progress
        if p.phase < len(self.schedule_) or p.session_closed:
            return
        p.session_closed = True
        if self._rule.output.session_scaling:
            state.session_scaling_factor = training.scale_new_outputs(state, taught,
                                                                      learned.gain_terms(state, self._rule)[1])
        state.taught_before[taught] = True

    def _open_phase(self, phase):
        if learned.open_phase(self.state_, phase, self._rule):
            self._record(f"{phase.name} start")

    def _record(self, phase):
        """Append one record to ``history_`` and reset the running loss and accuracy."""
        self.history_.append(learned.history_record(self.state_, phase, len(self.history_)))

    def _export(self):
        """Public learned attributes from the training state (gain control folded into the readout)."""
        for name, value in learned.learned_attributes(self.state_, self._rule, self.activation).items():
            setattr(self, name, value)


def json_ready(value):
    """Nested values with NumPy scalars turned into Python ones."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
