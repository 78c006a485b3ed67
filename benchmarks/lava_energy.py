"""Lava run on MNIST test images: agreement with the engine, accuracy, energy, wall time. Prints JSON.

Usage: python benchmarks/lava_energy.py RUN_OR_NETWORK [--images 1000] [--steps 128] [--tag fixed_pt]
       [--hidden-rate 0.25] [--inhibition-rate 0.25] [--lanes 25]
Target (issue 6): 1,000 images with fixed_pt in at most 10 minutes; agreement >= 99%.
"""

import argparse
import json
import time

from neuroplastic.hardware.evaluate import energy_for_run
from neuroplastic.hardware.lava_net import LANES


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--tag", default="fixed_pt", choices=("fixed_pt", "floating_pt"))
    parser.add_argument("--profile", default="loihi2")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--hidden-rate", type=float, default=0.25)
    parser.add_argument("--inhibition-rate", type=float, default=0.25)
    parser.add_argument("--lanes", type=int, default=LANES, help="copies of the network run side by side")
    args = parser.parse_args()
    start = time.perf_counter()
    result, _ = energy_for_run(args.run, profile=args.profile, images=args.images, steps=args.steps,
                               tag=args.tag, data_dir=args.data_dir, hidden_rate=args.hidden_rate,
                               inhibition_rate=args.inhibition_rate, lanes=args.lanes)
    total = time.perf_counter() - start
    net = result["networks"][0]
    summary = {
        "images": args.images, "steps": args.steps, "tag": args.tag, "hidden_rate": args.hidden_rate,
        "inhibition_rate": args.inhibition_rate, "lanes": args.lanes,
        "lava_wall_time_s": round(net["wall_time_s"], 1), "total_wall_time_s": round(total, 1),
        "within_10_minutes": net["wall_time_s"] <= 600,
        "agreement": net["agreement"], "engine_accuracy": net["engine_accuracy"],
        "lava_accuracy": net["spiking_accuracy"], "synapses": net["synapses"],
        "energy_uj": {p: v.get("energy_uj") for p, v in net["priced"].items()},
        "synaptic_ops_per_inference": net["synaptic_ops"],
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
