"""All figures of one trained network in one call."""

import numpy as np

from ..optional import require
from .capacity import stored_information_capacity, synaptic_capacity
from .discrete import discrete_code_information
from .synapses import synapse_counts, weight_statistics

__all__ = ["DEFAULT_VIB", "VIB_MAX_FIT_IMAGES", "analyze_network"]

#: VIB settings used unless told otherwise (reported with every figure).
DEFAULT_VIB = {"latent_dim": None, "beta": 1e-3, "epochs": 30, "batch_size": 256, "learning_rate": 1e-3}

#: The VIB encoder is fitted on at most this many training images (a seeded random subset), which bounds
#: its cost for wide layers on full MNIST; the paper's 3-digit task (~16k images) uses all of them.
VIB_MAX_FIT_IMAGES = 20_000


def analyze_network(network, X_train, y_train, X_test, y_test, *, vib_seeds=(0, 1, 2), vib_settings=None,
                    plugin_threshold="median", weights=True):
    """Synapses, information and capacity figures of a trained network.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
    X_train, y_train : array
        Training images: the VIB encoder is fitted on their hidden codes and
        Knoblauch's stored information counts them.
    X_test, y_test : array
        Test images: accuracy, the VIB rate and the plug-in figures are
        measured on them.
    vib_seeds : sequence of int
        One VIB fit per seed; the median (the figure), mean and sd are
        reported, and seeds more than 2x off the median are flagged.
    vib_settings : dict, optional
        Overrides of :data:`DEFAULT_VIB`.
    plugin_threshold : {"zero", "median"} or float
        Binarisation of the hidden codes for the plug-in cross-check.
    weights : bool
        Include the weight statistics.

    Returns
    -------
    dict
        Flat figures (``accuracy``, ``nonsilent_*``, ``i_xz_bits``,
        ``i_xz_bits_sd``, ``c_s``, ...) plus nested ``vib_settings``,
        ``capacity`` and ``weight_statistics``.
    """
    require("jax", "the VIB estimate of I(X;Z)")
    require("optax", "the VIB estimate of I(X;Z)")
    from .vib import vib_information

    settings = {**DEFAULT_VIB, **(vib_settings or {})}
    fit_index = np.arange(len(y_train))
    if fit_index.size > VIB_MAX_FIT_IMAGES:
        fit_index = np.sort(np.random.default_rng(0).choice(fit_index, VIB_MAX_FIT_IMAGES, replace=False))
    H_fit, H_test = network.hidden(np.asarray(X_train)[fit_index]), network.hidden(X_test)
    counts = synapse_counts(network)
    vib = vib_information(H_fit, np.asarray(y_train)[fit_index], H_test, y_test, seeds=tuple(vib_seeds), **settings)
    vib["settings"]["fit_images"] = int(fit_index.size)
    plugin = discrete_code_information(H_test, y_test, threshold=plugin_threshold)
    capacity = stored_information_capacity(network, X_train, y_train, X_test, y_test)
    figures = {
        "accuracy": network.score(X_test, y_test),
        "train_accuracy": network.score(X_train, y_train),
        **counts,
        "i_xz_bits": vib["i_xz_bits"],
        "i_xz_bits_sd": vib["i_xz_bits_sd"],
        "i_xz_bits_mean": vib["i_xz_bits_mean"],
        "i_xz_bits_per_seed": vib["i_xz_bits_per_seed"],
        "i_xz_bits_divergent_seeds": vib["i_xz_bits_divergent_seeds"],
        "i_xz_bits_marginal": vib["i_xz_bits_marginal"],
        "i_zy_bits": vib.get("i_zy_bits"),
        "c_s": synaptic_capacity(vib["i_xz_bits"], counts["nonsilent_hidden"]),
        "c_s_marginal": synaptic_capacity(vib["i_xz_bits_marginal"], counts["nonsilent_hidden"]),
        **plugin,
        "c_s_plugin": synaptic_capacity(plugin["i_xz_bits_plugin"], counts["nonsilent_hidden"]),
        "knoblauch_capacity_per_synapse": capacity["capacity_per_synapse"],
        "active_hidden_fraction": float(np.mean(H_test > 0)),
        "vib_settings": vib["settings"],
        "capacity": capacity,
    }
    if weights:
        figures["weight_statistics"] = weight_statistics(network)
    return figures
