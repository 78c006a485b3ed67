"""Split neurons whose fan-in exceeds a core into partial-sum compartments.

A neuron with more presynaptic axons than a core accepts
(``input_axons_per_core``), or more synapses than a core's synaptic memory
holds, cannot be placed whole. As neuromorphic compilers do, its synapses
are divided among *partial-sum compartments*: compartment ``k`` holds the
neuron's synapses from sources ``k * width`` to ``(k + 1) * width - 1``
(fixed blocks of the layer's source columns, so compartments of different
neurons that cover the same block share their input axons and pack onto
the same cores). Each compartment integrates its block's weighted input
and passes the partial sum to the neuron (the root), which receives only
partial sums, one axon per compartment, with weight 1.

Semantics and cost. The partial sums reach the root within the same time
step, as in the dendritic accumulation of Loihi's multi-compartment
neurons (Davies et al., IEEE Micro 2018), so the split neuron receives the
same input current every step as the unsplit one and fires the same spikes
(tested). On the cost side every compartment is one more neuron, updated
every step, and each sends one message to its root in every step in which
it receives at least one spike; that number of steps is bounded here by the
spikes it receives and by the steps of the image (an upper bound: two
spikes in the same step cost one message). Each message costs a spike, its
hops and one synaptic operation at the root.

This module only rewrites layers and spike counts; :mod:`.mapping` places
them.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import HardwareError
from .mapping import Layer

__all__ = ["Split", "split_layers", "partial_spike_counts", "PARTIAL_SUFFIX"]

#: Name of the compartment layer of layer ``X``: ``X + PARTIAL_SUFFIX``.
PARTIAL_SUFFIX = "_partial"


@dataclass
class Split:
    """How one layer was split.

    Attributes
    ----------
    layer : str
        The split layer's name.
    neurons : numpy.ndarray
        Indices of the split neurons (roots).
    width : int
        Source columns per block.
    compartments : int
        Compartments in all.
    partial : Layer
        The compartment layer (rows: compartments; columns: the original
        sources, with the original weights).
    """

    layer: str
    neurons: np.ndarray
    width: int
    compartments: int
    partial: Layer


def _block_width(profile):
    axons = int(profile["input_axons_per_core"])
    bits = float(profile["weight_bits"] + profile["index_bits"])
    memory = float(profile["synaptic_memory_per_core"])
    per_memory = int(memory // bits) if bits > 0 else axons
    width = min(axons, per_memory)
    if width < 1:
        raise HardwareError(f"{profile.name}: a core holds no synapse (synaptic_memory_per_core={memory:.0f} bits)")
    return width


def _too_big(fan_in, profile):
    counts = np.diff(fan_in.indptr)
    bits = float(profile["weight_bits"] + profile["index_bits"])
    return (counts > int(profile["input_axons_per_core"])) | (counts * bits > float(profile["synaptic_memory_per_core"]))


def split_layers(layers, profile):
    """Split every neuron that no core can hold whole (see module doc).

    Parameters
    ----------
    layers : list of mapping.Layer
    profile : HardwareProfile (neuromorphic)

    Returns
    -------
    (list of mapping.Layer, list of Split)
        The layers to place (each split layer preceded by its compartment
        layer ``name + "_partial"``, whose sources are the original ones;
        the split layer gains the compartments as its last source) and
        what was split. Layers that fit are returned unchanged.

    Raises
    ------
    HardwareError
        If a root would still have more compartments than a core's axons.
    """
    out, splits = [], []
    width = _block_width(profile)
    for layer in layers:
        fan_in = layer.fan_in.tocsr()
        big = np.flatnonzero(_too_big(fan_in, profile))
        if big.size == 0:
            out.append(layer)
            continue
        rows, roots = [], []
        for neuron in big:
            row = fan_in[neuron]
            blocks = np.unique(row.indices // width)
            for block in blocks:
                keep = (row.indices // width) == block
                rows.append(sp.csr_matrix((row.data[keep], row.indices[keep], [0, int(keep.sum())]),
                                          shape=(1, fan_in.shape[1])))
                roots.append(neuron)
        roots = np.asarray(roots)
        partial = Layer(layer.name + PARTIAL_SUFFIX, sp.vstack(rows, format="csr"), list(layer.sources))
        n_comp = len(roots)
        per_root = np.bincount(roots, minlength=fan_in.shape[0])
        if per_root.max() > int(profile["input_axons_per_core"]):
            raise HardwareError(f"{layer.name} neuron {int(per_root.argmax())} needs {int(per_root.max())} partial-sum "
                                f"compartments; {profile.name} allows input_axons_per_core="
                                f"{int(profile['input_axons_per_core'])} at its root")
        unsplit = np.ones(fan_in.shape[0])
        unsplit[big] = 0.0
        direct = sp.diags(unsplit) @ fan_in  # the roots keep no direct synapse
        to_root = sp.csr_matrix((np.ones(n_comp), (roots, np.arange(n_comp))), shape=(fan_in.shape[0], n_comp))
        rewired = sp.hstack([sp.csr_matrix(direct), to_root], format="csr")
        rewired.eliminate_zeros()
        out.append(partial)
        out.append(Layer(layer.name, rewired, list(layer.sources) + [(partial.name, n_comp)]))
        splits.append(Split(layer=layer.name, neurons=big, width=width, compartments=n_comp, partial=partial))
    return out, splits


def partial_spike_counts(splits, spike_counts, slot):
    """Add the compartments' messages per image to ``spike_counts`` (a new dict).

    A compartment sends at most one message per step, and only in a step in
    which it receives a spike: ``min(slot, spikes received)`` (an upper
    bound, see module doc).
    """
    counts = dict(spike_counts)
    for split in splits:
        layer = split.partial
        n_images = next(iter(spike_counts.values())).shape[1]
        S = np.vstack([spike_counts[name].reshape(size, n_images) for name, size in layer.sources]).astype(np.float64)
        connected = layer.fan_in.copy()
        connected.data = np.ones_like(connected.data, dtype=np.float64)
        received = np.asarray(connected @ S)
        counts[layer.name] = np.minimum(received, slot).astype(np.int64)
    return counts
