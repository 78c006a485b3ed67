"""Where one forward pass of the compiled kernel spends its time: copying inputs, hidden layer, readout.

Each part of the kernel runs alone over the test images, in blocks as
``predict`` uses them, on one thread; the best of ``--rounds`` is kept. The
hidden layer's first pass computes the synaptic sums and each unit's
activity, or for the triangles its distance term; a second timing with
every synapse removed separates the cost of the synapses from that of the
activation. The readout completes the triangles' activity unit by unit and
adds it through the output synapses. Prints JSON.

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
    from neuroplastic.inference import BLOCK, ForwardPlan
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
    m = BLOCK
    n_blocks = X.shape[0] // m
    n_hidden = plan.hidden_bias.shape[0]
    inputs = np.empty((plan.pixels.shape[0], m), dtype=X.dtype)
    hidden = np.empty((n_hidden, m), dtype=X.dtype)
    potentials = np.empty((plan.output_bias.shape[0], m), dtype=X.dtype)
    mean = np.empty(m, dtype=X.dtype)
    no_synapses = (np.zeros(n_hidden + 1, np.int32), np.zeros(0, np.int32), np.zeros(0, X.dtype))
    parts = {
        "copy inputs into the block layout": lambda: _gather(X, plan.pixels, inputs, n_blocks),
        "hidden layer, first pass (synapses and activation)": lambda: _hidden(
            inputs, norms[:m], plan.hidden_indptr, plan.hidden_indices, plan.hidden_weights, plan.hidden_bias,
            code, plan.power, plan.gain, hidden, mean, n_blocks),
        "hidden layer, first pass with no synapses (activation only)": lambda: _hidden(
            inputs, norms[:m], *no_synapses, plan.hidden_bias, code, plan.power, plan.gain, hidden, mean, n_blocks),
        "readout (completing the triangles' activity)": lambda: _readout(
            hidden, mean, code, plan.power, plan.output_indptr, plan.output_indices, plan.output_weights,
            plan.output_dense, potentials, n_blocks),
    }
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
def _hidden(inputs, norms, indptr, indices, data, bias, code, power, gain, hidden, mean, n_blocks):
    for _ in range(n_blocks):
        kernel._hidden(inputs, norms, indptr, indices, data, bias, code, power, gain, hidden, mean)


@njit
def _readout(hidden, mean, code, power, indptr, indices, data, dense, potentials, n_blocks):
    for _ in range(n_blocks):  # completing the activity in place again each round costs the same
        kernel._read_out(hidden, mean, code, power, indptr, indices, data, dense, potentials)


if __name__ == "__main__":
    main()
