"""Spiking training (Brian2) of the hidden layer on MNIST, readout by the three-factor rule; print JSON.

Usage::

    python benchmarks/brian2_train.py [--hidden 400] [--images 2000] [--test 10000] [--target cpp_standalone]
                                      [--period 500] [--elimination 0.02] [--budget 40] [--readout-passes 10]

The hidden passes run in one Brian2 ``run()`` (standalone: one build); the
presentations per wall-clock second are reported for the simulation alone
and including the build. The readout is trained afterwards by the
three-factor node-perturbation rule (Brian2, numpy target) on the hidden
activity of the consolidated layer.

Acceptance (issue 4): on at least 2,000 MNIST images, non-silent count well
below potential, test accuracy well above chance; at least 10 presentations
per second in standalone at 400 hidden units.
"""

import argparse
import dataclasses
import json
import time

from neuroplastic.datasets import load_dataset
from neuroplastic.engines.brian2 import Brian2Classifier, SpikingParams
from neuroplastic.rule.params import HiddenRuleParams, OutputRuleParams, RewiringParams


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=400)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--target", default="cpp_standalone", choices=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--period", type=int, default=500)
    parser.add_argument("--elimination", type=float, default=0.02)
    parser.add_argument("--budget", type=int, default=40, help="synapses per unit kept at consolidation (0: none)")
    parser.add_argument("--readout-passes", type=int, default=10)
    parser.add_argument("--perturbations", type=int, default=4)
    parser.add_argument("--readout-batch", type=int, default=100,
                        help="readout rate per presentation = 0.05 / this (the vectorized default batch size)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data")
    parser.add_argument("--build-dir")
    parser.add_argument("--spiking", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="override SpikingParams fields, e.g. theta_plus_mv=5")
    args = parser.parse_args()

    data = load_dataset("mnist", args.data)
    train = data.train.subsample(args.images, args.seed)
    test = data.test.subsample(min(args.test, len(data.test)), args.seed) if args.test < len(data.test) else data.test
    learner = Brian2Classifier(
        mode="spiking", target=args.target, build_dir=args.build_dir, n_hidden=args.hidden,
        epochs=1 + args.readout_passes, batch_size=args.readout_batch,
        spiking=SpikingParams(**{k: float(v) for k, v in (item.split("=", 1) for item in args.spiking)}),
        hidden=HiddenRuleParams(epochs=1),
        rewiring=RewiringParams(period=args.period, elimination_threshold=args.elimination,
                                synapses_per_unit=args.budget or None),
        output=OutputRuleParams(n_perturbations=args.perturbations), random_state=args.seed)
    started = time.perf_counter()
    timings = {}
    original = learner._hidden_phase

    def timed_hidden_phase(*a, **k):
        began = time.perf_counter()
        original(*a, **k)
        timings["hidden_seconds"] = time.perf_counter() - began

    learner._hidden_phase = timed_hidden_phase
    learner.fit(train.X, train.y)
    total = time.perf_counter() - started
    network = learner.to_network()
    before_budget = [r for r in learner.history_ if r["phase"] == "rewiring"]
    accuracy = network.score(test.X, test.y)
    print(json.dumps({
        "benchmark": "brian2_train", "date": time.strftime("%Y-%m-%d %H:%M"), "target": args.target,
        "n_hidden": args.hidden, "n_train_images": len(train.y), "n_test_images": len(test.y),
        "spiking_params": dataclasses.asdict(learner.spiking),
        "presentations_per_second_simulation": round(len(train.y) / learner.spiking_info_["simulation_seconds"], 2),
        "presentations_per_second_including_build": round(len(train.y) / timings["hidden_seconds"], 2),
        "hidden_phase_seconds_including_build": round(timings["hidden_seconds"], 1),
        "total_seconds": round(total, 1),
        "spikes_per_presentation": learner.spiking_info_.get("spikes_per_presentation"),
        "units_that_fired": learner.spiking_info_.get("units_that_fired"),
        "potential_hidden_synapses": args.hidden * 784,
        "nonsilent_after_rewiring_events": [r["nonsilent_hidden"] for r in before_budget],
        "nonsilent_hidden_final": network.n_nonsilent["hidden"],
        "nonsilent_total_final": network.n_nonsilent["total"],
        "test_accuracy": accuracy,
        "history": learner.history_,
    }, indent=2))


if __name__ == "__main__":
    main()
