"""Fully spiking inference (Brian2) of a vectorized-trained network on MNIST test images; print JSON.

Usage::

    python benchmarks/brian2_inference.py RUN [--images 1000] [--target cpp_standalone] [--data DIR]
                                          [--calibration 2000] [--chunk 2000] [--activation NAME]
                                          [--check-simulate] [--numpy] [--hidden-rate "250 Hz"]
                                          [--inhibition-rate "1 kHz"] [--build-dir DIR]

``RUN`` is a run folder (``network.npz`` + ``model.toml``); timing and rates
come from its ``[spiking]`` table. The network becomes the integer rate code
of the hardware layer (thresholds fitted on the first ``--calibration``
training images) and runs as Brian2 neurons, ``--chunk`` images per build
(the input spikes of a chunk are held in memory). ``--activation`` swaps the
network's activation (same weights) to measure the error of another
activation's spiking form against its float network. ``--check-simulate``
also runs the NumPy reference simulator of the same plan and reports the
fraction of images whose output spike counts it reproduces exactly;
``--numpy`` counts with that simulator only (its counts equal Brian2's, see
``tests/test_brian2_inference.py``), to measure many settings quickly.
``--hidden-rate`` and ``--inhibition-rate`` replace the ``[spiking]`` table's.
"""

import argparse
import dataclasses
import json
import platform
import time

import numpy as np

from neuroplastic.engines.brian2 import brian2_target, spiking_predict
from neuroplastic.hardware.rate_code import classify_counts, simulate
from neuroplastic.runs import load_run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--target", default="cpp_standalone", choices=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--data")
    parser.add_argument("--calibration", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--activation")
    parser.add_argument("--check-simulate", action="store_true")
    parser.add_argument("--numpy", action="store_true")
    parser.add_argument("--hidden-rate")
    parser.add_argument("--inhibition-rate")
    parser.add_argument("--build-dir", help="standalone build / cython cache folder (default: a temporary folder)")
    args = parser.parse_args()

    loaded = load_run(args.run, args.data)
    network, data = loaded.network, loaded.data
    if args.activation:
        network = dataclasses.replace(network, activation=args.activation)
    spec = loaded.model.spiking
    for name in ("hidden_rate", "inhibition_rate"):
        if getattr(args, name):
            spec = dataclasses.replace(spec, **{name: getattr(args, name)})
    spec.validate()
    params = spec.inference_params()
    X, y = data.X_test[:args.images], data.y_test[:args.images]
    calibration = data.X_train[:args.calibration]
    predictions, same_counts, wall, simulation, spikes = [], [], 0.0, 0.0, {}
    plan = None
    for start in range(0, len(y), args.chunk):
        began = time.perf_counter()
        build_dir = None if args.build_dir is None else f"{args.build_dir}/chunk{start}"
        chunk = X[start:start + args.chunk]
        if args.numpy:
            plan = params.plan(network, calibration)
            result = simulate(plan, chunk)
            result["plan"], result["simulation_wall_seconds"] = plan, None
            result["predictions"] = classify_counts(result["output"], result["output_last"], plan.classes)
            result["total_spikes"] = {name: int(result[name].sum()) for name in
                                      ("hidden", "output", "inhibition", "relay", "input")}
        else:
            with brian2_target(args.target, build_dir):
                result = spiking_predict(network, chunk, calibration, params,
                                         standalone=args.target == "cpp_standalone", progress=True)
        wall += time.perf_counter() - began
        plan = result["plan"]
        predictions.append(result["predictions"])
        simulation += result["simulation_wall_seconds"] or 0.0
        for name, count in result["total_spikes"].items():
            spikes[name] = spikes.get(name, 0) + count
        if args.check_simulate:
            reference = simulate(plan, chunk)
            same_counts.append(np.all(reference["output"] == result["output"], axis=0))
    predictions = np.concatenate(predictions)
    reference = network.predict(X)
    spiking, vectorized = float(np.mean(predictions == y)), float(np.mean(reference == y))
    print(json.dumps({
        "benchmark": "brian2_inference", "date": time.strftime("%Y-%m-%d %H:%M"), "run": str(args.run),
        "activation": network.activation, "mapping": plan.notes["mapping"],
        "exact_mapping": plan.notes["exact_mapping"],
        "n_images": int(len(y)), "target": "numpy simulator (rate_code.simulate)" if args.numpy else args.target,
        "params": dataclasses.asdict(params),
        "n_hidden": network.hidden_weights.shape[0], "nonsilent_synapses": network.n_nonsilent,
        "spiking_accuracy": spiking, "vectorized_accuracy": vectorized,
        "gap_points": round(100 * (vectorized - spiking), 3),
        "same_prediction": float(np.mean(predictions == reference)),
        "output_counts_equal_simulate": float(np.mean(np.concatenate(same_counts))) if same_counts else None,
        "wall_seconds_including_build": round(wall, 1), "simulation_seconds": round(simulation, 1),
        "images_per_second": round(len(y) / wall, 2),
        "spikes_per_image": {name: count / len(y) for name, count in spikes.items()},
        "python": platform.python_version(),
    }, indent=2))


if __name__ == "__main__":
    main()
