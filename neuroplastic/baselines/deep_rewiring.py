"""DEEP R: stochastic rewiring under a fixed connection budget (Bellec et al. 2018)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..errors import ConfigError
from .estimator import BaselineClassifier
from .mlp import forward, shuffled_batches

__all__ = ["DeepRewiringClassifier", "make_rewiring_epoch", "regrow"]

#: Layers that are rewired, and the names of their budgets (hyperparameter and count).
LAYERS = (("W1", "hidden"), ("W2", "output"))

#: Parameter ``theta`` a re-activated connection starts with (its weight is ``sign * theta``).
REACTIVATION_THETA = 1e-6

#: Sizes of partial sorts :func:`regrow` uses: up to 256 re-activations it
#: finds only the 256 lowest scores (``lax.top_k``), up to 4,096 the 4,096
#: lowest, beyond that it sorts the whole layer (same result, far faster).
REGROW_TIERS = (256, 4096)


def regrow(key, active, n_missing):
    """Pick exactly ``n_missing`` dormant connections, uniformly at random.

    Parameters
    ----------
    key : jax.Array
        PRNG key.
    active : jax.Array of bool
        Which connections are active; the others are dormant.
    n_missing : int or jax.Array
        How many to re-activate; at most the number of dormant connections.

    Returns
    -------
    jax.Array of bool
        The chosen connections (all dormant), same shape as ``active``.

    Notes
    -----
    Dormant connections get a random score in [0, 1), active ones 2; the
    ``n_missing`` lowest scores are a uniform sample of the dormant ones, and
    counting places (not comparing scores) is exact even with ties. Only the
    ``k`` lowest scores are found (``lax.top_k``), for the smallest ``k`` of
    ``REGROW_TIERS`` not below ``n_missing``; the whole layer is sorted
    only beyond the last tier. Each way picks the same connections.
    """
    flat = active.ravel()
    scores = jnp.where(flat, 2.0, jax.random.uniform(key, flat.shape))
    tiers = [k for k in REGROW_TIERS if k < flat.size]

    def pick(lowest):
        return jnp.zeros(flat.shape, dtype=bool).at[lowest].set(jnp.arange(lowest.size) < n_missing)

    branches = [functools.partial(lambda k, s: pick(jax.lax.top_k(-s, k)[1]), k) for k in tiers]
    branches.append(lambda s: pick(jnp.argsort(s)))
    tier = sum(jnp.asarray(n_missing > k, dtype=jnp.int32) for k in tiers)
    chosen = jax.lax.switch(tier, branches, scores)
    return chosen.reshape(active.shape)


def _loss(params, masks, X, y, activation):
    logits = forward(params, masks, X, activation)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@functools.lru_cache(maxsize=32)
def make_rewiring_epoch(learning_rate, *, activation):
    """Build (once per setting) a jitted function that trains one epoch with DEEP R.

    Every step: an Adam step on the active connections' weights (for a
    connection of fixed sign ``s``, Adam on ``theta = s * w`` and on ``w``
    coincide), then ``theta -= shrink`` (L1) plus Gaussian noise of standard
    deviation ``noise_sd``; connections with ``theta <= 0`` turn dormant
    (weight 0). On rewiring steps, as many dormant connections as the budget
    lacks are re-activated at random with ``theta = REACTIVATION_THETA``.

    Returns
    -------
    (callable, optax.GradientTransformation)
        ``epoch(params, opt_state, masks, signs, budgets, shrink, noise_sd, X, y, batches, rewire, keys)
        -> (params, opt_state, masks, losses, active, regrown)`` where
        ``batches`` is ``(n_steps, batch_size)`` row indices, ``rewire``
        ``(n_steps,)`` booleans (rewire after that step), ``keys``
        ``(n_steps, 2)`` PRNG keys; ``active`` and ``regrown`` are
        ``(n_steps, 2)`` counts per layer (hidden, output) after each step.
        ``shrink`` and ``noise_sd`` are arguments, not constants, so
        changing ``alpha`` or the temperature does not recompile.
    """
    optimizer = optax.adam(learning_rate)
    loss_fn = functools.partial(_loss, activation=activation)

    def step(carry, inputs, signs, budgets, shrink, noise_sd, X, y):
        params, opt_state, masks = carry
        index, rewire, key = inputs
        loss, grads = jax.value_and_grad(loss_fn)(params, masks, X[index], y[index])
        grads = {**grads, **{name: grads[name] * masks[name] for name, _ in LAYERS}}
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = dict(optax.apply_updates(params, updates))
        masks = dict(masks)
        keys = jax.random.split(key, 2 * len(LAYERS))
        active_counts, regrown_counts = [], []
        for i, (name, _) in enumerate(LAYERS):
            sign = signs[name]
            theta = sign * params[name] - shrink + noise_sd * jax.random.normal(keys[2 * i], sign.shape, sign.dtype)
            active = (masks[name] > 0) & (theta > 0)
            n_missing = budgets[name] - active.sum()
            grown = jax.lax.cond(rewire & (n_missing > 0), regrow, lambda k, a, n: jnp.zeros_like(a),
                                 keys[2 * i + 1], active, n_missing)
            theta = jnp.where(grown, jnp.float32(REACTIVATION_THETA), theta)
            active = active | grown
            masks[name] = active.astype(params[name].dtype)
            params[name] = jnp.where(active, sign * theta, 0.0).astype(params[name].dtype)
            active_counts.append(active.sum())
            regrown_counts.append(grown.sum())
        return (params, opt_state, masks), (loss, jnp.stack(active_counts), jnp.stack(regrown_counts))

    @jax.jit
    def epoch(params, opt_state, masks, signs, budgets, shrink, noise_sd, X, y, batches, rewire, keys):
        (params, opt_state, masks), (losses, active, regrown) = jax.lax.scan(
            lambda carry, inputs: step(carry, inputs, signs, budgets, shrink, noise_sd, X, y),
            (params, opt_state, masks), (batches, rewire, keys))
        return params, opt_state, masks, losses, active, regrown

    return epoch, optimizer


class DeepRewiringClassifier(BaselineClassifier):
    """BP on a network with a fixed number of connections, rewired stochastically (DEEP R).

    After Bellec, Kappel, Maass & Legenstein (2018), "Deep rewiring: training
    very sparse deep networks", ICLR. Every potential connection has a fixed
    random sign ``s`` and a parameter ``theta``; it is active when
    ``theta > 0``, with weight ``s * theta``, and dormant (weight 0)
    otherwise. Each step moves the active ``theta`` by gradient descent, an L1
    shrinkage and Gaussian noise (a Langevin step); connections whose
    ``theta`` falls to zero or below turn dormant, and as many dormant ones,
    drawn uniformly at random, are re-activated, so each layer keeps exactly
    its budget of active connections.

    Parameters
    ----------
    n_hidden, activation, epochs, batch_size, learning_rate, random_state
        As for :class:`~neuroplastic.baselines.BackpropClassifier`.
    hidden_connections : int or None
        Active input-to-hidden connections (the budget), between 1 and
        ``n_inputs * n_hidden``; None takes ``connectivity`` of them.
        Give another network's synapse count here to compare at equal size.
    output_connections : int or None
        Active hidden-to-output connections, between 1 and
        ``n_hidden * n_classes``; None keeps all of them (the output layer
        is then only held to its fixed signs).
    connectivity : float
        Share of the input-to-hidden connections active when
        ``hidden_connections`` is None, in (0, 1].
    alpha : float
        L1 coefficient: every step lowers each active ``theta`` by
        ``learning_rate * alpha``.
    temperature : float
        Temperature ``T`` of the Langevin noise: every step adds
        ``sqrt(2 * learning_rate * T)`` times a standard normal to each active
        ``theta``; 0 gives DEEP R without noise.
    rewire_every : int
        Mini-batches between rewirings (1, the default, rewires after every
        step as in the paper). In between, connections that turn dormant stay
        dormant and the layer runs below its budget until the next rewiring;
        the last step of training always rewires.

    Attributes
    ----------
    params_, masks_, classes_, history_, fit_time_s_
        As for :class:`~neuroplastic.baselines.BackpropClassifier`;
        ``masks_`` marks the active connections. Each ``history_`` entry also
        has ``regrown_hidden``/``regrown_output`` (connections re-activated
        in that epoch) and ``active_hidden``/``active_output`` (the
        ``[min, max]`` number of active connections after the epoch's
        rewirings).
    budgets_ : dict
        ``{"hidden": int, "output": int}``, the connection budgets used.
    signs_ : dict of numpy.ndarray
        The fixed sign (+1 or -1) of every potential connection of ``W1`` and ``W2``.

    Notes
    -----
    The gradient step uses Adam, like the other baselines, where Bellec et
    al. write plain gradient descent; the L1 and noise terms are added to
    ``theta`` directly with step size ``learning_rate``. Initial active
    connections are drawn uniformly at random, their ``theta`` uniform in
    ``(0, sqrt(6 / (fan_in + fan_out)))`` with the layer's mean fan-in and
    fan-out at its budget. Rewiring runs inside the jitted epoch, so it is
    cheap; ``rewire_every`` only thins it out.
    """

    method = "deep_r"

    def __init__(self, *, n_hidden=100, activation="relu", epochs=20, batch_size=128, learning_rate=1e-3,
                 hidden_connections=None, output_connections=None, connectivity=0.1, alpha=1e-4,
                 temperature=1e-6, rewire_every=1, random_state=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.hidden_connections = hidden_connections
        self.output_connections = output_connections
        self.connectivity = connectivity
        self.alpha = alpha
        self.temperature = temperature
        self.rewire_every = rewire_every
        self.random_state = random_state

    def _check_hyperparameters(self):
        super()._check_hyperparameters()
        if not 0.0 < self.connectivity <= 1.0:
            raise ConfigError("connectivity", f"must be in (0, 1], got {self.connectivity}")
        for name in ("alpha", "temperature"):
            value = getattr(self, name)
            if not value >= 0:
                raise ConfigError(name, f"must be non-negative, got {value}")
        if not _is_int(self.rewire_every) or self.rewire_every < 1:
            raise ConfigError("rewire_every", f"must be a positive integer, got {self.rewire_every}")

    def _budget(self, field, value, size):
        if value is None:
            return size
        if not _is_int(value) or not 1 <= value <= size:
            raise ConfigError(field, f"must be an integer between 1 and {size} (the layer's connections), got {value}")
        return int(value)

    def _train(self, X, y, rng, key):
        n_inputs, n_classes = X.shape[1], self.classes_.size
        shapes = {"W1": (n_inputs, self.n_hidden), "W2": (self.n_hidden, n_classes)}
        hidden = self.hidden_connections
        if hidden is None:
            hidden = max(1, int(round(self.connectivity * n_inputs * self.n_hidden)))
        budgets = {
            "hidden": self._budget("hidden_connections", hidden, n_inputs * self.n_hidden),
            "output": self._budget("output_connections", self.output_connections, self.n_hidden * n_classes),
        }
        self.budgets_ = dict(budgets)
        params = {"b1": jnp.zeros(self.n_hidden, jnp.float32), "b2": jnp.zeros(n_classes, jnp.float32)}
        masks, signs = {}, {}
        for name, layer in LAYERS:
            shape = shapes[name]
            size = shape[0] * shape[1]
            density = budgets[layer] / size
            limit = np.sqrt(6.0 / (density * (shape[0] + shape[1])))
            sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)
            active = np.zeros(size, dtype=bool)
            active[rng.choice(size, size=budgets[layer], replace=False)] = True
            active = active.reshape(shape)
            # theta in (0, limit]: 1 - U(0, 1) is never 0, so every active connection starts with its sign
            theta = (limit * (1.0 - rng.random(shape))).astype(np.float32)
            signs[name] = jnp.asarray(sign)
            masks[name] = jnp.asarray(active, dtype=jnp.float32)
            params[name] = jnp.asarray(np.where(active, sign * theta, 0.0), dtype=jnp.float32)
        self.signs_ = {name: np.asarray(s, dtype=np.int8) for name, s in signs.items()}
        budget_arrays = {name: jnp.int32(budgets[layer]) for name, layer in LAYERS}

        rate = float(self.learning_rate)
        epoch_fn, optimizer = make_rewiring_epoch(rate, activation=self.activation)
        shrink = jnp.float32(rate * self.alpha)
        noise_sd = jnp.float32(np.sqrt(2.0 * rate * self.temperature))
        opt_state = optimizer.init(params)
        step = 0
        for epoch in range(self.epochs):
            batches = shuffled_batches(rng, X.shape[0], self.batch_size)
            n_steps = batches.shape[0]
            rewire = (step + np.arange(1, n_steps + 1)) % self.rewire_every == 0
            if epoch == self.epochs - 1:
                rewire[-1] = True
            keys = jax.random.split(jax.random.fold_in(key, epoch), n_steps)
            params, opt_state, masks, losses, active, regrown = epoch_fn(
                params, opt_state, masks, signs, budget_arrays, shrink, noise_sd, X, y, jnp.asarray(batches),
                jnp.asarray(rewire), keys)
            step += n_steps
            active, regrown = np.asarray(active)[rewire], np.asarray(regrown)
            entry = {"phase": "train", "epoch": epoch, "loss": float(np.mean(np.asarray(losses)))}
            for i, (_, layer) in enumerate(LAYERS):
                entry[f"regrown_{layer}"] = int(regrown[:, i].sum())
                entry[f"active_{layer}"] = [int(active[:, i].min()), int(active[:, i].max())] if active.size else None
            self.history_.append(entry)
        return params, masks


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
