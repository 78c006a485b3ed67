"""The arrays a forward pass reads, laid out once per network.

A :class:`ForwardPlan` holds the non-silent synapses of a
:class:`~neuroplastic.network.TrainedNetwork` in the layout the compiled
kernel walks: input->hidden synapses per hidden unit, with inputs renumbered
to the pixels that some synapse reads, and the readout either per hidden
unit (sparse) or as a dense matrix when most hidden->output pairs exist, and
per output unit for the triangle's second pass. The
one-image latency path walks the input->hidden synapses from their
presynaptic side, per input. A
network whose input->hidden layer is mostly non-silent (a dense BP network,
say) keeps that layer as a dense matrix for BLAS instead.
Building a plan copies nothing the network file stores differently: the
saved format is unchanged.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["ForwardPlan", "DENSE_FRACTION"]

#: Above this fraction of existing synapses a layer is run as one dense matrix product (BLAS). Measured on
#: the bundled models: a readout 30% full (mnist_sparse) is faster walked synapse by synapse, a full one
#: (mnist) as a product.
DENSE_FRACTION = 0.5


@dataclass(frozen=True)
class ForwardPlan:
    """Kernel-ready arrays of a trained network (weights in the arithmetic type, int32 indices).

    Attributes
    ----------
    pixels : numpy.ndarray of int32
        Inputs read by at least one synapse, in increasing order.
    hidden_indptr, hidden_indices, hidden_weights : numpy.ndarray
        Input->hidden synapses per hidden unit; ``hidden_indices`` index ``pixels``.
    hidden_bias : numpy.ndarray of float32
    output_dense : numpy.ndarray of float32, shape (n_outputs, n_hidden) or (0, 0)
        The readout as a dense matrix when it is mostly non-silent, else empty.
    hidden_dense : numpy.ndarray of float32, shape (n_inputs, n_hidden) or (0, 0)
        The input->hidden weights as a dense matrix when they are mostly
        non-silent, else empty.
    output_bias : numpy.ndarray of float32
    input_indptr, input_units, input_weights : numpy.ndarray
        Input->hidden synapses per input (CSC over all ``n_inputs`` inputs).
    fanout_indptr, fanout_outputs, fanout_weights : numpy.ndarray
        Hidden->output synapses per hidden unit, outputs in increasing order.
    readout_indptr, readout_units, readout_weights : numpy.ndarray
        Hidden->output synapses per output unit (CSR of the readout): the
        triangle's second pass walks them output by output.
    mean_weights : numpy.ndarray, shape (len(pixels),)
    mean_offset : float
        The population mean of the squared-distance triangle's first term,
        ``mean_j (w_j . x - b_j / 2)``, is the linear function
        ``mean_weights . x[pixels] - mean_offset`` of the input.
    activation : str
    power, gain : float
        Exponent of the triangle activations and gain of the paper's sigmoid.
    """

    pixels: np.ndarray
    hidden_indptr: np.ndarray
    hidden_indices: np.ndarray
    hidden_weights: np.ndarray
    hidden_bias: np.ndarray
    output_dense: np.ndarray
    hidden_dense: np.ndarray
    output_bias: np.ndarray
    input_indptr: np.ndarray
    input_units: np.ndarray
    input_weights: np.ndarray
    fanout_indptr: np.ndarray
    fanout_outputs: np.ndarray
    fanout_weights: np.ndarray
    readout_indptr: np.ndarray
    readout_units: np.ndarray
    readout_weights: np.ndarray
    mean_weights: np.ndarray
    mean_offset: float
    activation: str
    power: float
    gain: float

    @classmethod
    def from_network(cls, network, dtype=None):
        """Lay out ``network``'s synapses for the kernel.

        Parameters
        ----------
        network : neuroplastic.network.TrainedNetwork
        dtype : numpy dtype, optional
            Arithmetic type of the forward pass; by default the weights'
            type, at least float32 (the engines save float32).

        Returns
        -------
        ForwardPlan
        """
        hidden = network.hidden_weights.tocsr().sorted_indices()  # a copy: the network is left as it is
        if dtype is None:
            dtype = np.result_type(hidden.dtype, network.output_weights.dtype, np.float32)
        pixels = np.unique(hidden.indices).astype(np.int32)
        renumber = np.zeros(network.n_inputs, dtype=np.int32)
        renumber[pixels] = np.arange(pixels.size, dtype=np.int32)
        output = network.output_weights.tocsr().sorted_indices()
        n_outputs, n_hidden = output.shape
        dense = output.nnz > DENSE_FRACTION * n_outputs * n_hidden
        hidden_dense = hidden.nnz > DENSE_FRACTION * hidden.shape[0] * hidden.shape[1]
        by_input = hidden.tocsc().sorted_indices()
        by_unit = output.tocsc().sorted_indices()  # the kernel relies on each unit's outputs being in order
        params = dict(network.activation_params)
        power = float(params.get("power", 2.0 if network.activation == "triangle_squared" else 1.0))
        return cls(
            pixels=pixels,
            hidden_indptr=hidden.indptr.astype(np.int32),
            hidden_indices=renumber[hidden.indices],
            hidden_weights=hidden.data.astype(dtype),
            hidden_bias=np.asarray(network.hidden_bias, dtype=dtype),
            output_dense=output.toarray().astype(dtype) if dense else np.zeros((0, 0), dtype=dtype),
            hidden_dense=(np.ascontiguousarray(hidden.toarray().T, dtype=dtype) if hidden_dense
                          else np.zeros((0, 0), dtype=dtype)),
            output_bias=np.asarray(network.output_bias, dtype=dtype),
            input_indptr=by_input.indptr.astype(np.int32),
            input_units=by_input.indices.astype(np.int32),
            input_weights=by_input.data.astype(dtype),
            fanout_indptr=by_unit.indptr.astype(np.int32),
            fanout_outputs=by_unit.indices.astype(np.int32),
            fanout_weights=by_unit.data.astype(dtype),
            readout_indptr=output.indptr.astype(np.int32),
            readout_units=output.indices.astype(np.int32),
            readout_weights=output.data.astype(dtype),
            mean_weights=(np.bincount(renumber[hidden.indices], hidden.data, pixels.size)
                          / max(n_hidden, 1)).astype(dtype),
            mean_offset=float(0.5 * np.mean(network.hidden_bias)) if n_hidden else 0.0,
            activation=network.activation,
            power=power,
            gain=float(params.get("gain", 1.0)),
        )
