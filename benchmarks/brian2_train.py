"""Training with the Brian2 engine (rate form) on MNIST, the rule's one schedule; print JSON.

Usage::

    python benchmarks/brian2_train.py [--hidden 100] [--images 2000] [--test 10000] [--target cython]
                                      [--hidden-epochs 1] [--readout-epochs 5] [--batch-size 100]
                                      [--max-synapses 16] [--synapses-per-unit 16] [--growth 0.1]
                                      [--readout-growth 0.01] [--period 1000]

The hidden layer's competition, conscience and instar run in Brian2, one
presentation per time step; growth, gain control, the readout and the
rewiring events run in NumPy between Brian2 runs (see
:mod:`neuroplastic.engines.brian2.learner`). With growth on, a Brian2 run
lasts one batch (``--batch-size`` presentations). The spiking form is not
available for training with the sparse-from-birth rule yet.

Reported: presentations per wall-clock second of the whole session, test
accuracy, synapse counts and the census totals.
"""

import argparse
import json
import time

from neuroplastic.datasets import load_dataset
from neuroplastic.engines.brian2 import Brian2Classifier
from neuroplastic.rule.params import OutputRuleParams, RewiringParams


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--target", default="cython", choices=["numpy", "cython"])
    parser.add_argument("--hidden-epochs", type=int, default=1)
    parser.add_argument("--readout-epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--max-synapses", type=int, default=16, help="rewiring.max_synapses_per_unit")
    parser.add_argument("--synapses-per-unit", type=int, default=0, help="budget of the readout phase (0: capacity)")
    parser.add_argument("--growth", type=float, default=0.1, help="rewiring.growth_probability")
    parser.add_argument("--readout-growth", type=float, default=0.01, help="rewiring.readout_growth_probability")
    parser.add_argument("--period", type=int, default=1000)
    parser.add_argument("--perturbations", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data")
    parser.add_argument("--build-dir")
    args = parser.parse_args()

    data = load_dataset("mnist", args.data)
    train = data.train.subsample(args.images, args.seed)
    test = data.test.subsample(min(args.test, len(data.test)), args.seed) if args.test < len(data.test) else data.test
    learner = Brian2Classifier(
        mode="rate", target=args.target, build_dir=args.build_dir, n_hidden=args.hidden,
        hidden_epochs=args.hidden_epochs, readout_epochs=args.readout_epochs, batch_size=args.batch_size,
        rewiring=RewiringParams(max_synapses_per_unit=args.max_synapses, synapses_per_unit=args.synapses_per_unit or None,
                                growth_probability=args.growth, readout_growth_probability=args.readout_growth,
                                period=args.period),
        output=OutputRuleParams(n_perturbations=args.perturbations), random_state=args.seed)
    started = time.perf_counter()
    learner.fit(train.X, train.y)
    total = time.perf_counter() - started
    network = learner.to_network()
    presentations = (args.hidden_epochs + args.readout_epochs) * len(train.y)
    print(json.dumps({
        "benchmark": "brian2_train", "date": time.strftime("%Y-%m-%d %H:%M"), "target": args.target,
        "mode": "rate", "n_hidden": args.hidden, "n_train_images": len(train.y), "n_test_images": len(test.y),
        "arguments": vars(args),
        "presentations_per_second": round(presentations / total, 2),
        "total_seconds": round(total, 1),
        "potential_hidden_synapses": args.hidden * 784,
        "nonsilent_hidden_final": network.n_nonsilent["hidden"],
        "nonsilent_total_final": network.n_nonsilent["total"],
        "grown": learner.dynamics_["grown"], "eliminated": learner.dynamics_["eliminated"],
        "test_accuracy": network.score(test.X, test.y),
        "history": learner.history_,
    }, indent=2))


if __name__ == "__main__":
    main()
