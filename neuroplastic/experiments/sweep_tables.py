"""The tables and plots of a sweep: one row per cell, mean and sd per setting.

Used by :mod:`neuroplastic.experiments.sweep`; reads the cells' ``metrics.json``.
The Markdown is written by :mod:`neuroplastic.experiments.sweep_markdown`, the
comparison with a reference group made by :mod:`neuroplastic.experiments.sweep_reference`.
"""

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_text
from .sweep_markdown import summary_markdown
from .sweep_reference import compare_to_reference

__all__ = ["CELL_FIGURES", "DERIVED_FIGURES", "FIGURES", "aggregate_sweep", "mean_turnover_after_first_pass",
           "summary_markdown"]

#: Figures taken from each cell's ``metrics.json`` (dotted names reach into nested tables).
CELL_FIGURES = ("test_accuracy", "validation_accuracy", "train_accuracy", "nonsilent_synapses.hidden",
                "nonsilent_synapses.output", "nonsilent_synapses.total", "potential_synapses.hidden",
                "nonsilent_fraction_hidden", "dynamics.mean_lifetime", "dynamics.min_turnover_after_first_pass",
                "train_seconds")


def mean_turnover_after_first_pass(metrics):
    """The mean of ``dynamics.turnover_per_pass`` over the passes after the first, None entries left out.

    Parameters
    ----------
    metrics : dict
        A run's ``metrics.json``.

    Returns
    -------
    float or None
        None without dynamics or without a turnover after the first pass.

    Examples
    --------
    >>> mean_turnover_after_first_pass({"dynamics": {"turnover_per_pass": [None, 0.2, None, 0.4]}})
    0.3
    """
    per_pass = _get(metrics, "dynamics.turnover_per_pass") or []
    later = [float(t) for t in per_pass[1:] if t is not None]
    return float(np.mean(later)) if later else None


#: Figures computed from each cell's ``metrics.json``: name -> function of the metrics.
DERIVED_FIGURES = {"mean_turnover_after_first_pass": mean_turnover_after_first_pass}

#: Every figure of a cell row, aggregated to ``<figure>_mean`` and ``<figure>_sd`` per group.
FIGURES = (*CELL_FIGURES[:-1], *DERIVED_FIGURES, CELL_FIGURES[-1])


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


def _figures(metrics):
    if metrics is None:
        return dict.fromkeys(FIGURES)
    values = {figure: _get(metrics, figure) for figure in CELL_FIGURES}
    values.update({figure: compute(metrics) for figure, compute in DERIVED_FIGURES.items()})
    return {figure: values[figure] for figure in FIGURES}


def aggregate_sweep(cells, out, reference=None):
    """Read every complete cell and write the tables and plots of the sweep.

    Parameters
    ----------
    cells : list of SweepCell
    out : Path
    reference : dict, optional
        The reference model (see
        :func:`~neuroplastic.experiments.sweep_reference.find_reference`): its
        cells (those whose ``model_file`` is ``reference["model_file"]``) are
        marked as reference and every other group is compared with them.

    Returns
    -------
    dict
        ``cells`` (rows), ``summary`` (rows, reference groups first, each
        with ``reference``: whether it is one), ``reference`` (as given),
        ``comparison`` (see
        :func:`~neuroplastic.experiments.sweep_reference.compare_to_reference`;
        empty without a reference) and ``files`` (name -> path).
    """
    from ..report.figures_extra import plot_accuracy_vs_synapses, plot_group_accuracy

    out = Path(out)
    names = list(dict.fromkeys(name for cell in cells for name, _ in cell.setting))
    rows = []
    for cell in cells:
        path = out / "cells" / cell.cell_id / "metrics.json"
        metrics = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        is_reference = reference is not None and cell.model_file == reference["model_file"]
        row = {"cell": cell.cell_id, "model": Path(cell.model_file).stem, "group": cell.group, "seed": cell.seed,
               **{name: _short(value) for name, value in cell.setting}, "reference": is_reference,
               "complete": metrics is not None, **_figures(metrics)}
        rows.append(row)
    summary = []
    for group in dict.fromkeys(r["group"] for r in rows):
        members = [r for r in rows if r["group"] == group and r["complete"]]
        first = next(r for r in rows if r["group"] == group)
        entry = {"group": group, "model": first["model"], **{n: first.get(n) for n in names},
                 "reference": first["reference"], "n_seeds": len(members)}
        for figure in FIGURES:
            entry[f"{figure}_mean"], entry[f"{figure}_sd"] = _mean_sd(r[figure] for r in members)
        summary.append(entry)
    summary.sort(key=lambda entry: not entry["reference"])  # the reference groups first
    comparison = compare_to_reference(summary, names) if reference is not None else []

    out.joinpath("plots").mkdir(parents=True, exist_ok=True)
    files = {"cells_csv": out / "cells.csv", "summary_csv": out / "summary.csv", "summary_md": out / "summary.md"}
    atomic_write_text(files["cells_csv"], _csv(rows))
    atomic_write_text(files["summary_csv"], _csv(summary))
    atomic_write_text(files["summary_md"], summary_markdown(summary, names, comparison, reference))
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
    return {"cells": rows, "summary": summary, "reference": reference, "comparison": comparison,
            "files": {k: str(v) for k, v in files.items()}}


def _csv(rows):
    buffer = io.StringIO()
    if rows:
        fields = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in fields})
    return buffer.getvalue()

