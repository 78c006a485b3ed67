"""NeuroBench's metrics on a network small enough to count by hand."""

import numpy as np
import pytest

from neuroplastic.analysis.neurobench import neurobench_metrics
from neuroplastic.network import TrainedNetwork


def tiny_network():
    # hidden: 3 units x 4 inputs, 4 non-zero of 12; output: 2 classes x 3 units, 3 non-zero of 6
    hidden = np.array([[1.0, 0, -1, 0], [0, 2, 0, 0], [0, 0, 0, 3]])
    output = np.array([[1.0, 0, 0], [0, 1, 1]])
    return TrainedNetwork(hidden_weights=hidden, hidden_bias=np.zeros(3), output_weights=output,
                          output_bias=np.zeros(2), activation="relu", classes=np.arange(2))


def test_static_metrics_count_every_weight_dense_and_only_stored_ones_sparse():
    net = tiny_network()
    metrics = neurobench_metrics(net, np.zeros((1, 4)))
    # 18 weights + 5 biases, float64
    assert metrics["parameters"] == 23
    assert metrics["footprint_bytes"] == 23 * 8
    assert net.hidden_weights.indices.dtype == np.int32 and net.hidden_weights.indptr.dtype == np.int32
    # CSR: values 8 B, column indices 4 B, row pointers 4 B (rows + 1), biases 8 B
    hidden = 4 * 8 + 4 * 4 + 4 * 4
    output = 3 * 8 + 3 * 4 + 3 * 4
    assert metrics["sparse_footprint_bytes"] == hidden + output + 5 * 8
    assert metrics["connection_sparsity"] == pytest.approx(11 / 18)


def test_graded_inputs_give_effective_macs_over_non_zero_weight_and_activation_pairs():
    X = np.array([[1.0, 0, 1, 0], [0.5, 1, 0, 0]])  # hidden activity [0, 0, 0] and [0.5, 2, 0]
    metrics = neurobench_metrics(tiny_network(), X)
    assert metrics["activation_sparsity"] == pytest.approx(4 / 6)
    ops = metrics["synaptic_operations"]
    assert ops["Dense"] == 18  # 12 + 6 per sample
    # hidden layer: 2 + 2 pairs; output layer: 0 + 2 pairs; over 2 samples, all graded -> MACs
    assert ops["Effective_MACs"] == pytest.approx(3.0)
    assert ops["Effective_ACs"] == 0


def test_binary_inputs_count_as_accumulates():
    metrics = neurobench_metrics(tiny_network(), np.array([[1.0, 1, 0, 1]]))  # hidden activity [1, 2, 3]
    ops = metrics["synaptic_operations"]
    assert ops["Effective_ACs"] == 3  # the spike-like input layer
    assert ops["Effective_MACs"] == 3  # graded hidden activity into the output layer
    assert metrics["activation_sparsity"] == 0


def test_the_metrics_leave_the_networks_weights_as_they_were():
    """Counting synapses once overwrote the network's own CSR weights with ones (scipy shares a float64 CSR's
    data unless asked to copy), and the over-parameterisation run after it then matched a wrong accuracy."""
    net = tiny_network()
    hidden, output = net.hidden_weights.toarray(), net.output_weights.toarray()
    X = np.array([[1.0, 0, 1, 0], [0.5, 1, 0, 0]])
    predicted = net.predict(X)
    neurobench_metrics(net, X)
    np.testing.assert_array_equal(net.hidden_weights.toarray(), hidden)
    np.testing.assert_array_equal(net.output_weights.toarray(), output)
    np.testing.assert_array_equal(net.predict(X), predicted)
