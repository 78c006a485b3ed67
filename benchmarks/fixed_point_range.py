"""How close a rate-coded network comes to the ranges of Loihi's fixed-point neurons. Prints JSON.

The network of a run folder is rate-coded as ``neuroplastic energy`` does
it (thresholds from the first 2,000 training images) and run in the NumPy
simulator of Lava's fixed_pt arithmetic on the first images of a split.
For every layer the script reports the largest synaptic input one neuron
received in one step, in weight steps, and the largest potential, in
weight steps, against Loihi's 16-bit input and 24-bit state
(:mod:`neuroplastic.hardware.ranges`, which ``neuroplastic energy`` also
reports).

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/fixed_point_range.py RUN --split validation --images 3104 \\
        --profile loihi2 --steps 128 --rate 0.25
"""

import argparse
import json

import numpy as np

from neuroplastic.hardware.evaluate import load_for_evaluation, plan_for
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.ranges import INPUT_LIMIT, STATE_LIMIT, PeakRanges
from neuroplastic.hardware.rate_code import classify_counts, simulate


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="run folder, or a saved network .npz (test split only)")
    parser.add_argument("--split", choices=("test", "validation"), default="test")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--profile", default="loihi2", help="profile whose weight precision and spikes are used")
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--rate", type=float, default=0.25, help="hidden and interneuron rate (default 0.25)")
    parser.add_argument("--inhibition-rate", type=float, default=None, help="interneuron rate (default: --rate)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    network, X, _, X_train = load_for_evaluation(args.run, args.data_dir, split=args.split)
    X = X[:args.images]
    profile = load_profile(args.profile)
    inhibition_rate = args.rate if args.inhibition_rate is None else args.inhibition_rate
    plan = plan_for(network, X_train[:2000], profile, steps=args.steps, hidden_rate=args.rate,
                    inhibition_rate=inhibition_rate)
    ranges = PeakRanges()
    counts = simulate(plan, X, fixed=True, observe=ranges)
    predicted = classify_counts(counts["output"], counts["output_last"], plan.classes)
    print(json.dumps({
        "benchmark": "fixed-point-range", "run": str(args.run), "split": args.split, "images": len(X),
        "profile": profile.name, "steps": args.steps, "rate": args.rate,
        "inhibition_rate": inhibition_rate, "facilitating": plan.facilitates,
        "agreement": float(np.mean(predicted == network.predict(X))),
        "limits_weight_steps": {"input_16_bit": INPUT_LIMIT, "state_24_bit": STATE_LIMIT},
        "layers": ranges.layers(),
    }, indent=1))


if __name__ == "__main__":
    main()
