"""The Markdown of a sweep (``summary.md``): the table per setting and the comparison with the reference.

Used by :mod:`neuroplastic.experiments.sweep_tables`.
"""

from .sweep_reference import COMPARED, CRITERION

__all__ = ["summary_markdown", "reference_markdown"]

#: How each compared figure is shown: (label with unit, format, scale).
_SHOWN = {"test_accuracy": ("test accuracy (%)", ".2f", 100),
          "mean_turnover_after_first_pass": ("mean turnover per pass after the first (%)", ".2f", 100),
          "dynamics.mean_lifetime": ("mean synapse lifetime (presentations)", ",.0f", 1)}


def _pm(mean, sd, fmt, scale=1.0):
    if mean is None:
        return "–"
    if sd is None:
        return format(mean * scale, fmt)
    return f"{format(mean * scale, fmt)} ± {format(sd * scale, fmt)}"


def _value(value, fmt, scale=1.0, sign=False):
    return "–" if value is None else format(value * scale, ("+" if sign else "") + fmt)


def summary_markdown(summary, names, comparisons=None, reference=None):
    """The sweep's tables in Markdown.

    Parameters
    ----------
    summary : list of dict
        One row per model and setting, mean and sd over seeds.
    names : list of str
        The swept parameter names.
    comparisons : list of dict, optional
        From :func:`~neuroplastic.experiments.sweep_reference.compare_to_reference`.
    reference : dict, optional
        From :func:`~neuroplastic.experiments.sweep_reference.find_reference`.

    Returns
    -------
    str
    """
    head = ["model", *names, "seeds", "test acc (%)", "non-silent in→hid", "non-silent total", "in→hid density (%)",
            "mean turnover/pass after 1st (%)", "min turnover/pass after 1st (%)", "mean lifetime (presentations)",
            "train time (s)"]
    lines = ["# Sweep summary", "", "Mean ± sd over seeds (the mean alone for one seed); accuracy on the test set; "
             "turnover is the fraction of the hidden synapses present at a pass's start that are gone at its end; "
             "lifetime is the mean lifetime of the eliminated hidden synapses.", ""]
    if reference is not None:
        how = "listed in the sweep" if reference["listed"] else "added to the sweep automatically"
        lines += [f"Reference: `{reference['model_file']}`, the base model the swept models extend ({how}; "
                  "marked *(reference)*).", ""]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary:
        cells = [s["model"] + (" *(reference)*" if s.get("reference") else ""), *(str(s.get(n)) for n in names),
                 str(s["n_seeds"]),
                 _pm(s["test_accuracy_mean"], s["test_accuracy_sd"], ".2f", 100),
                 _pm(s["nonsilent_synapses.hidden_mean"], s["nonsilent_synapses.hidden_sd"], ",.0f"),
                 _pm(s["nonsilent_synapses.total_mean"], s["nonsilent_synapses.total_sd"], ",.0f"),
                 _pm(s["nonsilent_fraction_hidden_mean"], s["nonsilent_fraction_hidden_sd"], ".2f", 100),
                 _pm(s["mean_turnover_after_first_pass_mean"], s["mean_turnover_after_first_pass_sd"], ".2f", 100),
                 _pm(s["dynamics.min_turnover_after_first_pass_mean"], s["dynamics.min_turnover_after_first_pass_sd"],
                     ".2f", 100),
                 _pm(s["dynamics.mean_lifetime_mean"], s["dynamics.mean_lifetime_sd"], ",.0f"),
                 _pm(s["train_seconds_mean"], s["train_seconds_sd"], ".1f")]
        lines.append("| " + " | ".join(cells) + " |")
    if comparisons:
        lines += ["", *reference_markdown(comparisons, summary, names)]
    lines += ["", "![accuracy against synapses](plots/accuracy_vs_synapses.png)", "",
              "![accuracy per setting](plots/accuracy_by_setting.png)"]
    return "\n".join(lines) + "\n"


def reference_markdown(comparisons, summary, names):
    """The lines of the "Against the reference" section: one row per group and compared figure.

    Parameters
    ----------
    comparisons : list of dict
        From :func:`~neuroplastic.experiments.sweep_reference.compare_to_reference`.
    summary : list of dict
        The summary rows (for each group's model and setting).
    names : list of str
        The swept parameter names.

    Returns
    -------
    list of str
    """
    by_group = {s["group"]: s for s in summary}
    head = ["model", *names, "seeds (ref)", "figure", "mean", "reference mean", "difference",
            "2 × max(sd, reference sd)", CRITERION.replace("|", "\\|") + "?"]  # a bare | would end the cell
    lines = ["## Against the reference", "",
             "Each group against the reference group of the same setting: the difference of the means over seeds, "
             f"and whether {CRITERION}, the sds being the seed standard deviations of the group and of the "
             "reference group. With one seed in either group the sd is unknown and the difference cannot be judged.",
             "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for comparison in comparisons:
        entry = by_group[comparison["group"]]
        seeds = f"{comparison['n_seeds']} ({comparison['reference_n_seeds']})"
        for figure, _ in COMPARED:
            label, fmt, scale = _SHOWN[figure]
            judged = comparison["figures"][figure]
            verdict = {True: "**yes**", False: "no"}.get(judged["differs"],
                                                        f"cannot be judged ({judged['reason']})")
            lines.append("| " + " | ".join([
                entry["model"], *(str(entry.get(n)) for n in names), seeds, label,
                _value(judged["mean"], fmt, scale), _value(judged["reference_mean"], fmt, scale),
                _value(judged["difference"], fmt, scale, sign=True), _value(judged["threshold"], fmt, scale),
                verdict]) + " |")
    return lines
