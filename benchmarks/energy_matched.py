"""Synaptic operations and energy per inference of our runs against dense BP of matched accuracy. Prints JSON.

Usage: python benchmarks/energy_matched.py RUN [RUN ...] [--images 1000] [--out DIR]

For the first run's training/validation split (its model.toml), dense BP
784-H-10 networks (ReLU, Adam) are trained for every H of ``--hidden`` and
every epoch count of ``--epochs``; each H keeps its best epoch count on
validation. For each run, the matched BP network is the smallest H whose
validation accuracy reaches the run's validation accuracy (chosen on
validation, never on test). Then each run, its matched BP network and BP
784-800-10 are rate coded, counted with the NumPy simulator (bit-identical
to Lava fixed_pt) on the first ``--images`` test images and priced on every
hardware profile; the report is saved into each run folder as
``energy_<profile>.*``. The BP networks are saved under ``--out``.

Issue 6: "our efficient model needs fewer synaptic operations per inference
than the dense BP network of the same accuracy" -- the ratio is printed.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from neuroplastic.atomic import atomic_write_json
from neuroplastic.baselines import BackpropClassifier
from neuroplastic.config import load_model
from neuroplastic.hardware.energy_report import save_energy_report
from neuroplastic.hardware.evaluate import evaluate_energy, load_any_network
from neuroplastic.runner import prepare_data


def train_dense(data, hidden, epochs, seed, split, out):
    """Train BP 784-H-10 for each H and epoch count; keep each H's best on validation. Returns rows.

    A network saved under ``out`` by an earlier call with the same epoch counts and split is reused.
    """
    rows = []
    for h in hidden:
        folder = Path(out) / f"bp-784-{h}-10"
        if (folder / "metrics.json").exists():
            row = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
            if row.get("epochs_tried") == list(epochs) and row.get("split") == split:
                row["path"] = str(folder)
                rows.append(row)
                continue
        best = None
        for e in epochs:
            start = time.perf_counter()
            clf = BackpropClassifier(n_hidden=h, epochs=e, random_state=seed).fit(data.X_train, data.y_train)
            row = {"hidden": h, "epochs": e, "validation_accuracy": float(clf.score(data.X_val, data.y_val)),
                   "train_seconds": round(time.perf_counter() - start, 1)}
            if best is None or row["validation_accuracy"] > best[0]["validation_accuracy"]:
                best = (row, clf)
        row, clf = best
        row.update(epochs_tried=list(epochs), split=split)
        network = clf.to_network()
        row["test_accuracy"] = float(network.score(data.X_test, data.y_test))
        row["synapses"] = int(network.hidden_weights.nnz + network.output_weights.nnz)
        folder.mkdir(parents=True, exist_ok=True)
        network.save(folder / "network.npz")
        atomic_write_json(folder / "metrics.json", row)
        row["path"] = str(folder)
        rows.append(row)
        print(f"BP 784-{h}-10: validation {row['validation_accuracy']:.2%} ({row['epochs']} epochs), "
              f"test {row['test_accuracy']:.2%}", file=sys.stderr, flush=True)
    return rows


def describe(net):
    """Accuracy, agreement, synaptic operations and energy of one evaluated network."""
    return {"synapses": net["synapses"], "engine_accuracy_on_images": net["engine_accuracy"],
            "spiking_accuracy": net["spiking_accuracy"], "agreement": net["agreement"],
            "synaptic_ops": net["synaptic_ops"], "synaptic_ops_by_path": net["synaptic_ops_by_path"],
            "energy_uj": {p: v.get("energy_uj") for p, v in net["priced"].items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run folders of our rule (with model.toml, metrics.json)")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--hidden", type=int, nargs="+", default=[16, 24, 32, 40, 48, 64, 96, 128, 192, 256])
    parser.add_argument("--epochs", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--large", type=int, default=800, help="the large dense reference, BP 784-N-10")
    parser.add_argument("--large-epochs", type=int, default=10)
    parser.add_argument("--profile", default="loihi2")
    parser.add_argument("--hidden-rate", type=float, default=0.25)
    parser.add_argument("--inhibition-rate", type=float, default=0.25)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default="runs/dense-bp", help="folder for the BP networks")
    args = parser.parse_args()
    start = time.perf_counter()
    first = load_model(Path(args.runs[0]) / "model.toml")
    data = prepare_data(first, args.data_dir)
    seed = first.training.seed
    split = {"seed": seed, "validation_fraction": first.data.validation_fraction, "n_train": first.data.n_train}
    dense = train_dense(data, sorted(args.hidden), args.epochs, seed, split, args.out)
    large = train_dense(data, [args.large], [args.large_epochs], seed, split, args.out)[0]
    X, y = data.X_test[:args.images], data.y_test[:args.images]
    calibration = data.X_train[:2000]
    summary = {"images": args.images, "steps": args.steps, "profile": args.profile, "hidden_rate": args.hidden_rate,
               "inhibition_rate": args.inhibition_rate, "dense_bp": dense,
               "large_bp": large, "runs": []}
    for run in args.runs:
        run = Path(run)
        model = load_model(run / "model.toml")
        if (model.training.seed, model.data.validation_fraction, model.data.n_train) != tuple(split.values()):
            raise SystemExit(f"{run}: its training/validation split differs from {args.runs[0]}'s; "
                             "run the benchmark once per split")
        metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
        ours_val = metrics["validation_accuracy"]
        index = next((k for k, row in enumerate(dense) if row["validation_accuracy"] >= ours_val), None)
        # the matched network, the one just below it (to show how close the call is), and the large one
        roles = [] if index is None else [("matched", dense[index])]
        if index:
            roles.append(("next smaller", dense[index - 1]))
        roles.append(("large", large))
        compare = [(f"BP 784-{row['hidden']}-10 ({role})", load_any_network(row["path"])) for role, row in roles]
        result = evaluate_energy(load_any_network(run), X, y, calibration, profile=args.profile, steps=args.steps,
                                 backend="numpy", compare=compare, hidden_rate=args.hidden_rate,
                                 inhibition_rate=args.inhibition_rate)
        result["run"] = run.name
        save_energy_report(result, run)
        ours, *others = result["networks"]
        entry = dict(run=run.name, model=metrics["model"], validation_accuracy=ours_val,
                     test_accuracy=metrics["test_accuracy"], **describe(ours))
        for (role, row), net in zip(roles, others):
            entry[f"{role.replace(' ', '_')}_bp"] = dict(
                hidden=row["hidden"], validation_accuracy=row["validation_accuracy"],
                test_accuracy=row["test_accuracy"], ops_ratio_ours_to_this=ours["synaptic_ops"] / net["synaptic_ops"],
                **describe(net))
        if index is not None:
            entry["fewer_ops_than_matched_bp"] = entry["matched_bp"]["ops_ratio_ours_to_this"] < 1
        summary["runs"].append(entry)
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
