"""The Markdown report the runner writes at the end of training (the same template as ``neuroplastic report``)."""

from .document import Figure, RunReport
from .render import render_markdown

__all__ = ["run_report_markdown"]


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
    figures = [Figure(caption, caption, name) for caption, name in plots.items()]
    return render_markdown(RunReport.from_metrics(metrics, command, figures))
