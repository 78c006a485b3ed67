"""Render a :class:`~.document.RunReport` as Markdown or self-contained HTML through jinja2 templates.

The templates ship with the package (``neuroplastic/report/templates``).
"""

import base64
from pathlib import Path

import jinja2
import markupsafe

__all__ = ["render_markdown", "render_html", "format_figure"]

TEMPLATES = Path(__file__).with_name("templates")


def format_figure(value):
    """A metric as the reports show it: 4 significant digits, thousands separators."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _environment(autoescape):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["figure"] = format_figure
    env.filters["count"] = lambda n: f"{int(n or 0):,}"
    env.filters["percent"] = lambda x: f"{x:.2%}"
    return env


def render_markdown(report):
    """The Markdown text of ``report`` (images linked relative to the run folder)."""
    env = _environment(False)
    env.globals["strong"] = lambda text: f"**{text}**"
    return env.get_template("run_report.md.j2").render(report=report)


def render_html(report, folder):
    """One self-contained HTML page of ``report``: each image embedded as a base64 ``data:`` URI.

    Parameters
    ----------
    report : RunReport
    folder : Path
        The run folder the figures' paths are relative to.
    """
    def data_uri(relative):
        return "data:image/png;base64," + base64.b64encode((Path(folder) / relative).read_bytes()).decode("ascii")

    env = _environment(True)
    env.filters["data_uri"] = data_uri
    env.globals["strong"] = lambda text: markupsafe.Markup("<strong>{}</strong>").format(text)
    return env.get_template("run_report.html.j2").render(report=report)
