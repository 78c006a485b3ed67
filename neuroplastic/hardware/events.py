"""Count the events of a run from spike counts, synapses and the core placement.

Given per-neuron spike counts per image (from Lava or the NumPy simulator),
the synapses of each layer and where each neuron sits, this counts per
image:

- synaptic operations: each spike of a source times its synapses;
- spike messages: each spike is sent once to every distinct core that holds
  one of its targets;
- hops: mesh (Manhattan) distance of every message; inputs enter at a mesh
  corner, one hop outside core 0 (an assumption);
- neuron updates: every placed neuron is updated every time step;
- synaptic operations per core, for the latency of the slowest core.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["EventCounts", "count_events", "count_synaptic_ops"]


@dataclass
class EventCounts:
    """Events per image (arrays of length ``n_images`` unless noted)."""

    synaptic_ops: np.ndarray
    spikes: np.ndarray
    spike_messages: np.ndarray
    hops: np.ndarray
    neuron_updates: int
    core_synaptic_ops: np.ndarray  # (n_cores, n_images)
    core_neurons: np.ndarray  # (n_cores,)
    steps: int
    by_source: dict = None  # {source layer: {"messages": per image, "hops": per image}}

    def mean(self):
        """Mean events per image, as a dict of floats."""
        return {
            "synaptic_ops": float(self.synaptic_ops.mean()),
            "spikes": float(self.spikes.mean()),
            "spike_messages": float(self.spike_messages.mean()),
            "hops": float(self.hops.mean()),
            "neuron_updates": float(self.neuron_updates),
            "steps": int(self.steps),
        }


def _connectivity(layer):
    """The layer's synapses as a 0/1 matrix (targets x sources): signed weights must not cancel."""
    A = layer.fan_in.tocsr().copy()
    A.data = np.ones_like(A.data, dtype=np.float64)
    return A


def count_synaptic_ops(layers, spike_counts):
    """Synaptic operations per image and per path, without a placement.

    Parameters
    ----------
    layers : list of mapping.Layer
    spike_counts : dict
        As for :func:`count_events`.

    Returns
    -------
    (numpy.ndarray, dict)
        Operations per image, shape ``(n_images,)``, and their mean per
        ``"source->target"`` path.
    """
    n_images = next(iter(spike_counts.values())).shape[1]
    total = np.zeros(n_images)
    paths = {}
    for layer in layers:
        A = _connectivity(layer)
        start = 0
        for name, size in layer.sources:
            ops = np.asarray(A[:, start:start + size] @ spike_counts[name].reshape(size, n_images).astype(np.float64)
                             ).sum(axis=0)
            paths[f"{name}->{layer.name}"] = float(ops.mean())
            total += ops
            start += size
    return total, paths


def count_events(layers, spike_counts, mapping, steps):
    """Count events per image.

    Parameters
    ----------
    layers : list of mapping.Layer
    spike_counts : dict
        ``{layer name: (n_neurons, n_images) counts}`` for every source and
        placed layer (``"input"`` included).
    mapping : mapping.Mapping
    steps : int
        Time steps per image (all neurons update every step).

    Returns
    -------
    EventCounts
    """
    positions = mapping.positions()
    n_cores = mapping.n_cores
    n_images = next(iter(spike_counts.values())).shape[1]
    syn_ops = np.zeros(n_images)
    core_ops = np.zeros((n_cores, n_images))
    destinations = {}  # source layer -> (n_src, n_cores) bool
    for layer in layers:
        A = _connectivity(layer)
        S = np.vstack([spike_counts[name].reshape(size, n_images) for name, size in layer.sources]).astype(np.float64)
        per_neuron = np.asarray(A @ S)
        syn_ops += per_neuron.sum(axis=0)
        cores = mapping.core_of[layer.name]
        np.add.at(core_ops, cores, per_neuron)
        onehot = sp.csr_matrix((np.ones(len(cores)), (np.arange(len(cores)), cores)), shape=(len(cores), n_cores))
        reach = (A.T @ onehot).toarray() > 0
        start = 0
        for name, size in layer.sources:
            part = reach[start:start + size]
            destinations[name] = part if name not in destinations else (destinations[name] | part)
            start += size
    messages = np.zeros(n_images)
    hops = np.zeros(n_images)
    spikes = np.zeros(n_images)
    by_source = {}
    for name, reach in destinations.items():
        counts = spike_counts[name].reshape(reach.shape[0], n_images).astype(np.float64)
        spikes += counts.sum(axis=0)
        if name == "input":
            origin = np.tile(np.array([[-1, 0]]), (reach.shape[0], 1))
        else:
            origin = positions[mapping.core_of[name]]
        distance = np.abs(origin[:, None, :] - positions[None, :, :]).sum(axis=2)
        sent = reach.sum(axis=1).astype(np.float64) @ counts
        travelled = (reach * distance).sum(axis=1).astype(np.float64) @ counts
        by_source[name] = {"messages": sent, "hops": travelled}
        messages += sent
        hops += travelled
    for layer in layers:  # layers that send to nobody (the output) still spike
        if layer.name not in destinations:
            spikes += spike_counts[layer.name].sum(axis=0)
    core_neurons = np.array([c["neurons"] for c in mapping.cores], dtype=np.int64)
    return EventCounts(
        synaptic_ops=syn_ops, spikes=spikes, spike_messages=messages, hops=hops,
        neuron_updates=int(core_neurons.sum()) * int(steps), core_synaptic_ops=core_ops,
        core_neurons=core_neurons, steps=int(steps), by_source=by_source,
    )
