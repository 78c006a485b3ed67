"""Synapse accounting and weight statistics of a trained network."""

import numpy as np
from scipy import stats

__all__ = ["synapse_counts", "weight_statistics", "lognormal_fit"]


def synapse_counts(network):
    """Non-silent and potential synapses per layer, and the density.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork

    Returns
    -------
    dict
        ``nonsilent_hidden`` (input->hidden, the synapses the paper's C_S
        counts), ``nonsilent_output``, ``nonsilent_total``, the same for
        ``potential_*``, and ``density_hidden`` / ``density_output``.
    """
    nonsilent, potential = network.n_nonsilent, network.n_potential
    out = {}
    for layer in ("hidden", "output", "total"):
        out[f"nonsilent_{layer}"] = int(nonsilent[layer])
        out[f"potential_{layer}"] = int(potential[layer])
    for layer in ("hidden", "output"):
        out[f"density_{layer}"] = nonsilent[layer] / potential[layer] if potential[layer] else 0.0
    return out


def lognormal_fit(values):
    """Fit a lognormal to positive values by maximum likelihood.

    Returns
    -------
    dict
        ``mu`` and ``sigma`` of ``log(values)``, the median ``exp(mu)``, and
        the Kolmogorov-Smirnov distance of the fit (smaller is better; not a
        p-value, since the parameters were fitted on the same data).
        Empty if fewer than three positive values.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[values > 0]
    if values.size < 3:
        return {}
    logs = np.log(values)
    mu, sigma = float(logs.mean()), float(logs.std())
    if sigma == 0.0:
        return {"mu": mu, "sigma": 0.0, "median": float(np.exp(mu)), "ks_distance": 0.0, "n": int(values.size)}
    ks = stats.kstest((logs - mu) / sigma, "norm").statistic  # standardised: the same distance, any SciPy
    return {"mu": mu, "sigma": sigma, "median": float(np.exp(mu)), "ks_distance": float(ks), "n": int(values.size)}


def _layer_statistics(matrix):
    w = np.asarray(matrix.data, dtype=np.float64)
    w = w[w != 0]
    if w.size == 0:
        return {"n": 0}
    q = np.quantile(w, [0.05, 0.25, 0.5, 0.75, 0.95])
    magnitude = np.abs(w)
    return {
        "n": int(w.size),
        "mean": float(w.mean()),
        "sd": float(w.std()),
        "min": float(w.min()),
        "max": float(w.max()),
        "quantiles_5_25_50_75_95": [float(v) for v in q],
        "fraction_positive": float(np.mean(w > 0)),
        "skewness": float(stats.skew(w)),
        "lognormal_fit_of_magnitudes": lognormal_fit(magnitude),
    }


def weight_statistics(network):
    """Distribution of the non-silent weights per layer, with a lognormal fit of their magnitudes.

    Returns
    -------
    dict
        ``{"hidden": {...}, "output": {...}}``.
    """
    return {"hidden": _layer_statistics(network.hidden_weights), "output": _layer_statistics(network.output_weights)}
