"""Our accuracy-synapse front beside dense backpropagation, both measured here; print JSON.

Usage (from the project root, with NEUROPLASTIC_DATA pointing at MNIST)::

    .venv/bin/python benchmarks/pareto.py [--model models/mnist_sparse.toml] [--data DIR]
    .venv/bin/python benchmarks/pareto.py --quick --data-set mnist-sample   # a minute-long smoke run
    .venv/bin/python benchmarks/pareto.py --bp-only                         # the dense-BP points alone

Each of our points is the model with the hidden size, the synapses each
hidden unit keeps (it may hold twice as many while the hidden layer
develops, as in ``mnist_sparse``) and the readout synapses (split evenly
over the output units) changed. Each dense-BP point is the project's
own :class:`neuroplastic.baselines.BackpropClassifier` (one hidden layer,
Adam, cross-entropy) trained on the same training part of the same split,
scored on the same validation and test images. Synapses count both layers
(non-silent input->hidden plus hidden->output) for both. Every number
printed is measured by this script; nothing is copied from elsewhere.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

#: (hidden units, synapses per hidden unit, readout synapses): about 10k to 100k synapses in total.
POINTS = [(1500, 4, 4000), (2000, 5, 6000), (3000, 8, 10000), (4000, 10, 20000), (6000, 12, 28000)]

#: Hidden sizes of the dense-BP points (about 13k to 640k synapses on MNIST).
BP_HIDDEN = (16, 32, 50, 100, 800)

#: Small settings for --quick: two points of each kind.
QUICK_POINTS = [(100, 4, 300), (200, 8, 600)]
QUICK_BP_HIDDEN = (8, 16)


def dense_bp_points(data, hidden_sizes, *, epochs=20, seed=0, progress=None):
    """Train dense BP at each hidden size on ``data``'s training part; measure accuracy and synapses.

    Parameters
    ----------
    data : neuroplastic.runner.TrainingData
        The arrays of a run (training, validation and test).
    hidden_sizes : sequence of int
    epochs : int
        BP's passes over the training part.
    seed : int
    progress : callable, optional
        Receives each point as it is measured.

    Returns
    -------
    list of dict
        ``hidden``, ``validation_accuracy`` (``None`` without a validation
        split), ``test_accuracy``, ``synapses`` (non-zero weights of both
        layers), ``train_seconds``.
    """
    from neuroplastic.baselines import BackpropClassifier

    points = []
    for n_hidden in hidden_sizes:
        clf = BackpropClassifier(n_hidden=int(n_hidden), epochs=epochs, random_state=seed).fit(data.X_train,
                                                                                                data.y_train)
        network = clf.to_network()
        points.append({
            "hidden": int(n_hidden),
            "validation_accuracy": network.score(data.X_val, data.y_val) if len(data.y_val) else None,
            "test_accuracy": network.score(data.X_test, data.y_test),
            "synapses": int(network.n_nonsilent["total"]),
            "train_seconds": round(float(clf.fit_time_s_), 1),
        })
        if progress is not None:
            progress(points[-1])
    return points


def structural_points(model, points, *, data_dir=None, progress=None):
    """Train our rule at each (hidden, synapses per unit, readout budget) point; measure accuracy and synapses."""
    from neuroplastic.config.overrides import apply_dotted
    from neuroplastic.runner import train_model

    ours = []
    with tempfile.TemporaryDirectory() as scratch:
        for n_hidden, per_unit, readout in points:
            n_classes = len(model.data.classes) if model.data.classes is not None else 10
            variant = apply_dotted(model, {"network.n_hidden": n_hidden,
                                           "rule.rewiring.max_synapses_per_unit": 2 * per_unit,
                                           "rule.rewiring.synapses_per_unit": per_unit,
                                           "rule.output.synapses_per_unit": readout // n_classes})
            _, metrics = train_model(variant, data_dir=data_dir, out=Path(scratch) / f"h{n_hidden}")
            ours.append({"hidden": n_hidden, "synapses_per_unit": per_unit, "readout_budget": readout,
                         "test_accuracy": metrics["test_accuracy"],
                         "validation_accuracy": metrics["validation_accuracy"],
                         "synapses": metrics["nonsilent_synapses"]["total"],
                         "train_seconds": metrics["train_seconds"]})
            if progress is not None:
                progress(ours[-1])
    return ours


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/mnist_sparse.toml", help="our model (default %(default)s)")
    parser.add_argument("--data", default=None, help="folder with the IDX files (default: search order)")
    parser.add_argument("--data-set", default=None, help="override [data] dataset, e.g. mnist-sample")
    parser.add_argument("--bp-epochs", type=int, default=20, help="BP epochs (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="two small points of each kind")
    parser.add_argument("--bp-only", action="store_true", help="measure only the dense-BP points")
    args = parser.parse_args(argv)

    from neuroplastic.config import load_model, with_overrides
    from neuroplastic.runner import prepare_data

    model = load_model(args.model)
    if args.data_set:
        model = with_overrides(model, data={"dataset": args.data_set})
    show = lambda point: print(json.dumps(point), file=sys.stderr, flush=True)  # noqa: E731
    ours = [] if args.bp_only else structural_points(model, QUICK_POINTS if args.quick else POINTS,
                                                     data_dir=args.data, progress=show)
    data = prepare_data(model, args.data)
    dense = dense_bp_points(data, QUICK_BP_HIDDEN if args.quick else BP_HIDDEN, epochs=args.bp_epochs,
                            seed=model.training.seed, progress=show)
    print(json.dumps({"model": model.model.name, "data": data.description, "structural_plasticity": ours,
                      "dense_bp": dense, "dense_bp_settings": {"epochs": args.bp_epochs, "seed": model.training.seed,
                                                               "learner": "neuroplastic.baselines.BackpropClassifier"}},
                     indent=2))


if __name__ == "__main__":
    main()
