"""Run the rate-coded network on SANA-FE, an independent architecture simulator.

SANA-FE (Boyle et al., "SANA-FE: Simulating Advanced Neuromorphic
Architectures for Fast Exploration", IEEE TCAD 2025; PyPI ``sanafe``, the
``sanafe`` extra) simulates a spiking network mapped onto the cores of an
architecture file and reports the energy of every event it executes
(synapse, dendrite, soma, network) and the chip's time. Its bundled Loihi
file prices events with figures from Davies et al. (IEEE Micro 2018).

:func:`run_sanafe` exports a :class:`~.rate_code.SpikingPlan` as it is:

- the same neurons (hidden, inhibitory interneuron, relay, output) as
  SANA-FE's Loihi LIF model, non-leaky (``leak_decay = 1``), reset by
  subtraction (``reset_mode = "soft"``), with the plan's thresholds and
  biases in a_in units (SANA-FE keeps Loihi's 1/64 resolution, so the
  fixed-point values carry over exactly);
- the same quantised integer weights, as sparse synapses;
- each neuron on the core our placement gives it (the unsplit neuron: SANA-FE
  has no partial-sum compartments; a split neuron sits on its root's core),
  the inputs on the next free core, one input unit per input;
- the same input spikes as :func:`~.rate_code.encoder_spikes`;
- a squared activation's facilitating synapses as counter neurons
  (:mod:`.counters`), since SANA-FE's Loihi spikes are binary: they lie
  between the hidden layer (and relay) and the output layer, which they
  alone feed.

Timing. Our simulator passes a spike to the next layer in the same step
(the interneuron's in the next); SANA-FE delivers every spike one step
later. Each layer's dynamics are therefore the same, shifted by its depth
``d`` (hidden, interneuron and relay 1, output 2; with counters, they are
2 and the output 3): the layer starts from ``start - d * bias`` (``start``
is half the threshold, or a counter's own) so that after ``d`` bias-only
steps it holds what our neuron holds at step 0, every image runs ``slot``
plus the output's depth steps, and a
layer's spikes are counted in its own window of ``slot`` steps. The energy
and time SANA-FE reports include those extra steps. Every image starts
from a reset chip, as every image starts afresh in our simulator.
"""

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import HardwareError
from ..optional import require
from .counters import counters_of, layer_spikes
from .energy import price_events
from .events import count_events
from .rate_code import encoder_spikes
from .splitting import partial_spike_counts

__all__ = ["DEPTH", "UNITS", "depths", "SanafeArchitecture", "architecture_path", "cross_check", "load_architecture",
           "run_sanafe"]

#: Steps by which SANA-FE's copy of each layer lags ours (see the module doc).
DEPTH = {"input": 0, "hidden": 1, "inhibition": 1, "relay": 1, "output": 2}

#: Hardware units of SANA-FE's Loihi file used for the export (an architecture file given by path must name
#: its units the same way). Sparse synapses: our weights are stored with their indices.
UNITS = {"soma": "loihi_lif", "input": "loihi_inputs[{}]", "synapse": "loihi_sparse_synapse"}

ENERGY_PARTS = ("synapse", "dendrite", "soma", "network")


def depths(plan):
    """:data:`DEPTH` for ``plan``: counter neurons (a facilitating plan) sit at 2 and move the output to 3."""
    return DEPTH | {"counters": 2, "output": 3} if plan.facilitates else dict(DEPTH)


@contextlib.contextmanager
def _quiet(stderr=False):
    """Silence SANA-FE's C++ progress lines (file descriptor 1) and, with ``stderr``, its parser's (2).

    Its errors are raised as exceptions; a C++ abort still reaches standard error when ``stderr`` is off.
    """
    fds = (1, 2) if stderr else (1,)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        saved = [os.dup(fd) for fd in fds]
    except OSError:  # no real standard streams: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            for fd in fds:
                os.dup2(null.fileno(), fd)
            yield
    finally:
        for fd, copy in zip(fds, saved):
            os.dup2(copy, fd)
            os.close(copy)


def architecture_path(architecture="loihi"):
    """The architecture file: ``"loihi"`` (SANA-FE's bundled Loihi file) or a path to a YAML file.

    Raises
    ------
    HardwareError
        If the path does not exist.
    DependencyError
        If SANA-FE is not installed (for ``"loihi"``).
    """
    if str(architecture) == "loihi":
        require("sanafe", "the SANA-FE cross-check")
        from importlib.resources import files

        return Path(str(files("sanafe.examples") / "loihi.yaml"))
    path = Path(architecture)
    if not path.is_file():
        raise HardwareError(f"{path}: SANA-FE architecture file not found")
    return path


@dataclass
class SanafeArchitecture:
    """A loaded SANA-FE architecture (loading takes a second), reusable for several networks."""

    path: Path
    arch: object


def load_architecture(architecture="loihi"):
    """Load an architecture file with SANA-FE.

    Parameters
    ----------
    architecture : str or Path
        As for :func:`architecture_path`.

    Returns
    -------
    SanafeArchitecture

    Raises
    ------
    HardwareError
        If SANA-FE cannot read the file (one line naming it).
    DependencyError
        If SANA-FE is not installed.
    """
    sanafe = require("sanafe", "the SANA-FE cross-check")
    path = architecture_path(architecture)
    try:
        with _quiet(stderr=True):
            return SanafeArchitecture(path=path, arch=sanafe.load_arch(str(path)))
    except Exception as exc:  # SANA-FE raises RuntimeError and its own types; all are a bad file here
        raise HardwareError(f"{path}: SANA-FE cannot load the architecture: {_one_line(exc)}") from None


def _one_line(exc):
    text = " ".join(str(exc).split())
    return (text[:300] + "...") if len(text) > 300 else (text or type(exc).__name__)


def _layers(plan):
    """``{name: (size, threshold, per-neuron bias in a_in units)}`` of the plan's spiking layers."""
    hb = plan.bias_potential("hidden") / 64.0
    ob = plan.bias_potential("output") / 64.0
    layers = {"hidden": (plan.n_hidden, plan.hidden_vth, np.broadcast_to(hb, plan.n_hidden))}
    if plan.has_inhibition:
        layers["inhibition"] = (1, plan.inhibition_vth, np.zeros(1))
    if plan.has_relay:
        layers["relay"] = (plan.n_relay, plan.relay_vth, plan.bias_potential("relay") / 64.0)
    if plan.facilitates:
        size = counters_of(plan).size
        layers["counters"] = (size, 1, np.zeros(size))
    layers["output"] = (plan.n_classes, plan.output_vth, np.broadcast_to(ob, plan.n_classes))
    return layers


def _edges(plan):
    """``(source, target, matrix targets x sources)`` of every synapse path, weights in a_in units."""
    import scipy.sparse as sp

    edges = [("input", "hidden", plan.hidden_weights)]
    if plan.has_inhibition:
        quantum = plan.inhibition_quantum
        edges += [("input", "inhibition", plan.inhibition_weights),
                  ("inhibition", "hidden", sp.csr_matrix(-quantum * np.ones((plan.n_hidden, 1))))]
    if plan.has_relay:
        edges.append(("input", "relay", plan.relay_weights))
    if plan.facilitates:
        counters = counters_of(plan)
        edges.append(("hidden", "counters", counters.synapses_from("hidden")))
        if plan.has_relay:
            edges.append(("relay", "counters", counters.synapses_from("relay")))
        return edges + [("counters", "output", counters.to_output)]
    edges.append(("hidden", "output", plan.output_weights))
    if plan.has_relay:
        edges.append(("relay", "output", plan.relay_to_output.astype(np.float64) * 2.0**plan.relay_exp))
    return edges


def _build(sanafe, plan, cores, core_of):
    """The plan as a SANA-FE network mapped onto ``cores``; inputs on the core after the last one used."""
    net = sanafe.Network()
    used = max(int(np.max(core_of[name])) for name in _layers(plan) if name in core_of) + 1
    input_cores = int(np.ceil(plan.n_inputs / 1024))
    if used + input_cores > len(cores):
        raise HardwareError(f"network needs {used} cores and {input_cores} input core(s); the SANA-FE "
                            f"architecture has {len(cores)}")
    groups = {"input": net.create_neuron_group("input", plan.n_inputs, log_spikes=True)}
    for i in range(plan.n_inputs):
        core, unit = divmod(i, 1024)
        groups["input"][i].set_attributes(soma_hw_name=UNITS["input"].format(unit))
        groups["input"][i].map_to_core(cores[used + core])
    for name, (size, vth, bias) in _layers(plan).items():
        attributes = {"threshold": float(vth), "reset_mode": "soft", "leak_decay": 1.0}
        group = net.create_neuron_group(name, size, model_attributes=attributes, soma_hw_name=UNITS["soma"],
                                        default_synapse_hw_name=UNITS["synapse"], log_spikes=True)
        for i in range(size):
            group[i].set_attributes(model_attributes={"bias": float(bias[i])})
            group[i].map_to_core(cores[int(core_of[name][i])])
        groups[name] = group
    for source, target, matrix in _edges(plan):
        coo = matrix.tocoo()
        keep = coo.data != 0
        pairs = list(zip(coo.col[keep].tolist(), coo.row[keep].tolist()))
        if pairs:
            groups[source].connect_neurons_sparse(groups[target], {"weight": coo.data[keep].astype(float).tolist()},
                                                  pairs)
    return net


def _start_potentials(plan):
    """Potential of each layer's neurons at the start of an image (see the module doc)."""
    depth = depths(plan)
    start = {name: (vth * 64 // 2) / 64.0 - depth[name] * bias for name, (_, vth, bias) in _layers(plan).items()}
    if plan.facilitates:
        start["counters"] = counters_of(plan).start()
    return start


def run_sanafe(plan, X, core_of, *, architecture="loihi", progress=None):
    """Run ``plan`` on SANA-FE, image by image, and return its energy, time and spike counts.

    Parameters
    ----------
    plan : SpikingPlan
    X : numpy.ndarray, shape (n_images, n_inputs)
        Images in [0, 1], rate coded as for :func:`~.rate_code.simulate`.
    core_of : dict
        ``{layer name: core index per neuron}``, from our placement (:class:`~.mapping.Mapping`).
    architecture : str, Path or SanafeArchitecture
        ``"loihi"`` (SANA-FE's bundled Loihi file), an architecture YAML file with the units of
        :data:`UNITS`, or one loaded by :func:`load_architecture` (a new chip is built from it: SANA-FE's
        chips are not reused across networks).
    progress : callable, optional
        Called with the number of images done after each image.

    Returns
    -------
    dict
        ``architecture`` (file name), ``images``, ``energy_uj`` (mean total per inference),
        ``breakdown_uj`` (``synapse``, ``dendrite``, ``soma``, ``network``), ``latency_us`` (mean
        simulated time per inference), ``messages_per_inference`` (SANA-FE's spike packets sent),
        ``steps_per_image`` and ``counts``: spike counts per layer,
        ``(n_neurons, n_images)`` arrays as :func:`~.rate_code.simulate` returns them (with
        ``output_last``).

    Raises
    ------
    HardwareError
        If SANA-FE cannot load the architecture, map the network or run it (one line).
    DependencyError
        If SANA-FE is not installed.
    """
    sanafe = require("sanafe", "the SANA-FE cross-check")
    loaded = architecture if isinstance(architecture, SanafeArchitecture) else load_architecture(architecture)
    path = loaded.path
    X = np.asarray(X, dtype=np.float64)
    n_images, slot = len(X), plan.slot
    depth = depths(plan)
    steps = slot + max(depth.values())
    raster = np.stack(list(encoder_spikes(X, plan.steps, slot)))  # (slot, n_images, n_inputs)
    layers = _layers(plan)
    start = _start_potentials(plan)
    counts = {name: np.zeros((size, n_images), np.int64) for name, (size, _, _) in layers.items()}
    counts["output_last"] = np.full((plan.n_classes, n_images), -1, np.int64)
    energy = {part: np.zeros(n_images) for part in ENERGY_PARTS + ("total",)}
    latency = np.zeros(n_images)
    messages = np.zeros(n_images)
    index = {name: depth[name] for name in layers}
    try:
        with _quiet():
            chip = sanafe.SpikingChip(loaded.arch)
            chip.load(_build(sanafe, plan, loaded.arch.cores(), core_of))
        mapped = chip.mapped_neuron_groups
        for image in range(n_images):
            chip.reset()
            for name, values in start.items():
                for i, neuron in enumerate(mapped[name]):
                    neuron.set_attributes(model_attributes={"potential": float(values[i])})
            trains = np.zeros((plan.n_inputs, steps), dtype=bool)
            trains[:, :slot] = raster[:, image, :].T
            for i, neuron in enumerate(mapped["input"]):
                neuron.set_attributes(model_attributes={"spikes": trains[i].tolist()})
            with _quiet():
                result = chip.sim(steps, spike_trace=True, processing_threads=1)
            for step, fired in enumerate(result["spike_trace"]):
                for address in fired:
                    name = address.group_name
                    if name == "input":
                        continue
                    tau = step - index[name]
                    if 0 <= tau < slot:
                        counts[name][address.neuron_offset, image] += 1
                        if name == "output":
                            counts["output_last"][address.neuron_offset, image] = tau
            for part in energy:
                energy[part][image] = float(result["energy"].get(part, 0.0))
            latency[image] = float(result["sim_time"])
            messages[image] = float(result.get("packets_sent", 0))
            if progress is not None:
                progress(image + 1)
    except HardwareError:
        raise
    except Exception as exc:  # SANA-FE's mapping and run errors: one line, nothing half-done returned
        raise HardwareError(f"{path}: SANA-FE failed: {_one_line(exc)}") from None
    counts["input"] = raster.sum(axis=0).T.astype(np.int64)
    for name in ("inhibition", "relay"):
        counts.setdefault(name, np.zeros((0, n_images), np.int64))
    return {
        "architecture": path.name,
        "images": int(n_images),
        "steps_per_image": int(steps),
        "energy_uj": float(energy["total"].mean() * 1e6),
        "breakdown_uj": {part: float(energy[part].mean() * 1e6) for part in ENERGY_PARTS},
        "latency_us": float(latency.mean() * 1e6),
        "messages_per_inference": float(messages.mean()),
        "counts": counts,
    }


def cross_check(plan, counts, X, placed, profile, *, architecture="loihi", images=100, progress=None):
    """SANA-FE's estimate beside ours, on the same first ``images`` images and the same placement.

    Parameters
    ----------
    plan : SpikingPlan
    counts : dict
        Our spike counts on ``X`` (:func:`~.rate_code.simulate` or the Lava run).
    X : numpy.ndarray
        The images ``counts`` were counted on.
    placed : (list of Layer, list of Split, Mapping)
        Our placement on ``profile`` (:func:`~.evaluate.place_plan`).
    profile : HardwareProfile
        The neuromorphic profile our estimate is priced with.
    architecture, progress
        As for :func:`run_sanafe`.
    images : int
        Images to run on SANA-FE (at most ``len(X)``).

    Returns
    -------
    dict
        SANA-FE's ``energy_uj``, ``breakdown_uj``, ``latency_us`` per inference and its mean
        ``spikes_per_inference`` per layer and ``messages_per_inference``; ``spike_mismatches``, the
        (neuron, image) pairs whose counts differ from ours (0: the same spikes); ``ours``: our energy,
        breakdown and latency on the same images; ``energy_ratio``, SANA-FE's total over ours.
    """
    layers, splits, mapping = placed
    binary = plan.facilitates
    if binary and "counters" not in mapping.core_of:
        raise HardwareError(f"SANA-FE's spikes are binary, so this plan's facilitating synapses need counter neurons; "
                            f"{profile.name} places graded spikes instead (use a profile with graded_spikes = false)")
    n = int(min(images, len(X)))
    run = run_sanafe(plan, X[:n], mapping.core_of, architecture=architecture, progress=progress)
    # the spike counts only: a Lava run's counts also carry its scalar wall time
    spikes = layer_spikes(plan, counts, binary, images=n)
    events = count_events(layers, partial_spike_counts(splits, spikes, plan.slot), mapping, plan.slot)
    ours = price_events(events, mapping, profile)
    mismatches = sum(int(np.sum(run["counts"][name] != spikes[name])) for name in spikes if name != "input")
    return {
        "architecture": run["architecture"],
        "images": run["images"],
        "steps_per_image": run["steps_per_image"],
        "energy_uj": run["energy_uj"],
        "breakdown_uj": run["breakdown_uj"],
        "latency_us": run["latency_us"],
        "spikes_per_inference": {name: float(run["counts"][name].sum(axis=0).mean()) for name in spikes},
        "messages_per_inference": run["messages_per_inference"],
        "spike_mismatches": mismatches,
        "ours": {"profile": profile.name, "energy_uj": ours["energy_uj"], "breakdown_uj": ours["breakdown_uj"],
                 "latency_us": ours["latency_us"]},
        "energy_ratio": run["energy_uj"] / ours["energy_uj"] if ours["energy_uj"] else None,
    }
