"""Where one forward pass of the compiled kernel spends its time: copying inputs, hidden layer, readout.

Each part of the kernel runs alone over the test images, in blocks as
``predict`` uses them, on one thread; the best of ``--rounds`` is kept. The
triangle activation takes two passes over the hidden units: the first
computes the synaptic sums and each unit's distance to the image, the
second completes the activity and adds it through the output synapses.
Every other activation takes one pass, units and readout together (the
squared-distance triangle first computes its population mean from the
inputs). A second timing of the hidden pass with every synapse removed
separates the cost of the synapses from that of the activation; for the
one-pass activations, a third with every synapse reading one of the first
16 input rows (which stay in the L1 cache) separates the synapses'
arithmetic from their memory traffic. Prints JSON.

Usage::

    NUMBA_NUM_THREADS=1 NEUROPLASTIC_DATA=DIR python benchmarks/inference_parts.py RUN/network.npz > parts.json
"""

import argparse
import json
import time

import numpy as np
from numba import njit

from neuroplastic.inference import compiled as kernel


def main(argv=None):
    from neuroplastic.datasets import load_mnist
    from neuroplastic.inference import ForwardPlan, block_size
    from neuroplastic.network import load_network

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network", help="a saved network (network.npz) of a model trained on MNIST")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    network = load_network(args.network)
    plan = ForwardPlan.from_network(network)
    X = np.ascontiguousarray(load_mnist().test.X, dtype=plan.hidden_weights.dtype)
    norms = np.einsum("ij,ij->i", X, X)
    code = kernel.ACTIVATION_CODES[plan.activation]
    m = block_size(plan.activation)
    n_blocks = X.shape[0] // m
    n_hidden = plan.hidden_bias.shape[0]
    inputs = np.empty((plan.pixels.shape[0], m), dtype=X.dtype)
    hidden = np.empty((n_hidden if code == kernel.ACTIVATION_CODES["triangle"] else 4, m), dtype=X.dtype)
    potentials = np.zeros((plan.output_bias.shape[0], m), dtype=X.dtype)
    mean = np.zeros(m, dtype=X.dtype)
    synapses = (plan.hidden_indptr, plan.hidden_indices, plan.hidden_weights)
    no_synapses = (np.zeros(n_hidden + 1, np.int32), np.zeros(0, np.int32), np.zeros(0, X.dtype))
    # The same synapses and arithmetic, but reading rows that stay in the L1 cache: what the pass costs
    # without the traffic from L2 (the block's inputs, one row per synapse, do not fit in L1).
    near = (plan.hidden_indices % min(16, len(plan.pixels))).astype(plan.hidden_indices.dtype)
    in_l1 = (plan.hidden_indptr, near, plan.hidden_weights)
    readout = (plan.output_dense, plan.fanout_indptr, plan.fanout_outputs, plan.fanout_weights)
    parts = {"copy inputs into the block layout": lambda: _gather(X, plan.pixels, inputs, n_blocks)}
    if code == kernel.ACTIVATION_CODES["triangle"]:
        parts["hidden layer, first pass (synapses and distances)"] = lambda: _distances(
            inputs, norms[:m], *synapses, plan.hidden_bias, hidden, mean, n_blocks)
        parts["hidden layer, first pass with no synapses (distances only)"] = lambda: _distances(
            inputs, norms[:m], *no_synapses, plan.hidden_bias, hidden, mean, n_blocks)
        parts["second pass: completing the activity and the readout"] = lambda: _triangle_readout(
            hidden, mean, plan.power, plan.readout_indptr, plan.readout_units, plan.readout_weights, potentials,
            n_blocks)
    else:
        parts["population mean from the inputs"] = lambda: _input_mean(inputs, plan.mean_weights, mean, n_blocks)
        parts["one pass: synapses, activation and readout"] = lambda: _pointwise(
            inputs, mean, *synapses, plan.hidden_bias, code, plan.gain, *readout, hidden, potentials, n_blocks)
        parts["one pass with no synapses (activation and readout only)"] = lambda: _pointwise(
            inputs, mean, *no_synapses, plan.hidden_bias, code, plan.gain, *readout, hidden, potentials, n_blocks)
        parts["one pass, every synapse reading one of the first 16 inputs (rows in L1)"] = lambda: _pointwise(
            inputs, mean, *in_l1, plan.hidden_bias, code, plan.gain, *readout, hidden, potentials, n_blocks)
    best = {}
    for _ in range(args.rounds + 1):  # the first round compiles
        for name, part in parts.items():
            started = time.perf_counter()
            part()
            best[name] = min(best.get(name, np.inf), time.perf_counter() - started)
    network.predict(X, backend="numba")  # compile
    whole = np.inf
    for _ in range(args.rounds):
        started = time.perf_counter()
        network.predict(X, backend="numba")
        whole = min(whole, time.perf_counter() - started)
    print(json.dumps({"benchmark": "inference-parts", "network": str(args.network), "images": n_blocks * m,
                      "block": m, "synapses": network.n_nonsilent, "seconds": best,
                      "whole_predict_seconds": whole}, indent=1))


@njit
def _gather(X, pixels, inputs, n_blocks):
    m = inputs.shape[1]
    for k in range(n_blocks):
        kernel._gather(X, k * m, (k + 1) * m, pixels, inputs)


@njit
def _distances(inputs, norms, indptr, indices, data, bias, hidden, mean, n_blocks):
    for _ in range(n_blocks):
        kernel._distances(inputs, norms, indptr, indices, data, bias, hidden, mean, inputs.shape[1])


@njit
def _triangle_readout(hidden, mean, power, r_indptr, r_units, r_weights, potentials, n_blocks):
    for _ in range(n_blocks):  # with power 1 the activity is not stored; otherwise completing it again costs the same
        kernel._triangle_readout(hidden, mean, power, r_indptr, r_units, r_weights, potentials, hidden.shape[1])


@njit
def _input_mean(inputs, weights, mean, n_blocks):
    for _ in range(n_blocks):
        kernel._input_mean(inputs, weights, 0.0, mean, inputs.shape[1])


@njit
def _pointwise(inputs, mean, indptr, indices, data, bias, code, gain, dense, f_indptr, f_outputs, f_weights,
               rows, potentials, n_blocks):
    for _ in range(n_blocks):
        kernel._pointwise_pass(inputs, mean, indptr, indices, data, bias, code, gain, dense, f_indptr, f_outputs,
                               f_weights, rows, potentials, inputs.shape[1])


if __name__ == "__main__":
    main()
