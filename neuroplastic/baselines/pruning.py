"""Magnitude pruning with retraining (Han et al. 2015)."""

import jax.numpy as jnp
import numpy as np

from ..errors import ConfigError
from .estimator import BaselineClassifier
from .mlp import dense_masks, init_params

__all__ = ["PrunedBackpropClassifier", "magnitude_mask"]


def magnitude_mask(weights, mask, sparsity):
    """Keep the largest-magnitude existing weights so that ``sparsity`` of all are silent.

    Parameters
    ----------
    weights, mask : numpy.ndarray
        Current weights and which of them exist.
    sparsity : float
        Target share of silent synapses among all potential ones, in [0, 1).

    Returns
    -------
    numpy.ndarray of bool
        The new mask (a subset of ``mask``).
    """
    n_keep = int(round((1.0 - sparsity) * weights.size))
    magnitude = np.where(mask, np.abs(weights), -1.0).ravel()
    if n_keep >= int(mask.sum()):
        return mask.copy()
    keep = np.argpartition(-magnitude, n_keep - 1)[:n_keep] if n_keep > 0 else np.array([], dtype=int)
    new = np.zeros(weights.size, dtype=bool)
    new[keep] = True
    return new.reshape(weights.shape) & mask


class PrunedBackpropClassifier(BaselineClassifier):
    """Dense BP, then magnitude pruning in stages, each followed by retraining.

    After Han, Pool, Tran & Dally (2015), "Learning both weights and
    connections for efficient neural networks", NeurIPS: train, remove the
    smallest-magnitude weights, retrain the survivors (pruned synapses stay
    silent), and repeat until the target sparsity.

    Parameters
    ----------
    n_hidden, activation, epochs, batch_size, learning_rate, random_state
        As for :class:`~neuroplastic.baselines.BackpropClassifier`
        (``epochs`` is the dense phase).
    target_sparsity : float
        Share of input-to-hidden synapses silent at the end, in [0, 1).
    output_sparsity : float
        Share of hidden-to-output synapses silent at the end, in [0, 1).
    prune_steps : int
        Pruning stages; the sparsity rises linearly to the target.
    retrain_epochs : int
        Epochs of retraining after each stage.
    retrain_learning_rate : float or None
        Adam step size while retraining (Han et al. lower it); default
        ``learning_rate / 2``.
    """

    method = "pruned_bp"

    def __init__(self, *, n_hidden=100, activation="relu", epochs=10, batch_size=128, learning_rate=1e-3,
                 target_sparsity=0.9, output_sparsity=0.5, prune_steps=3, retrain_epochs=3,
                 retrain_learning_rate=None, random_state=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.target_sparsity = target_sparsity
        self.output_sparsity = output_sparsity
        self.prune_steps = prune_steps
        self.retrain_epochs = retrain_epochs
        self.retrain_learning_rate = retrain_learning_rate
        self.random_state = random_state

    def _train(self, X, y, rng, key):
        for name in ("target_sparsity", "output_sparsity"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ConfigError(name, f"must be in [0, 1), got {getattr(self, name)}")
        if self.prune_steps <= 0 or self.retrain_epochs < 0:
            raise ConfigError("prune_steps", "must be positive (and retrain_epochs non-negative)")
        params = init_params(key, X.shape[1], self.n_hidden, self.classes_.size)
        params, masks = self._run_epochs(params, dense_masks(params), X, y, rng, epochs=self.epochs, phase="dense")
        retrain_lr = self.retrain_learning_rate or self.learning_rate / 2
        for stage in range(1, self.prune_steps + 1):
            fraction = stage / self.prune_steps
            masks = {
                "W1": jnp.asarray(magnitude_mask(np.asarray(params["W1"]), np.asarray(masks["W1"], bool),
                                                 fraction * self.target_sparsity), dtype=jnp.float32),
                "W2": jnp.asarray(magnitude_mask(np.asarray(params["W2"]), np.asarray(masks["W2"], bool),
                                                 fraction * self.output_sparsity), dtype=jnp.float32),
            }
            params = {**params, "W1": params["W1"] * masks["W1"], "W2": params["W2"] * masks["W2"]}
            params, masks = self._run_epochs(params, masks, X, y, rng, epochs=self.retrain_epochs,
                                             learning_rate=retrain_lr, phase=f"retrain{stage}")
        return params, masks
