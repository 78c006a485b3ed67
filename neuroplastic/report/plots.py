"""Figures of a run (PNG, matplotlib's non-interactive Agg backend).

Each function takes plain data (a network, a history list) and a path; none
reads engine state, so any saved run can be plotted again.
"""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..atomic import atomic_write_bytes  # noqa: E402

__all__ = ["plot_synapses_over_training", "plot_receptive_fields", "plot_weight_distribution"]


def _save(fig, path):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def plot_synapses_over_training(history, path):
    """Non-silent synapses per layer, and growth/elimination, per rewiring event.

    Parameters
    ----------
    history : list of dict
        Records with ``presentations``, ``nonsilent_hidden``, ``nonsilent_output``,
        ``grown`` and ``eliminated``.
    path : Path
    """
    seen = np.array([r["presentations"] for r in history], dtype=float)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True)
    top.plot(seen, [r["nonsilent_hidden"] for r in history], marker=".", label="input → hidden")
    top.plot(seen, [r["nonsilent_output"] for r in history], marker=".", label="hidden → output")
    top.set_yscale("log")
    top.set_ylabel("non-silent synapses")
    top.legend()
    top.set_title("Structural plasticity over training")
    bottom.bar(seen, [r["grown"] for r in history], width=np.diff(seen, prepend=0).min() * 0.4 or 1, label="grown")
    bottom.bar(seen, [-r["eliminated"] for r in history], width=np.diff(seen, prepend=0).min() * 0.4 or 1,
               label="eliminated", color="tab:red")
    bottom.set_ylabel("synapses per event")
    bottom.set_xlabel("presentations")
    bottom.legend()
    _save(fig, path)


def plot_receptive_fields(hidden_weights, image_shape, path, n_units=64):
    """The input weights of the first ``n_units`` hidden units, as images.

    Parameters
    ----------
    hidden_weights : scipy.sparse matrix, shape (n_hidden, n_inputs)
    image_shape : (int, int)
    path : Path
    n_units : int
    """
    n_units = min(n_units, hidden_weights.shape[0])
    cols = int(np.ceil(np.sqrt(n_units)))
    rows = int(np.ceil(n_units / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.9, rows * 0.9))
    dense = hidden_weights[:n_units].toarray()
    for k, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.set_axis_off()
        if k < n_units:
            ax.imshow(dense[k].reshape(image_shape), cmap="magma", interpolation="nearest")
    fig.suptitle("Receptive fields (non-silent input synapses)")
    _save(fig, path)


def plot_weight_distribution(hidden_weights, path):
    """Histogram of the non-silent input-to-hidden weights (log axis)."""
    values = hidden_weights.data[hidden_weights.data > 0]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if values.size:
        bins = np.logspace(np.log10(values.min()), np.log10(values.max()) + 1e-9, 50)
        ax.hist(values, bins=bins, color="tab:blue")
        ax.set_xscale("log")
    ax.set_xlabel("synaptic efficacy w (non-silent)")
    ax.set_ylabel("synapses")
    ax.set_title(f"Weight distribution ({values.size:,} non-silent synapses)")
    _save(fig, path)
