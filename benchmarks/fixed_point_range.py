"""How close a rate-coded network comes to the ranges of Loihi's fixed-point neurons. Prints JSON.

The network of a run folder is rate-coded as ``neuroplastic energy`` does
it (thresholds from the first 2,000 training images) and run in the NumPy
simulator of Lava's fixed_pt arithmetic on the first images of a split.
For every layer the script reports the largest synaptic input one neuron
received in one step, in weight steps, and the largest potential, in
weight steps, against two limits:

- Lava's bit-accurate LIF holds current and potential in 24 bits: 2**23
  units of 1/64 weight step, that is 131,072 weight steps. A current beyond
  it wraps around and a potential is clipped (the simulator does both, as
  Lava does), so a network that reaches it no longer computes its rate
  code.
- A neuron's synaptic input per step is 16-bit on Loihi: Lava 0.10's
  bit-accurate LIF declares its input port ``int16`` with precision 16,
  and its ``Sparse`` output precision 16. Lava's CPU models do not enforce
  it (a larger input arrives whole), so it is reported beside the measured
  peak: 32,767 weight steps.

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/fixed_point_range.py RUN --split validation --images 3104 \\
        --profile loihi2 --steps 128 --rate 0.25
"""

import argparse
import json

import numpy as np

from neuroplastic.hardware.evaluate import load_for_evaluation, plan_for
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.hardware.rate_code import UV_LIMIT, V_SHIFT, classify_counts, simulate

#: The 16-bit synaptic input per neuron and step of Lava's bit-accurate LIF port, in weight steps.
INPUT_LIMIT = 2**15 - 1


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
    plan = plan_for(network, X_train[:2000], profile, steps=args.steps, hidden_rate=args.rate,
                    inhibition_rate=args.inhibition_rate or args.rate)
    peaks = {}

    def observe(name, a_in, v):
        peak = peaks.setdefault(name, {"input": 0.0, "potential": 0, "clipped_steps": 0})
        peak["input"] = max(peak["input"], float(np.abs(a_in).max()))
        peak["potential"] = max(peak["potential"], int(np.abs(v).max()))
        peak["clipped_steps"] += int(np.any(np.abs(v) >= UV_LIMIT - 1))

    counts = simulate(plan, X, fixed=True, observe=observe)
    predicted = classify_counts(counts["output"], counts["output_last"], plan.classes)
    layers = {name: {"max_input_weight_steps": peak["input"],
                     "max_potential_weight_steps": peak["potential"] / V_SHIFT,
                     "steps_with_a_clipped_potential": peak["clipped_steps"],
                     "within_16_bit_input": peak["input"] <= INPUT_LIMIT,
                     "within_24_bit_state": peak["potential"] < UV_LIMIT - 1}
              for name, peak in peaks.items()}
    print(json.dumps({
        "benchmark": "fixed-point-range", "run": str(args.run), "split": args.split, "images": len(X),
        "profile": profile.name, "steps": args.steps, "rate": args.rate,
        "inhibition_rate": args.inhibition_rate or args.rate, "facilitating": plan.facilitates,
        "agreement": float(np.mean(predicted == network.predict(X))),
        "limits_weight_steps": {"input_16_bit": INPUT_LIMIT, "state_24_bit": UV_LIMIT / V_SHIFT},
        "layers": layers,
    }, indent=1))


if __name__ == "__main__":
    main()
