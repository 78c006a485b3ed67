"""How short a spike code could be: accuracy when every value has S+1 levels, and the least energy of S steps.

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/code_levels.py RUN [RUN ...] [--levels 1 2 4 8 16] > levels.json

With binary spikes, a neuron carries a value in S time steps as one of at
most S+1 messages: a count of 0 to S spikes (rate code) or a first spike at
one of S steps, or none (first-spike code). This script measures a network
whose inputs and hidden activity are rounded to S+1 evenly spaced levels
and which is exact in floating point otherwise: about the best a rate code
of S steps could reach (the spiking dynamics, the quantised weights and
the read-out of the class only lose more; the hidden scale is the best of
six, below, not of all). A first-spike code may space
its levels unevenly and could do somewhat better; the levels here are even.
It is measured on the validation split of the first run's model, for our
rule's runs and for dense BP 784-H-10 trained on the same split
(``--hidden``; each H keeps the better of ``--epochs`` on validation).

It also prices each point from below on a hardware profile (``--profile``,
default ``loihi1``): every neuron updated at every one of the S steps (hidden
and output units only), and one spike per non-zero input or hidden value
through each of its synapses (a first-spike code; a rate code sends more).
Static power, the steps a layer adds to the pipeline, relay or interneurons
and the routing between cores only add to it.

For each family, the point of least energy whose validation accuracy
reaches ``--target`` is selected (on validation only) and then measured on
the test set. Levels: the input ``x`` in [0, 1] is rounded to a multiple of
1/S; a hidden unit's activity to a multiple of 1/S of its scale, a
percentile of its activity on ``--calibration`` training images (per unit or
one per layer), whichever gives the best validation accuracy at that S.
Prints JSON.
"""

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

from neuroplastic.config import load_model
from neuroplastic.hardware.evaluate import load_any_network
from neuroplastic.hardware.profiles import load_profile
from neuroplastic.runner import prepare_data

#: Candidate hidden scales: percentiles of the calibration activity, per unit or one per layer.
PERCENTILES = (99.0, 99.9, 100.0)


def rounded_inputs(X, levels):
    """Inputs in [0, 1] rounded to a multiple of ``1 / levels``."""
    return np.round(np.clip(X, 0.0, 1.0) * levels) / levels


def hidden_counts(activity, scale, levels):
    """Hidden activity as counts 0..``levels`` of ``scale / levels`` (the value a spike count or spike time carries)."""
    return np.clip(np.round(activity / scale * levels), 0, levels)


class Point:
    """One network at one number of levels: its accuracy and the event counts of its code, per image.

    ``inputs`` are already rounded (:func:`rounded_inputs`) and ``activity``
    is the network's hidden activity for them; :meth:`measure` does both.
    """

    def __init__(self, network, inputs, activity, y, levels, scale):
        counts = hidden_counts(activity, scale, levels)
        potentials = np.asarray(network.output_weights @ (counts * (scale / levels)).T).T + network.output_bias
        self.accuracy = float(np.mean(network.classes[np.argmax(potentials, axis=1)] == y))
        fan_in = np.bincount(network.hidden_weights.indices, minlength=network.hidden_weights.shape[1])
        fan_out = np.bincount(network.output_weights.indices, minlength=network.output_weights.shape[1])
        active_inputs, active_hidden = inputs > 0, counts > 0
        self.spikes = float(np.mean(active_inputs.sum(axis=1) + active_hidden.sum(axis=1)))
        self.synaptic_ops = float(np.mean(active_inputs @ fan_in + active_hidden @ fan_out))
        self.neuron_updates = levels * (network.hidden_weights.shape[0] + network.output_weights.shape[0])

    @classmethod
    def measure(cls, network, X, y, levels, scale):
        """The point of images ``X`` (values in [0, 1]) with labels ``y``."""
        inputs = rounded_inputs(X, levels)
        return cls(network, inputs, network.hidden(inputs), y, levels, scale)

    def energy_uj(self, profile):
        """Least energy per inference (µJ) of this point's code on ``profile``."""
        picojoules = (self.neuron_updates * profile["neuron_update"] + self.synaptic_ops * profile["synaptic_op"]
                      + self.spikes * profile["spike"])
        return picojoules * 1e-6


def _run_name(run):
    """A run's model name, with a count of its hidden units."""
    model = load_model(Path(run) / "model.toml")
    return f"{model.model.name} ({model.network.n_hidden} units)"


def best_scale(network, X, y, calibration_activity, levels):
    """The hidden scale (percentile, per unit or per layer) of the best validation accuracy at ``levels``.

    ``calibration_activity`` is the network's hidden activity on the calibration images.
    """
    inputs = rounded_inputs(X, levels)
    activity = network.hidden(inputs)  # the same for every scale
    best = None
    for percentile in PERCENTILES:
        for per_unit in (False, True):
            scale = np.percentile(calibration_activity, percentile, axis=0 if per_unit else None)
            scale = np.maximum(scale, 1e-12)
            point = Point(network, inputs, activity, y, levels, scale)
            if best is None or point.accuracy > best[0].accuracy:
                best = (point, scale, {"percentile": percentile, "per_unit": per_unit})
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="run folders of our rule (the first one's model gives the split)")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2, 3, 4, 6, 8, 12, 16, 32],
                        help="time steps S; each value then has S+1 levels")
    parser.add_argument("--hidden", type=int, nargs="+", default=[24, 32, 40, 48, 64], help="dense BP 784-H-10")
    parser.add_argument("--epochs", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--target", type=float, default=0.96)
    parser.add_argument("--profile", default="loihi1")
    parser.add_argument("--calibration", type=int, default=2000, help="training images that set the hidden scales")
    parser.add_argument("--data", default=None, help="IDX folder, or mnist-sample")
    parser.add_argument("--out", default="runs/code-levels", help="folder for the BP networks")
    parser.add_argument("--figure", default=None, help="PNG of validation accuracy against the least energy")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from energy_matched import train_dense

    started = time.perf_counter()
    model = load_model(Path(args.runs[0]) / "model.toml")
    data = prepare_data(model, args.data)
    profile = load_profile(args.profile)
    split = {"seed": model.training.seed, "validation_fraction": model.data.validation_fraction,
             "n_train": model.data.n_train}
    dense = train_dense(data, sorted(args.hidden), args.epochs, model.training.seed, split, args.out)
    families = {"our rule": [(_run_name(run), load_any_network(run)) for run in args.runs],
                "dense BP": [(f"BP 784-{row['hidden']}-10", load_any_network(row["path"])) for row in dense]}
    calibration = data.X_train[:args.calibration]
    result = {"profile": profile.name, "target_validation_accuracy": args.target,
              "validation_images": int(len(data.y_val)), "test_images": int(len(data.y_test)), "families": {}}
    for family, networks in families.items():
        points, chosen = [], None
        for name, network in networks:
            exact = float(network.score(data.X_val, data.y_val))
            calibration_activity = network.hidden(calibration)
            for levels in args.levels:
                point, scale, how = best_scale(network, data.X_val, data.y_val, calibration_activity, levels)
                row = {"network": name, "n_hidden": int(network.hidden_weights.shape[0]), "steps": levels,
                       "validation_accuracy": point.accuracy, "validation_accuracy_exact": exact, "scale": how,
                       "neuron_updates": point.neuron_updates, "synaptic_ops": round(point.synaptic_ops, 1),
                       "spikes": round(point.spikes, 1), "energy_uj": round(point.energy_uj(profile), 4)}
                points.append(row)
                print(f"{name}, {levels} steps: validation {point.accuracy:.2%}, at least {row['energy_uj']:.3f} µJ",
                      file=sys.stderr, flush=True)
                if point.accuracy >= args.target and (chosen is None or row["energy_uj"] < chosen[0]["energy_uj"]):
                    chosen = (row, network, scale)
        selected = None
        if chosen is not None:
            row, network, scale = chosen
            test = Point.measure(network, data.X_test, data.y_test, row["steps"], scale)
            selected = {**row, "test_accuracy": test.accuracy, "test_energy_uj": round(test.energy_uj(profile), 4)}
        result["families"][family] = {"points": points, "selected": selected}
    ours, bp = (result["families"][f]["selected"] for f in ("our rule", "dense BP"))
    if ours and bp:
        result["energy_ratio_ours_to_bp"] = round(ours["test_energy_uj"] / bp["test_energy_uj"], 3)
    result["wall_time_s"] = round(time.perf_counter() - started, 1)
    if args.figure:
        plot(result, args.figure)
    print(json.dumps(result, indent=1))


def plot(result, path):
    """Validation accuracy against the least energy per inference, one line per network through its step counts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neuroplastic.atomic import atomic_write_bytes

    figure, ax = plt.subplots(figsize=(7, 4.5))
    for family, colour in (("our rule", "tab:green"), ("dense BP", "tab:blue")):
        points = result["families"][family]["points"]
        names = list(dict.fromkeys(p["network"] for p in points))
        for i, name in enumerate(names):
            line = [p for p in points if p["network"] == name]
            ax.plot([p["energy_uj"] for p in line], [100 * p["validation_accuracy"] for p in line], marker="o",
                    markersize=3, color=colour, alpha=0.3 + 0.7 * (i + 1) / len(names), label=f"{family}: {name}")
        chosen = result["families"][family]["selected"]
        if chosen:
            ax.scatter([chosen["energy_uj"]], [100 * chosen["validation_accuracy"]], marker="*", s=150, color=colour,
                       zorder=3)
    ax.axhline(100 * result["target_validation_accuracy"], color="grey", linestyle=":")
    ax.set_xscale("log")
    ax.set_ylim(90, None)
    ax.set_xlabel(f"least energy per inference on {result['profile']} (µJ): neuron updates, synaptic operations, spikes")
    ax.set_ylabel("validation accuracy, values at S+1 levels (%)")
    ax.legend(fontsize=6, loc="lower right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    plt.close(figure)
    atomic_write_bytes(path, buffer.getvalue())


if __name__ == "__main__":
    main()
