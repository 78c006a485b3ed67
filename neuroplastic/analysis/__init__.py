"""Synapse accounting, information measures, capacities and the over-parameterisation factor.

Everything here reads a saved :class:`~neuroplastic.network.TrainedNetwork`
(and data), never an engine. The definitions follow the paper (Stricker,
Röhrbein and Knoblauch 2024; see the page "Reproducing the paper" of the
docs): non-silent synapses are non-zero weights; I(X;Z) is the rate of a
variational information bottleneck (Alemi et al. 2017) fitted on the hidden
representation, in bits; the synaptic capacity ``C_S = I(X;Z) / non-silent
input->hidden synapses``. NeuroBench's footprint, sparsity and
synaptic-operation metrics are in :mod:`.neurobench`.
"""

from .capacity import stored_information_capacity, synaptic_capacity
from .discrete import (binarise, confusion_matrix, discrete_code_information, label_information_bits,
                       plugin_entropy_bits, plugin_mutual_information_bits)
from .neurobench import neurobench_metrics
from .overparam import overparameterisation_factor
from .summary import DEFAULT_VIB, analyze_network
from .synapses import lognormal_fit, synapse_counts, weight_statistics

__all__ = [
    "DEFAULT_VIB",
    "VIBEstimator",
    "analyze_network",
    "analyze_run",
    "binarise",
    "confusion_matrix",
    "discrete_code_information",
    "divergent_seeds",
    "gaussian_kl_bits",
    "label_information_bits",
    "lognormal_fit",
    "neurobench_metrics",
    "overparameterisation_factor",
    "plugin_entropy_bits",
    "plugin_mutual_information_bits",
    "stored_information_capacity",
    "synapse_counts",
    "synaptic_capacity",
    "vib_information",
    "weight_statistics",
]


def analyze_run(*args, **kwargs):
    """See :func:`neuroplastic.analysis.run.analyze_run` (imported lazily: it reads config and data)."""
    from .run import analyze_run as _analyze_run

    return _analyze_run(*args, **kwargs)


#: Names of :mod:`.vib`, which needs JAX (the ``baselines`` extra): imported on first use.
_VIB_NAMES = ("VIBEstimator", "divergent_seeds", "gaussian_kl_bits", "vib_information")


def __getattr__(name):
    if name in _VIB_NAMES:
        from ..optional import require

        require("jax", "the VIB estimate of I(X;Z)")
        require("optax", "the VIB estimate of I(X;Z)")
        from . import vib

        return getattr(vib, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
