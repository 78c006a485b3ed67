"""What every baseline shares: the scikit-learn face and the saved-network format.

A baseline subclasses :class:`BaselineClassifier` and implements ``_train``,
which receives standardised inputs (labels as indices ``0..n_classes-1``, a
numpy ``Generator`` and a JAX ``PRNGKey``) and returns the trained parameters
and masks. Everything else — checking inputs, ``get_params``/``set_params``,
``predict``, ``score`` and ``to_network`` — is here, so ``compare`` treats all
learners alike.
"""

import inspect
import time

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import ConfigError, DataError
from ..network import all_finite
from .mlp import ACTIVATIONS, make_epoch, shuffled_batches

__all__ = ["BaselineClassifier"]


class BaselineClassifier:
    """Base class of the JAX baselines (not used directly).

    Subclasses define keyword-only hyperparameters in ``__init__`` (stored
    unchanged) and ``_train``. Learned state (``params_``, ``masks_``,
    ``classes_``, ``history_``, ``fit_time_s_``) ends in an underscore.
    """

    #: Short name written into the saved network's metadata and the compare table.
    method = "baseline"

    # -- scikit-learn conventions ---------------------------------------------
    @classmethod
    def _param_names(cls):
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values() if p.kind == p.KEYWORD_ONLY)

    def get_params(self, deep=True):
        """Hyperparameters as a dict (``deep`` is accepted for compatibility)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set hyperparameters; unknown names raise :class:`ConfigError`."""
        known = set(self._param_names())
        for name, value in params.items():
            if name not in known:
                raise ConfigError(name, f"is not a hyperparameter of {type(self).__name__} (known: {', '.join(sorted(known))})")
            setattr(self, name, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- checks -----------------------------------------------------------------
    def _check_hyperparameters(self):
        if self.n_hidden <= 0:
            raise ConfigError("n_hidden", f"must be a positive integer, got {self.n_hidden}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError("activation", f"must be one of {', '.join(sorted(ACTIVATIONS))}, got {self.activation!r}")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) <= 0:
                raise ConfigError(name, f"must be a positive integer, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise ConfigError("learning_rate", f"must be positive, got {self.learning_rate}")

    @staticmethod
    def _check_X(X, n_features=None):
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise DataError(f"inputs must be a 2-d array (n, features), got shape {X.shape}")
        if n_features is not None and X.shape[1] != n_features:
            raise DataError(f"inputs must have {n_features} features, got {X.shape[1]}")
        if not all_finite(X):
            raise DataError("inputs contain NaN or infinite values")
        return X

    # -- training -----------------------------------------------------------------
    def fit(self, X, y):
        """Train on images ``X`` (n, features) with labels ``y`` (n,).

        Returns
        -------
        self
        """
        self._check_hyperparameters()
        X = self._check_X(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise DataError(f"labels must have shape ({X.shape[0]},), got {y.shape}")
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise DataError(f"need at least two classes to train, got {self.classes_.tolist()}")
        self.n_features_in_ = X.shape[1]
        rng = np.random.default_rng(self.random_state)
        key = jax.random.PRNGKey(int(rng.integers(2**31 - 1)))
        self.history_ = []
        start = time.perf_counter()
        params, masks = self._train(jnp.asarray(X), jnp.asarray(y_index, dtype=jnp.int32), rng, key)
        self.fit_time_s_ = time.perf_counter() - start
        self.params_ = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}
        self.masks_ = {k: np.asarray(v, dtype=bool) for k, v in masks.items()}
        return self

    def _train(self, X, y, rng, key):  # pragma: no cover - abstract
        raise NotImplementedError

    def _run_epochs(self, params, masks, X, y, rng, *, epochs, learning_rate=None, phase="train", after_epoch=None,
                    **loss):
        """Train ``epochs`` epochs from ``params`` (a fresh Adam state); return ``(params, masks)``.

        ``after_epoch(params, masks, epoch) -> (params, masks)`` may rewire
        between epochs; ``loss`` goes to :func:`~neuroplastic.baselines.mlp.make_epoch`.
        """
        rate = float(self.learning_rate if learning_rate is None else learning_rate)
        epoch_fn, optimizer = make_epoch(rate, activation=self.activation, **loss)
        opt_state = optimizer.init(params)
        for epoch in range(epochs):
            batches = jnp.asarray(shuffled_batches(rng, X.shape[0], self.batch_size))
            params, opt_state, mean_loss = epoch_fn(params, opt_state, masks, X, y, batches)
            if after_epoch is not None:
                params, masks = after_epoch(params, masks, epoch)
            self.history_.append({"phase": phase, "epoch": epoch, "loss": float(mean_loss)})
        return params, masks

    # -- inference ----------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise DataError(f"{type(self).__name__} is not fitted yet; call fit(X, y) first")

    def hidden(self, X):
        """Hidden-layer activity, shape ``(n, n_hidden)``."""
        self._check_fitted()
        X = self._check_X(X, self.n_features_in_)
        u = X @ (self.params_["W1"] * self.masks_["W1"]) + self.params_["b1"]
        if self.activation == "relu":
            return np.maximum(u, 0.0)
        return 1.0 / (1.0 + np.exp(-u))

    def decision_function(self, X):
        """Output potentials, shape ``(n, n_classes)``."""
        return self.hidden(X) @ (self.params_["W2"] * self.masks_["W2"]) + self.params_["b2"]

    def predict(self, X):
        """Predicted labels."""
        potentials = self.decision_function(X)
        return self.classes_[np.argmax(potentials, axis=1)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    @property
    def n_nonsilent_(self):
        """Non-zero synapses per layer: ``{"hidden", "output", "total"}``."""
        self._check_fitted()
        hidden = int(np.count_nonzero(self.params_["W1"] * self.masks_["W1"]))
        output = int(np.count_nonzero(self.params_["W2"] * self.masks_["W2"]))
        return {"hidden": hidden, "output": output, "total": hidden + output}

    def to_network(self):
        """The trained network in the common saved format.

        Returns
        -------
        neuroplastic.network.TrainedNetwork
            Non-zero weights are the non-silent synapses; metadata records the
            method, the hyperparameters and the training time.
        """
        from ..network import TrainedNetwork

        self._check_fitted()
        params = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in self.get_params().items()}
        return TrainedNetwork(
            hidden_weights=(self.params_["W1"] * self.masks_["W1"]).T,
            hidden_bias=self.params_["b1"],
            output_weights=(self.params_["W2"] * self.masks_["W2"]).T,
            output_bias=self.params_["b2"],
            activation=self.activation,
            classes=self.classes_,
            metadata={"method": self.method, "hyperparameters": params, "fit_time_s": round(self.fit_time_s_, 3)},
        )
