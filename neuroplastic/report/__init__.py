"""Figures and readable reports of runs."""

from .markdown import run_report_markdown
from .plots import plot_receptive_fields, plot_synapses_over_training, plot_weight_distribution

__all__ = ["plot_receptive_fields", "plot_synapses_over_training", "plot_weight_distribution", "run_report_markdown"]
