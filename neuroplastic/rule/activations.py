"""Hidden activations by name, shared by training and inference.

:func:`hidden_activity` is the one place where hidden-layer activity is
computed from the sparse (CSR) non-silent input->hidden weights. The
vectorized engine and :class:`neuroplastic.network.TrainedNetwork` both call
it, so a saved network computes exactly what the learner computed. Its cost
scales with the number of non-silent synapses.
"""

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError

__all__ = ["ACTIVATIONS", "DISTANCE_ACTIVATIONS", "hidden_activity", "synaptic_input", "triangle", "triangle_squared",
           "squared_distance_triangle", "paper_sigmoid", "relu", "sigmoid", "squared_norm_bias",
           "activity_from_sums"]


def synaptic_input(X, hidden_weights):
    """Summed synaptic input ``w_j . x`` of every hidden unit.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, n_inputs)
    hidden_weights : scipy.sparse.csr_matrix or numpy.ndarray, shape (n_hidden, n_inputs)

    Returns
    -------
    numpy.ndarray, shape (n, n_hidden)
    """
    if sp.issparse(hidden_weights):
        return np.asarray((hidden_weights @ X.T).T)
    return X @ np.asarray(hidden_weights).T


def relu(X, hidden_weights, hidden_bias):
    """Rectified linear unit.

    Notes
    -----
    h_j = max(0, w_j . x + b_j)
    """
    return _relu(synaptic_input(X, hidden_weights), None, hidden_bias)


def sigmoid(X, hidden_weights, hidden_bias):
    """Logistic sigmoid (the backprop baselines' choice).

    Notes
    -----
    h_j = 1 / (1 + exp(-(w_j . x + b_j)))
    """
    return _sigmoid(synaptic_input(X, hidden_weights), None, hidden_bias)


def paper_sigmoid(X, hidden_weights, hidden_bias, gain=1.0):
    """The paper's sigmoid remapped from [0.5, 1] to [0, 1] for non-negative input.

    Notes
    -----
    u_j = gain * (w_j . x + b_j);  h_j = max(0, 2 sigmoid(u_j) - 1) = max(0, tanh(u_j / 2))
    (Stricker, Röhrbein and Knoblauch 2024).
    """
    return _paper_sigmoid(synaptic_input(X, hidden_weights), None, hidden_bias, gain)


def triangle(X, hidden_weights, hidden_bias, power=1.0):
    """Triangle activation: how much closer than average the input is to a unit's weights.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, n_inputs)
    hidden_weights : scipy.sparse.csr_matrix, shape (n_hidden, n_inputs)
    hidden_bias : numpy.ndarray, shape (n_hidden,)
        The squared weight norm ``||w_j||^2`` of each unit
        (see :func:`squared_norm_bias`).
    power : float
        Exponent p applied to the rectified value (1: the plain triangle).

    Returns
    -------
    numpy.ndarray, shape (n, n_hidden)

    Notes
    -----
    d_j^2 = ||x||^2 - 2 w_j . x + ||w_j||^2  (distance of the input to unit j's weights);
    h_j = max(0, mean_k d_k - d_j) ** p.
    Needs only the synaptic sum, a per-unit bias and a population-mean
    inhibition (Coates, Lee and Ng 2011, "triangle" k-means features).
    """
    return _triangle(synaptic_input(X, hidden_weights), np.einsum("ij,ij->i", X, X), hidden_bias, power)


def _relu(u, x2, bias):
    return np.maximum(0.0, u + bias)


def _sigmoid(u, x2, bias):
    return 0.5 * (1.0 + np.tanh(0.5 * (u + bias)))


def _paper_sigmoid(u, x2, bias, gain=1.0):
    return np.maximum(0.0, np.tanh(0.5 * gain * (u + bias)))


def _triangle(u, x2, bias, power=1.0):
    squared = u * -2.0
    squared += bias
    squared += x2[:, None]
    np.maximum(squared, 0.0, out=squared)
    distance = np.sqrt(squared, out=squared)
    mean = distance.mean(axis=1, keepdims=True)
    np.subtract(mean, distance, out=distance)
    np.maximum(distance, 0.0, out=distance)
    if power != 1.0:
        np.power(distance, power, out=distance)
    return distance


def triangle_squared(X, hidden_weights, hidden_bias):
    """Squared triangle activation (sharper selectivity than :func:`triangle`).

    Notes
    -----
    h_j = max(0, mean_k d_k - d_j) ** 2, with d_j as in :func:`triangle`.
    """
    return triangle(X, hidden_weights, hidden_bias, power=2.0)


def _triangle_squared(u, x2, bias):
    return _triangle(u, x2, bias, power=2.0)


def squared_distance_triangle(X, hidden_weights, hidden_bias):
    """Triangle of squared distances: how much closer than average, in squared distance.

    Notes
    -----
    h_j = max(0, mean_k d_k^2 - d_j^2) = 2 max(0, u_j - mean_k u_k),  u_j = w_j . x - ||w_j||^2 / 2.
    The input's squared norm cancels, so the activation is exactly a ReLU of the
    synaptic sum, a per-unit bias and one shared inhibition ``mean_k w_k . x``:
    integrate-and-fire neurons compute it without approximation.
    """
    return _squared_distance_triangle(synaptic_input(X, hidden_weights), None, hidden_bias)


def _squared_distance_triangle(u, x2, bias):
    u = u - 0.5 * np.asarray(bias)
    u -= u.mean(axis=1, keepdims=True)
    u *= 2.0
    np.maximum(u, 0.0, out=u)
    return u


def squared_norm_bias(hidden_weights):
    """Per-unit bias ``||w_j||^2`` used by :func:`triangle`."""
    if sp.issparse(hidden_weights):
        return np.asarray(hidden_weights.multiply(hidden_weights).sum(axis=1)).ravel()
    w = np.asarray(hidden_weights)
    return np.einsum("ij,ij->i", w, w)


#: Activations whose bias is the squared weight norm (distance-based).
DISTANCE_ACTIVATIONS = ("triangle", "triangle_squared", "squared_distance_triangle")

#: Activation functions by the name used in model definitions and saved networks.
ACTIVATIONS = {
    "triangle": triangle,
    "triangle_squared": triangle_squared,
    "squared_distance_triangle": squared_distance_triangle,
    "paper_sigmoid": paper_sigmoid,
    "relu": relu,
    "sigmoid": sigmoid,
}


#: The same activations from the synaptic sums ``u = W x``, the inputs' squared norms ``x2`` and the bias.
_FROM_SUMS = {
    "triangle": _triangle,
    "triangle_squared": _triangle_squared,
    "squared_distance_triangle": _squared_distance_triangle,
    "paper_sigmoid": _paper_sigmoid,
    "relu": _relu,
    "sigmoid": _sigmoid,
}


def activity_from_sums(activation, synaptic_sums, input_norms, hidden_bias, **params):
    """Hidden activity from already computed synaptic sums (training computes them for the competition anyway).

    Parameters
    ----------
    activation : str
        A key of :data:`ACTIVATIONS`.
    synaptic_sums : numpy.ndarray, shape (n, n_hidden)
        ``w_j . x`` of every unit.
    input_norms : numpy.ndarray, shape (n,)
        ``||x||^2`` of every input.
    hidden_bias : numpy.ndarray, shape (n_hidden,)
    **params
        Extra parameters of the activation.

    Returns
    -------
    numpy.ndarray, shape (n, n_hidden)
        Exactly what :func:`hidden_activity` gives for the same weights.
    """
    return _FROM_SUMS[activation](synaptic_sums, input_norms, hidden_bias, **params)


def hidden_activity(X, hidden_weights, hidden_bias, activation, *, batch_size=2000, **params):
    """Hidden-layer activity from the non-silent synapses.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, n_inputs)
        Inputs (pixel intensities in [0, 1]).
    hidden_weights : scipy.sparse.csr_matrix, shape (n_hidden, n_inputs)
        Non-silent input->hidden efficacies.
    hidden_bias : numpy.ndarray, shape (n_hidden,)
    activation : str
        A key of :data:`ACTIVATIONS`.
    batch_size : int
        Inputs processed at a time (bounds the memory of temporaries).
    **params
        Extra parameters of the activation (e.g. ``gain``).

    Returns
    -------
    numpy.ndarray, shape (n, n_hidden), dtype of ``hidden_weights`` (float32 from the engine)

    Raises
    ------
    ConfigError
        If ``activation`` is not a known name.
    """
    if activation not in ACTIVATIONS:
        raise ConfigError("activation", f"must be one of {', '.join(sorted(ACTIVATIONS))}, got {activation!r}")
    function = ACTIVATIONS[activation]
    if not sp.issparse(hidden_weights):
        hidden_weights = sp.csr_matrix(hidden_weights)
    dtype = np.result_type(hidden_weights.dtype, np.float32)
    X = np.asarray(X, dtype=dtype)
    bias = np.asarray(hidden_bias, dtype=dtype)
    out = np.empty((X.shape[0], hidden_weights.shape[0]), dtype=dtype)
    for start in range(0, X.shape[0], batch_size):
        out[start:start + batch_size] = function(X[start:start + batch_size], hidden_weights, bias, **params)
    return out
