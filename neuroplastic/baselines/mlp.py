"""The one-hidden-layer network the baselines train, as pure JAX functions.

Parameters live in a dict ``{"W1": (n_in, n_hidden), "b1", "W2": (n_hidden,
n_classes), "b2"}`` and a mask dict of the same shapes for ``W1`` and ``W2``
(1 = the synapse exists, 0 = it is silent and stays silent). One jitted step
does a masked Adam update on a minibatch, optionally followed by a projection
onto non-negative weights; one jitted epoch scans the step over the shuffled
minibatches, so a whole epoch is one call into XLA.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = ["ACTIVATIONS", "init_params", "forward", "make_epoch", "dense_masks"]

#: Hidden activations the baselines train with; the names match
#: :mod:`neuroplastic.rule.activations`, so a saved network computes the same thing.
ACTIVATIONS = {
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
}


def init_params(key, n_inputs, n_hidden, n_classes, *, non_negative=()):
    """Glorot-uniform weights and zero biases.

    The weight matrices named in ``non_negative`` (``"W1"``, ``"W2"``) are
    drawn from ``[0, limit)`` instead of ``(-limit, limit)``.
    """
    k1, k2 = jax.random.split(key)
    lim1 = float(np.sqrt(6.0 / (n_inputs + n_hidden)))
    lim2 = float(np.sqrt(6.0 / (n_hidden + n_classes)))
    low1 = 0.0 if "W1" in non_negative else -lim1
    low2 = 0.0 if "W2" in non_negative else -lim2
    return {
        "W1": jax.random.uniform(k1, (n_inputs, n_hidden), minval=low1, maxval=lim1),
        "b1": jnp.zeros(n_hidden),
        "W2": jax.random.uniform(k2, (n_hidden, n_classes), minval=low2, maxval=lim2),
        "b2": jnp.zeros(n_classes),
    }


def dense_masks(params):
    """Masks with every synapse present."""
    return {"W1": jnp.ones_like(params["W1"]), "W2": jnp.ones_like(params["W2"])}


def forward(params, masks, X, activation):
    """Output potentials (logits) of shape ``(n, n_classes)``."""
    act = ACTIVATIONS[activation]
    hidden = act(X @ (params["W1"] * masks["W1"]) + params["b1"])
    return hidden @ (params["W2"] * masks["W2"]) + params["b2"]


def _loss(params, masks, X, y, activation, l1, non_negative_penalty):
    logits = forward(params, masks, X, activation)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
    if l1:
        loss = loss + l1 * (jnp.abs(params["W1"] * masks["W1"]).sum() + jnp.abs(params["W2"] * masks["W2"]).sum())
    if non_negative_penalty:
        loss = loss + 0.5 * non_negative_penalty * (
            jnp.sum(jnp.minimum(params["W1"], 0.0) ** 2) + jnp.sum(jnp.minimum(params["W2"], 0.0) ** 2)
        )
    return loss


@functools.lru_cache(maxsize=64)
def make_epoch(learning_rate, *, activation, l1=0.0, non_negative=(), non_negative_penalty=0.0):
    """Build (once per setting) a jitted function that trains one epoch with Adam.

    Parameters
    ----------
    learning_rate : float
        Adam step size.
    activation : {"relu", "sigmoid"}
    l1 : float
        Weight of the L1 penalty on the existing synapses (sparsity pressure).
    non_negative : tuple of str
        Weight matrices (``"W1"``, ``"W2"``) projected onto ``w >= 0`` after
        every step (biases stay free).
    non_negative_penalty : float
        Weight of the quadratic penalty on negative weights
        ``alpha/2 * sum(min(w, 0)^2)`` (Chorowski & Zurada 2015, eq. 6).

    Returns
    -------
    (callable, optax.GradientTransformation)
        ``epoch(params, opt_state, masks, X, y, batches) -> (params, opt_state, mean_loss)``
        where ``batches`` is an int array ``(n_batches, batch_size)`` of row
        indices, and the optimizer (for its ``init``). The function is cached,
        so repeated fits with the same setting and shapes compile once.
    """
    optimizer = optax.adam(learning_rate)
    loss_fn = functools.partial(_loss, activation=activation, l1=l1, non_negative_penalty=non_negative_penalty)

    def step(carry, index, masks, X, y):
        params, opt_state = carry
        loss, grads = jax.value_and_grad(loss_fn)(params, masks, X[index], y[index])
        grads = {**grads, "W1": grads["W1"] * masks["W1"], "W2": grads["W2"] * masks["W2"]}
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        for name in non_negative:
            params = {**params, name: jnp.maximum(params[name], 0.0)}
        params = {**params, "W1": params["W1"] * masks["W1"], "W2": params["W2"] * masks["W2"]}
        return (params, opt_state), loss

    @jax.jit
    def epoch(params, opt_state, masks, X, y, batches):
        (params, opt_state), losses = jax.lax.scan(
            lambda carry, index: step(carry, index, masks, X, y), (params, opt_state), batches
        )
        return params, opt_state, losses.mean()

    return epoch, optimizer


def shuffled_batches(rng, n, batch_size):
    """Row indices of one epoch, shuffled, as ``(n_batches, batch_size)`` (the remainder is dropped)."""
    batch_size = min(batch_size, n)
    n_batches = n // batch_size
    return rng.permutation(n)[: n_batches * batch_size].reshape(n_batches, batch_size)
