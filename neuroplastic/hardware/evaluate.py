"""Energy, latency and cores per inference of a trained network on every profile.

:func:`evaluate_energy` is the one library call behind ``neuroplastic
energy``: it builds the rate-coded network, runs it in Lava (or the NumPy
simulator) to count spikes, places it on the cores of every neuromorphic
profile, prices the events, and prices the same network as matrix products
on the conventional profiles. Networks given in ``compare`` are priced the
same way (their spikes counted with the NumPy simulator, which Lava
fixed_pt reproduces bit for bit; see tests).
"""

import importlib.util
import time
from pathlib import Path

import numpy as np

from ..config.schema import HardwareSpec
from ..errors import HardwareError, NeuroplasticError
from ..runs import load_run
from .counters import layer_spikes
from .energy import mac_workload, price_events, price_macs
from .events import count_events, count_synaptic_ops
from .lava_net import LANES
from .mapping import PLACEMENTS, map_layers, plan_layers
from .measured import has_measured_power, measured_cost
from .profiles import available_profiles, load_profile
from .ranges import INPUT_LIMIT, STATE_LIMIT, PeakRanges
from .rate_code import build_plan, check_rates, classify_counts, simulate
from .splitting import partial_spike_counts, split_layers

__all__ = ["SPLITS", "RANGE_IMAGES", "binary_spikes", "counters_cost", "default_backend", "evaluate_energy",
           "energy_for_run", "price_network", "place_plan", "rate_code_of", "splitting_cost", "load_any_network",
           "load_for_evaluation", "load_network_data", "main_weight_bits", "plan_for"]


#: The images an evaluation can run on.
SPLITS = ("test", "validation")

#: Images the simulator runs beside a Lava run, for the layers' peak inputs and potentials (:mod:`.ranges`).
RANGE_IMAGES = 100


def default_backend():
    """``"lava"`` when Lava is installed (the ``lava`` extra), else the bit-identical ``"numpy"`` simulator."""
    return "lava" if importlib.util.find_spec("lava") is not None else "numpy"


def load_any_network(path):
    """A TrainedNetwork from a run folder (its ``network.npz``) or a ``.npz`` file."""
    from ..network import TrainedNetwork

    path = Path(path)
    if path.is_dir():
        path = path / "network.npz"
    return TrainedNetwork.load(path)


def load_network_data(network, data_dir=None):
    """The data set to run ``network`` on, restricted to its classes, never downloading.

    Parameters
    ----------
    network : TrainedNetwork
    data_dir : str or Path, optional
        MNIST folder (default: the usual search), or ``"mnist-sample"`` for
        the bundled sample.
    """
    from ..datasets import load_mnist, load_sample

    classes = [int(c) for c in np.asarray(network.classes)]
    classes = None if classes == list(range(10)) else classes
    if str(data_dir) == "mnist-sample":
        return load_sample().with_classes(classes)
    return load_mnist(data_dir, offline=True, classes=classes)


def main_weight_bits(profile):
    """Weight precision of the spiking network on ``profile`` (8 on conventional hardware)."""
    return int(profile["weight_bits"]) if profile.is_neuromorphic else 8


def plan_for(network, calibration_inputs, profile, *, steps=128, hidden_rate=0.25, inhibition_rate=0.25):
    """The rate-coded plan of ``network`` at ``profile``'s weight precision (see :func:`~.rate_code.build_plan`);
    a squared activation facilitates, by graded spikes or counter neurons (:func:`binary_spikes`)."""
    return build_plan(network, calibration_inputs, steps=steps, weight_bits=main_weight_bits(profile),
                      hidden_rate=hidden_rate, inhibition_rate=inhibition_rate, squares=True)


def binary_spikes(plan, profile):
    """Whether ``plan`` runs on ``profile`` with counter neurons: it facilitates, and the profile's spikes carry
    no payload (see :mod:`.counters`)."""
    return plan.facilitates and profile.is_neuromorphic and not profile.graded_spikes


def place_plan(plan, profile, placement="fill"):
    """Split the plan's too-large neurons into compartments and place everything on ``profile``'s cores.

    Parameters
    ----------
    placement : str
        One of :data:`~.mapping.PLACEMENTS`: the order of placement within a layer (see :mod:`.mapping`).

    Returns
    -------
    (list of Layer, list of Split, Mapping)
    """
    binary = binary_spikes(plan, profile)
    layers, splits = split_layers(plan_layers(plan, binary=binary), profile)
    if plan.facilitates and not binary and any(split.layer == "output" for split in splits):
        raise HardwareError(f"an output neuron's fan-in exceeds {profile.name}'s axons; splitting it into "
                            "partial sums is not built for facilitating synapses")
    return layers, splits, map_layers(layers, profile, placement)


def _count(plan, counts, layers, splits, mapping):
    """Events of the counted spikes on one placement."""
    binary = any(layer.name == "counters" for layer in layers)
    spikes = partial_spike_counts(splits, layer_spikes(plan, counts, binary), plan.slot)
    return count_events(layers, spikes, mapping, plan.slot)


def _placement_row(mapping, events, priced):
    return {"cores": mapping.n_cores, "hops_per_inference": float(events.hops.mean()),
            "messages_per_inference": float(events.spike_messages.mean()),
            "latency_us": priced["latency_us"], "energy_uj": priced["energy_uj"]}


def _placements(plan, counts, profile, layers, splits, fill):
    """Cores, hops, latency and energy of each placement order, side by side.

    ``fill`` is the row of the fill-order placement the priced figures already use; the other orders
    re-place the same (already split) layers.
    """
    out = {"fill": fill}
    for placement in PLACEMENTS:
        if placement == "fill":
            continue
        try:
            mapping = map_layers(layers, profile, placement)
        except HardwareError as exc:
            out[placement] = {"error": str(exc)}
            continue
        events = _count(plan, counts, layers, splits, mapping)
        out[placement] = _placement_row(mapping, events, price_events(events, mapping, profile))
    return out


def splitting_cost(splits, events, profile):
    """Extra neurons, messages, synaptic operations and energy (uJ per inference) of the compartments."""
    compartments = sum(s.compartments for s in splits)
    messages = sum(float(np.mean(events.by_source[s.partial.name]["messages"])) for s in splits)
    hops = sum(float(np.mean(events.by_source[s.partial.name]["hops"])) for s in splits)
    energy_pj = (compartments * events.steps * profile["neuron_update"] + messages * profile["spike"]
                 + messages * profile["synaptic_op"] + hops * profile["hop"])
    return {"split_neurons": {s.layer: int(len(s.neurons)) for s in splits}, "compartments": int(compartments),
            "extra_neuron_updates": int(compartments * events.steps), "extra_messages": messages,
            "extra_synaptic_ops": messages, "extra_hops": hops, "extra_energy_uj": energy_pj / 1e6}


def counters_cost(plan, counts, layers, splits, events, profile):
    """Neurons, events and energy (uJ per inference) of the counter neurons (:mod:`.counters`), in and out."""
    size = next(layer.fan_in.shape[0] for layer in layers if layer.name == "counters")
    spike_counts = partial_spike_counts(splits, layer_spikes(plan, counts, binary=True), plan.slot)
    _, paths = count_synaptic_ops(layers, spike_counts)
    ops = sum(value for path, value in paths.items() if "counters" in path.split("->"))
    spikes = float(np.mean(spike_counts["counters"].sum(axis=0)))
    messages = float(np.mean(events.by_source["counters"]["messages"]))
    hops = float(np.mean(events.by_source["counters"]["hops"]))
    energy_pj = (size * events.steps * profile["neuron_update"] + messages * profile["spike"]
                 + ops * profile["synaptic_op"] + hops * profile["hop"])
    return {"neurons": int(size), "neuron_updates": int(size * events.steps), "spikes": spikes,
            "messages": messages, "synaptic_ops": float(ops), "hops": hops, "energy_uj": energy_pj / 1e6}


def price_network(plan, counts, profiles, network, X=None):
    """Price one counted run on every profile.

    On a conventional profile that cites a power per thread (``cpu``), the
    network's measured wall time on ``X`` is priced too, under ``measured``.

    Returns
    -------
    dict
        ``{profile name: priced dict, or {"error": message} if it does not fit}``.
    """
    priced = {}
    for profile in profiles:
        try:
            if profile.is_neuromorphic:
                layers, splits, mapping = place_plan(plan, profile)
                events = _count(plan, counts, layers, splits, mapping)
                result = price_events(events, mapping, profile)
                fill = _placement_row(mapping, events, result)
                result["splitting"] = splitting_cost(splits, events, profile)
                if binary_spikes(plan, profile):
                    result["counters"] = counters_cost(plan, counts, layers, splits, events, profile)
                result["placement"] = _placements(plan, counts, profile, layers, splits, fill)
                priced[profile.name] = result
            else:
                priced[profile.name] = price_macs(mac_workload(network, sparse=True), profile)
                dense = price_macs(mac_workload(network, sparse=False), profile)
                priced[profile.name]["dense_equivalent"] = dense
                if X is not None and has_measured_power(profile):
                    priced[profile.name]["measured"] = measured_cost(network, X, profile)
        except HardwareError as exc:
            priced[profile.name] = {"profile": profile.name, "error": str(exc)}
    return priced


def _describe(name, network, plan, counts, X, y, engine_pred, wall_time=None, backend="numpy", binary=False):
    spiking_pred = classify_counts(counts["output"], counts["output_last"], plan.classes)
    synapses = network.hidden_weights.nnz + network.output_weights.nnz
    ops, paths = count_synaptic_ops(plan_layers(plan, binary=binary), layer_spikes(plan, counts, binary))
    return {
        "synaptic_ops": float(ops.mean()),
        "synaptic_ops_by_path": paths,
        "name": name,
        "activation": network.activation,
        "mapping": plan.notes.get("mapping", ""),
        "exact_mapping": bool(plan.notes.get("exact_mapping", False)),
        "n_hidden": int(network.hidden_weights.shape[0]),
        "synapses": int(synapses),
        "steps": int(plan.steps),
        "slot": int(plan.slot),
        "images": int(len(X)),
        "backend": backend,
        "engine_accuracy": float(np.mean(engine_pred == y)),
        "spiking_accuracy": float(np.mean(spiking_pred == y)),
        "agreement": float(np.mean(spiking_pred == engine_pred)),
        "wall_time_s": None if wall_time is None else float(wall_time),
    }


def evaluate_energy(network, X, y, calibration_inputs, *, profile="loihi2", steps=128, tag="fixed_pt",
                    backend="lava", compare=(), batch_size=500, lanes=LANES, hidden_rate=0.25,
                    inhibition_rate=0.25, progress=None, sanafe_images=0, sanafe_architecture="loihi",
                    sanafe_progress=None):
    """Count, place and price ``network`` (and ``compare`` networks) on every profile.

    Parameters
    ----------
    network : TrainedNetwork
    X, y : numpy.ndarray
        Test images ``(n, n_inputs)`` in [0, 1] and labels.
    calibration_inputs : numpy.ndarray
        Training images used to set thresholds (labels unused).
    profile : str or path
        Main profile: sets the weight precision of the spiking run, and is
        listed first.
    steps : int
        Time steps per image.
    tag : {"fixed_pt", "floating_pt"}
    backend : {"lava", "numpy"}
        Who counts the spikes of the main network.
    compare : sequence of (name, TrainedNetwork)
    batch_size : int
        Images per Lava run.
    lanes : int
        Copies of the network Lava runs side by side, each on its own images
        (the same counts, in a fraction of the time; see
        :func:`~.lava_net.run_lava`).
    hidden_rate, inhibition_rate : float
        Spikes per step of hidden neurons and of the inhibitory interneuron
        at the top of their range (see :func:`~.rate_code.build_plan`); the
        same for every network priced.
    progress : callable, optional
        Passed to the Lava run (called with 0 when it starts, then with the
        images done after each batch).
    sanafe_images : int
        Images of ``X`` to run on SANA-FE as well, for every network, placed
        as on the main (neuromorphic) profile (0: none). See
        :func:`~.sanafe_bridge.cross_check`.
    sanafe_architecture : str or Path
        SANA-FE architecture: ``"loihi"`` (its bundled Loihi file) or a YAML file.
    sanafe_progress : callable, optional
        Called with ``(network name, images done)`` during the SANA-FE runs.

    Returns
    -------
    dict
        ``{"profile", "networks": [...], "profiles": {...}}``: per network its
        accuracy figures, ``priced`` results per profile (``{"error": ...}``
        for another profile the network does not fit), its NeuroBench
        metrics on ``X`` (:func:`~neuroplastic.analysis.neurobench.neurobench_metrics`),
        in fixed point its layers' peak inputs and potentials under ``ranges``
        (:mod:`.ranges`; beside a Lava run, the simulator's on the first
        :data:`RANGE_IMAGES` images) and, with ``sanafe_images``, SANA-FE's estimate under ``sanafe``; the
        result's own ``sanafe`` says whether SANA-FE ran (``skipped`` when it
        is not installed).

    Raises
    ------
    HardwareError
        If a network cannot be built for the main profile (an unmappable
        activation, weights the profile's precision cannot hold, a threshold
        out of range) or does not fit the main profile, or SANA-FE fails:
        nothing is returned that could be saved as if complete.
    """
    from ..analysis.neurobench import neurobench_metrics  # here: the analysis package takes seconds to import

    check_rates(hidden_rate, inhibition_rate)
    main = load_profile(profile)
    profiles = [main] + [load_profile(n) for n in available_profiles() if n != main.name]
    sanafe = _load_sanafe(main, sanafe_images, sanafe_architecture)  # a bad file fails here, before any run
    results = []
    entries = [("this model", network, backend)] + [(name, net, "numpy") for name, net in compare]
    for name, net, who in entries:
        try:
            engine_pred = net.predict(X)
            plan = plan_for(net, calibration_inputs, main, steps=steps, hidden_rate=hidden_rate,
                            inhibition_rate=inhibition_rate)
        except NeuroplasticError as exc:
            raise HardwareError(f"{name}: cannot run on {main.name}: {exc}") from None
        placed = None
        if main.is_neuromorphic:  # fail before the (long) run, not after it
            try:
                placed = place_plan(plan, main)
            except HardwareError as exc:
                raise HardwareError(f"{name}: does not fit {main.name}: {exc}") from None
        binary = binary_spikes(plan, main)
        fixed = tag == "fixed_pt"
        ranges = PeakRanges()
        start = time.perf_counter()
        if who == "lava":
            from .lava_net import run_lava

            counts = run_lava(plan, X, tag=tag, batch_size=batch_size, lanes=lanes, progress=progress,
                              binary=binary)
        else:
            counts = simulate(plan, X, fixed=fixed, binary=binary, observe=ranges if fixed else None)
        wall = time.perf_counter() - start
        range_images = len(X) if who != "lava" else min(len(X), RANGE_IMAGES)
        if fixed and who == "lava":  # Lava reports no potentials: the simulator's, on the first images
            simulate(plan, X[:range_images], binary=binary, observe=ranges)
        entry = _describe(name, net, plan, counts, X, y, engine_pred, wall,
                          backend=who if who == "numpy" else f"lava {tag}", binary=binary)
        if fixed:
            entry["ranges"] = {"images": int(range_images), "limits_weight_steps": {
                "input_16_bit": INPUT_LIMIT, "state_24_bit": STATE_LIMIT}, "layers": ranges.layers()}
        entry["priced"] = price_network(plan, counts, profiles, net, X)
        entry["neurobench"] = neurobench_metrics(net, X)
        if sanafe.get("architecture") is not None:
            from .sanafe_bridge import cross_check

            step = (lambda done, name=name: sanafe_progress(name, done)) if sanafe_progress else None
            entry["sanafe"] = cross_check(plan, counts, X, placed, main, images=sanafe_images,
                                          architecture=sanafe["architecture"], progress=step)
        results.append(entry)
    _ratios(results)
    return {
        "profile": main.name,
        "steps": int(steps),
        "hidden_rate": float(hidden_rate),
        "inhibition_rate": float(inhibition_rate),
        "tag": tag,
        "lanes": int(lanes) if backend == "lava" else None,
        "images": int(len(X)),
        "networks": results,
        "sanafe": {k: v for k, v in sanafe.items() if k != "architecture"},
        "profiles": {p.name: {"kind": p.kind, "assumptions": p.assumptions, "path": p.path} for p in profiles},
    }


def _load_sanafe(main, images, architecture):
    """``{"architecture": loaded or None, "images", "file"}``, or ``{"skipped": reason}`` without SANA-FE."""
    if images <= 0:
        return {"architecture": None, "skipped": "not requested"}
    if not main.is_neuromorphic:
        raise HardwareError(f"SANA-FE needs a neuromorphic main profile; {main.name} is {main.kind}")
    from ..errors import DependencyError
    from .sanafe_bridge import load_architecture

    try:
        loaded = load_architecture(architecture)
    except DependencyError as exc:
        return {"architecture": None, "skipped": str(exc)}
    return {"architecture": loaded, "images": int(images), "file": loaded.path.name}


def _ratios(results):
    """Synaptic ops of each compared network relative to the first (reported, not assumed)."""
    base = results[0]["synaptic_ops"] if results else None
    for entry in results:
        value = entry.get("synaptic_ops")
        entry["synaptic_ops_ratio_to_this_model"] = (value / base) if (value and base) else None


def load_for_evaluation(run, data_dir=None, split="test"):
    """The network of a run folder or saved ``.npz``, the images to evaluate it on and its training images.

    Parameters
    ----------
    run : str or Path
        A run folder (its own data set, classes and training part, see
        :func:`neuroplastic.runs.load_run`) or a ``.npz`` file (MNIST
        restricted to the network's classes).
    data_dir : str or Path, optional
        As for :func:`energy_for_run`.
    split : {"test", "validation"}
        The images to evaluate on; only a run folder has a validation split.

    Returns
    -------
    (TrainedNetwork, numpy.ndarray, numpy.ndarray, numpy.ndarray)
        The network, the evaluation images and labels, and the training images.

    Raises
    ------
    HardwareError
        For an unknown split, a validation split asked of a ``.npz``, or an empty split.
    """
    if split not in SPLITS:
        raise HardwareError(f"split must be one of {SPLITS}, got {split!r}")
    run = Path(run)
    if run.is_dir():
        loaded = load_run(run, data_dir)
        network, data = loaded.network, loaded.data
        X_eval, y_eval = (data.X_val, data.y_val) if split == "validation" else (data.X_test, data.y_test)
        X_train = data.X_train
    elif split == "validation":
        raise HardwareError(f"{run}: a saved network has no validation split; give its run folder")
    else:
        network = load_any_network(run)
        data = load_network_data(network, data_dir)
        X_eval, y_eval, X_train = data.test.X, data.test.y, data.train.X
    if len(y_eval) == 0:
        raise HardwareError(f"{run}: its {split} split holds no images")
    return network, X_eval, y_eval, X_train


def rate_code_of(run, steps=None, hidden_rate=None, inhibition_rate=None):
    """``(steps, hidden_rate, inhibition_rate)`` for ``run``: each value given, else the run folder's model's
    ``[hardware]`` table (:class:`~neuroplastic.config.schema.HardwareSpec`), else that table's defaults (a
    saved ``.npz`` has no model)."""
    spec = load_run(run, data=False).model.hardware if Path(run).is_dir() else HardwareSpec()
    return (spec.steps if steps is None else steps, spec.hidden_rate if hidden_rate is None else hidden_rate,
            spec.inhibition_rate if inhibition_rate is None else inhibition_rate)


def energy_for_run(run, *, profile="loihi2", images=1000, steps=None, compare=(), data_dir=None,
                   tag="fixed_pt", backend="lava", batch_size=500, lanes=LANES, calibration_images=2000,
                   hidden_rate=None, inhibition_rate=None, progress=None, sanafe_images=0,
                   sanafe_architecture="loihi", sanafe_progress=None, split="test"):
    """Evaluate a run folder (or saved network) and save the report into the run folder.

    Parameters
    ----------
    run : str or Path
        A run folder with ``network.npz``, or a ``.npz`` file (the report then
        goes beside it).
    images : int
        First ``images`` test images. For a run folder, of the run's own data
        set and classes, as its ``model.toml`` says; for a bare ``.npz``, of
        MNIST restricted to the network's classes.
    split : {"test", "validation"}
        Which images: the test set, or the run folder's validation split
        (to choose steps and rates without looking at the test set). The
        report of a validation run is saved as ``energy_<profile>_validation``.
    compare : sequence of str or Path
        Other run folders or saved networks to price the same way.
    data_dir : str or Path, optional
        MNIST folder (default: the usual search, never downloading), or the
        name ``"mnist-sample"`` (the bundled sample: 2,000 training and
        1,000 test images).
    calibration_images : int
        First images of the run's training part (for a bare ``.npz``, of the
        MNIST training set) used to set the thresholds (labels unused).
    steps, hidden_rate, inhibition_rate : optional
        The rate code, as for :func:`evaluate_energy`; each one not given
        comes from the run's model (:func:`rate_code_of`).
    profile, tag, backend, batch_size, lanes, progress
        As for :func:`evaluate_energy`.
    sanafe_images, sanafe_architecture, sanafe_progress
        As for :func:`evaluate_energy`.

    Returns
    -------
    (dict, dict)
        The evaluation and the paths written.
    """
    from .energy_report import save_energy_report

    if images < 1:
        raise HardwareError(f"images must be positive, got {images}")
    run = Path(run)
    steps, hidden_rate, inhibition_rate = rate_code_of(run, steps, hidden_rate, inhibition_rate)
    network, X_eval, y_eval, X_train = load_for_evaluation(run, data_dir, split)
    X, y = X_eval[:images], y_eval[:images]
    others = [(Path(p).name or str(p), load_any_network(p)) for p in compare]
    result = evaluate_energy(network, X, y, X_train[:calibration_images], profile=profile, steps=steps,
                             tag=tag, backend=backend, compare=others, batch_size=batch_size, lanes=lanes,
                             hidden_rate=hidden_rate, inhibition_rate=inhibition_rate, progress=progress,
                             sanafe_images=sanafe_images, sanafe_architecture=sanafe_architecture,
                             sanafe_progress=sanafe_progress)
    result["run"] = run.name
    result["split"] = split
    folder = run if run.is_dir() else run.parent
    return result, save_energy_report(result, folder)
