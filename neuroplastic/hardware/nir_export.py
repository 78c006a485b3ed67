"""The rate-coded spiking network as a NIR graph, and a small NIR interpreter.

NIR, the Neuromorphic Intermediate Representation (Pedersen et al., Nature
Communications 15, 8122, 2024; PyPI ``nir``), is read by Lava-DL, Norse,
snnTorch, Sinabs, Rockpool and SpiNNaker2 tools. :func:`plan_to_nir` writes
a :class:`~.rate_code.SpikingPlan` in NIR's primitives, with the fixed-point
arithmetic of the package's simulator (and of Lava fixed_pt), so that the
graph computes the same spike counts.

Each population of non-leaky integrate-and-fire neurons with reset by
subtraction becomes three nodes and one loop::

    synapses --> I (integrator, r = 1) --> Threshold --> spikes
                 ^                                |
                 +-- Scale(-threshold) <-- Delay(1) <--+

NIR's ``IF`` node resets the potential *to* ``v_reset``; the package's
neurons subtract the threshold instead, keeping the overshoot (which is
what makes the spike count a rate code), so the subtraction is an explicit
one-step-delayed feedback. Every neuron starts an image at half its
threshold; in the graph the integrator starts at zero and the ``Threshold``
node's level is lowered by that half (the same spikes). Units are Lava's
membrane units: synaptic weights times 64 (Loihi's 6-bit shift), biases as
Loihi's ``bias_mant * 2**bias_exp``.

Graph (node names): ``input`` (one spike train per pixel) -> ``hidden_synapses``
(Affine: the quantised sparse weights, zeros as zeros, plus the per-step
bias) -> ``hidden`` -> ``hidden_spikes`` -> ``output_synapses`` (Affine) ->
``output`` -> ``output_spikes`` -> ``output_out``. The optional shared
inhibitory interneuron (``inhibition*``) reaches ``hidden`` through a one-step
``Delay``; the optional relay neuron (``relay*``) adds to ``output``. NIR's
spikes are binary, so a squared activation's facilitating synapses become
counter neurons (``counters*``, see :mod:`.counters`): ``hidden_spikes`` (and
the relay's) -> ``*_to_counters`` -> ``counters`` -> ``counters_spikes`` ->
``output_synapses``, which then read the counters only. The
input encoding (``round(steps * x)`` evenly spaced spikes, see
:func:`~.rate_code.encoder_spikes`) and the read-out (most output spikes;
ties to the class whose last spike came first) are outside NIR and are
recorded in the graph's metadata.

:func:`run_nir` interprets such graphs in discrete time (one step per time
unit): node inputs are the sums of incoming edges, ``Delay`` nodes return
their input of the previous step, and the other nodes are evaluated in
topological order.
"""

import io
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..atomic import atomic_write_bytes
from ..errors import HardwareError
from .counters import counters_of
from .rate_code import V_SHIFT

__all__ = ["plan_to_nir", "write_nir", "run_nir", "export_nir", "NIR_NODES"]

#: Node types :func:`run_nir` understands.
NIR_NODES = ("Input", "Output", "Affine", "Linear", "Scale", "I", "IF", "Threshold", "Delay")


def _population(nodes, edges, name, synapses, size, vth, start=None):
    """Add ``name`` (integrator), ``name_spikes`` (threshold) and the subtractive reset loop; the neurons start an
    image at ``start`` (membrane units per neuron; default half the threshold, as in the simulator)."""
    import nir

    scaled = float(vth) * V_SHIFT
    start = float(int(vth) * V_SHIFT // 2) if start is None else np.asarray(start, dtype=np.float64)
    nodes[name] = nir.I(r=np.ones(size))
    nodes[f"{name}_spikes"] = nir.Threshold(threshold=np.full(size, scaled) - start)
    nodes[f"{name}_reset_delay"] = nir.Delay(delay=np.ones(size))
    nodes[f"{name}_reset"] = nir.Scale(scale=np.full(size, -scaled))  # elementwise: no size x size matrix
    edges += [(synapses, name), (name, f"{name}_spikes"), (f"{name}_spikes", f"{name}_reset_delay"),
              (f"{name}_reset_delay", f"{name}_reset"), (f"{name}_reset", name)]


def _dense(matrix, factor=V_SHIFT):
    return np.asarray(sp.csr_matrix(matrix).toarray(), dtype=np.float64) * factor


def plan_to_nir(plan, metadata=None):
    """The plan's fixed-point dynamics as a ``nir.NIRGraph`` (see module doc).

    Parameters
    ----------
    plan : SpikingPlan
    metadata : dict, optional
        Extra graph metadata (strings and numbers).

    Returns
    -------
    nir.NIRGraph
    """
    import nir

    n_in, n_h, n_c = plan.n_inputs, plan.n_hidden, plan.n_classes
    counters = counters_of(plan) if plan.facilitates else None
    hidden_bias = plan.bias_potential("hidden").astype(np.float64)
    output_bias = plan.bias_potential("output").astype(np.float64)
    nodes = {
        "input": nir.Input(input_type=np.array([n_in])),
        "hidden_synapses": nir.Affine(weight=_dense(plan.hidden_weights), bias=hidden_bias),
        "output_synapses": nir.Affine(weight=_dense(plan.output_weights if counters is None else counters.to_output),
                                      bias=output_bias),
        "output_out": nir.Output(output_type=np.array([n_c])),
    }
    edges = [("input", "hidden_synapses"), ("output_spikes", "output_out")]
    if counters is None:
        edges.append(("hidden_spikes", "output_synapses"))
    else:  # binary spikes: the facilitating synapses become counter neurons (see neuroplastic.hardware.counters)
        nodes["hidden_to_counters"] = nir.Linear(weight=_dense(counters.synapses_from("hidden")))
        edges += [("hidden_spikes", "hidden_to_counters"), ("counters_spikes", "output_synapses")]
        _population(nodes, edges, "counters", "hidden_to_counters", counters.size, 1, counters.start() * V_SHIFT)
    _population(nodes, edges, "hidden", "hidden_synapses", n_h, plan.hidden_vth)
    _population(nodes, edges, "output", "output_synapses", n_c, plan.output_vth)
    if plan.has_inhibition:
        quantum = plan.inhibition_quantum
        nodes["inhibition_synapses"] = nir.Linear(weight=_dense(plan.inhibition_weights))
        nodes["inhibition_delay"] = nir.Delay(delay=np.ones(1))
        nodes["inhibition_to_hidden"] = nir.Linear(weight=np.full((n_h, 1), -float(quantum) * V_SHIFT))
        edges += [("input", "inhibition_synapses"), ("inhibition_spikes", "inhibition_delay"),
                  ("inhibition_delay", "inhibition_to_hidden"), ("inhibition_to_hidden", "hidden")]
        _population(nodes, edges, "inhibition", "inhibition_synapses", 1, plan.inhibition_vth)
    if plan.has_relay:
        nodes["relay_synapses"] = nir.Affine(weight=_dense(plan.relay_weights),
                                             bias=plan.bias_potential("relay").astype(np.float64))
        if counters is None:
            nodes["relay_to_output"] = nir.Linear(weight=_dense(plan.relay_to_output,
                                                                V_SHIFT * 2.0**plan.relay_exp))
            edges += [("relay_spikes", "relay_to_output"), ("relay_to_output", "output")]
        else:
            nodes["relay_to_counters"] = nir.Linear(weight=_dense(counters.synapses_from("relay")))
            edges += [("relay_spikes", "relay_to_counters"), ("relay_to_counters", "counters")]
        edges.append(("input", "relay_synapses"))
        _population(nodes, edges, "relay", "relay_synapses", plan.n_relay, plan.relay_vth)
    info = {
        "producer": "neuroplastic",
        "time_step": "one step per time unit; Delay nodes delay by one step",
        "steps_per_image": int(plan.steps),
        "slot_per_image": int(plan.slot),
        "input_encoding": "pixel x in [0, 1]: round(steps * x) evenly spaced spikes over the first steps of the slot "
                          "(phase accumulator starting at steps // 2); silent for the remaining slot steps",
        "readout": "class with the most output spikes over the slot; ties to the class whose last spike came first",
        "classes": ",".join(str(c) for c in np.asarray(plan.classes).tolist()),
        "units": f"Loihi membrane units: weights x {V_SHIFT}, biases bias_mant * 2**bias_exp",
        "reset": "by subtraction, as a Delay + Scale(-threshold) loop around each integrator",
        "mapping": str(plan.notes.get("mapping", "")),
        "weight_bits": int(plan.weight_bits),
    }
    info.update(metadata or {})
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=info)


def write_nir(graph, path):
    """Write a NIR graph to ``path`` (HDF5, as ``nir.write``) atomically."""
    import nir

    buffer = io.BytesIO()
    nir.write(buffer, graph)
    atomic_write_bytes(path, buffer.getvalue())


def export_nir(run, out=None, *, profile="loihi2", steps=None, data_dir=None, hidden_rate=None,
               inhibition_rate=None, calibration_images=2000):
    """Write the rate-coded network of a run folder (or saved network) as a NIR file.

    The spiking network is the one ``neuroplastic energy`` runs with the same
    settings: thresholds set on the first ``calibration_images`` training
    images (of a run folder, its training part, without its validation
    images), weights quantised to ``profile``'s precision; a squared
    activation through counter neurons, since NIR's spikes are binary.

    Parameters
    ----------
    run : str or Path
        Run folder (with ``network.npz``) or a saved network ``.npz``.
    out : str or Path, optional
        Output file (default: ``network.nir`` in the run folder, or the
        saved network's name with the suffix ``.nir``).
    profile, steps, hidden_rate, inhibition_rate
        As for :func:`~.evaluate.energy_for_run` (the rate code not given comes from the run's model).
    data_dir : str or Path, optional
        MNIST folder or ``"mnist-sample"`` (for the calibration images).
    calibration_images : int

    Returns
    -------
    (pathlib.Path, nir.NIRGraph)
        The file written and the graph.
    """
    from .evaluate import load_for_evaluation, plan_for, rate_code_of
    from .profiles import load_profile

    run = Path(run)
    target = load_profile(profile)
    steps, hidden_rate, inhibition_rate = rate_code_of(run, steps, hidden_rate, inhibition_rate)
    network, _, _, X_train = load_for_evaluation(run, data_dir)  # as energy: a run's own training part
    plan = plan_for(network, X_train[:calibration_images], target, steps=steps, hidden_rate=hidden_rate,
                    inhibition_rate=inhibition_rate)
    graph = plan_to_nir(plan, metadata={"network": run.name, "activation": network.activation,
                                        "profile": target.name, "hidden_rate": float(hidden_rate),
                                        "inhibition_rate": float(inhibition_rate)})
    if out is None:
        out = run / "network.nir" if run.is_dir() else run.with_suffix(".nir")
    write_nir(graph, out)
    return Path(out), graph


def _order(graph):
    """Non-Delay nodes in an order where every input is ready (edges out of Delay nodes are cut)."""
    kinds = {name: type(node).__name__ for name, node in graph.nodes.items()}
    pending = {name: {src for src, dst in graph.edges if dst == name and kinds[src] != "Delay"}
               for name in graph.nodes if kinds[name] != "Delay"}
    order = []
    while pending:
        ready = sorted(name for name, needs in pending.items() if not needs)
        if not ready:
            raise HardwareError(f"NIR graph has a cycle without a Delay node through {sorted(pending)}")
        for name in ready:
            order.append(name)
            del pending[name]
        for needs in pending.values():
            needs.difference_update(ready)
    return order


def run_nir(graph, input_steps, n_images):
    """Run a NIR graph in discrete time (see module doc).

    Parameters
    ----------
    graph : nir.NIRGraph
        One ``Input`` and one ``Output`` node; node types in :data:`NIR_NODES`;
        every ``Delay`` of one step.
    input_steps : iterable of numpy.ndarray
        The input at each step, shape ``(n_images, n_inputs)``; the run lasts
        as many steps.
    n_images : int

    Returns
    -------
    dict
        ``counts`` (sum of the output over the steps) and ``last`` (last step
        with a non-zero output, -1 if none), each ``(n_outputs, n_images)``.

    Raises
    ------
    HardwareError
        For another node type, a delay other than one step, or a cycle
        without a delay.
    """
    nodes = graph.nodes
    kinds = {name: type(node).__name__ for name, node in nodes.items()}
    for name, kind in kinds.items():
        if kind not in NIR_NODES:
            raise HardwareError(f"NIR node {name!r} of type {kind} is not supported; supported: {', '.join(NIR_NODES)}")
        if kind == "Delay" and not np.all(np.asarray(nodes[name].delay) == 1):
            raise HardwareError(f"NIR node {name!r}: only delays of one step are supported")
    inputs = [n for n, k in kinds.items() if k == "Input"]
    outputs = [n for n, k in kinds.items() if k == "Output"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise HardwareError(f"NIR graph needs one Input and one Output node, has {len(inputs)} and {len(outputs)}")
    incoming = {name: [src for src, dst in graph.edges if dst == name] for name in nodes}
    weights = {name: sp.csr_matrix(np.asarray(node.weight, dtype=np.float64))
               for name, node in nodes.items() if kinds[name] in ("Affine", "Linear")}
    order = _order(graph)
    potential, delayed = {}, {}
    counts = last = None
    for step, x in enumerate(input_steps):
        values = {name: delayed.get(name, 0.0) for name, kind in kinds.items() if kind == "Delay"}
        for name in order:
            node, kind = nodes[name], kinds[name]
            total = 0.0 if kind == "Input" else sum(values[src] for src in incoming[name])
            if kind == "Input":
                values[name] = np.asarray(x, dtype=np.float64)
            elif kind in ("Affine", "Linear"):
                W = weights[name]
                out = (np.asarray(W @ np.asarray(total).T).T if np.ndim(total)
                       else np.zeros((n_images, W.shape[0])))  # a delay's first step: nothing yet
                values[name] = out + np.asarray(node.bias) if kind == "Affine" else out
            elif kind in ("I", "IF"):
                v = potential.setdefault(name, np.zeros((n_images, np.asarray(node.r).size)))
                v += np.asarray(node.r) * total
                if kind == "IF":
                    spikes = v > np.asarray(node.v_threshold)
                    v[spikes] = np.broadcast_to(np.asarray(node.v_reset), v.shape)[spikes]
                    values[name] = spikes.astype(np.float64)
                else:
                    values[name] = v.copy()
            elif kind == "Scale":
                values[name] = np.asarray(node.scale) * total
            elif kind == "Threshold":
                values[name] = (total > np.asarray(node.threshold)).astype(np.float64)
            else:  # Output
                values[name] = total
        for name, kind in kinds.items():
            if kind == "Delay":
                delayed[name] = sum(values[src] for src in incoming[name])
        out = np.asarray(values[outputs[0]]).T
        if counts is None:
            counts, last = np.zeros(out.shape), np.full(out.shape, -1, np.int64)
        counts += out
        last[out != 0] = step
    return {"counts": counts, "last": last}
