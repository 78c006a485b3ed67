"""The readable Markdown report of a run."""

__all__ = ["run_report_markdown"]


def _row(name, value):
    if isinstance(value, float):
        value = f"{value:.4g}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"| {name} | {value} |"


def _flatten(metrics, prefix=""):
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        elif not isinstance(value, list):
            yield name, value


def run_report_markdown(metrics, plots, command):
    """Return the Markdown text of a run report.

    Parameters
    ----------
    metrics : dict
        The run's ``metrics.json``.
    plots : dict
        Caption to PNG file name (relative to the run folder).
    command : str
        The command that produced the run.

    Returns
    -------
    str
    """
    lines = [f"# Run report: {metrics.get('model', 'model')}", ""]
    if "test_accuracy" in metrics:
        synapses = metrics.get("nonsilent_synapses", {})
        lines += [
            f"Test accuracy **{metrics['test_accuracy']:.2%}** with **{synapses.get('total', 0):,}** non-silent "
            f"synapses ({synapses.get('hidden', 0):,} input→hidden, {synapses.get('output', 0):,} hidden→output).",
            "",
        ]
    lines += ["Produced by:", "", "```", command, "```", "", "## Figures", ""]
    lines += [f"![{caption}]({name})\n\n*{caption}*\n" for caption, name in plots.items()]
    lines += ["## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [_row(name, value) for name, value in _flatten(metrics)]
    return "\n".join(lines) + "\n"
