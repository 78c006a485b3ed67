"""Figures of studies: sweeps, continual learning, method comparisons, energy, weight fits.

Like :mod:`neuroplastic.report.plots`, every function takes plain data
(numbers, dicts, a sparse matrix) and a path, and writes one PNG atomically.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .plots import _save  # noqa: E402

__all__ = [
    "plot_structural_plasticity",
    "plot_accuracy_vs_synapses",
    "plot_group_accuracy",
    "plot_weight_distribution_lognormal",
    "plot_energy_breakdown",
    "plot_continual_accuracy",
    "plot_continual_synapses",
]


def plot_structural_plasticity(history, path):
    """Non-silent synapses over training (log scale) and the synapses grown and eliminated at each event.

    Unlike :func:`neuroplastic.report.plots.plot_synapses_over_training`,
    growth and elimination are drawn as markers on a symmetric-log axis, so
    the one large elimination when the budget is imposed does not hide the
    small turnover of later events.

    Parameters
    ----------
    history : list of dict
        Records with ``presentations``, ``nonsilent_hidden``, ``nonsilent_output``,
        ``grown`` and ``eliminated`` (as in a run's ``history.json``).
    path : Path
    """
    seen = np.array([r["presentations"] for r in history], dtype=float)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 6), sharex=True, height_ratios=[3, 2])
    top.step(seen, [r["nonsilent_hidden"] for r in history], where="post", marker=".", label="input → hidden")
    output = [r.get("nonsilent_output", 0) for r in history]
    if any(output):
        top.step(seen, output, where="post", marker=".", label="hidden → output")
    top.set_yscale("log")
    top.set_ylabel("non-silent synapses")
    top.set_title("Structural plasticity over training")
    top.grid(True, which="both", alpha=0.3)
    top.legend(fontsize="small")
    grown = np.array([r.get("grown", 0) for r in history], dtype=float)
    eliminated = np.array([r.get("eliminated", 0) for r in history], dtype=float)
    g, e = grown > 0, eliminated > 0  # events that changed nothing are left out
    bottom.vlines(seen[g], 0, grown[g], color="tab:green", alpha=0.6)
    bottom.vlines(seen[e], 0, -eliminated[e], color="tab:red", alpha=0.6)
    bottom.plot(seen[g], grown[g], "^", color="tab:green", label=f"grown ({int(grown.sum()):,} in all)")
    bottom.plot(seen[e], -eliminated[e], "v", color="tab:red", label=f"eliminated ({int(eliminated.sum()):,} in all)")
    bottom.axhline(0, color="black", lw=0.8)
    bottom.set_yscale("symlog", linthresh=10)
    bottom.set_ylabel("synapses per event")
    bottom.set_xlabel("presentations")
    bottom.grid(True, alpha=0.3)
    bottom.legend(fontsize="small")
    _save(fig, path)


def plot_accuracy_vs_synapses(series, path, *, title="Accuracy against non-silent synapses",
                              xlabel="non-silent synapses", connect=False):
    """Test accuracy against synapse count, one marker style per series.

    Parameters
    ----------
    series : dict
        Label -> list of ``(synapses, accuracy)`` points (accuracy as a
        fraction). A series of several points is also drawn as a line, in
        order of synapse count.
    path : Path
    title, xlabel : str
    """
    fig, ax = plt.subplots(figsize=(7, 4.5))
    markers = "os^Dv<>pPX*"
    for index, (label, points) in enumerate(series.items()):
        points = sorted((float(s), float(a)) for s, a in points if s is not None and a is not None)
        if not points:
            continue
        x, y = zip(*points)
        ax.plot(x, np.asarray(y) * 100, marker=markers[index % len(markers)], linestyle="-" if connect and len(x) > 1 else "",
                label=label, alpha=0.85)
    if any(series.values()):
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    _save(fig, path)


def plot_group_accuracy(labels, means, sds, path, *, title="Test accuracy per setting (mean ± sd over seeds)"):
    """Horizontal bars of mean accuracy with standard-deviation error bars.

    Parameters
    ----------
    labels : list of str
    means, sds : list of float
        Accuracy as a fraction.
    path : Path
    title : str
    """
    means = np.asarray(means, dtype=float) * 100
    sds = np.nan_to_num(np.asarray(sds, dtype=float) * 100)
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(labels) + 1.5))
    ypos = np.arange(len(labels))
    ax.barh(ypos, means, xerr=sds, color="tab:blue", alpha=0.8, capsize=3)
    ax.set_yticks(ypos, labels, fontsize="small")
    ax.invert_yaxis()
    low = max(0.0, float(np.min(means - sds)) - 5) if len(means) else 0.0
    ax.set_xlim(low, 100)
    ax.set_xlabel("test accuracy (%)")
    ax.set_title(title)
    _save(fig, path)


def plot_weight_distribution_lognormal(hidden_weights, fit, path):
    """Histogram of the non-silent input weights (density over log w) with a lognormal fit.

    Parameters
    ----------
    hidden_weights : scipy.sparse matrix
    fit : dict
        ``mu`` and ``sigma`` of log w (as from
        :func:`neuroplastic.analysis.lognormal_fit`); empty for no curve.
    path : Path

    Notes
    -----
    With ``x = ln w`` a lognormal is a normal density in ``x``,
    ``p(x) = exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))``, drawn
    over the histogram of ``ln w``.
    """
    values = np.asarray(hidden_weights.data, dtype=float)
    values = values[values > 0]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    if values.size:
        logs = np.log(values)
        ax.hist(logs, bins=50, density=True, color="tab:blue", alpha=0.7, label="non-silent weights")
        if fit and fit.get("sigma", 0) > 0:
            x = np.linspace(logs.min(), logs.max(), 200)
            mu, sigma = fit["mu"], fit["sigma"]
            density = np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))
            ks = f", KS {fit['ks_distance']:.3f}" if "ks_distance" in fit else ""
            ax.plot(x, density, color="tab:red", lw=2, label=f"lognormal fit: μ={mu:.2f}, σ={sigma:.2f}{ks}")
        ax.legend(fontsize="small")
    ax.set_xlabel("ln w (non-silent input→hidden synapses)")
    ax.set_ylabel("density")
    ax.set_title(f"Weight distribution ({values.size:,} non-silent synapses)")
    _save(fig, path)


def _energy_unit(largest):
    for scale, unit in ((1, "J"), (1e-3, "mJ"), (1e-6, "µJ"), (1e-9, "nJ")):
        if largest >= scale:
            return scale, unit
    return 1e-12, "pJ"


def plot_energy_breakdown(parts, path, *, title="Energy per inference by component"):
    """Bars of energy per component, one panel per hardware profile (each in its own SI unit).

    Parameters
    ----------
    parts : dict
        Component -> energy in joules (e.g. ``{"synaptic ops": 1.2e-6, ...}``),
        or profile -> (component -> joules) for several profiles.
    path : Path
    title : str
    """
    if parts and all(isinstance(v, dict) for v in parts.values()):
        profiles = {name: {k: float(v) for k, v in comp.items()} for name, comp in parts.items()}
    else:
        profiles = {"": {k: float(v) for k, v in parts.items()}}
    rows = sum(max(len(c), 1) for c in profiles.values())
    fig, axes = plt.subplots(len(profiles), 1, figsize=(7, 0.45 * rows + 1.2 * len(profiles) + 0.6), squeeze=False,
                             height_ratios=[max(len(c), 1) for c in profiles.values()])
    for ax, (name, components) in zip(axes[:, 0], profiles.items()):
        total = sum(components.values())
        scale, unit = _energy_unit(max(components.values(), default=0.0))
        labels = list(components)
        values = np.array([components[k] for k in labels]) / scale
        ax.barh(np.arange(len(labels)), values, color="tab:orange")
        ax.set_yticks(np.arange(len(labels)), labels, fontsize="small")
        ax.invert_yaxis()
        ax.set_xlabel(f"energy ({unit})")
        total_scale, total_unit = _energy_unit(total)
        ax.set_title(f"{name + ': ' if name else ''}total {total / total_scale:.3g} {total_unit}", fontsize="medium")
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)


def plot_continual_accuracy(matrices, task_names, path):
    """Accuracy on each task after each training stage, one panel per method.

    Parameters
    ----------
    matrices : dict
        Method -> 2-d list ``acc[stage][task]`` (fraction; ``None`` for tasks
        not yet trained).
    task_names : list of str
    path : Path
    """
    cols = min(2, len(matrices))
    rows = -(-len(matrices) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.4 * rows + 0.6), squeeze=False)
    for ax in axes.ravel()[len(matrices):]:
        ax.set_axis_off()
    for index, (ax, (method, matrix)) in enumerate(zip(axes.ravel(), matrices.items())):
        matrix = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
        stages = np.arange(1, matrix.shape[0] + 1)
        for task in range(matrix.shape[1]):
            ax.plot(stages, matrix[:, task] * 100, marker="o", label=f"task {task_names[task]}")
        ax.set_xticks(stages, [f"after {task_names[s - 1]}" for s in stages], fontsize="small")
        ax.set_ylim(0, 102)
        ax.set_title(method, fontsize="medium")
        if index % cols == 0:
            ax.set_ylabel("test accuracy on task (%)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle("Continual learning: accuracy on every task after each stage")
    fig.tight_layout()
    _save(fig, path)


def plot_continual_synapses(stages, path):
    """Non-silent, changed and free potential input synapses after each task.

    Parameters
    ----------
    stages : list of dict
        One per task, with ``task``, ``nonsilent_hidden``, ``synapses_changed``
        and ``free_potential_synapses``.
    path : Path
    """
    names = [str(s["task"]) for s in stages]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    width = 0.27
    ax.bar(x - width, [s["nonsilent_hidden"] for s in stages], width, label="non-silent")
    ax.bar(x, [s["synapses_changed"] for s in stages], width, label="changed by this task")
    ax.bar(x + width, [s["free_potential_synapses"] for s in stages], width, label="free potential")
    ax.set_yscale("log")
    ax.set_xticks(x, [f"after {n}" for n in names])
    ax.set_ylabel("input→hidden synapses")
    ax.set_title("Synapses used by each task (our rule)")
    ax.legend(fontsize="small")
    _save(fig, path)
