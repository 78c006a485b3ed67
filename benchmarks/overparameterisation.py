"""Over-parameterisation factor of dense BP against our model on full MNIST; print JSON.

Usage::

    python benchmarks/overparameterisation.py --run RUN [--data DIR] [--seeds 1] [--max-hidden 1024]
    python benchmarks/overparameterisation.py --model models/mnist.toml [--data DIR]   # trains ours first

The factor is the synapses (both layers, dense) of the smallest BP network
whose validation accuracy reaches ours, divided by our non-silent synapses.
BP sizes are searched by doubling, then bisection, on the model's
validation split (carved from the training images); the test set scores
only ours and the chosen BP size.
"""

import argparse
import json
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--run", help="a finished run folder (network.npz + model.toml)")
    source.add_argument("--model", help="a model definition to train first (vectorized engine)")
    parser.add_argument("--data", default=None)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--max-hidden", type=int, default=1024)
    args = parser.parse_args()

    from neuroplastic.analysis import overparameterisation_factor
    from neuroplastic.analysis.run import run_splits
    from neuroplastic.config import load_model
    from neuroplastic.network import TrainedNetwork

    started = time.perf_counter()
    record = {"benchmark": "overparameterisation"}
    if args.run:
        from pathlib import Path

        model = load_model(Path(args.run) / "model.toml")
        network = TrainedNetwork.load(Path(args.run) / "network.npz")
        train, validation, test = run_splits(model, args.data)
        record["source"] = {"run": args.run}
    else:
        from neuroplastic.engines import make_learner

        model = load_model(args.model)
        train, validation, test = run_splits(model, args.data)
        t0 = time.perf_counter()
        network = make_learner(model).fit(train.X, train.y).to_network()
        record["source"] = {"model": args.model, "train_time_s": round(time.perf_counter() - t0, 1)}
    record["model"] = model.model.name
    record["our_test_accuracy"] = network.score(test.X, test.y)
    record["our_nonsilent"] = network.n_nonsilent
    record["result"] = overparameterisation_factor(
        network, train.X, train.y, validation.X, validation.y, X_test=test.X, y_test=test.y,
        max_hidden=args.max_hidden, seeds=tuple(range(args.seeds)),
        progress=lambda message: print(message, flush=True, file=__import__("sys").stderr))
    record["wall_time_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
