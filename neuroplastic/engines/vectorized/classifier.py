"""`StructuralPlasticityClassifier`: the rule as a scikit-learn style learner."""

import time

import numpy as np

from ...errors import ConfigError, DataError
from ...rule.activations import hidden_activity
from ...rule.state import Progress
from ..base import RuleLearner
from . import learned, training
from .checks import check_images as _check_X

__all__ = ["StructuralPlasticityClassifier"]



class StructuralPlasticityClassifier(RuleLearner):
    """One sparse hidden layer learnt by competitive Hebbian plasticity with synapse growth and elimination;
    a perturbation-learnt readout with its own structural plasticity.

    The hidden layer is sparse from birth: it is stored as the synapses that
    exist (per-unit slots, :class:`~neuroplastic.rule.state.HiddenSynapses`)
    and a unit never holds more than ``rewiring.max_synapses_per_unit``.

    Parameters
    ----------
    n_hidden : int
        Hidden units.
    activation : str
        Hidden activation (a key of :data:`neuroplastic.rule.activations.ACTIVATIONS`).
    activation_params : dict, optional
        Extra activation parameters (e.g. ``{"gain": 4.0}`` for ``paper_sigmoid``).
    hidden_epochs : int
        Passes of the hidden phase (the hidden layer develops; no readout learning).
    readout_epochs : int
        Passes of the readout phase (the readout learns; hidden turnover goes on).
    batch_size : int
        Presentations per vectorized update.
    hidden, rewiring, homeostasis, output : dataclass, optional
        The rule's parameters (:mod:`neuroplastic.rule.params`); defaults if omitted.
    random_state : int or numpy.random.Generator, optional
        Seed of every random choice. The same seed gives the same result.
    progress : callable, optional
        ``progress(done, total, nonsilent)`` after every batch.

    Attributes
    ----------
    hidden_weights_ : scipy.sparse.csr_matrix, shape (n_hidden, n_features)
        The existing input->hidden synapses.
    hidden_bias_ : numpy.ndarray, shape (n_hidden,)
        For the distance activations (``triangle``, ``triangle_squared``,
        ``squared_distance_triangle``) the squared weight norm; otherwise
        ``-||w_j||^2 / 2``.
    output_weights_ : numpy.ndarray, shape (n_classes, n_hidden)
        Effective readout (homeostatic gain folded in); zeros are silent.
    output_bias_ : numpy.ndarray, shape (n_classes,)
    classes_ : numpy.ndarray
    n_synapses_ : dict
        Non-silent synapses ``{"hidden", "output", "total"}``.
    history_ : list of dict
        One record per rewiring event and phase change.
    dynamics_ : dict
        The census of synapse dynamics: totals, per-pass turnover, survival
        curves, lifetimes and weight distributions
        (:meth:`neuroplastic.rule.census.SynapseCensus.summary`).
    fit_seconds_ : float
        Wall time spent training, summed over interrupted and resumed sessions.
    """

    _PARAM_NAMES = ("n_hidden", "activation", "activation_params", "hidden_epochs", "readout_epochs", "batch_size",
                    "hidden", "rewiring", "homeostasis", "output", "random_state", "progress")

    def __init__(self, *, n_hidden=1000, activation="triangle", activation_params=None, hidden_epochs=1,
                 readout_epochs=20, batch_size=100, hidden=None, rewiring=None, homeostasis=None, output=None,
                 random_state=None, progress=None):
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
        self.random_state = random_state
        self.progress = progress

    def _validate(self):
        self._check_counts()
        if self.readout_epochs < 1:
            raise ConfigError("readout_epochs", f"must be at least 1 (the readout must learn), got {self.readout_epochs}")
        self._check_activation()
        rule = self.rule_params()
        training.check_output_method(rule)
        return rule

    # -- training ----------------------------------------------------------
    def fit(self, X, y, *, progress=None, checkpoint=None, checkpoint_every=None, resume_state=None,
            max_presentations=None, initial_hidden=None):
        """Train from scratch (or continue ``resume_state``) on images ``X`` with labels ``y``.

        Parameters
        ----------
        X : array, shape (n_samples, n_pixels), values in [0, 1]
        y : array, shape (n_samples,)
        progress : callable, optional
            Overrides the ``progress`` hyperparameter for this call.
        checkpoint : callable, optional
            ``checkpoint(state)`` every ``checkpoint_every`` presentations with :meth:`get_state`.
        checkpoint_every : int, optional
        resume_state : dict, optional
            A state from :meth:`get_state`; training continues from it and ends
            exactly as an uninterrupted run would.
        max_presentations : int, optional
            Stop (resumably) once this many presentations of the session are done.
        initial_hidden : HiddenSynapses, optional
            Hidden synapses to start from instead of the ones the rule's
            synaptogenesis gives (for ablations such as
            :func:`neuroplastic.experiments.structural.magnitude_pruned_hidden`).
            Its capacity must not exceed ``rewiring.max_synapses_per_unit``.

        Returns
        -------
        self

        Raises
        ------
        DataError, ConfigError
        """
        self._rule = self._validate()
        X, y = self._check_training_data(X, y, None if resume_state is None else resume_state.get("classes"))
        if resume_state is not None:
            self.set_state(resume_state)
        else:
            self._start(X, y, None)
            if initial_hidden is not None:
                if initial_hidden.index.shape[0] != self.n_hidden or initial_hidden.capacity > \
                        self._rule.rewiring.max_synapses_per_unit:
                    raise ConfigError("initial_hidden", f"must have {self.n_hidden} units of at most "
                                      f"{self._rule.rewiring.max_synapses_per_unit} synapses")
                self.state_.hidden = initial_hidden
        return self._run(X, y, progress, checkpoint, checkpoint_every, max_presentations)

    def resume(self, X, y, *, progress=None, checkpoint=None, checkpoint_every=None, max_presentations=None):
        """Continue an interrupted session (after ``fit(..., max_presentations=...)`` or :meth:`set_state`)."""
        X, y = self._check_training_data(X, y, self.classes_)
        return self._run(X, y, progress, checkpoint, checkpoint_every, max_presentations)

    def partial_fit(self, X, y, classes=None):
        """One more session (the whole schedule) on new data, from the current synapses.

        ``classes`` (all classes that will ever be seen) is needed on the first call
        if ``y`` does not contain every class. In every session only the output
        units of the classes present in ``y`` are taught (perturbed, scored and
        turned over); the others keep their synapses, so a session on new classes
        does not unlearn the readout of classes it never shows. The hidden layer
        stays plastic in every session.
        """
        self._rule = self._validate()
        if not hasattr(self, "state_"):
            X, y = self._check_training_data(X, y, None if classes is None else np.unique(classes))
            self._start(X, y, classes)
        else:
            X, y = self._check_training_data(X, y, self.classes_)
            p = self.state_.progress
            self.state_.progress = Progress(presentations=p.presentations, elapsed_seconds=p.elapsed_seconds)
        return self._run(X, y, None, None, None, None)

    def _check_training_data(self, X, y, classes):
        n_features = getattr(self, "n_features_in_", None) if classes is not None and hasattr(self, "state_") else None
        X = _check_X(X, n_features)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise DataError(f"labels must be a 1-D array of {X.shape[0]} entries, got shape {y.shape}")
        known = np.unique(y) if classes is None else np.asarray(classes)
        unknown = np.setdiff1d(np.unique(y), known)
        if unknown.size:
            raise DataError(f"labels {unknown.tolist()} are not among the classes {known.tolist()}")
        if known.size < 2:
            raise DataError(f"need at least two classes, got {known.tolist()}")
        return X, y

    def _start(self, X, y, classes):
        self._rule.check_sizes(X.shape[1], self.n_hidden)
        self._rng = np.random.default_rng(self.random_state)
        self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        self.n_features_in_ = X.shape[1]
        self.state_ = learned.initial_state(self._rule, self._rng, self.n_hidden, X, self.classes_.size)
        self.history_ = []

    def _run(self, X, y, progress, checkpoint, checkpoint_every, max_presentations):
        progress = progress or self.progress
        rule, state, rng = self._rule, self.state_, self._rng
        p, census = state.progress, state.census
        self.n_features_in_ = X.shape[1]
        y_index = np.searchsorted(self.classes_, y)
        taught = np.unique(y_index)  # output units of classes absent from this session's data are not taught
        taught_arg = None if taught.size == self.classes_.size else taught
        phases = self.schedule_
        N, B = X.shape[0], self.batch_size
        batches_per_pass = -(-N // B)
        total = sum(ph.epochs for ph in phases) * N
        workspace = training.Workspace()  # the batch x units arrays, mapped once for this run
        started = time.perf_counter()
        while p.phase < len(phases):
            phase = phases[p.phase]
            if p.started_phase != p.phase:
                self._open_phase(phase)
            if p.position == 0:
                p.perm = rng.permutation(N)
                census.start_epoch(p.presentations, state.hidden)
            index = p.perm[p.position:p.position + B]
            readout_fraction = self._readout_fraction(phase, batches_per_pass)
            loss, correct = training.learn_batch(
                state, X[index], y_index[index], rule, phase, rng, activation=self.activation,
                activation_params=self.activation_params, learning_rate=rule.output.learning_rate * (1.0 - readout_fraction),
                taught=taught_arg, workspace=workspace)
            done = len(index)
            p.window_loss += loss
            p.window_correct += correct
            p.window_count += done if phase.readout_learns else 0
            if self._count(done):
                turnover = rule.output.turnover * (1.0 - readout_fraction) if phase.readout_learns else 0.0
                training.rewiring_event(state, rule, turnover, rule.output.learning_rate * (1.0 - readout_fraction),
                                        B, taught_arg)
                self._record(phase.name)
            self._end_pass(phase, N)
            if progress is not None:
                progress(p.session_done, total, state.hidden.count())
            if checkpoint is not None and checkpoint_every and p.session_done % checkpoint_every < done:
                p.elapsed_seconds += time.perf_counter() - started
                started = time.perf_counter()
                checkpoint(self.get_state())
            if max_presentations is not None and p.session_done >= max_presentations and p.phase < len(phases):
                break
        p.elapsed_seconds += time.perf_counter() - started
        self._close_session(taught)
        self._export()
        return self

    # -- inference ---------------------------------------------------------
    def hidden_activity(self, X):
        """Hidden activity from the existing synapses."""
        learned.check_fitted(self)
        X = _check_X(X, self.hidden_weights_.shape[1])
        return hidden_activity(X, self.hidden_weights_, self.hidden_bias_, self.activation,
                               **(self.activation_params or {}))

    def decision_function(self, X):
        """Output potentials, shape (n_samples, n_classes).

        Computed by the trained network's forward pass (the compiled kernel
        when Numba is installed), block by block, so no whole-data-set
        hidden activity matrix is held.
        """
        network = learned.inference_network(self)  # says so if the learner is not fitted
        return network.decision_function(_check_X(X, self.hidden_weights_.shape[1]))

    def predict_proba(self, X):
        """Class probabilities (softmax of the output potentials)."""
        u = self.decision_function(X)
        u -= u.max(axis=1, keepdims=True)
        np.exp(u, out=u)
        return u / u.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted labels."""
        potentials = self.decision_function(X)  # first: it says so if the learner is not fitted
        return self.classes_[np.argmax(potentials, axis=1)]

    def score(self, X, y):
        """Accuracy on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def to_network(self):
        """The trained network as a :class:`neuroplastic.network.TrainedNetwork`."""
        return learned.trained_network(self, "vectorized")

