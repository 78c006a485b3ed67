"""Reproduce the paper's table (digits 1, 2, 6) and time it; print the table rows as JSON.

Usage::

    python benchmarks/compare_paper.py [--model models/paper_126.toml] [--hidden 10 30 100 200]
                                       [--seeds 3] [--out runs/compare_paper] [--data DIR]

Acceptance (issue 5): BP within 0.5 points of the paper's accuracy, our
C_S at least 10x BP's at every size, whole run within 30 minutes.
"""

import argparse
import json
import time

MODEL = "models/paper_126.toml"
HIDDEN = (10, 30, 100, 200)
SEEDS = 3


def checks(table):
    """The acceptance checks, per hidden size."""
    by_key = {(row["method"], row["hidden"]): row for row in table}
    out = []
    for hidden in sorted({row["hidden"] for row in table}):
        bp, ours = by_key.get(("bp", hidden)), by_key.get(("rule", hidden))
        check = {"hidden": hidden}
        if bp and "paper_accuracy" in bp:
            check["bp_accuracy_gap_points"] = round(100 * (bp["accuracy"] - bp["paper_accuracy"]), 3)
            check["bp_within_half_point"] = abs(check["bp_accuracy_gap_points"]) <= 0.5
        if bp and ours:
            check["c_s_ratio_rule_over_bp"] = ours["c_s"] / bp["c_s"]
            check["c_s_at_least_10x"] = check["c_s_ratio_rule_over_bp"] >= 10
            if "paper_accuracy" in ours:
                check["rule_at_or_above_paper"] = ours["accuracy"] >= ours["paper_accuracy"]
        out.append(check)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--hidden", type=int, nargs="+", default=list(HIDDEN))
    parser.add_argument("--seeds", type=int, default=SEEDS)
    parser.add_argument("--methods", nargs="+", default=None)
    parser.add_argument("--data", default=None)
    parser.add_argument("--out", default="runs/compare_paper")
    args = parser.parse_args()

    from neuroplastic.config import load_model
    from neuroplastic.experiments.compare import METHODS, compare, write_outputs

    started = time.perf_counter()
    result = compare(load_model(args.model), args.hidden, args.seeds, data_dir=args.data,
                     methods=tuple(args.methods or METHODS))
    write_outputs(result, args.out)
    print(json.dumps({
        "benchmark": "compare_paper",
        "model": args.model,
        "hidden": args.hidden,
        "seeds": args.seeds,
        "wall_time_s": round(time.perf_counter() - started, 1),
        "checks": checks(result["table"]),
        "table": result["table"],
    }, indent=2))


if __name__ == "__main__":
    main()
