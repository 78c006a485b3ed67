"""Lava wall time against the number of lanes (copies of the network run side by side). Prints JSON.

The network of a run folder is rate-coded as ``neuroplastic energy`` does
it, then run in Lava fixed_pt on the first test images once per ``--lanes``
value. Every run's spike counts are checked against the NumPy simulator of
the same integer dynamics, layer by layer, so a faster run that counted
differently would show ``"same_counts": false``.

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/lava_lanes.py RUN --images 200 --lanes 1 5 25 --steps 256 --rate 1
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from neuroplastic.hardware.evaluate import load_for_evaluation, plan_for
from neuroplastic.hardware.lava_net import run_lava
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.rate_code import simulate

LAYERS = ("input", "hidden", "inhibition", "relay", "output", "output_last")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="run folder, or a saved network .npz (then MNIST or --data-dir)")
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--lanes", type=int, nargs="+", default=[1, 5, 25])
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--rate", type=float, default=1.0, help="hidden and interneuron rate (default 1)")
    parser.add_argument("--profile", default="loihi1", help="profile whose weight precision is used")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--calibration-images", type=int, default=2000)
    args = parser.parse_args(argv)
    network, X, _, X_train = load_for_evaluation(args.run, args.data_dir)
    X = X[:args.images]
    plan = plan_for(network, X_train[:args.calibration_images], load_profile(args.profile), steps=args.steps,
                    hidden_rate=args.rate, inhibition_rate=args.rate)
    reference = simulate(plan, X, fixed=True)
    runs = []
    for lanes in args.lanes:
        start = time.perf_counter()
        counts = run_lava(plan, X, tag="fixed_pt", lanes=lanes)
        wall = time.perf_counter() - start
        same = all(np.array_equal(counts[layer], reference[layer]) for layer in LAYERS)
        runs.append({"lanes": lanes, "lava_wall_time_s": round(wall, 1),
                     "seconds_per_image": round(wall / len(X), 4), "same_counts": same})
    name = network.metadata.get("model", Path(args.run).name)  # a run's network knows its model
    print(json.dumps({"model": name, "n_hidden": plan.n_hidden, "images": len(X),
                      "steps": args.steps, "rate": args.rate, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
