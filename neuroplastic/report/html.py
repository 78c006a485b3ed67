"""The shareable report of a run: one self-contained HTML file and a Markdown twin.

:func:`write_run_report` reads a finished run folder (``metrics.json``,
``network.npz``, ``history.json`` and, when present, compare results and
energy results), draws the figures into ``RUN/plots/``, builds one
:class:`~.document.RunReport` and renders it through the jinja2 templates
into ``RUN/report.html`` (every image embedded as a base64 ``data:`` URI, so
the file can be mailed or archived alone) and ``RUN/report.md`` (images
linked relative to the run folder). A result file that exists but cannot be
read is listed in the report's Problems section.
"""

import shlex

import numpy as np

from ..errors import NeuroplasticError
from ..runs import RunFolder
from .document import Figure, RunReport
from .figures_extra import (plot_accuracy_vs_synapses, plot_energy_breakdown, plot_structural_plasticity,
                             plot_weight_distribution_lognormal)
from .plots import plot_receptive_fields
from .render import render_html, render_markdown
from .sources import energy_breakdown, find_compare_results, find_energy_results, read_optional_json

__all__ = ["write_run_report", "find_compare_results", "find_energy_results", "run_command", "energy_breakdown"]

#: Names of the compare table's methods in the figure legend.
METHOD_LABELS = {"bp": "BP", "constrained_bp": "constrained BP", "pruned_bp": "pruned BP", "set": "SET",
                 "rule": "our rule (compare)"}


def run_command(run, metrics):
    """The command that produced the run: ``metrics["command"]`` (written by the runner), else the
    equivalent ``neuroplastic train`` command."""
    if metrics.get("command"):
        return metrics["command"]
    return f"neuroplastic train --model {shlex.quote(str(run.file(RunFolder.MODEL)))} --out {shlex.quote(str(run.path))}"


def _figures(run, metrics, network, history, compare, energy):
    """Draw the report's figures; return a list of :class:`Figure`."""
    figures = []
    shape = tuple(metrics.get("data", {}).get("image_shape") or ())
    if len(shape) != 2:
        side = int(round(np.sqrt(network.hidden_weights.shape[1])))
        shape = (side, network.hidden_weights.shape[1] // side)
    plot_receptive_fields(network.hidden_weights, shape, run.file("plots/receptive_fields.png"))
    figures.append(Figure("Receptive fields", "Input weights of the first 64 hidden units (black: silent)",
                          "plots/receptive_fields.png"))
    if history:
        plot_structural_plasticity(history, run.file("plots/structural_plasticity.png"))
        figures.append(Figure("Structural plasticity", "Non-silent synapses over training, with growth and "
                              "elimination at each rewiring event", "plots/structural_plasticity.png"))
    from ..analysis import lognormal_fit

    fit = lognormal_fit(network.hidden_weights.data)
    plot_weight_distribution_lognormal(network.hidden_weights, fit, run.file("plots/weights_lognormal.png"))
    figures.append(Figure("Weight distribution", "Non-silent input→hidden weights (histogram of ln w) with the "
                          "maximum-likelihood lognormal fit", "plots/weights_lognormal.png"))
    if compare:
        series = {}
        for row in compare.get("runs", []):
            label = METHOD_LABELS.get(row.get("method"), str(row.get("method")))
            series.setdefault(label, []).append((row.get("nonsilent_synapses"), row.get("accuracy")))
        series["this run"] = [(metrics.get("nonsilent_synapses", {}).get("hidden"), metrics.get("test_accuracy"))]
        plot_accuracy_vs_synapses(series, run.file("plots/accuracy_vs_synapses_methods.png"),
                                  title="Accuracy against synapses across methods",
                                  xlabel="non-silent input→hidden synapses")
        figures.append(Figure("Methods compared", "Test accuracy against non-silent input→hidden synapses for "
                              "every method, hidden size and seed of the comparison",
                              "plots/accuracy_vs_synapses_methods.png"))
    if energy:
        plot_energy_breakdown(energy_breakdown(energy["data"]), run.file("plots/energy.png"))
        figures.append(Figure("Energy", f"Energy per inference by component (from {energy['file']})",
                              "plots/energy.png"))
    return figures


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
        ``html``, ``markdown`` (paths), ``figures`` (list of captions) and
        ``problems`` (result files that could not be read, as ``file: reason``).

    Raises
    ------
    NeuroplasticError
        If the folder is not a finished run, or its network or metrics are damaged.
    """
    run = RunFolder.open(run_path)
    if not run.file(RunFolder.METRICS).is_file():
        raise NeuroplasticError(f"{run.file(RunFolder.METRICS)}: missing; is this a finished run?")
    metrics = run.read_json(RunFolder.METRICS)
    network = run.load_network()
    history, problems = read_optional_json(run.file(RunFolder.HISTORY), RunFolder.HISTORY)
    compare, trouble = find_compare_results(run.path, compare_dir)
    problems += trouble
    energy, trouble = find_energy_results(run.path)
    problems += trouble
    run.file("plots").mkdir(exist_ok=True)
    figures = _figures(run, metrics, network, history or [], compare, energy)
    report = RunReport.from_metrics(metrics, run_command(run, metrics), figures, problems)
    run.write_text("report.md", render_markdown(report))
    run.write_text("report.html", render_html(report, run.path))
    return {"html": str(run.file("report.html")), "markdown": str(run.file("report.md")),
            "figures": [figure.caption for figure in figures],
            "problems": [f"{file}: {reason}" for file, reason in problems]}
