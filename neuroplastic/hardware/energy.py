"""Price counted events with a hardware profile.

Neuromorphic (event-driven), per inference::

    E = synaptic_ops * E_syn + neuron_updates * E_neuron
        + spike_messages * E_spike + hops * E_hop + P_static * chips * latency
    latency = max over cores (synaptic_ops_core * t_syn + neurons_core * steps * t_neuron)
              + steps * t_barrier

(the slowest core's work over the whole inference, plus one barrier per
step; this averages a core's load over the steps, a lower bound).

Conventional (matrix products), per inference::

    E = MACs * E_MAC + memory_words * E_word + P_static * latency
    latency = MACs * t_MAC

with the weights (and, for sparse storage, their indices) read once per
inference. This module only prices; it neither runs nor maps.
"""

import numpy as np

from ..errors import HardwareError

__all__ = ["price_events", "price_macs", "mac_workload"]

PJ_PER_UJ = 1e6


def price_events(events, mapping, profile):
    """Energy and latency per inference of an event-driven run.

    Parameters
    ----------
    events : events.EventCounts
    mapping : mapping.Mapping
    profile : HardwareProfile (neuromorphic)

    Returns
    -------
    dict
        ``energy_uj`` (mean per inference), ``breakdown_uj`` by term
        (``synaptic``, ``neuron``, ``spike``, ``hop``, ``static``),
        ``latency_us``, ``cores``, ``chips``, and the mean event counts.
    """
    if not profile.is_neuromorphic:
        raise HardwareError(f"profile {profile.name!r} is {profile.kind}; use price_macs")
    core_time = (events.core_synaptic_ops * profile["synaptic_op_time"]
                 + (events.core_neurons * events.steps * profile["neuron_update_time"])[:, None])
    latency_ns = core_time.max(axis=0) + events.steps * profile["barrier_time"]
    breakdown_pj = {
        "synaptic": events.synaptic_ops * profile["synaptic_op"],
        "neuron": np.full(events.synaptic_ops.shape, events.neuron_updates * profile["neuron_update"]),
        "spike": events.spike_messages * profile["spike"],
        "hop": events.hops * profile["hop"],
        # mW * ns = pJ
        "static": profile["static_power"] * mapping.n_chips * latency_ns,
    }
    total_pj = sum(breakdown_pj.values())
    return {
        "profile": profile.name,
        "kind": "event-driven",
        "energy_uj": float(total_pj.mean() / PJ_PER_UJ),
        "breakdown_uj": {k: float(v.mean() / PJ_PER_UJ) for k, v in breakdown_pj.items()},
        "latency_us": float(latency_ns.mean() / 1e3),
        "cores": mapping.n_cores,
        "chips": mapping.n_chips,
        "utilisation": mapping.utilisation,
        "events_per_inference": events.mean(),
    }


def mac_workload(network, *, sparse):
    """MACs and stored weights of one inference as matrix products.

    Parameters
    ----------
    network : TrainedNetwork-like
    sparse : bool
        Count only stored (non-silent) weights and their indices, or every
        potential weight.

    Returns
    -------
    dict
        ``macs``, ``weights``, ``indexed`` (whether indices are stored).
    """
    n_out, n_h = network.output_weights.shape
    n_in = network.hidden_weights.shape[1]
    if sparse:
        weights = int(network.hidden_weights.nnz + network.output_weights.nnz)
    else:
        weights = int(n_in * n_h + n_h * n_out)
    return {"macs": weights, "weights": weights + n_h + n_out, "indexed": bool(sparse)}


def price_macs(workload, profile):
    """Energy and latency per inference of a matrix-product workload.

    Parameters
    ----------
    workload : dict from :func:`mac_workload`
    profile : HardwareProfile (conventional)
    """
    if profile.is_neuromorphic:
        raise HardwareError(f"profile {profile.name!r} is neuromorphic; use price_events")
    bits = profile["weight_bits"] + (profile["index_bits"] if workload["indexed"] else 0)
    words = workload["weights"] * bits / profile["word_bits"]
    latency_ns = workload["macs"] * profile["mac_time"]
    breakdown_pj = {
        "mac": workload["macs"] * profile["mac"],
        "memory": words * profile["memory_word"],
        "static": profile["static_power"] * latency_ns,
    }
    return {
        "profile": profile.name,
        "kind": "matrix products" + (" (sparse)" if workload["indexed"] else " (dense)"),
        "energy_uj": float(sum(breakdown_pj.values()) / PJ_PER_UJ),
        "breakdown_uj": {k: float(v / PJ_PER_UJ) for k, v in breakdown_pj.items()},
        "latency_us": float(latency_ns / 1e3),
        "macs": int(workload["macs"]),
        "memory_words": float(words),
    }
