"""Forward passes of a trained network: a compiled kernel and the NumPy reference.

:func:`forward` computes the output potentials of a
:class:`~neuroplastic.network.TrainedNetwork`. ``backend="numba"`` runs the
compiled kernel of :mod:`neuroplastic.inference.compiled` (install the
``fast`` extra); ``backend="numpy"`` runs the pure NumPy/SciPy path that the
tests hold the kernel equal to; ``"auto"`` takes the kernel when Numba is
installed. Both cost time in proportion to the synapses that exist. A
network whose layers are mostly non-silent (dense BP, say) runs as BLAS
matrix products on the ``"numba"`` path, which is faster for it.
"""

import functools
import importlib.util

import numpy as np

from ..errors import ConfigError
from .plan import ForwardPlan

__all__ = ["BACKENDS", "BLOCK", "BLOCK_ONE_PASS", "SINGLE", "ForwardPlan", "block_size", "forward", "numba_available",
           "resolve_backend"]

#: Backends of :func:`forward`.
BACKENDS = ("auto", "numba", "numpy")

#: Images per block of the compiled kernel for the triangle activation, which keeps a whole block's hidden
#: activity between its two passes: that should fit in a core's L2 cache.
BLOCK = 128

#: Images per block for every other activation, which keeps only four units' activity at a time. Larger blocks
#: spread each unit's fixed cost over more images. Measured on `mnist` (12,000 units, one thread, 10,000 test
#: images): 135-146 ms at 256 against 157-169 ms at 128.
BLOCK_ONE_PASS = 256

#: Up to this many images, the kernel runs them one by one, walking synapses from their active inputs (latency
#: path). Measured on the bundled models, the block kernel overtakes it between 4 and 8 images.
SINGLE = 4


@functools.cache
def numba_available():
    """Whether the compiled backend can be used (Numba is installed); looked up once."""
    return importlib.util.find_spec("numba") is not None


@functools.cache
def _kernels():
    """The compiled module, imported on first use (importing Numba takes a while) and then kept."""
    from . import compiled

    return compiled


def resolve_backend(backend):
    """The backend ``forward`` will run for ``backend`` (``"auto"`` becomes ``"numba"`` or ``"numpy"``).

    Raises
    ------
    ConfigError
        If ``backend`` is unknown.
    DependencyError
        If ``"numba"`` is asked for and Numba is not installed.
    """
    if backend not in BACKENDS:
        raise ConfigError("backend", f"must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "auto":
        return "numba" if numba_available() else "numpy"
    if backend == "numba" and not numba_available():
        from ..optional import require

        require("numba", "the compiled inference kernel")  # raises the one-line error naming the extra
    return backend


def block_size(activation):
    """Images per block of the compiled kernel for ``activation``: :data:`BLOCK` for the two-pass triangle, else
    :data:`BLOCK_ONE_PASS`."""
    return BLOCK if activation == "triangle" or activation == "triangle_squared" else BLOCK_ONE_PASS


def forward(network, X, *, backend="auto", plan=None):
    """Output potentials of ``network`` for inputs ``X``.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
    X : numpy.ndarray, shape (n, n_inputs)
        Checked inputs (finite, right width).
    backend : {"auto", "numba", "numpy"}
    plan : ForwardPlan, optional
        The network's laid-out arrays, when the caller keeps them between calls.

    Returns
    -------
    numpy.ndarray, shape (n, n_classes), float32 for float32 weights
    """
    if resolve_backend(backend) == "numpy":
        return _numpy_forward(network, X)
    kernels = _kernels()
    plan = plan if plan is not None else ForwardPlan.from_network(network)
    X = np.ascontiguousarray(X, dtype=plan.hidden_weights.dtype)
    if plan.hidden_dense.size:
        return _dense_forward(network, plan, X)
    code = kernels.ACTIVATION_CODES[plan.activation]
    block = block_size(plan.activation)
    if X.shape[0] <= SINGLE:
        return kernels.forward_single(X, plan.input_indptr, plan.input_units, plan.input_weights,
                                      plan.hidden_bias, code, plan.power, plan.gain, plan.fanout_indptr,
                                      plan.fanout_outputs, plan.fanout_weights, plan.output_bias)
    args = (X, plan.pixels, plan.hidden_indptr, plan.hidden_indices, plan.hidden_weights, plan.hidden_bias,
            code, plan.power, plan.gain, plan.mean_weights, plan.mean_offset, plan.output_dense,
            plan.fanout_indptr, plan.fanout_outputs, plan.fanout_weights, plan.readout_indptr, plan.readout_units,
            plan.readout_weights, plan.output_bias, block)
    if X.shape[0] <= block:
        return kernels.forward_serial(*args)
    from numba import get_num_threads

    return kernels.forward(*args, get_num_threads())


def _dense_forward(network, plan, X):
    """A mostly non-silent input->hidden layer as one BLAS product (a sparse kernel would only be slower)."""
    from ..rule.activations import activity_from_sums

    sums = X @ plan.hidden_dense
    hidden = activity_from_sums(network.activation, sums, np.einsum("ij,ij->i", X, X), plan.hidden_bias,
                                **network.activation_params)
    return _readout(network, hidden)


def _numpy_forward(network, X):
    return _readout(network, network.hidden(X))


def _readout(network, hidden):
    return np.asarray(network.output_weights @ hidden.T).T + network.output_bias
