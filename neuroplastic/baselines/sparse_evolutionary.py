"""Sparse Evolutionary Training, SET (Mocanu et al. 2018)."""

import jax.numpy as jnp
import numpy as np

from ..errors import ConfigError
from .estimator import BaselineClassifier
from .mlp import init_params

__all__ = ["SparseEvolutionaryClassifier", "rewire_layer"]


def rewire_layer(weights, mask, zeta, rng, init_scale):
    """One SET rewiring of a layer: drop the weakest ``zeta`` of the synapses, grow as many at random.

    Parameters
    ----------
    weights, mask : numpy.ndarray
        Current weights and which synapses exist.
    zeta : float
        Share of existing synapses removed (those closest to zero).
    rng : numpy.random.Generator
    init_scale : float
        New synapses start uniform in ``(-init_scale, init_scale)``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        New weights and mask; the number of synapses is unchanged.
    """
    existing = np.flatnonzero(mask)
    n_move = int(zeta * existing.size)
    if n_move == 0:
        return weights, mask
    shape = weights.shape
    weakest = existing[np.argpartition(np.abs(weights.ravel()[existing]), n_move - 1)[:n_move]]
    weights = weights.astype(np.result_type(weights.dtype, np.float32)).ravel()
    mask = mask.copy().ravel()
    free = np.flatnonzero(~mask)
    grown = rng.choice(free, size=min(n_move, free.size), replace=False)
    mask[weakest] = False
    weights[weakest] = 0.0
    mask[grown] = True
    weights[grown] = rng.uniform(-init_scale, init_scale, size=grown.size)
    return weights.reshape(shape), mask.reshape(shape)


class SparseEvolutionaryClassifier(BaselineClassifier):
    """BP on a sparse network whose synapses are rewired after every epoch (SET).

    After Mocanu et al. (2018), "Scalable training of artificial neural
    networks with adaptive sparse connectivity inspired by network science",
    Nature Communications 9:2383: start from an Erdős–Rényi sparse topology;
    after each epoch remove the share ``zeta`` of the weights closest to zero
    and grow as many new synapses at random places.

    Parameters
    ----------
    n_hidden, activation, epochs, batch_size, learning_rate, random_state
        As for :class:`~neuroplastic.baselines.BackpropClassifier`.
    epsilon : float
        Erdős–Rényi sparsity parameter: a layer of ``n_in x n_out`` keeps
        each synapse with probability ``epsilon (n_in + n_out) / (n_in n_out)``
        (capped at 1).
    zeta : float
        Share of synapses rewired after each epoch (0.3 in the paper).
    """

    method = "set"

    def __init__(self, *, n_hidden=100, activation="relu", epochs=20, batch_size=128, learning_rate=1e-3,
                 epsilon=5.0, zeta=0.3, random_state=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.epsilon = epsilon
        self.zeta = zeta
        self.random_state = random_state

    def _train(self, X, y, rng, key):
        if self.epsilon <= 0:
            raise ConfigError("epsilon", f"must be positive, got {self.epsilon}")
        if not 0.0 <= self.zeta < 1.0:
            raise ConfigError("zeta", f"must be in [0, 1), got {self.zeta}")
        params = init_params(key, X.shape[1], self.n_hidden, self.classes_.size)
        masks = {}
        for name in ("W1", "W2"):
            n_in, n_out = params[name].shape
            density = min(1.0, self.epsilon * (n_in + n_out) / (n_in * n_out))
            masks[name] = jnp.asarray(rng.random((n_in, n_out)) < density, dtype=jnp.float32)
        params = {**params, "W1": params["W1"] * masks["W1"], "W2": params["W2"] * masks["W2"]}
        scales = {name: float(np.sqrt(6.0 / sum(params[name].shape))) for name in ("W1", "W2")}

        def rewire(params, masks, epoch):
            if epoch == self.epochs - 1:  # the last epoch ends with trained weights, not fresh ones
                return params, masks
            params, masks = dict(params), dict(masks)
            for name in ("W1", "W2"):
                w = np.asarray(params[name])
                m = np.asarray(masks[name]) > 0
                if m.all():
                    continue
                w_new, m_new = rewire_layer(w, m, self.zeta, rng, scales[name])
                params[name] = jnp.asarray(w_new, dtype=jnp.float32)
                masks[name] = jnp.asarray(m_new, dtype=jnp.float32)
            return params, masks

        return self._run_epochs(params, masks, X, y, rng, epochs=self.epochs, after_epoch=rewire)
