"""Spiking inference (Brian2) of a vectorized-trained network on MNIST test images; print JSON.

Usage::

    python benchmarks/brian2_inference.py RUN [--images 10000] [--target cpp_standalone] [--data DIR]
                                          [--t-int 100] [--t-out 100] [--f-in 200] [--f-h 500]
                                          [--coding regular|poisson] [--chunk 2000]

``RUN`` is a run folder (``network.npz`` + ``model.toml``) or a ``network.npz``
file (then the full MNIST test set is used). Images are run in chunks of
``--chunk`` (one standalone build per chunk; the build time is reported
apart from the simulation time).

Acceptance (issue 4): on all 10,000 test images, accuracy within 1.5 points
of the vectorized engine's; report the wall time.
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from neuroplastic.config import load_model
from neuroplastic.datasets import load_dataset
from neuroplastic.engines.brian2 import InferenceParams, brian2_target, spiking_predict
from neuroplastic.network import TrainedNetwork


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--target", default="cpp_standalone", choices=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--data")
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--t-int", type=float, default=InferenceParams.t_int_ms)
    parser.add_argument("--t-out", type=float, default=InferenceParams.t_out_ms)
    parser.add_argument("--f-in", type=float, default=InferenceParams.f_in_hz)
    parser.add_argument("--f-h", type=float, default=InferenceParams.f_h_hz)
    parser.add_argument("--dt", type=float, default=InferenceParams.dt_ms)
    parser.add_argument("--coding", default="regular", choices=["regular", "poisson"])
    parser.add_argument("--build-dir", help="standalone build / cython cache folder (default: a temporary folder)")
    args = parser.parse_args()

    path = Path(args.run)
    if path.is_dir():
        network = TrainedNetwork.load(path / "network.npz")
        model = load_model(path / "model.toml")
        test = load_dataset(model.data.dataset, args.data, classes=model.data.classes).test
    else:
        network = TrainedNetwork.load(path)
        test = load_dataset("mnist", args.data).test
    X, y = test.X[:args.images], test.y[:args.images]
    params = InferenceParams(dt_ms=args.dt, t_int_ms=args.t_int, t_out_ms=args.t_out, f_in_hz=args.f_in,
                             f_h_hz=args.f_h, coding=args.coding)
    predictions, wall, simulation, hidden_spikes, input_spikes = [], 0.0, 0.0, 0, 0
    for start in range(0, len(y), args.chunk):
        began = time.perf_counter()
        build_dir = None if args.build_dir is None else Path(args.build_dir) / f"chunk{start}"
        with brian2_target(args.target, build_dir):
            result = spiking_predict(network, X[start:start + args.chunk], params, seed=start,
                                     standalone=args.target == "cpp_standalone")
        wall += time.perf_counter() - began
        predictions.append(result["predictions"])
        hidden_spikes += result["hidden_spikes"]
        simulation += result["simulation_wall_seconds"] or 0.0
        input_spikes += result["input_spikes"]
    predictions = np.concatenate(predictions)
    reference = network.predict(X)
    spiking, vectorized = float(np.mean(predictions == y)), float(np.mean(reference == y))
    print(json.dumps({
        "benchmark": "brian2_inference", "date": time.strftime("%Y-%m-%d %H:%M"), "run": path.name,
        "n_images": int(len(y)), "target": args.target, "params": vars(params),
        "n_hidden": network.hidden_weights.shape[0], "nonsilent_synapses": network.n_nonsilent,
        "spiking_accuracy": spiking, "vectorized_accuracy": vectorized,
        "gap_points": round(100 * (vectorized - spiking), 3), "within_1_5_points": abs(vectorized - spiking) <= 0.015,
        "same_prediction": float(np.mean(predictions == reference)),
        "wall_seconds_including_build": round(wall, 1), "simulation_seconds": round(simulation, 1),
        "images_per_second": round(len(y) / wall, 2),
        "hidden_spikes_per_image": hidden_spikes / len(y), "input_spikes_per_image": input_spikes / len(y),
        "python": platform.python_version(),
    }, indent=2))


if __name__ == "__main__":
    main()
