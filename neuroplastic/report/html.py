"""The shareable report of a run: one self-contained HTML file and a Markdown twin.

:func:`write_run_report` reads a finished run folder (``metrics.json``,
``network.npz``, ``history.json`` and, when present, ``analysis.json``,
compare results and energy results), draws the figures into
``RUN/plots/``, and writes ``RUN/report.html`` (every image embedded as a
base64 ``data:`` URI, so the file can be mailed or archived alone) and
``RUN/report.md`` (images linked relative to the run folder).
"""

import base64
import html
import json
import re
import shlex
from pathlib import Path

import numpy as np

from ..errors import NeuroplasticError
from ..runs import RunFolder
from .figures_extra import (plot_accuracy_vs_synapses, plot_energy_breakdown, plot_structural_plasticity,
                             plot_weight_distribution_lognormal)
from .markdown import _flatten, _row
from .plots import plot_receptive_fields

__all__ = ["write_run_report", "find_compare_results", "find_energy_results", "run_command", "energy_breakdown"]

#: Names of the compare table's methods in the figure legend.
METHOD_LABELS = {"bp": "BP", "constrained_bp": "constrained BP", "pruned_bp": "pruned BP", "set": "SET",
                 "rule": "our rule (compare)"}

#: Where compare results are looked for, relative to the run folder (or inside ``--compare DIR``).
COMPARE_FILES = ("compare.json", "compare/compare.json")


def find_compare_results(run_path, compare_dir=None):
    """The ``compare.json`` of ``neuroplastic compare`` that belongs to a run, or ``None``.

    Looked for in ``compare_dir`` if given, else in the run folder and its
    ``compare/`` subfolder.
    """
    bases = [Path(compare_dir)] if compare_dir else [Path(run_path)]
    for base in bases:
        for name in COMPARE_FILES:
            path = base / name
            if path.is_file():
                return json.loads(path.read_text(encoding="utf-8"))
    if compare_dir:
        raise NeuroplasticError(f"{compare_dir}: no compare.json (written by `neuroplastic compare --out DIR`)")
    return None


def find_energy_results(run_path):
    """Energy results that the hardware stage wrote into the run folder, or ``None``.

    Any ``energy*.json`` (also under ``hardware/``) is read; the first that
    holds a breakdown (see :func:`energy_breakdown`) is returned.
    """
    run_path = Path(run_path)
    for path in sorted([*run_path.glob("energy*.json"), *run_path.glob("hardware/*.json")]):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if energy_breakdown(data):
            return {"file": str(path.relative_to(run_path)), "data": data}
    return None


def _numbers(table):
    return isinstance(table, dict) and table and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in table.values())


#: Unit suffixes of energy fields and their value in joules.
ENERGY_UNITS = (("_pj", 1e-12), ("_nj", 1e-9), ("_uj", 1e-6), ("_mj", 1e-3), ("_j", 1.0))


def _joules(key):
    return next((scale for suffix, scale in ENERGY_UNITS if key.lower().endswith(suffix)), 1.0)


def energy_breakdown(data):
    """Component -> joules (or profile -> component -> joules) from an energy result.

    Reads the ``neuroplastic energy`` result (``energy_<profile>.json``: the
    run's network is the first of ``networks``, priced per profile with a
    ``breakdown_uj`` table), or any table whose key contains ``breakdown``
    (unit from its suffix: ``_j``, ``_mj``, ``_uj``, ``_nj``, ``_pj``), at the
    top level, or per profile under ``per_profile``/``profiles``/``results``.

    Returns
    -------
    dict
        Empty when nothing fits.
    """
    def own(record):
        for key, value in record.items():
            if "breakdown" in key and _numbers(value):
                return {k: float(v) * _joules(key) for k, v in value.items()}
        return {}

    if not isinstance(data, dict):
        return {}
    networks = [n for n in data.get("networks", []) if isinstance(n, dict) and isinstance(n.get("priced"), dict)]
    if networks:
        priced = networks[0]["priced"]
        nested = {str(name): own(entry) for name, entry in priced.items() if isinstance(entry, dict)}
        nested = {k: v for k, v in nested.items() if v}
        if nested:
            return nested
    found = own(data)
    if found:
        return found
    for key in ("per_profile", "profiles", "results"):
        group = data.get(key)
        items = group.items() if isinstance(group, dict) else (
            [(r.get("profile") or r.get("name"), r) for r in group if isinstance(r, dict)] if isinstance(group, list)
            else [])
        nested = {str(name): own(record) for name, record in items if isinstance(record, dict)}
        nested = {k: v for k, v in nested.items() if v}
        if nested:
            return nested
    return {}


def run_command(run, metrics):
    """The command that produced the run: ``metrics["command"]``, else the one in the runner's
    ``report.md``, else the equivalent ``neuroplastic train`` command."""
    if metrics.get("command"):
        return metrics["command"]
    report = run.file("report.md")
    if report.exists():
        match = re.search(r"Produced by:\s*```\s*\n(.+?)\n```", report.read_text(encoding="utf-8"), re.S)
        if match:
            return match.group(1).strip()
    return f"neuroplastic train --model {shlex.quote(str(run.file(RunFolder.MODEL)))} --out {shlex.quote(str(run.path))}"


def _data_uri(path):
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _figures(run, metrics, network, compare, energy):
    """Draw the report's figures; return a list of (section, caption, relative path)."""
    figures = []
    shape = tuple(metrics.get("data", {}).get("image_shape") or ())
    if len(shape) != 2:
        side = int(round(np.sqrt(network.hidden_weights.shape[1])))
        shape = (side, network.hidden_weights.shape[1] // side)
    plot_receptive_fields(network.hidden_weights, shape, run.file("plots/receptive_fields.png"))
    figures.append(("Receptive fields", "Input weights of the first 64 hidden units (black: silent)",
                    "plots/receptive_fields.png"))
    history_path = run.file(RunFolder.HISTORY)
    history = json.loads(history_path.read_text(encoding="utf-8")) if history_path.exists() else []
    if history:
        plot_structural_plasticity(history, run.file("plots/structural_plasticity.png"))
        figures.append(("Structural plasticity", "Non-silent synapses over training, with growth and elimination "
                        "at each rewiring event", "plots/structural_plasticity.png"))
    from ..analysis import lognormal_fit

    fit = lognormal_fit(network.hidden_weights.data)
    plot_weight_distribution_lognormal(network.hidden_weights, fit, run.file("plots/weights_lognormal.png"))
    figures.append(("Weight distribution", "Non-silent input→hidden weights (histogram of ln w) with the "
                    "maximum-likelihood lognormal fit", "plots/weights_lognormal.png"))
    if compare:
        series = {}
        for row in compare.get("runs", []):
            label = METHOD_LABELS.get(row["method"], row["method"])
            series.setdefault(label, []).append((row.get("nonsilent_synapses"), row.get("accuracy")))
        series["this run"] = [(metrics.get("nonsilent_synapses", {}).get("hidden"), metrics.get("test_accuracy"))]
        plot_accuracy_vs_synapses(series, run.file("plots/accuracy_vs_synapses_methods.png"),
                                  title="Accuracy against synapses across methods",
                                  xlabel="non-silent input→hidden synapses")
        figures.append(("Methods compared", "Test accuracy against non-silent input→hidden synapses for every "
                        "method, hidden size and seed of the comparison", "plots/accuracy_vs_synapses_methods.png"))
    if energy:
        plot_energy_breakdown(energy_breakdown(energy["data"]), run.file("plots/energy.png"))
        figures.append(("Energy", f"Energy per inference by component (from {energy['file']})", "plots/energy.png"))
    return figures


def _metric_rows(metrics):
    return [(name, value) for name, value in _flatten(metrics) if value is not None]


def _format(value):
    """A metric as the Markdown table shows it (4 significant digits, thousands separators)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def write_run_report(run_path, *, compare_dir=None):
    """Write ``report.html`` (self-contained) and ``report.md`` into a finished run folder.

    Parameters
    ----------
    run_path : str or Path
        A run folder with ``metrics.json`` and ``network.npz``.
    compare_dir : str or Path, optional
        Folder of ``neuroplastic compare`` results to include (default: a
        ``compare.json`` in the run folder or its ``compare/`` subfolder).

    Returns
    -------
    dict
        ``html``, ``markdown`` (paths) and ``figures`` (list of captions).

    Raises
    ------
    NeuroplasticError
        If the folder is not a finished run.
    """
    from ..network import TrainedNetwork

    run = RunFolder(run_path, create=False)
    for name in (RunFolder.METRICS, RunFolder.NETWORK):
        if not run.file(name).exists():
            raise NeuroplasticError(f"{run.file(name)}: missing; is this a finished run?")
    metrics = run.read_json(RunFolder.METRICS)
    command = run_command(run, metrics)
    network = TrainedNetwork.load(run.file(RunFolder.NETWORK))
    compare = find_compare_results(run.path, compare_dir)
    energy = find_energy_results(run.path)
    run.file("plots").mkdir(exist_ok=True)
    figures = _figures(run, metrics, network, compare, energy)
    rows = _metric_rows(metrics)
    title = f"Run report: {metrics.get('model', run.path.name)}"
    headline = _headline(metrics)

    md = [f"# {title}", "", headline, "", "Produced by:", "", "```", command, "```", ""]
    for section, caption, rel in figures:
        md += [f"## {section}", "", f"![{caption}]({rel})", "", f"*{caption}*", ""]
    md += ["## Metrics", "", "| metric | value |", "|---|---|"] + [_row(n, v) for n, v in rows]
    run.write_text("report.md", "\n".join(md) + "\n")

    esc = html.escape
    body = [f"<h1>{esc(title)}</h1>", f"<p>{esc(headline).replace('**', '')}</p>",
            "<h2>Command</h2>", f"<pre><code>{esc(command)}</code></pre>"]
    for section, caption, rel in figures:
        body += [f"<h2>{esc(section)}</h2>", "<figure>",
                 f'<img src="{_data_uri(run.file(rel))}" alt="{esc(caption)}">',
                 f"<figcaption>{esc(caption)}</figcaption>", "</figure>"]
    body += ["<h2>Metrics</h2>", "<table>", "<tr><th>metric</th><th>value</th></tr>"]
    body += [f"<tr><td>{esc(n)}</td><td>{esc(_format(v))}</td></tr>" for n, v in rows]
    body += ["</table>"]
    page = _PAGE.format(title=esc(title), body="\n".join(body))
    run.write_text("report.html", page)
    return {"html": str(run.file("report.html")), "markdown": str(run.file("report.md")),
            "figures": [caption for _, caption, _ in figures]}


def _headline(metrics):
    if "test_accuracy" not in metrics:
        return "No test accuracy recorded."
    synapses = metrics.get("nonsilent_synapses", {})
    return (f"Test accuracy **{metrics['test_accuracy']:.2%}** with **{synapses.get('total', 0):,}** non-silent "
            f"synapses ({synapses.get('hidden', 0):,} input→hidden, {synapses.get('output', 0):,} hidden→output).")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }}
img {{ max-width: 100%; height: auto; border: 1px solid #ddd; }}
figure {{ margin: 1em 0; }}
figcaption {{ font-style: italic; color: #555; }}
pre {{ background: #f5f5f5; padding: 0.8em; white-space: pre-wrap; word-break: break-all; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
