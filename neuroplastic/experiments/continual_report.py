"""Tables and plots of a continual-learning result (see :mod:`neuroplastic.experiments.continual`)."""

from pathlib import Path

__all__ = ["LABELS", "continual_markdown", "write_continual_outputs"]

LABELS = {"rule": "our rule", "bp": "BP (dense), present classes taught",
          "bp_all_outputs": "BP (dense), all outputs taught"}


def _evaluated_on(settings):
    if settings.get("evaluated_on") == "validation":
        return (f"validation images ({100 * settings['validation_fraction']:.1f}% of each task's training images, "
                "held out; not the test set)")
    return "test images"


def continual_markdown(result):
    """Tables of a continual-learning result: accuracy after each task, retention, synapses."""
    names = result["tasks"]
    lines = ["# Continual learning", "",
             f"Model `{result['settings']['model']}` on {result['settings']['dataset']}, seed "
             f"{result['settings']['seed']}; tasks {', '.join(names)} learnt in this order without replay; "
             f"accuracies on the {_evaluated_on(result['settings'])}. "
             f"Wall time {result['wall_time_s']:.0f} s.", ""]
    for key, title in (("accuracy", "class-incremental (argmax over all classes)"),
                       ("accuracy_task_restricted", "task-restricted (argmax over the task's classes)")):
        lines += [f"## Test accuracy, {title}", "",
                  "| method | after task | " + " | ".join(f"on {n} (%)" for n in names) + " |",
                  "|---|---|" + "---:|" * len(names)]
        for method, entry in result["methods"].items():
            for index, stage in enumerate(entry["stages"]):
                cells = [f"{100 * a:.2f}" if k <= index else f"({100 * a:.2f})" for k, a in enumerate(stage[key])]
                lines.append(f"| {LABELS.get(method, method)} | {stage['task']} | " + " | ".join(cells) + " |")
        retention_key = "retention" if key == "accuracy" else "retention_task_restricted"
        lines += ["", "Retention after the last task (final accuracy / accuracy right after learning the task):", "",
                  "| method | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for method, entry in result["methods"].items():
            values = ["–" if r is None else f"{100 * r:.1f}%" for r in entry[retention_key]]
            lines.append(f"| {LABELS.get(method, method)} | " + " | ".join(values) + " |")
        lines.append("")
    lines += ["Accuracies in parentheses are on tasks not yet trained.", "",
              "## Input→hidden synapses after each task", "",
              "| method | after task | non-silent | free potential | changed by task | grown | eliminated "
              "| hidden units changed |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for method, entry in result["methods"].items():
        for s in entry["stages"]:
            lines.append(f"| {LABELS.get(method, method)} | {s['task']} | {s['nonsilent_hidden']:,} | "
                         f"{s['free_potential_synapses']:,} | {s['synapses_changed']:,} | {s['synapses_grown']:,} | "
                         f"{s['synapses_eliminated']:,} | {s['units_changed']:,} |")
    lines += ["", "![accuracy after each task](plots/continual_accuracy.png)", "",
              "![synapses per task](plots/continual_synapses.png)"]
    return "\n".join(lines) + "\n"


def write_continual_outputs(result, out_dir):
    """Write ``continual.json``, ``continual.md`` and two plots into ``out_dir``; return the paths."""
    from ..atomic import atomic_write_json, atomic_write_text
    from ..report.figures_extra import plot_continual_accuracy, plot_continual_synapses

    out = Path(out_dir)
    (out / "plots").mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "continual.json", "markdown": out / "continual.md",
             "accuracy_plot": out / "plots" / "continual_accuracy.png",
             "synapse_plot": out / "plots" / "continual_synapses.png"}
    atomic_write_json(paths["json"], result)
    atomic_write_text(paths["markdown"], continual_markdown(result))
    matrices = {}
    for method, entry in result["methods"].items():
        for key, suffix in (("accuracy", "class-incremental"), ("accuracy_task_restricted", "task-restricted")):
            matrices[f"{LABELS.get(method, method)}, {suffix}"] = [s[key] for s in entry["stages"]]
    plot_continual_accuracy(matrices, result["tasks"], paths["accuracy_plot"])
    plot_continual_synapses(result["methods"]["rule"]["stages"], paths["synapse_plot"])
    return {k: str(v) for k, v in paths.items()}
