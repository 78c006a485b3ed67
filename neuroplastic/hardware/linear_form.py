"""Hidden activations rewritten as a ReLU of a sparse linear drive.

Integrate-and-fire neurons compute a rectified sum of their inputs, so the
hardware layer needs every hidden activation in the form

    h_j = scale * max(0, sum_i W_ji x_i + b_j - g . x)

with ``W`` the trained sparse weights, ``b`` a per-unit bias and ``g . x``
an optional inhibition shared by all units (one inhibitory interneuron fed
by the weight vector ``g``). Optionally the output bias is multiplied by a
per-image gain ``alpha + beta * sum_i x_i`` (one relay neuron counting input
spikes); multiplying all class potentials by a positive per-image factor
does not change the predicted class. This module only rewrites; it knows
nothing of cores or Lava.

Supported activations (names of :mod:`neuroplastic.rule.activations`):

- ``relu``: ``max(0, W x + b)``; exact.
- ``triangle`` with ``power = 1`` (k-means triangle, Coates et al. 2011):
  ``max(0, mean_k d_k - d_j)`` with ``d_j^2 = ||x||^2 - 2 w_j . x + b_j``
  (``b_j = ||w_j||^2``). With ``u_j = w_j . x - b_j / 2``,
  ``d_j^2 = ||x||^2 - 2 u_j``, so the squared-distance triangle
  ``max(0, u_j - mean_k u_k)`` is exactly a ReLU of a sparse drive plus a
  per-unit bias minus one shared inhibition ``g . x`` with ``g = mean_k w_k``.
  The Euclidean triangle itself is not: linearising ``d = sqrt(D)`` around
  ``D = m^2`` (``m`` the mean distance) gives
  ``(u_j - mean_k u_k - var_k(d) / 2) / m``. ``var_k(d)`` is replaced by
  its mean over calibration images; the per-image ``1 / m`` is moved onto
  the output bias (potentials times ``m``), with ``m`` fitted over the
  calibration images as ``alpha + beta * sum_i x_i + gamma * max(0,
  sum_i x_i - t)``: a relay neuron counting input spikes, and a second one
  that counts only those above the knot ``t`` (the
  :data:`HINGE_PERCENTILE`-th percentile of ``sum_i x_i`` over the
  calibration images), because the mean distance grows less than linearly
  with the image's total intensity. The mapping is approximate; its agreement with the engine is
  measured, not assumed.
- ``squared_distance_triangle``: ``max(0, mean_k d_k^2 - d_j^2) =
  2 max(0, u_j - mean_k u_k)``; exact, with the same inhibition ``g`` and
  no per-image gain (no relay neuron, no calibration).
- ``triangle_squared`` (the Euclidean triangle with power 2), only when
  the caller asks for squares (``squares=True``): the form is the
  linearised triangle above with ``power = 2``, so that
  ``h_j ~ max(0, drive_j)^2 / m^2``; the per-image ``1 / m^2`` moves onto
  the output bias as ``(alpha + beta * sum_i x_i)^2``. Integrate-and-fire
  neurons alone do not square; the spiking form (Brian2's, see
  :mod:`neuroplastic.hardware.rate_code`) squares a spike count with a
  facilitating synapse, which graded spikes realise (Loihi 2); the hardware
  layer asks for squares only for a profile with graded spikes.
- ``sigmoid``, ``paper_sigmoid``: no mapping onto integrate-and-fire
  neurons here (a HardwareError says so).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import HardwareError

__all__ = ["HINGE_PERCENTILE", "LinearForm", "linear_form", "unit_distances", "SUPPORTED_ACTIVATIONS"]

SUPPORTED_ACTIVATIONS = ("relu", "triangle", "squared_distance_triangle")

#: Knot of the second relay of the Euclidean triangle, as a percentile of the calibration images' total
#: intensity. Chosen on the validation split of `mnist_sparse` (seed 0; benchmarks/triangle_gain.py): the
#: agreement of the floating-point form with the engine was 99.71%, 99.76%, 99.75% and 99.73% for knots at the
#: 10th, 20th, 30th and 50th percentiles, against 99.63% with the first relay alone.
HINGE_PERCENTILE = 20


@dataclass
class LinearForm:
    """``h = (scale * max(0, weights @ x + bias - inhibition @ x)) ** power``.

    Attributes
    ----------
    weights : scipy.sparse.csr_matrix, shape (n_hidden, n_inputs)
    bias : numpy.ndarray, shape (n_hidden,)
    inhibition : numpy.ndarray or None, shape (n_inputs,)
        Weights of the shared inhibitory interneuron (non-negative), or None.
    scale : float
        Factor applied to the rectified drive.
    bias_gain : tuple of float or None
        ``(alpha, beta)``: the output bias is multiplied by
        ``alpha + beta * sum_i x_i`` for each image (None: by 1).
    hinge : tuple of float or None
        ``(t, gamma)``: the gain also adds ``gamma * max(0, sum_i x_i - t)``
        (power 1 only; None: nothing).
    exact : bool
        Whether the form equals the activation (up to floating point).
    note : str
        How the form was obtained.
    power : int
        1, or 2 for a squared activation (see ``squares`` of :func:`linear_form`).
    """

    weights: sp.csr_matrix
    bias: np.ndarray
    inhibition: np.ndarray | None
    scale: float
    exact: bool
    note: str
    bias_gain: tuple | None = None
    power: int = 1
    hinge: tuple | None = None

    def drive(self, X):
        """Linear drive ``W x + b - g . x``, shape ``(n, n_hidden)``."""
        drive = np.asarray(self.weights @ np.asarray(X, dtype=np.float64).T).T + self.bias
        if self.inhibition is not None:
            drive -= (np.asarray(X, dtype=np.float64) @ self.inhibition)[:, None]
        return drive

    def hidden(self, X):
        """The hidden activity this form computes (before the per-image gain)."""
        return (self.scale * np.maximum(0.0, self.drive(X))) ** self.power

    def gain(self, X):
        """Per-image factor of the output bias, shape ``(n,)``: ``(alpha + beta * S + gamma * max(0, S - t)) **
        power`` with ``S = sum_i x_i`` (no hinge term without a hinge)."""
        if self.bias_gain is None:
            return np.ones(len(X))
        total = np.asarray(X, dtype=np.float64).sum(axis=1)
        alpha, beta = self.bias_gain
        gain = alpha + beta * total
        if self.hinge is not None:
            knot, gamma = self.hinge
            gain = gain + gamma * np.maximum(0.0, total - knot)
        return gain**self.power


def unit_distances(network, X):
    """Euclidean distance of every input to every hidden unit's weights, shape ``(n, n_hidden)`` (float64).

    ``d_j^2 = ||x||^2 - 2 w_j . x + b_j`` with the network's bias
    ``b_j = ||w_j||^2``, as the triangle activations define it.
    """
    X = np.asarray(X, dtype=np.float64)
    W = network.hidden_weights.tocsr().astype(np.float64)
    u = np.asarray(W @ X.T).T - 0.5 * np.asarray(network.hidden_bias, dtype=np.float64)
    return np.sqrt(np.maximum((X * X).sum(axis=1, keepdims=True) - 2.0 * u, 0.0))


def linear_form(network, calibration_inputs=None, *, squares=False):
    """Rewrite a network's hidden activation as a :class:`LinearForm`.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
    calibration_inputs : numpy.ndarray, optional
        Inputs, shape ``(n, n_inputs)``, used to fix the constants of the
        approximate ``triangle`` mappings. Required for those activations.
    squares : bool
        Whether the caller can square a rectified drive (the triangle with
        power 2 is then mapped, with ``power = 2``); otherwise it is refused.

    Returns
    -------
    LinearForm

    Raises
    ------
    HardwareError
        If the activation has no mapping onto integrate-and-fire neurons.
    """
    name = network.activation
    W = network.hidden_weights.tocsr().astype(np.float64)
    bias = np.asarray(network.hidden_bias, dtype=np.float64)
    if name == "relu":
        return LinearForm(W, bias.copy(), None, 1.0, True, "relu: exact")
    if name == "squared_distance_triangle":
        if W.data.size and W.data.min() < 0:
            raise HardwareError(f"activation {name!r} needs non-negative hidden weights")
        u_bias = -0.5 * bias
        return LinearForm(W, u_bias - u_bias.mean(), np.asarray(W.mean(axis=0)).ravel(), 2.0, True,
                          "triangle of squared distances: exact")
    params = network.activation_params or {}
    power = float(params.get("power", 2.0 if name == "triangle_squared" else 1.0))
    if name in ("triangle", "triangle_squared") and (power == 1.0 or (power == 2.0 and squares)):
        if W.data.size and W.data.min() < 0:
            raise HardwareError(f"activation {name!r} needs non-negative hidden weights")
        u_bias = -0.5 * bias
        inhibition = np.asarray(W.mean(axis=0)).ravel()
        form_bias = u_bias - u_bias.mean()
        if calibration_inputs is None or len(calibration_inputs) == 0:
            raise HardwareError(f"activation {name!r} needs calibration inputs for its linearisation")
        Xc = np.asarray(calibration_inputs, dtype=np.float64)
        distances = unit_distances(network, Xc)
        per_image = distances.mean(axis=1)
        half_variance = float(0.5 * distances.var(axis=1).mean())
        total = Xc.sum(axis=1)
        features = [np.ones(len(Xc)), total]
        knot = None
        if power == 1.0:  # a second relay above the knot (see the module doc); the squared gain keeps one
            knot = float(np.percentile(total, HINGE_PERCENTILE))
            features.append(np.maximum(0.0, total - knot))
        features = np.column_stack(features)
        coefficients, *_ = np.linalg.lstsq(features, per_image, rcond=None)
        if not np.all(features @ coefficients > 0):
            raise HardwareError(f"activation {name!r}: fitted mean distance is not positive on calibration inputs")
        alpha, beta = coefficients[:2]
        hinge = (knot, float(coefficients[2])) if knot is not None else None
        described = f"{alpha:.3g} + {beta:.3g} sum x" + (
            f" + {hinge[1]:.3g} max(0, sum x - {knot:.3g})" if hinge is not None else "")
        squared = ", squared" if power == 2.0 else ""
        return LinearForm(
            W, form_bias - half_variance, inhibition, 1.0, False,
            f"Euclidean triangle linearised per image (mean distance ~ {described}, "
            f"half variance {half_variance:.3g}; {len(Xc)} calibration images){squared}: approximate",
            bias_gain=(float(alpha), float(beta)), power=int(power), hinge=hinge,
        )
    if name in ("triangle", "triangle_squared") and power == 2.0:
        raise HardwareError(f"activation {name!r} squares a spike count, which needs graded spikes (a hardware "
                            "profile with graded_spikes = true, such as loihi2) or Brian2's facilitating synapses")
    if name in ("triangle", "triangle_squared"):
        name = f"triangle with power {power:g}"
    raise HardwareError(f"activation {name!r} has no mapping onto integrate-and-fire neurons; "
                        f"supported: {', '.join(SUPPORTED_ACTIVATIONS)}")
