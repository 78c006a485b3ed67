"""``analyze RUN``: add the analysis figures to a finished run folder."""

import time
from typing import NamedTuple

import numpy as np

from ..errors import DataError
from ..runs import load_run
from .neurobench import neurobench_metrics
from .overparam import overparameterisation_factor
from .summary import analyze_network

__all__ = ["ANALYSIS_FILE", "run_data", "run_splits", "analyze_run", "synapse_dynamics"]

#: The file in the run folder that holds every analysis figure (nested).
ANALYSIS_FILE = "analysis.json"

#: Flat figures merged into ``metrics.json``.
METRIC_KEYS = (
    "nonsilent_hidden", "nonsilent_output", "nonsilent_total", "density_hidden", "density_output",
    "i_xz_bits", "i_xz_bits_mean", "i_xz_bits_sd", "i_xz_bits_divergent_seeds", "i_xz_bits_marginal", "i_zy_bits", "c_s", "c_s_marginal",
    "i_xz_bits_plugin", "c_s_plugin", "knoblauch_capacity_per_synapse",
)


class _Arrays(NamedTuple):
    X: np.ndarray
    y: np.ndarray


def run_splits(model, data_dir=None):
    """The training, validation and test images of a run, cut as the model definition says.

    The training part is the (optionally subsampled) training set minus the
    stratified validation share, both seeded by ``[training] seed``; the
    validation part is that share (empty when ``validation_fraction`` is 0).

    Returns
    -------
    (LabelledImages, LabelledImages, LabelledImages)
        Training part, validation part and test set.
    """
    from ..datasets import load_dataset

    data = load_dataset(model.data.dataset, data_dir, classes=model.data.classes)
    train, validation = data.training_split(n_train=model.data.n_train,
                                            validation_fraction=model.data.validation_fraction,
                                            seed=model.training.seed)
    return train, validation, data.test


def run_data(model, data_dir=None):
    """The training and test images of a run (see :func:`run_splits`).

    Returns
    -------
    (train, test)
        Training part and test set, each with ``X`` (pixels in [0, 1]) and
        ``y`` (labels), as :meth:`neuroplastic.runs.RunFolder.load` cuts them.
    """
    from ..runner import prepare_data

    data = prepare_data(model, data_dir)
    return _Arrays(data.X_train, data.y_train), _Arrays(data.X_test, data.y_test)


def synapse_dynamics(run):
    """The run's census of synapse dynamics (``dynamics.json``) in brief, or None for runs without one.

    Returns
    -------
    dict or None
        Totals grown and eliminated, the mean completed lifetime, per pass the
        turnover and the lognormal fit of the weights, and the survival curves.
    """
    import json

    path = run.file("dynamics.json")
    if not path.exists():
        return None
    try:
        census = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: unreadable ({exc})") from None
    return {
        "grown": census["grown"], "eliminated": census["eliminated"], "mean_lifetime": census["mean_lifetime"],
        "passes": [{"epoch": e["epoch"], "phase": e["phase"], "turnover": e.get("turnover"),
                    "synapses": e["synapses"], "mean_age": e["mean_age"]} for e in census["epochs"]],
        "lognormal_fits": [{"epoch": w["epoch"], "mu": w["lognormal_mu"], "sigma": w["lognormal_sigma"]}
                           for w in census["weights"]],
        "survival": census["survival"],
    }


def analyze_run(path, *, data_dir=None, vib_seeds=(0, 1, 2), vib_settings=None, overparameterisation=False,
                max_hidden=1024, progress=None):
    """Analyse the network of the run folder ``path`` and record the figures there.

    Reads ``network.npz`` and ``model.toml``, computes
    :func:`~neuroplastic.analysis.analyze_network` on the run's data, writes
    everything to ``analysis.json`` and merges the flat figures
    (:data:`METRIC_KEYS`) into ``metrics.json``; nested parts (VIB settings,
    capacities, weight statistics) stay in ``analysis.json``.

    Parameters
    ----------
    path : str or Path
        The run folder.
    data_dir : str or Path, optional
        Folder of the IDX files (default: the usual search order).
    vib_seeds, vib_settings
        See :func:`~neuroplastic.analysis.analyze_network`.
    overparameterisation : bool
        Also search the smallest dense BP net that matches the run's
        validation accuracy, chosen on the run's validation split (trains
        several BP networks; minutes on full MNIST).
    max_hidden : int
        Largest BP hidden layer of that search.
    progress : callable, optional
        Receives one-line progress messages.

    Returns
    -------
    dict
        The analysis (as written to ``analysis.json``).
    """
    loaded = load_run(path, data_dir)
    run, network, data = loaded.folder, loaded.network, loaded.data
    train, test = _Arrays(data.X_train, data.y_train), _Arrays(data.X_test, data.y_test)
    validation = _Arrays(data.X_val, data.y_val)
    start = time.perf_counter()
    figures = analyze_network(network, train.X, train.y, test.X, test.y, vib_seeds=vib_seeds,
                              vib_settings=vib_settings)
    figures["neurobench"] = neurobench_metrics(network, test.X)
    if overparameterisation:
        figures["overparameterisation"] = overparameterisation_factor(
            network, train.X, train.y, validation.X, validation.y, X_test=test.X, y_test=test.y,
            max_hidden=max_hidden, progress=progress)
    dynamics = synapse_dynamics(run)
    if dynamics is not None:
        figures["synapse_dynamics"] = dynamics
    figures["analysis_time_s"] = round(time.perf_counter() - start, 2)
    run.write_json(ANALYSIS_FILE, figures)
    flat = {key: figures[key] for key in METRIC_KEYS if key in figures}
    if "overparameterisation" in figures:
        flat["overparameterisation_factor"] = figures["overparameterisation"]["factor"]
        flat["overparameterisation_bp_hidden"] = figures["overparameterisation"]["bp_hidden"]
    run.update_metrics(**flat)
    run.log(f"analysis: I(X;Z) {figures['i_xz_bits']:.2f} bits, C_S {figures['c_s']:.4g} bits/synapse")
    return figures
