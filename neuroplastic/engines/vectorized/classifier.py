"""`StructuralPlasticityClassifier`: the rule as a scikit-learn style learner."""

import dataclasses
import time

import numpy as np
import scipy.sparse as sp

from ...errors import ConfigError, DataError
from ...rule.activations import ACTIVATIONS, DISTANCE_ACTIVATIONS, hidden_activity, squared_norm_bias
from ...rule.params import HiddenRuleParams, HomeostasisParams, OutputRuleParams, RewiringParams
from . import training
from .checks import check_images as _check_X, column_mean_std as _column_mean_std

__all__ = ["StructuralPlasticityClassifier"]

F32 = np.float32
_PARAM_NAMES = ("n_hidden", "activation", "activation_params", "epochs", "batch_size", "hidden", "rewiring",
                "homeostasis", "output", "random_state", "progress")
_RULE_PARTS = {"hidden": HiddenRuleParams, "rewiring": RewiringParams, "homeostasis": HomeostasisParams,
               "output": OutputRuleParams}
_ARRAY_KEYS = ("W", "mask", "counts", "win_rate", "conscience", "V", "b", "out_mask", "act_mean", "act_std", "perm",
               "input_sum", "taught_before")


class StructuralPlasticityClassifier:
    """One hidden layer learnt by competitive Hebbian plasticity with rewiring; perturbation-learnt readout.

    Parameters
    ----------
    n_hidden : int
        Hidden units.
    activation : str
        Hidden activation (a key of :data:`neuroplastic.rule.activations.ACTIVATIONS`).
    activation_params : dict, optional
        Extra activation parameters (e.g. ``{"gain": 4.0}`` for ``paper_sigmoid``).
    epochs : int
        Passes over the training images per session: the hidden-plasticity
        passes, then the readout passes.
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
    hidden_bias_ : numpy.ndarray, shape (n_hidden,)
        For the distance activations (``triangle``, ``triangle_squared``) the squared
        weight norm; otherwise ``-||w_j||^2 / 2`` (so ``w_j . x + b_j = (||x||^2 - d_j^2) / 2``).
    output_weights_ : numpy.ndarray, shape (n_classes, n_hidden)
        Effective readout (homeostatic gain folded in); zeros are silent.
    output_bias_ : numpy.ndarray, shape (n_classes,)
    classes_ : numpy.ndarray
    n_synapses_ : dict
        Non-silent synapses ``{"hidden", "output", "total"}``.
    history_ : list of dict
        One record per rewiring event (and per readout event).
    fit_seconds_ : float
        Wall time spent training, summed over interrupted and resumed sessions.
    """

    def __init__(self, *, n_hidden=1000, activation="triangle", activation_params=None, epochs=21, batch_size=100,
                 hidden=None, rewiring=None, homeostasis=None, output=None, random_state=None, progress=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.activation_params = activation_params
        self.epochs = epochs
        self.batch_size = batch_size
        self.hidden = hidden
        self.rewiring = rewiring
        self.homeostasis = homeostasis
        self.output = output
        self.random_state = random_state
        self.progress = progress

    # -- construction ------------------------------------------------------
    @classmethod
    def from_params(cls, rule_params, **kwargs):
        """Build from a :class:`~neuroplastic.rule.params.RuleParams` (or any object/dict with
        ``hidden``, ``rewiring``, ``homeostasis``, ``output``) plus the other hyperparameters."""
        parts = {}
        for name in _RULE_PARTS:
            value = rule_params.get(name) if isinstance(rule_params, dict) else getattr(rule_params, name, None)
            if value is not None:
                parts[name] = value
        return cls(**parts, **kwargs)

    def get_params(self, deep=True):
        """Hyperparameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in _PARAM_NAMES}

    def set_params(self, **params):
        """Set hyperparameters; ``rule_part__field=value`` replaces one field of a rule dataclass."""
        for key, value in params.items():
            if "__" in key:
                part, field = key.split("__", 1)
                if part not in _RULE_PARTS:
                    raise ConfigError(key, "is not a known hyperparameter")
                current = getattr(self, part) or _RULE_PARTS[part]()
                try:
                    setattr(self, part, dataclasses.replace(current, **{field: value}))
                except TypeError:
                    raise ConfigError(key, "is not a known hyperparameter") from None
            elif key in _PARAM_NAMES:
                setattr(self, key, value)
            else:
                raise ConfigError(key, f"is not a known hyperparameter (known: {', '.join(_PARAM_NAMES)})")
        return self

    def _rule(self):
        """Validated rule parameters as a simple namespace of the four parts."""
        parts = {}
        for name, kind in _RULE_PARTS.items():
            value = getattr(self, name)
            value = kind() if value is None else value
            if isinstance(value, dict):
                try:
                    value = kind(**value)
                except TypeError as exc:
                    raise ConfigError(f"rule.{name}", f"has an unknown field ({exc})") from None
            try:
                value.validate()
            except ConfigError as exc:
                where = f"rule.{name}.{exc.field}" if exc.field else f"rule.{name}"
                raise ConfigError(where, exc.reason or str(exc)) from None
            parts[name] = value
        return type("Rule", (), parts)

    def _validate_hyperparameters(self):
        for name in ("n_hidden", "epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigError(name, f"must be a positive integer, got {value!r}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError("activation", f"must be one of {', '.join(sorted(ACTIVATIONS))}, got {self.activation!r}")
        rule = self._rule()
        hidden_passes = rule.hidden.epochs + rule.hidden.consolidation_epochs
        retrain = rule.output.retrain_epochs if rule.output.synapse_budget is not None else 0
        if self.epochs < hidden_passes + retrain + 1:
            raise ConfigError("epochs", f"must be at least {hidden_passes + retrain + 1} (hidden passes "
                              f"{hidden_passes}, readout retrain passes {retrain}, and one readout pass), "
                              f"got {self.epochs}")
        return rule

    # -- state -------------------------------------------------------------
    def _initial_state(self, n_features, n_classes):
        rule = self._rule_params
        H = self.n_hidden
        low, high = rule.hidden.initial_weight_low, rule.hidden.initial_weight_high
        return {
            "W": self._rng.uniform(low, high, size=(H, n_features)).astype(F32),
            "mask": np.ones((H, n_features), dtype=bool),
            "counts": np.full(H, rule.hidden.initial_win_count, dtype=F32),
            "win_rate": np.full(H, 1.0 / H, dtype=F32),
            "conscience": np.zeros(H, dtype=F32),
            "V": np.zeros((H, n_classes), dtype=F32),
            "b": np.zeros(n_classes, dtype=F32),
            "input_sum": np.zeros(n_features, dtype=np.float64), "inputs_seen": 0,  # presynaptic mean activity
            "taught_before": np.zeros(n_classes, dtype=bool), "session_closed": False,  # output units of past sessions
            "out_mask": None, "act_mean": None, "act_std": None, "perm": None,
            "epoch": 0, "position": 0, "presentations": 0, "since_event": 0, "session_done": 0,
            "consolidated": False, "hidden_frozen": False, "sparsified": False,
            "window_loss": 0.0, "window_correct": 0, "window_count": 0, "elapsed_seconds": 0.0,
        }

    def get_state(self):
        """Everything needed to resume training exactly: a flat dict of arrays and JSON values."""
        out = {"n_hidden": int(self.n_hidden), "classes": self.classes_.tolist(),
               "rng_state": self._rng.bit_generator.state, "history": list(self.history_)}
        for key, value in self._state.items():
            if key in _ARRAY_KEYS:
                if value is not None:
                    out[key] = np.array(value)
            else:
                out[key] = value
        return out

    def set_state(self, state):
        """Restore :meth:`get_state` output (hyperparameters must match those of the saved learner)."""
        self._rule_params = self._validate_hyperparameters()
        if int(state["n_hidden"]) != self.n_hidden:
            raise ConfigError("n_hidden", f"is {self.n_hidden} but the saved state has {state['n_hidden']}")
        self._rng = np.random.default_rng()
        self._rng.bit_generator.state = state["rng_state"]
        self.classes_ = np.asarray(state["classes"])
        self.history_ = [dict(r) for r in state["history"]]
        self._state = {key: (np.array(state[key]) if key in _ARRAY_KEYS else state[key])
                       for key in state if key not in ("n_hidden", "classes", "rng_state", "history")}
        for key in _ARRAY_KEYS:
            self._state.setdefault(key, None)
        self._features = None
        self._export()
        return self

    # -- training ----------------------------------------------------------
    def fit(self, X, y, *, progress=None, checkpoint=None, checkpoint_every=None, resume_state=None,
            max_presentations=None):
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

        Returns
        -------
        self

        Raises
        ------
        DataError, ConfigError
        """
        self._rule_params = self._validate_hyperparameters()
        X, y = self._check_training_data(X, y, None if resume_state is None else resume_state.get("classes"))
        if resume_state is not None:
            self.set_state(resume_state)
        else:
            self._start(X, y, None)
        return self._run(X, y, progress, checkpoint, checkpoint_every, max_presentations)

    def resume(self, X, y, *, progress=None, checkpoint=None, checkpoint_every=None, max_presentations=None):
        """Continue an interrupted session (after ``fit(..., max_presentations=...)`` or :meth:`set_state`)."""
        X, y = self._check_training_data(X, y, self.classes_)
        return self._run(X, y, progress, checkpoint, checkpoint_every, max_presentations)

    def partial_fit(self, X, y, classes=None):
        """One more session (``epochs`` passes of the schedule) on new data, from the current weights.

        ``classes`` (all classes that will ever be seen) is needed on the first call
        if ``y`` does not contain every class. In every session only the output
        units of the classes present in ``y`` are taught (perturbed, scored and
        pruned); the others keep their synapses, so a session on new classes does
        not unlearn the readout of classes it never shows. The hidden layer and
        the gain control fixed in the first session stay shared.
        """
        self._rule_params = self._validate_hyperparameters()
        if not hasattr(self, "_state"):
            X, y = self._check_training_data(X, y, None if classes is None else np.unique(classes))
            self._start(X, y, classes)
        else:
            X, y = self._check_training_data(X, y, self.classes_)
            s = self._state
            s.update(epoch=0, position=0, session_done=0, consolidated=False, hidden_frozen=False, sparsified=False,
                     session_closed=False, perm=None, out_mask=None)
            self._features = None
        return self._run(X, y, None, None, None, None)

    def _check_training_data(self, X, y, classes):
        X = _check_X(X, getattr(self, "_n_features", None) if classes is not None and hasattr(self, "_state") else None)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise DataError(f"labels must be a 1-D array of {X.shape[0]} entries, got shape {y.shape}")
        known = np.unique(y) if classes is None else np.asarray(classes)
        unknown = np.setdiff1d(np.unique(y), known)
        if unknown.size:
            raise DataError(f"labels {unknown.tolist()} are not among the classes {known.tolist()}")
        if known.size < 2:
            raise DataError(f"need at least two classes, got {known.tolist()}")
        self._y_index = np.searchsorted(known, y)
        return X, y

    def _start(self, X, y, classes):
        self._rng = np.random.default_rng(self.random_state)
        self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        self._y_index = np.searchsorted(self.classes_, y)
        self._n_features = X.shape[1]
        self._state = self._initial_state(X.shape[1], self.classes_.size)
        self.history_ = []
        self._features = None

    def _schedule(self):
        rule = self._rule_params
        hidden_passes = rule.hidden.epochs + rule.hidden.consolidation_epochs
        retrain = rule.output.retrain_epochs if rule.output.synapse_budget is not None else 0
        return hidden_passes, self.epochs - hidden_passes - retrain, retrain

    def _readout_features(self, X):
        """Hidden activity of the training images (computed once per session), standardised."""
        if self._features is None or self._features[0] is not X:
            self._export_hidden()
            F = hidden_activity(X, self.hidden_weights_, self.hidden_bias_, self.activation,
                                **(self.activation_params or {}))
            s = self._state
            if s["act_mean"] is None:
                if self._rule_params.output.standardize:
                    s["act_mean"], s["act_std"] = _column_mean_std(F)
                else:
                    s["act_mean"] = np.zeros(F.shape[1], F32)
                    s["act_std"] = np.ones(F.shape[1], F32)
            F -= s["act_mean"]
            F /= s["act_std"]
            self._features = (X, F)
        return self._features[1]

    def _run(self, X, y, progress, checkpoint, checkpoint_every, max_presentations):
        progress = progress or self.progress
        rule, s, rng = self._rule_params, self._state, self._rng
        self._n_features = X.shape[1]
        y_index = np.searchsorted(self.classes_, y)
        taught = np.unique(y_index)  # output units of classes absent from this session's data are not taught
        N, B = X.shape[0], self.batch_size
        hidden_passes, dense_out, retrain = self._schedule()
        batches_per_pass = -(-N // B)
        total = self.epochs * N
        started = time.perf_counter()
        while s["epoch"] < self.epochs:
            e = s["epoch"]
            if s["position"] == 0:
                if e >= rule.hidden.epochs and not s["consolidated"]:
                    # end of the dense warm-up: impose the per-unit synapse budget
                    grown, eliminated = training.consolidate(s, rng, rule)
                    s["consolidated"] = True
                    training.record_event(self, "consolidation", grown, eliminated)
                if e >= hidden_passes and not s["hidden_frozen"]:
                    # end of hidden plasticity: synapses grown since the last event must fit the budget too
                    if rule.hidden.consolidation_epochs > 0:
                        grown, eliminated = training.consolidate(s, rng, rule)
                        training.record_event(self, "consolidation", grown, eliminated)
                    s["hidden_frozen"] = True
                if retrain and e >= hidden_passes + dense_out and not s["sparsified"]:
                    s["sparsified"] = True
                    eliminated = training.sparsify_output(s, rule.output.synapse_budget, taught)
                    training.record_event(self, "output_sparsification", 0, eliminated)
                s["perm"] = rng.permutation(N)
            index = s["perm"][s["position"]:s["position"] + B]
            if e < hidden_passes:
                training.hidden_batch(s, X[index], rule, e >= rule.hidden.epochs)
            else:
                F = self._readout_features(X)
                phase_start, phase_len = (hidden_passes, dense_out) if e < hidden_passes + dense_out else (
                    hidden_passes + dense_out, retrain)
                step = (e - phase_start) * batches_per_pass + s["position"] // B
                rate = rule.output.learning_rate * (1.0 - step / (phase_len * batches_per_pass))
                loss, correct = training.output_batch(s, F[index], y_index[index], rng, rule, rate, taught)
                s["window_loss"] += loss
                s["window_correct"] += correct
                s["window_count"] += len(index)
            done = len(index)
            s["position"] += done
            s["presentations"] += done
            s["session_done"] += done
            s["since_event"] += done
            if s["since_event"] >= rule.rewiring.period:
                s["since_event"] = 0
                if e < hidden_passes:
                    grown, eliminated = training.rewire(s, rng, rule, with_budget=e >= rule.hidden.epochs)
                    training.record_event(self, "rewiring", grown, eliminated)
                else:
                    training.record_event(self, "readout")
            if s["position"] >= N:
                s["position"] = 0
                s["epoch"] += 1
            if progress is not None:
                progress(s["session_done"], total, int(s["mask"].sum()))
            if checkpoint is not None and checkpoint_every and s["session_done"] % checkpoint_every < done:
                s["elapsed_seconds"] += time.perf_counter() - started
                started = time.perf_counter()
                checkpoint(self.get_state())
            if max_presentations is not None and s["session_done"] >= max_presentations and s["epoch"] < self.epochs:
                break
        s["elapsed_seconds"] += time.perf_counter() - started
        if s["epoch"] >= self.epochs and not s.get("session_closed", True):
            s["session_closed"] = True
            if s.get("taught_before") is not None:  # absent in states saved before sessions were tracked
                if rule.output.session_scaling:
                    s["session_scaling_factor"] = training.scale_new_outputs(s, taught)
                s["taught_before"][taught] = True
        self._features = None  # the cached hidden activity of the training set is large; recomputed if needed
        self._export()
        return self

    # -- learned state -----------------------------------------------------
    def _export_hidden(self):
        s = self._state
        W = sp.csr_matrix(np.where(s["mask"], s["W"], 0.0).astype(F32))
        W.eliminate_zeros()
        self.hidden_weights_ = W
        norm = squared_norm_bias(W).astype(F32)
        self.hidden_bias_ = norm if self.activation in DISTANCE_ACTIVATIONS else (-0.5 * norm).astype(F32)

    def _export(self):
        """Public learned attributes from the training state (gain control folded into the readout)."""
        s = self._state
        self._export_hidden()
        V = s["V"]
        if s["act_mean"] is not None:
            effective = V / s["act_std"][:, None]
            self.output_weights_ = np.ascontiguousarray(effective.T, dtype=F32)
            self.output_bias_ = (s["b"] - s["act_mean"] @ effective).astype(F32)
        else:
            self.output_weights_ = np.ascontiguousarray(V.T, dtype=F32)
            self.output_bias_ = s["b"].astype(F32).copy()
        hidden = int(self.hidden_weights_.count_nonzero())
        output = int(np.count_nonzero(self.output_weights_))
        self.n_synapses_ = {"hidden": hidden, "output": output, "total": hidden + output}
        self.fit_seconds_ = float(s["elapsed_seconds"])

    # -- inference ---------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "output_weights_"):
            raise ConfigError("StructuralPlasticityClassifier is not fitted yet; call fit(X, y) first")

    def hidden_activity(self, X):
        """Hidden activity from the sparse non-silent synapses."""
        self._check_fitted()
        X = _check_X(X, self.hidden_weights_.shape[1])
        return hidden_activity(X, self.hidden_weights_, self.hidden_bias_, self.activation,
                               **(self.activation_params or {}))

    def decision_function(self, X):
        """Output potentials, shape (n_samples, n_classes)."""
        return self.hidden_activity(X) @ self.output_weights_.T + self.output_bias_

    def predict_proba(self, X):
        """Class probabilities (softmax of the output potentials)."""
        u = self.decision_function(X)
        u -= u.max(axis=1, keepdims=True)
        np.exp(u, out=u)
        return u / u.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted labels."""
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def score(self, X, y):
        """Accuracy on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def to_network(self):
        """The trained network as a :class:`neuroplastic.network.TrainedNetwork`."""
        from ...network import TrainedNetwork

        self._check_fitted()
        return TrainedNetwork(
            hidden_weights=self.hidden_weights_.copy(), hidden_bias=self.hidden_bias_.copy(),
            output_weights=sp.csr_matrix(self.output_weights_), output_bias=self.output_bias_.copy(),
            activation=self.activation, classes=self.classes_.copy(),
            activation_params=dict(self.activation_params or {}),
            metadata={"engine": "vectorized", "n_synapses": dict(self.n_synapses_)})
