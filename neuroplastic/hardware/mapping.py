"""Place neurons and their synapses onto neuromorphic cores.

Each neuron goes, layer by layer and in order, onto the current core if the
core still has room for it under all three per-core limits of the profile:

- neurons per core (``neurons_per_core``);
- synaptic memory (``synaptic_memory_per_core``): each stored synapse takes
  ``weight_bits + index_bits``;
- input axons (``input_axons_per_core``): distinct presynaptic sources of
  the neurons on the core.

Otherwise a new core is opened. With ``placement="locality"`` the neurons of
a layer are first sorted by the median index of their presynaptic sources
(for the hidden layer: where in the image their synapses lie), so that
neurons reading the same inputs share a core and its input axons. Fewer
axons per core means fewer cores and fewer spike messages; ``"fill"`` keeps
the layer's own order. Packing cores full makes the fullest core the slowest
one, so ``placement="balanced"`` keeps the locality order but spreads each
layer evenly over as many cores as fill order opens for it. Cores fill chips in order (``cores_per_chip``);
more chips than ``max_chips`` is an error. A neuron that alone breaks a limit
is an error naming the limit; :func:`~.splitting.split_layers` first divides
such neurons into partial-sum compartments. This module only places; it
neither runs nor prices.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import HardwareError
from .counters import counters_of

__all__ = ["PLACEMENTS", "Layer", "Mapping", "map_layers", "plan_layers"]

#: Orders in which :func:`map_layers` places the neurons of a layer.
PLACEMENTS = ("fill", "locality", "balanced")


@dataclass
class Layer:
    """A layer to place: its neurons' incoming synapses.

    Attributes
    ----------
    name : str
    fan_in : scipy.sparse.csr_matrix, shape (n_neurons, n_sources)
        Non-zero entries are synapses; columns are the presynaptic axons
        (all sources of the layer, concatenated).
    sources : list of (str, int)
        Source layer names and their sizes, in column order.
    """

    name: str
    fan_in: sp.csr_matrix
    sources: list


@dataclass
class Mapping:
    """Result of :func:`map_layers`.

    Attributes
    ----------
    core_of : dict
        ``{layer name: numpy array of core index per neuron}``.
    cores : list of dict
        Per core: ``layer``, ``neurons``, ``synapses``, ``memory_bits``,
        ``input_axons``, ``chip``, ``position`` (x, y on the mesh).
    n_chips : int
    utilisation : dict
        Mean and max fraction used per limit (``neurons``, ``memory``, ``input_axons``).
    """

    core_of: dict
    cores: list
    n_chips: int
    utilisation: dict

    @property
    def n_cores(self):
        return len(self.cores)

    def positions(self):
        """Array ``(n_cores, 2)`` of mesh coordinates."""
        return np.array([c["position"] for c in self.cores], dtype=np.int64).reshape(-1, 2)


def plan_layers(plan, binary=False):
    """The layers of a :class:`~.rate_code.SpikingPlan`: hidden, inhibition and relay (if any), output.

    With ``binary`` (hardware whose spikes carry no payload), a facilitating
    plan's synapses onto the outputs become a layer of counter neurons
    before the output layer (:mod:`.counters`), its only source.
    """
    n_in, n_h = plan.n_inputs, plan.n_hidden
    hidden = plan.hidden_weights.tocsr()
    sources = [("input", n_in)]
    layers = []
    if plan.has_inhibition:
        column = sp.csr_matrix(np.ones((n_h, 1)))
        hidden = sp.hstack([hidden, column], format="csr")
        sources.append(("inhibition", 1))
        layers.append(Layer("inhibition", plan.inhibition_weights.tocsr(), [("input", n_in)]))
    layers.insert(0, Layer("hidden", hidden, sources))
    if plan.has_relay:
        layers.append(Layer("relay", plan.relay_weights.tocsr(), [("input", n_in)]))
    if binary and plan.facilitates:
        counters = counters_of(plan)
        layers.append(Layer("counters", counters.fan_in, counters.sources))
        layers.append(Layer("output", counters.to_output.tocsr(), [("counters", counters.size)]))
        return layers
    output, output_sources = plan.output_weights.tocsr(), [("hidden", n_h)]
    if plan.has_relay:
        output = sp.hstack([output, plan.relay_to_output.tocsr()], format="csr")
        output_sources.append(("relay", plan.n_relay))
    layers.append(Layer("output", output, output_sources))
    return layers


def _mesh_position(core, cores_per_chip):
    columns = int(np.ceil(np.sqrt(cores_per_chip)))
    chip, within = divmod(core, cores_per_chip)
    return (chip * columns + within % columns, within // columns)


def placement_order(fan_in, placement):
    """The order in which the neurons of a layer are placed (see the module docstring)."""
    n_neurons = fan_in.shape[0]
    if placement == "fill":
        return np.arange(n_neurons)  # "locality" and "balanced" share the order below
    counts = np.diff(fan_in.indptr)
    key = np.full(n_neurons, fan_in.shape[1], dtype=np.float64)  # neurons without synapses go last
    for neuron in np.flatnonzero(counts):
        key[neuron] = np.median(fan_in.indices[fan_in.indptr[neuron]:fan_in.indptr[neuron + 1]])
    return np.argsort(key, kind="stable")


def _place_layer(layer, fan_in, order, per_core, memory, axons, bits, profile_name, cores):
    """Place one layer's neurons in ``order``, appending the cores it opens to ``cores``.

    Returns
    -------
    (numpy.ndarray, list)
        The core index of every neuron, and the cores opened for the layer.
    """
    n_neurons, n_sources = fan_in.shape
    assignment = np.empty(n_neurons, dtype=np.int64)
    first = len(cores)

    def open_core():
        cores.append({"layer": layer.name, "neurons": 0, "synapses": 0, "memory_bits": 0.0,
                      "input_axons": 0, "_used": np.zeros(n_sources, bool)})
        return cores[-1]

    core = open_core()
    for neuron in order:
        sources = fan_in.indices[fan_in.indptr[neuron]:fan_in.indptr[neuron + 1]]
        need_memory = sources.size * bits
        if sources.size > axons:
            raise HardwareError(f"{layer.name} neuron {neuron} has {sources.size} input synapses from distinct "
                                f"axons; {profile_name} allows input_axons_per_core={axons}")
        if need_memory > memory:
            raise HardwareError(f"{layer.name} neuron {neuron} needs {need_memory:.0f} bits of synaptic memory; "
                                f"{profile_name} has synaptic_memory_per_core={memory:.0f} bits")
        new_axons = int(np.count_nonzero(~core["_used"][sources]))
        if (core["neurons"] + 1 > per_core or core["memory_bits"] + need_memory > memory
                or core["input_axons"] + new_axons > axons):
            core = open_core()
            new_axons = sources.size
        core["_used"][sources] = True
        core["neurons"] += 1
        core["synapses"] += int(sources.size)
        core["memory_bits"] += need_memory
        core["input_axons"] += new_axons
        assignment[neuron] = len(cores) - 1
    return assignment, cores[first:]


def map_layers(layers, profile, placement="fill"):
    """Place ``layers`` onto the cores of a neuromorphic ``profile``.

    Parameters
    ----------
    layers : list of Layer
    profile : HardwareProfile
    placement : {"fill", "locality", "balanced"}
        The order in which each layer's neurons are placed, and (``"balanced"``)
        whether each core takes an even share of the layer.

    Returns
    -------
    Mapping

    Raises
    ------
    HardwareError
        If the profile is not neuromorphic, a single neuron exceeds a per-core
        limit, or the network needs more than ``max_chips`` chips.
    """
    if not profile.is_neuromorphic:
        raise HardwareError(f"profile {profile.name!r} is {profile.kind}; only neuromorphic profiles map onto cores")
    if placement not in PLACEMENTS:
        raise HardwareError(f"placement must be one of {', '.join(PLACEMENTS)}, got {placement!r}")
    per_core = int(profile["neurons_per_core"])
    memory = float(profile["synaptic_memory_per_core"])
    axons = int(profile["input_axons_per_core"])
    bits = float(profile["weight_bits"] + profile["index_bits"])
    cores, core_of = [], {}

    for layer in layers:
        fan_in = layer.fan_in.tocsr()
        cap = per_core
        if placement == "balanced":  # as many cores as fill order opens for this layer, evenly loaded
            n_fill = len(_place_layer(layer, fan_in, placement_order(fan_in, "fill"), per_core, memory, axons, bits,
                                      profile.name, [])[1])
            cap = min(per_core, int(np.ceil(fan_in.shape[0] / n_fill)))
        core_of[layer.name], _ = _place_layer(layer, fan_in, placement_order(fan_in, placement), cap, memory, axons,
                                              bits, profile.name, cores)
    cores_per_chip = int(profile["cores_per_chip"])
    n_chips = int(np.ceil(len(cores) / cores_per_chip))
    if n_chips > profile["max_chips"]:
        raise HardwareError(f"network needs {len(cores)} cores on {n_chips} chips; {profile.name} allows "
                            f"max_chips={int(profile['max_chips'])} of cores_per_chip={cores_per_chip}")
    for index, core in enumerate(cores):
        del core["_used"]
        core["chip"] = index // cores_per_chip
        core["position"] = _mesh_position(index, cores_per_chip)
    fractions = {
        "neurons": np.array([c["neurons"] / per_core for c in cores]),
        "memory": np.array([c["memory_bits"] / memory for c in cores]),
        "input_axons": np.array([c["input_axons"] / axons for c in cores]),
    }
    utilisation = {k: {"mean": float(v.mean()), "max": float(v.max())} for k, v in fractions.items()}
    return Mapping(core_of=core_of, cores=cores, n_chips=n_chips, utilisation=utilisation)
