"""I(X;Z) by the variational information bottleneck (Alemi et al. 2017).

A stochastic encoder ``q(z|h) = N(mu(h), diag sigma^2(h))`` reads the hidden
representation ``h = H(x)`` of a trained network, a softmax decoder predicts
the label from a sample ``z``, and both are trained on

    loss = E[-log p(y|z)] + beta * E_x KL(q(z|h(x)) || r(z)),   r = N(0, I).

The rate term ``E_x KL(q(z|h(x)) || r(z))`` is an upper bound on I(X;Z) of
the fitted channel (Alemi et al. 2017, eq. 13) and is the figure the paper
reports, converted to bits (``i_xz_bits``). Because ``r`` is fixed, the
bound is loose by ``KL(q(z) || r(z))``; the tighter bound with ``r`` the
moment-matched Gaussian of the aggregate ``q(z)`` (equivalently: the same
rate after whitening ``z``, which leaves I(X;Z) unchanged) is reported
alongside (``i_xz_bits_marginal``); it is exact for a Gaussian channel.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..errors import ConfigError, DataError

__all__ = ["DISAGREEMENT_FACTOR", "VIBEstimator", "divergent_seeds", "gaussian_kl_bits", "vib_information"]

LN2 = math.log(2.0)


def gaussian_kl_bits(mu, log_var, prior_mean=0.0, prior_var=1.0):
    """``KL(N(mu, diag e^log_var) || N(prior_mean, diag prior_var))`` per row, in bits.

    Parameters
    ----------
    mu, log_var : numpy.ndarray, shape (n, k)
    prior_mean, prior_var : float or numpy.ndarray of shape (k,)

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    var = np.exp(log_var)
    kl = 0.5 * np.sum(
        var / prior_var + (mu - prior_mean) ** 2 / prior_var - 1.0 - log_var + np.log(prior_var), axis=1
    )
    return kl / LN2


#: Range of the encoder's log-variance, so that codes outside the training range cannot blow it up.
LOG_VAR_RANGE = (-12.0, 6.0)


def _encode(p, h, homoscedastic):
    log_var = jnp.clip(p["b_lv"] + (0.0 if homoscedastic else h @ p["W_lv"]), *LOG_VAR_RANGE)
    mu = h @ p["W_mu"] + p["b_mu"]
    return mu, jnp.broadcast_to(log_var, mu.shape)


def _vib_loss(p, h, labels, noise_key, beta, homoscedastic):
    mu, log_var = _encode(p, h, homoscedastic)
    z = mu + jnp.exp(0.5 * log_var) * jax.random.normal(noise_key, mu.shape)
    ce = optax.softmax_cross_entropy_with_integer_labels(z @ p["W_dec"] + p["b_dec"], labels).mean()
    rate = 0.5 * jnp.sum(jnp.exp(log_var) + mu**2 - 1.0 - log_var, axis=1).mean()
    return ce + beta * rate, (ce, rate)


@functools.lru_cache(maxsize=16)
def _vib_epoch(homoscedastic, learning_rate):
    """A jitted VIB training epoch (built once per setting, so repeated fits compile once per shape)."""
    optimizer = optax.adam(learning_rate)
    grad_fn = jax.value_and_grad(functools.partial(_vib_loss, homoscedastic=homoscedastic), has_aux=True)

    @jax.jit
    def epoch(p, state, H, y, batches, key, beta):
        def step(carry, inputs):
            p, state = carry
            index, noise_key = inputs
            (loss, (ce, rate)), grads = grad_fn(p, H[index], y[index], noise_key, beta)
            updates, state = optimizer.update(grads, state, p)
            return (optax.apply_updates(p, updates), state), jnp.stack([loss, ce, rate])

        keys = jax.random.split(key, batches.shape[0])
        (p, state), stats = jax.lax.scan(step, (p, state), (batches, keys))
        return p, state, stats.mean(axis=0)

    return epoch, optimizer


class VIBEstimator:
    """Fit a VIB encoder/decoder on hidden codes and report the rate in bits.

    Parameters
    ----------
    latent_dim : int or None
        Size of ``z``; ``None`` takes the width of the representation,
        capped at 256.
    beta : float
        Weight of the rate term.
    epochs : int
    batch_size : int
    learning_rate : float
        Adam step size.
    homoscedastic : bool
        If true, ``sigma`` is one learned vector (the channel is Gaussian with
        a fixed covariance); else ``log sigma^2`` is affine in ``h``.
    random_state : int or None

    Attributes
    ----------
    latent_dim_ : int
    history_ : list of dict
        Mean loss, cross-entropy and rate (bits) per epoch.
    """

    def __init__(self, *, latent_dim=None, beta=1e-3, epochs=30, batch_size=256, learning_rate=1e-3,
                 homoscedastic=False, random_state=0):
        self.latent_dim = latent_dim
        self.beta = beta
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.homoscedastic = homoscedastic
        self.random_state = random_state

    def settings(self):
        """The estimator's settings, to report next to its figures."""
        return {
            "estimator": "VIB rate E_x KL(q(z|h(x)) || N(0,I)) (Alemi et al. 2017)",
            "latent_dim": getattr(self, "latent_dim_", self.latent_dim),
            "beta": self.beta,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "encoder": "affine mean, " + ("constant" if self.homoscedastic else "affine") + " log-variance",
            "seed": self.random_state,
        }

    def _standardise(self, H):
        return (np.asarray(H, dtype=np.float32) - self.h_mean_) / self.h_scale_

    def fit(self, H, y):
        """Train the encoder and decoder on codes ``H`` (n, width) with labels ``y``."""
        H = np.asarray(H, dtype=np.float32)
        if H.ndim != 2 or H.shape[0] != np.asarray(y).shape[0]:
            raise DataError(f"codes must be (n, width) with one label each, got {H.shape} and {np.shape(y)}")
        if self.beta < 0 or self.epochs <= 0 or self.batch_size <= 0:
            raise ConfigError("VIB settings need beta >= 0 and positive epochs and batch_size")
        self.classes_, y_index = np.unique(np.asarray(y), return_inverse=True)
        width = H.shape[1]
        self.latent_dim_ = int(self.latent_dim or min(width, 256))
        self.h_mean_ = H.mean(axis=0)
        scale = H.std(axis=0)
        # a unit active on a handful of training images has a tiny sd; dividing test codes by it would put
        # them hundreds of sd away, so each unit's scale is floored at a tenth of the layer's RMS sd
        floor = 0.1 * float(np.sqrt(np.mean(scale**2))) or 1.0
        self.h_scale_ = np.maximum(scale, floor).astype(np.float32)
        Hs = jnp.asarray(self._standardise(H))
        y_index = jnp.asarray(y_index, dtype=jnp.int32)
        rng = np.random.default_rng(self.random_state)
        key = jax.random.PRNGKey(int(rng.integers(2**31 - 1)))
        k_mu, k_dec, key = jax.random.split(key, 3)
        k, n_classes = self.latent_dim_, self.classes_.size
        params = {
            "W_mu": jax.random.normal(k_mu, (width, k)) / math.sqrt(width),
            "b_mu": jnp.zeros(k),
            "W_lv": jnp.zeros((width, k)),
            "b_lv": jnp.full(k, -2.0),
            "W_dec": jax.random.normal(k_dec, (k, n_classes)) / math.sqrt(k),
            "b_dec": jnp.zeros(n_classes),
        }
        epoch, optimizer = _vib_epoch(bool(self.homoscedastic), float(self.learning_rate))
        beta = jnp.float32(self.beta)
        state = optimizer.init(params)
        n = H.shape[0]
        batch = min(self.batch_size, n)
        self.history_ = []
        for e in range(self.epochs):
            batches = jnp.asarray(rng.permutation(n)[: (n // batch) * batch].reshape(-1, batch))
            key, sub = jax.random.split(key)
            params, state, stats = epoch(params, state, Hs, y_index, batches, sub, beta)
            loss, ce, rate = (float(v) for v in stats)
            self.history_.append({"epoch": e, "loss": loss, "cross_entropy": ce, "rate_bits": rate / LN2})
        self.params_ = {name: np.asarray(v) for name, v in params.items()}
        return self

    def encode(self, H):
        """Mean and log-variance of ``q(z|h)`` for codes ``H``."""
        if not hasattr(self, "params_"):
            raise DataError("VIBEstimator is not fitted yet; call fit(H, y) first")
        p, h = self.params_, self._standardise(H)
        mu = h @ p["W_mu"] + p["b_mu"]
        log_var = np.clip(p["b_lv"] + (0.0 if self.homoscedastic else h @ p["W_lv"]), *LOG_VAR_RANGE)
        return mu, np.broadcast_to(log_var, mu.shape)

    def rate_bits(self, H):
        """The VIB bound on I(X;Z): mean ``KL(q(z|h) || N(0, I))`` over ``H``, in bits."""
        mu, log_var = self.encode(H)
        return float(np.mean(gaussian_kl_bits(mu, log_var)))

    def marginal_rate_bits(self, H):
        """The tighter bound with ``r(z)`` the moment-matched Gaussian of the aggregate ``q(z)``, in bits.

        Notes
        -----
        With ``S = Cov(mu) + E[diag sigma^2]`` the aggregate's covariance, the
        best Gaussian ``r`` gives ``E_x KL(q(z|h) || r) = (log det S -
        E log det diag sigma^2) / 2``. This equals the rate against ``N(0, I)``
        after whitening ``z`` (an invertible map, which leaves I(X;Z)
        unchanged), is never above :meth:`rate_bits`, and is exact for a
        Gaussian channel with Gaussian input.
        """
        mu, log_var = self.encode(H)
        S = np.cov(mu, rowvar=False, bias=True).reshape(mu.shape[1], mu.shape[1]) + np.diag(np.exp(log_var).mean(axis=0))
        sign, logdet = np.linalg.slogdet(S.astype(np.float64))
        return float(0.5 * (logdet - np.mean(np.sum(log_var, axis=1))) / LN2)

    def label_information_bits(self, H, y):
        """Variational lower bound on I(Z;Y): ``H(Y) - E[-log p(y|z = mu)]`` in bits (plug-in H(Y))."""
        mu, _ = self.encode(H)
        logits = mu @ self.params_["W_dec"] + self.params_["b_dec"]
        logits = logits - logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        index = np.searchsorted(self.classes_, np.asarray(y))
        ce = -np.mean(log_p[np.arange(index.size), index]) / LN2
        _, counts = np.unique(np.asarray(y), return_counts=True)
        freq = counts / counts.sum()
        return float(-(freq * np.log2(freq)).sum() - ce)


#: A seed whose estimate is more than this factor above or below the median of the seeds is flagged.
DISAGREEMENT_FACTOR = 2.0


def divergent_seeds(values, seeds, factor=DISAGREEMENT_FACTOR):
    """The seeds whose estimate differs from the median of all seeds by more than ``factor`` times.

    Parameters
    ----------
    values : sequence of float
        One estimate per seed (bits, non-negative).
    seeds : sequence of int
        The seeds, in the same order.
    factor : float
        A value above ``factor * median`` or below ``median / factor`` is flagged.

    Returns
    -------
    list of int

    Examples
    --------
    >>> divergent_seeds([156.0, 3028.0, 161.0], [0, 1, 2])
    [1]
    """
    median = float(np.median(values))
    return [int(seed) for seed, value in zip(seeds, values)
            if value > factor * median or value * factor < median]


def vib_information(H_fit, y_fit, H_eval, y_eval=None, *, seeds=(0,), **settings):
    """I(X;Z) of a representation by the VIB bound, over several estimator seeds.

    The figure is the *median* over seeds, so that one fit that diverged
    cannot carry it; seeds whose estimate is more than
    :data:`DISAGREEMENT_FACTOR` times above or below that median are listed
    in ``i_xz_bits_divergent_seeds``.

    Parameters
    ----------
    H_fit, y_fit : array
        Codes and labels the encoder is fitted on (training images).
    H_eval : array
        Codes the rate is averaged over (test images).
    y_eval : array, optional
        Labels of ``H_eval``, for the I(Z;Y) bound.
    seeds : sequence of int
        One fit per seed; the spread over seeds measures the estimator's stability.
    **settings
        Keyword arguments of :class:`VIBEstimator`.

    Returns
    -------
    dict
        ``i_xz_bits`` (median over seeds), ``i_xz_bits_mean``,
        ``i_xz_bits_sd``, ``i_xz_bits_per_seed``,
        ``i_xz_bits_divergent_seeds`` (seeds more than 2x off the median;
        empty when they agree), ``i_xz_bits_marginal`` (median of the
        tighter bound), ``i_xz_bits_marginal_per_seed``, ``i_zy_bits``
        (median, if ``y_eval``) and ``settings``.
    """
    seeds = tuple(seeds)
    if not seeds:
        raise ConfigError("seeds", "must name at least one VIB seed")
    rates, marginal, label_bits = [], [], []
    for seed in seeds:
        vib = VIBEstimator(random_state=seed, **settings).fit(H_fit, y_fit)
        rates.append(vib.rate_bits(H_eval))
        marginal.append(vib.marginal_rate_bits(H_eval))
        if y_eval is not None:
            label_bits.append(vib.label_information_bits(H_eval, y_eval))
    out = {
        "i_xz_bits": float(np.median(rates)),
        "i_xz_bits_mean": float(np.mean(rates)),
        "i_xz_bits_sd": float(np.std(rates, ddof=1)) if len(rates) > 1 else 0.0,
        "i_xz_bits_per_seed": [float(r) for r in rates],
        "i_xz_bits_divergent_seeds": divergent_seeds(rates, seeds),
        "i_xz_bits_marginal": float(np.median(marginal)),
        "i_xz_bits_marginal_per_seed": [float(r) for r in marginal],
        "settings": {**vib.settings(), "seed": list(seeds), "summary": "median over seeds",
                     "disagreement_factor": DISAGREEMENT_FACTOR},
    }
    if label_bits:
        out["i_zy_bits"] = float(np.median(label_bits))
    return out
