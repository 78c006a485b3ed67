"""Spiking training of a bundled model with the Brian2 engine on MNIST, then spiking inference; print JSON.

Usage::

    python benchmarks/brian2_train.py [--model mnist_sparse] [--hidden-epochs 1] [--readout-epochs N]
                                      [--target cpp_standalone] [--test 10000] [--inference brian2|numpy]
                                      [--chunk 2000] [--calibration 2000] [--seed 0] [--data DIR] [--build-dir DIR]
                                      [--save NETWORK.npz]

The hidden phase runs in the spiking form (one Brian2 run per pass; see
:mod:`neuroplastic.engines.brian2.spiking`), the readout phase in the
vectorized engine from the same state (``Brian2Classifier``'s default in
spiking mode). Reported, all measured by this script:

- ``hidden_phase``: per pass, presentations per second of simulation
  (``cpp_standalone``: the compiled run alone), the wall time of the pass
  and, apart, its code generation and compilation time;
- ``test_accuracy_spiking``: the trained network under fully spiking
  inference (the integer rate code; ``--inference brian2`` runs it as Brian2
  neurons, ``--chunk`` images per build; ``--inference numpy`` counts the
  same spikes with the NumPy simulator, whose counts equal Brian2's, see
  ``tests/test_brian2_inference.py``), on the first ``--test`` test images;
- ``test_accuracy_vectorized``: the same weights in the vectorized engine;
- validation accuracy (vectorized) and the synapse counts.

``--save`` writes the trained network (``TrainedNetwork.save``), e.g. to run
it through Brian2's inference later with ``benchmarks/brian2_inference.py``.
"""

import argparse
import dataclasses
import json
import platform
import time

import numpy as np
from tqdm import tqdm

from neuroplastic.config import load_model, with_overrides
from neuroplastic.runner import prepare_data
from neuroplastic.engines.brian2 import brian2_target, make_brian2_learner, spiking_predict
from neuroplastic.hardware.rate_code import classify_counts, simulate


def spiking_accuracy(network, X, y, calibration, params, how, chunk, build_dir):
    """Accuracy of the fully spiking form on (X, y), ``chunk`` images per Brian2 build (or the NumPy counts)."""
    predictions = []
    plan = params.plan(network, calibration) if how == "numpy" else None
    for start in tqdm(range(0, len(y), chunk), desc="spiking inference", unit="chunk"):
        part = X[start:start + chunk]
        if how == "numpy":
            counts = simulate(plan, part)
            predictions.append(classify_counts(counts["output"], counts["output_last"], plan.classes))
        else:
            folder = None if build_dir is None else f"{build_dir}/inference{start}"
            with brian2_target("cpp_standalone", folder):
                predictions.append(spiking_predict(network, part, calibration, params, standalone=True)["predictions"])
    return float(np.mean(np.concatenate(predictions) == y))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mnist_sparse")
    parser.add_argument("--hidden-epochs", type=int, default=1)
    parser.add_argument("--readout-epochs", type=int)
    parser.add_argument("--target", default="cpp_standalone", choices=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--inference", default="brian2", choices=["brian2", "numpy"])
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--calibration", type=int, default=2000)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--data")
    parser.add_argument("--build-dir")
    parser.add_argument("--save", help="write the trained network to this .npz file")
    args = parser.parse_args(argv)

    model = with_overrides(load_model(args.model), training={
        "hidden_epochs": args.hidden_epochs, "readout_epochs": args.readout_epochs, "seed": args.seed})
    data = prepare_data(model, args.data)
    learner = make_brian2_learner(model, "spiking", target=args.target, build_dir=args.build_dir)
    bar = tqdm(total=None, unit="img", unit_scale=True, desc="training")

    def progress(done, total, nonsilent):
        bar.total = total
        bar.update(done - bar.n)

    started = time.perf_counter()
    learner.fit(data.X_train, data.y_train, progress=progress)
    fit_seconds = time.perf_counter() - started
    bar.close()
    network = learner.to_network()
    if args.save:
        network.save(args.save)
    X_test, y_test = data.X_test[:args.test], data.y_test[:args.test]
    params = model.spiking.inference_params()
    spiking = spiking_accuracy(network, X_test, y_test, data.X_train[:args.calibration], params, args.inference,
                               args.chunk, args.build_dir)
    passes = [{**run, "presentations_per_second": run["presentations"] / run["simulation_seconds"],
               "build_seconds": run["wall_seconds"] - run["simulation_seconds"]}
              for run in learner.spiking_runs_]
    print(json.dumps({
        "benchmark": "brian2_train", "date": time.strftime("%Y-%m-%d %H:%M"), "model": model.model.name, "seed": model.training.seed,
        "hidden_epochs": model.training.hidden_epochs, "readout_epochs": model.training.readout_epochs,
        "n_hidden": model.network.n_hidden, "target": args.target, "n_train": int(len(data.y_train)),
        "spiking": dataclasses.asdict(model.spiking.training_params()),
        "hidden_phase": passes, "fit_seconds": fit_seconds,
        "validation_accuracy_vectorized": (float(network.score(data.X_val, data.y_val))
                                           if data.X_val is not None and len(data.y_val) else None),
        "test_images": int(len(y_test)), "test_accuracy_vectorized": float(network.score(X_test, y_test)),
        "test_accuracy_spiking": spiking, "inference": args.inference,
        "nonsilent_synapses": dict(learner.n_synapses_),
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
    }, indent=2))


if __name__ == "__main__":
    main()
