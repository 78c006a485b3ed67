"""The one result object every run report is rendered from (HTML and Markdown alike)."""

from dataclasses import dataclass, field

__all__ = ["Figure", "RunReport", "metric_rows"]


@dataclass(frozen=True)
class Figure:
    """A figure of the report: its section title, caption and PNG path relative to the run folder."""

    section: str
    caption: str
    path: str


@dataclass(frozen=True)
class RunReport:
    """What a run report says, independent of its format.

    Attributes
    ----------
    title : str
    command : str
        The command that produced the run.
    accuracy : float or None
        Test accuracy (the headline), ``None`` when not recorded.
    synapses : dict
        Non-silent synapses: ``hidden``, ``output`` and ``total``.
    figures : list of Figure
    metrics : list of (str, object)
        Flattened ``metrics.json`` (dotted names), ``None`` values left out.
    problems : list of (str, str)
        Result files that exist but could not be read, and why.
    """

    title: str
    command: str
    accuracy: float = None
    synapses: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    metrics: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @classmethod
    def from_metrics(cls, metrics, command, figures=(), problems=(), title=None):
        """Build the report of a run from its ``metrics.json`` content."""
        return cls(title=title or f"Run report: {metrics.get('model', 'model')}", command=command,
                   accuracy=metrics.get("test_accuracy"), synapses=dict(metrics.get("nonsilent_synapses") or {}),
                   figures=list(figures), metrics=metric_rows(metrics), problems=list(problems))


def metric_rows(metrics, prefix=""):
    """``(dotted name, value)`` of every scalar in ``metrics`` (nested tables flattened, lists and None left out)."""
    rows = []
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += metric_rows(value, f"{name}.")
        elif value is not None and not isinstance(value, list):
            rows.append((name, value))
    return rows
