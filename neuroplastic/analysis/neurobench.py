"""NeuroBench's footprint, sparsity and synaptic-operation metrics of a trained network.

The definitions follow NeuroBench (Yik et al., "The neurobench framework for
benchmarking neuromorphic computing algorithms and systems", Nature
Communications 16, 1545, 2025) as its code computes them
(github.com/NeuroBench/neurobench, ``neurobench/metrics``), applied to the
network seen as NeuroBench would see it: ``Linear(n_inputs, n_hidden)``,
the hidden activation, ``Linear(n_hidden, n_classes)``.

- **Footprint** (``static/footprint.py``): bytes of all parameters and
  buffers, ``numel * element_size`` summed, zero weights included. Here the
  parameters are both weight matrices as dense arrays and both bias vectors,
  at the element size of the stored arrays; the network has no buffers.
- **Connection sparsity** (``static/connection_sparsity.py``): zero weights
  over all weights of the connection layers (biases excluded). NeuroBench
  rounds it to four decimals; it is given unrounded here.
- **Activation sparsity** (``workload/activation_sparsity.py``): zero
  outputs over all outputs of the activation layers, over all samples (the
  hidden activation here; inputs and output potentials are not activation
  outputs).
- **Synaptic operations** (``workload/synaptic_operations.py`` and
  ``utils/layers/macs.py``), per sample, biases excluded: *Dense* counts
  every weight times every input (``n_out * n_in`` per layer);
  *Effective* ops binarise weights and inputs (non-zero -> 1) and count
  ``sum(1[W != 0] @ 1[x != 0])``, skipping zero weights and zero
  activations. A layer's effective ops are *ACs* when all its inputs in the
  batch are in {-1, 0, 1} (spikes), otherwise *MACs*. The inputs given are
  one batch.

Beside NeuroBench's dense footprint, :func:`neurobench_metrics` gives the
bytes of the sparse (CSR) storage the package keeps: values, column
indices and row pointers of both weight matrices, plus the biases.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["neurobench_metrics", "footprint_bytes", "sparse_footprint_bytes", "synaptic_operations",
           "format_neurobench"]


def _layers(network):
    return [network.hidden_weights.tocsr(), network.output_weights.tocsr()]


def footprint_bytes(network):
    """NeuroBench's footprint: every parameter as a dense array, ``numel * element_size``, zeros included."""
    total = 0
    for matrix in _layers(network):
        total += int(np.prod(matrix.shape)) * matrix.dtype.itemsize
    for bias in (network.hidden_bias, network.output_bias):
        total += int(np.asarray(bias).size) * np.asarray(bias).dtype.itemsize
    return total


def sparse_footprint_bytes(network):
    """Bytes of the compressed-sparse-row storage: values, column indices, row pointers, and the biases."""
    total = 0
    for matrix in _layers(network):
        total += matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    for bias in (network.hidden_bias, network.output_bias):
        total += np.asarray(bias).nbytes
    return total


def _is_binary(values):
    """NeuroBench's test for spike inputs: every entry is -1, 0 or 1."""
    values = values.data if sp.issparse(values) else np.asarray(values)
    return bool(np.all((values == 0) | (values == 1) | (values == -1)))


def synaptic_operations(layers_and_inputs):
    """NeuroBench's synaptic operations per sample over connection layers.

    Parameters
    ----------
    layers_and_inputs : sequence of (weights, inputs)
        ``weights`` of shape ``(n_out, n_in)`` (dense or sparse) and the
        layer's ``inputs`` of shape ``(n_samples, n_in)``: one batch.

    Returns
    -------
    dict
        ``Dense``, ``Effective_MACs``, ``Effective_ACs``: mean per sample.
    """
    dense = macs = acs = 0.0
    n_samples = None
    for weights, inputs in layers_and_inputs:
        inputs = np.asarray(inputs)
        n_samples = len(inputs)
        connected = sp.csr_matrix(weights, dtype=np.float64, copy=True)  # never the caller's weights
        connected.eliminate_zeros()
        connected.data[:] = 1.0
        active = (inputs != 0).astype(np.float64)
        # sum over samples and targets of 1[W != 0] @ 1[x != 0] = sum_i (column count of W)_i * (samples with x_i != 0)
        effective = float(np.asarray(connected.sum(axis=0)).ravel() @ active.sum(axis=0))
        dense += float(weights.shape[0]) * weights.shape[1] * n_samples
        if _is_binary(inputs):
            acs += effective
        else:
            macs += effective
    n = max(n_samples or 0, 1)
    return {"Dense": dense / n, "Effective_MACs": macs / n, "Effective_ACs": acs / n}


def neurobench_metrics(network, X):
    """NeuroBench's static and workload metrics of ``network`` on inputs ``X`` (see module doc).

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
    X : numpy.ndarray, shape (n_samples, n_inputs)
        The evaluation inputs, one batch.

    Returns
    -------
    dict
        ``footprint_bytes`` (NeuroBench, dense), ``sparse_footprint_bytes``
        (CSR), ``parameters`` (dense count), ``connection_sparsity``,
        ``activation_sparsity``, ``synaptic_operations`` (``Dense``,
        ``Effective_MACs``, ``Effective_ACs`` per sample), ``samples``.
    """
    X = np.asarray(X)
    hidden = network.hidden(X)
    layers = _layers(network)
    weights = sum(int(np.prod(m.shape)) for m in layers)
    zeros = weights - sum(int(m.count_nonzero()) for m in layers)
    parameters = weights + int(np.asarray(network.hidden_bias).size) + int(np.asarray(network.output_bias).size)
    return {
        "footprint_bytes": footprint_bytes(network),
        "sparse_footprint_bytes": sparse_footprint_bytes(network),
        "parameters": parameters,
        "connection_sparsity": zeros / weights,
        "activation_sparsity": float(np.mean(hidden == 0)) if hidden.size else 0.0,
        "synaptic_operations": synaptic_operations([(layers[0], X), (layers[1], hidden)]),
        "samples": int(len(X)),
        "definitions": "NeuroBench (Yik et al., Nature Communications 2025), neurobench/metrics",
    }


def format_neurobench(metrics):
    """Two lines of text for the command line."""
    ops = metrics["synaptic_operations"]
    return (f"NeuroBench: footprint {metrics['footprint_bytes']:,} B dense ({metrics['sparse_footprint_bytes']:,} B "
            f"as CSR), connection sparsity {metrics['connection_sparsity']:.4f}, activation sparsity "
            f"{metrics['activation_sparsity']:.4f}\n"
            f"NeuroBench synaptic ops per sample ({metrics['samples']:,} samples): Dense {ops['Dense']:,.0f}, "
            f"Effective_MACs {ops['Effective_MACs']:,.0f}, Effective_ACs {ops['Effective_ACs']:,.0f}")
