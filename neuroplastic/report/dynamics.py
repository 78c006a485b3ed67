"""Figures of synapse dynamics: turnover per pass, survival curves, lifetimes and weight distributions.

Each function reads the census summary a run saves (``dynamics.json``,
:meth:`neuroplastic.rule.census.SynapseCensus.summary`), so any run can be
drawn again without its learner.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .plots import _save  # noqa: E402

__all__ = ["plot_dynamics"]


def plot_dynamics(dynamics, path):
    """Four panels: turnover per pass, survival curves, lifetime histogram, log-weight distribution over time.

    Parameters
    ----------
    dynamics : dict
        A census summary (``epochs``, ``survival``, ``lifetime_histogram``, ``weights``).
    path : Path
    """
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    (turn, surv), (life, weights) = axes
    epochs = [e for e in dynamics["epochs"] if e.get("turnover") is not None]
    turn.bar([e["epoch"] for e in epochs], [100 * e["turnover"] for e in epochs],
             color=["tab:blue" if e["phase"] == "hidden" else "tab:orange" for e in epochs])
    turn.set_xlabel("pass")
    turn.set_ylabel("synapses replaced in the pass (%)")
    turn.set_title("Turnover (blue: hidden phase, orange: readout phase)")
    by_reference = {}
    for point in dynamics["survival"]:
        by_reference.setdefault(point["reference"], []).append(point)
    for t0, points in sorted(by_reference.items()):
        surv.plot([0] + [p["delta"] for p in points], [1.0] + [p["surviving"] for p in points], marker=".",
                  label=f"present at {t0:,}")
    surv.set_xlabel("presentations after the reference")
    surv.set_ylabel("fraction still present")
    surv.set_ylim(0, 1.02)
    surv.set_title("Survival of hidden synapses")
    if by_reference:
        surv.legend(fontsize=7)
    edges = np.asarray(dynamics["lifetime_histogram"]["edges"])
    counts = np.asarray(dynamics["lifetime_histogram"]["counts"])
    used = np.flatnonzero(counts)
    if used.size:
        span = slice(used[0], used[-1] + 1)
        life.bar(np.log2(edges[span]), counts[span], width=0.9)
    mean = dynamics.get("mean_lifetime")
    life.set_xlabel("log2 lifetime (presentations)")
    life.set_ylabel("eliminated synapses")
    life.set_title("Completed lifetimes" + (f" (mean {mean:,.0f})" if mean else ""))
    snapshots = dynamics["weights"]
    if snapshots:
        picks = sorted({0, len(snapshots) // 2, len(snapshots) - 1})
        for k in picks:
            snap = snapshots[k]
            edges = np.asarray(snap["log10_edges"])
            counts = np.asarray(snap["counts"], dtype=float)
            centres = 0.5 * (edges[1:] + edges[:-1])
            density = counts / max(counts.sum(), 1) / np.diff(edges)
            line, = weights.plot(centres, density, drawstyle="steps-mid", label=f"pass {snap['epoch']}")
            if snap.get("lognormal_mu") is not None and snap["lognormal_sigma"] > 0:
                mu, sigma = snap["lognormal_mu"] / np.log(10), snap["lognormal_sigma"] / np.log(10)
                fit = np.exp(-0.5 * ((centres - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
                weights.plot(centres, fit, linestyle="--", color=line.get_color())
        weights.legend(fontsize=7)
    weights.set_xlabel("log10 efficacy")
    weights.set_ylabel("density")
    weights.set_title("Hidden weights over time (dashed: lognormal fit)")
    fig.tight_layout()
    _save(fig, path)
