"""The tables and plots of a sweep: one row per cell, mean and sd per setting.

Used by :mod:`neuroplastic.experiments.sweep`; reads the cells' ``metrics.json``.
"""

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_text

__all__ = ["CELL_FIGURES", "aggregate_sweep", "summary_markdown"]

#: Figures taken from each cell's ``metrics.json`` (dotted names reach into nested tables).
CELL_FIGURES = ("test_accuracy", "validation_accuracy", "train_accuracy", "nonsilent_synapses.hidden",
                "nonsilent_synapses.output", "nonsilent_synapses.total", "potential_synapses.hidden",
                "nonsilent_fraction_hidden", "train_seconds")


def _short(value):
    return json.dumps(value, separators=(",", ":")) if isinstance(value, (list, dict, bool)) else str(value)


def _get(metrics, dotted):
    value = metrics
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _mean_sd(values):
    values = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return None, None
    return float(np.mean(values)), (float(np.std(values, ddof=1)) if len(values) > 1 else None)


def aggregate_sweep(cells, out):
    """Read every complete cell and write the tables and plots of the sweep.

    Parameters
    ----------
    cells : list of SweepCell
    out : Path

    Returns
    -------
    dict
        ``cells`` (rows), ``summary`` (rows), ``files`` (name -> path).
    """
    from ..report.figures_extra import plot_accuracy_vs_synapses, plot_group_accuracy

    out = Path(out)
    names = list(dict.fromkeys(name for cell in cells for name, _ in cell.setting))
    rows = []
    for cell in cells:
        path = out / "cells" / cell.cell_id / "metrics.json"
        metrics = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        row = {"cell": cell.cell_id, "model": Path(cell.model_file).stem, "group": cell.group, "seed": cell.seed,
               **{name: _short(value) for name, value in cell.setting}, "complete": metrics is not None}
        for figure in CELL_FIGURES:
            row[figure] = None if metrics is None else _get(metrics, figure)
        rows.append(row)
    summary = []
    for group in dict.fromkeys(r["group"] for r in rows):
        members = [r for r in rows if r["group"] == group and r["complete"]]
        first = next(r for r in rows if r["group"] == group)
        entry = {"group": group, "model": first["model"], **{n: first.get(n) for n in names},
                 "n_seeds": len(members)}
        for figure in CELL_FIGURES:
            entry[f"{figure}_mean"], entry[f"{figure}_sd"] = _mean_sd(r[figure] for r in members)
        summary.append(entry)

    out.joinpath("plots").mkdir(parents=True, exist_ok=True)
    files = {"cells_csv": out / "cells.csv", "summary_csv": out / "summary.csv", "summary_md": out / "summary.md"}
    atomic_write_text(files["cells_csv"], _csv(rows))
    atomic_write_text(files["summary_csv"], _csv(summary))
    atomic_write_text(files["summary_md"], summary_markdown(summary, names))
    complete = [r for r in rows if r["complete"]]
    if complete:
        files["accuracy_vs_synapses"] = out / "plots" / "accuracy_vs_synapses.png"
        series = {}
        for r in complete:
            series.setdefault(r["group"], []).append((r["nonsilent_synapses.total"], r["test_accuracy"]))
        plot_accuracy_vs_synapses(series, files["accuracy_vs_synapses"],
                                  title="Sweep: test accuracy against non-silent synapses (one point per cell)")
        done = [s for s in summary if s["n_seeds"]]
        files["accuracy_by_setting"] = out / "plots" / "accuracy_by_setting.png"
        plot_group_accuracy([s["group"] for s in done], [s["test_accuracy_mean"] for s in done],
                            [s["test_accuracy_sd"] for s in done], files["accuracy_by_setting"])
    return {"cells": rows, "summary": summary, "files": {k: str(v) for k, v in files.items()}}


def _csv(rows):
    buffer = io.StringIO()
    if rows:
        fields = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in fields})
    return buffer.getvalue()


def _pm(mean, sd, fmt, scale=1.0):
    if mean is None:
        return "–"
    if sd is None:
        return format(mean * scale, fmt)
    return f"{format(mean * scale, fmt)} ± {format(sd * scale, fmt)}"


def summary_markdown(summary, names):
    """The sweep's table in Markdown: one row per model and setting, mean ± sd over seeds."""
    head = ["model", *names, "seeds", "test acc (%)", "non-silent in→hid", "non-silent total", "in→hid density (%)",
            "train time (s)"]
    lines = ["# Sweep summary", "", "Mean ± sd over seeds (the mean alone for one seed); accuracy on the test set.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary:
        cells = [s["model"], *(str(s.get(n)) for n in names), str(s["n_seeds"]),
                 _pm(s["test_accuracy_mean"], s["test_accuracy_sd"], ".2f", 100),
                 _pm(s["nonsilent_synapses.hidden_mean"], s["nonsilent_synapses.hidden_sd"], ",.0f"),
                 _pm(s["nonsilent_synapses.total_mean"], s["nonsilent_synapses.total_sd"], ",.0f"),
                 _pm(s["nonsilent_fraction_hidden_mean"], s["nonsilent_fraction_hidden_sd"], ".2f", 100),
                 _pm(s["train_seconds_mean"], s["train_seconds_sd"], ".1f")]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "![accuracy against synapses](plots/accuracy_vs_synapses.png)", "",
              "![accuracy per setting](plots/accuracy_by_setting.png)"]
    return "\n".join(lines) + "\n"
