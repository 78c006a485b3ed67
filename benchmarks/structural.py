"""What structural plasticity buys: the rule against its ablations and sparse/dense BP at equal synapse counts.

For each budget (a model definition and its total synapse count) and seed it
trains, on the model's own stratified training/validation split of full MNIST:

  (a) dense_prune     dense warm-up pass, then each unit keeps its strongest (one-shot magnitude prune)
  (b) fixed_random    sparse from birth, fixed uniformly random support
  (c) fixed_active    sparse from birth, fixed support at active inputs
  (d) structural      the rule: growth at active inputs and elimination all through learning
  (e) SET and pruned BP at the same total synapse count
  (f) DEEP R (if the baseline is installed) at the same count
  (g) dense BP 784-H-10 with the total synapse count nearest the budget

(the BP baselines take (d)'s synapse count, or the model's own when (d) is
not run) and prints one JSON document: per variant and seed the validation and test
accuracy, the synapse count and the training wall time; the means; the
differences the acceptance asks for; and the wall time of (d) and of dense BP
784-100-10 to reach (d)'s mean test accuracy. A Pareto figure (test accuracy
against total synapses) is written with ``--figure``.

Usage::

    NEUROPLASTIC_DATA=DIR python benchmarks/structural.py --budgets mnist_sparse mnist --seeds 0 1 2 \\
        --figure docs/figures/structural_pareto.png > structural.json

``--readout-epochs N`` shortens every rule variant's readout phase alike (the
JSON records the value used); ``--deep-r-learning-rate`` sets DEEP R's Adam
step size, to be chosen on validation (the JSON records it too).
``--figure-from A.json B.json ...`` draws the figure from earlier outputs of
this script (their per-budget summaries merged, later files adding
variants), without training anything.
"""

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from neuroplastic.config import dump_model, load_model
from neuroplastic.engines import make_learner
from neuroplastic.experiments.bp_timing import bp_time_to_accuracy
from neuroplastic.experiments.structural import VARIANTS, magnitude_pruned_hidden, variant_model
from neuroplastic.runner import prepare_data

MODELS = Path(__file__).resolve().parents[1] / "models"


def rule_variant(model, variant, data, seed, readout_epochs):
    model = variant_model(model, variant)
    training = dataclasses.replace(model.training, seed=seed,
                                   readout_epochs=readout_epochs or model.training.readout_epochs)
    model = dataclasses.replace(model, training=training)
    learner = make_learner(model)
    started = time.perf_counter()
    initial = None
    if variant == "dense_prune":
        rule = model.rule
        initial = magnitude_pruned_hidden(data.X_train, model.network.n_hidden, rule.rewiring.budget,
                                          np.random.default_rng(seed), weight_low=rule.hidden.initial_weight_low,
                                          weight_high=rule.hidden.initial_weight_high,
                                          win_count=rule.hidden.initial_win_count, homeostasis=rule.homeostasis)
    learner.fit(data.X_train, data.y_train, initial_hidden=initial)
    seconds = time.perf_counter() - started
    return {"val": learner.score(data.X_val, data.y_val), "test": learner.score(data.X_test, data.y_test),
            "synapses": learner.n_synapses_["total"], "hidden_synapses": learner.n_synapses_["hidden"],
            "seconds": seconds, "readout_epochs": training.readout_epochs,
            "turnover_per_pass": [e.get("turnover") for e in learner.dynamics_["epochs"]]}


def sparse_bp_width(total, n_inputs=784, n_classes=10, width=300, max_density=0.75):
    """Hidden width of the sparse BP baselines (SET, pruned BP, DEEP R) at ``total`` synapses.

    300, the first layer of the LeNet-300-100 network of DEEP R's MNIST
    experiments, unless ``total`` would fill more than ``max_density`` of
    784-300-10's connections; then the narrowest width it fills to
    ``max_density``, so that each baseline is still sparse.
    """
    return max(width, math.ceil(total / (max_density * (n_inputs + n_classes))))


def bp_variant(kind, total, data, seed, epochs, deep_r_learning_rate=1e-3):
    from neuroplastic import baselines

    n_hidden = sparse_bp_width(total)
    hidden_share = 15 / 16
    if kind == "dense_bp":
        n_hidden = max(1, round(total / (data.X_train.shape[1] + 10)))
        clf = baselines.BackpropClassifier(n_hidden=n_hidden, epochs=epochs, random_state=seed)
    elif kind == "pruned_bp":
        clf = baselines.PrunedBackpropClassifier(
            n_hidden=n_hidden, epochs=epochs // 2, retrain_epochs=max(1, epochs // 6), random_state=seed,
            target_sparsity=1 - hidden_share * total / (784 * n_hidden),
            output_sparsity=max(0.0, 1 - (1 - hidden_share) * total / (10 * n_hidden)))
    elif kind == "set":
        clf = baselines.SparseEvolutionaryClassifier(n_hidden=n_hidden, epochs=epochs, random_state=seed,
                                                     epsilon=total / (784 + n_hidden + n_hidden + 10))
    else:
        cls = getattr(baselines, "DeepRewiringClassifier", None)
        if cls is None:
            return None
        # 1/16 of the budget in the output layer, at most all of its 10 * n_hidden connections
        output = min(10 * n_hidden, int((1 - hidden_share) * total))
        clf = cls(n_hidden=n_hidden, epochs=epochs, random_state=seed, learning_rate=deep_r_learning_rate,
                  hidden_connections=total - output, output_connections=output)
    started = time.perf_counter()
    clf.fit(data.X_train, data.y_train)
    seconds = time.perf_counter() - started
    return {"val": clf.score(data.X_val, data.y_val), "test": clf.score(data.X_test, data.y_test),
            "synapses": clf.n_nonsilent_["total"],
            "seconds": seconds, "n_hidden": n_hidden, "epochs": epochs, "learning_rate": clf.learning_rate}


def model_synapses(model, n_classes=10):
    """Total synapses the rule's model holds after its hidden phase: hidden units x budget plus the readout's."""
    n_hidden = model.network.n_hidden
    per_output = model.rule.output.synapses_per_unit
    return n_hidden * model.rule.rewiring.budget + n_classes * (n_hidden if per_output is None else per_output)


def summarise(runs):
    out = {}
    for name, rows in runs.items():
        rows = [r for r in rows if r is not None]
        if rows:
            out[name] = {key: float(np.mean([r[key] for r in rows])) for key in ("val", "test", "synapses", "seconds")}
            # sample standard deviation over seeds (0 for one seed)
            out[name]["test_std"] = float(np.std([r["test"] for r in rows], ddof=1)) if len(rows) > 1 else 0.0
            out[name]["n_seeds"] = len(rows)
    return out


def merge_outputs(paths):
    """The ``results`` of several outputs of this script, merged per budget (later files add variants).

    Summaries are recomputed from the per-seed runs where a file has them.
    """
    merged = {}
    for path in paths:
        for budget, entry in json.loads(Path(path).read_text(encoding="utf-8"))["results"].items():
            summary = summarise(entry["runs"]) if "runs" in entry else entry["summary"]
            merged.setdefault(budget, {"summary": {}})["summary"].update(summary)
    return merged


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    markers = {"dense_prune": "s", "fixed_random": "v", "fixed_active": "^", "structural": "*", "set": "x",
               "pruned_bp": "+", "deep_r": "D", "dense_bp": "o"}
    for name, marker in markers.items():
        points = [(b["summary"][name]["synapses"], 100 * b["summary"][name]["test"],
                   100 * b["summary"][name].get("test_std", 0.0)) for b in results.values() if name in b["summary"]]
        if points:
            xs, ys, sds = zip(*points)
            ax.errorbar(xs, ys, yerr=sds, marker=marker, linestyle="", capsize=3,
                        markersize=10 if name == "structural" else 7, label=name)
    ax.set_xscale("log")
    ax.set_xlabel("total non-silent synapses")
    ax.set_ylabel("test accuracy (%), mean and sd over seeds")
    ax.set_title("Accuracy against synapses on full MNIST")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budgets", nargs="+", default=["mnist_sparse", "mnist"], help="model definitions")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--readout-epochs", type=int, default=None, help="shorten every rule variant's readout phase")
    parser.add_argument("--bp-epochs", type=int, default=20)
    parser.add_argument("--deep-r-learning-rate", type=float, default=1e-3,
                        help="DEEP R's Adam step size (choose it on validation; the other BP baselines use 1e-3)")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS) + ["set", "pruned_bp", "deep_r", "dense_bp"])
    parser.add_argument("--figure", default=None, help="write the Pareto figure here")
    parser.add_argument("--figure-from", nargs="+", default=None, metavar="JSON",
                        help="only draw --figure from earlier outputs of this script")
    args = parser.parse_args(argv)
    if args.figure_from:
        if not args.figure:
            parser.error("--figure-from needs --figure")
        plot(merge_outputs(args.figure_from), args.figure)
        print(json.dumps({"figure": args.figure, "from": args.figure_from}))
        return
    results = {}
    for budget in args.budgets:
        model = load_model(MODELS / f"{budget}.toml")
        data = prepare_data(model)
        runs = {v: [] for v in args.variants}
        for seed in args.seeds:
            for variant in args.variants:
                if variant in VARIANTS:
                    row = rule_variant(model, variant, data, seed, args.readout_epochs)
                else:
                    total = runs["structural"][0]["synapses"] if runs.get("structural") else None
                    row = bp_variant(variant, total or model_synapses(model), data, seed, args.bp_epochs,
                                     args.deep_r_learning_rate)
                runs[variant].append(row)
                print(f"{budget} seed {seed} {variant}: {json.dumps(row)[:160]}", file=sys.stderr)
        summary = summarise(runs)
        entry = {"model": budget, "definition": dump_model(model), "runs": runs, "summary": summary}
        if "structural" in summary:
            for other in ("dense_prune", "fixed_random", "fixed_active"):
                if other in summary:
                    entry[f"structural_minus_{other}_test_points"] = 100 * (summary["structural"]["test"]
                                                                           - summary[other]["test"])
            timing = bp_time_to_accuracy(data, summary["structural"]["test"], args.seeds[0])
            entry["time_to_accuracy"] = {
                "target_test": summary["structural"]["test"], "structural_seconds": summary["structural"]["seconds"],
                "dense_bp": timing,
                "ratio_structural_to_bp": (summary["structural"]["seconds"] / timing["seconds_to_target"]
                                           if timing["seconds_to_target"] else None),
                "ratio_structural_to_bp_without_compilation": (
                    summary["structural"]["seconds"] / timing["seconds_to_target_without_compilation"]
                    if timing["seconds_to_target_without_compilation"] else None)}
        results[budget] = entry
    out = {"benchmark": "structural", "data": "full MNIST, each model's stratified validation split",
           "seeds": args.seeds, "readout_epochs": args.readout_epochs, "bp_epochs": args.bp_epochs,
           "deep_r_learning_rate": args.deep_r_learning_rate, "results": results}
    if args.figure:
        plot(results, args.figure)
        out["figure"] = args.figure
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
