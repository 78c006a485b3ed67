"""The rule as Brian2 networks: a rate form (held against the vectorized engine), a spiking form, spiking inference.

- :mod:`.device` -- code-generation targets (numpy, cython, cpp_standalone) and their build folders.
- :mod:`.rate` -- the hidden layer on per-unit slots, one presentation per time step: competition, instar, growth.
- :mod:`.spiking` -- the hidden layer as a spiking network on the same slots: one Brian2 run per pass;
  :mod:`.slots` -- the lookup tables and wiring both forms build from the slots.
- :mod:`.readout` -- the output layer's three-factor node-perturbation rule (not used by the learner yet).
- :mod:`.inference` -- fully spiking inference of a trained network (the rate-coded plan of the hardware layer);
  :mod:`.spiking_inference` -- that plan as Brian2 neurons, synapses and spike monitors.
- :mod:`.learner` -- :class:`Brian2Classifier`; :mod:`.models` -- :func:`make_brian2_learner`, :func:`train_brian2`.

The equations themselves live in :mod:`neuroplastic.rule.equations`.
"""

from .device import TARGETS, brian2_target
from .inference import InferenceParams, spiking_predict
from .learner import Brian2Classifier
from .models import make_brian2_learner, train_brian2
from .spiking import SpikingParams

__all__ = ["TARGETS", "brian2_target", "Brian2Classifier", "make_brian2_learner", "train_brian2", "InferenceParams",
           "spiking_predict",
           "SpikingParams", "evaluate_spiking"]


def evaluate_spiking(network, X, y, calibration_inputs, *, n_images=None, params=None, target="cpp_standalone",
                     build_dir=None, progress=False):
    """Accuracy of the fully spiking form of ``network`` on the first ``n_images`` of (X, y), with timing.

    Parameters
    ----------
    network : TrainedNetwork
    X, y : numpy.ndarray
        Test images (values in [0, 1]) and labels.
    calibration_inputs : numpy.ndarray
        Images that fix the thresholds (training images).
    n_images : int, optional
    params : InferenceParams, optional
    target : {"numpy", "cython", "cpp_standalone"}
    build_dir : str or Path, optional
        Standalone build / cython cache folder (a temporary folder if omitted).
    progress : bool
        Show the run's progress on stderr (a tqdm bar; Brian2's text report in ``cpp_standalone``).

    Returns
    -------
    dict
        ``accuracy``, ``vectorized_accuracy`` (same images), ``agreement``
        (same prediction as the vectorized engine), ``n_images``,
        ``wall_seconds`` (build included), ``simulation_wall_seconds``
        (standalone: the compiled run alone), ``images_per_second``, spikes
        per image of each layer, ``simulated_seconds``, ``target``,
        ``mapping`` (how the activation was rewritten, and whether exactly),
        and the inference parameters.
    """
    import dataclasses
    import time

    import numpy as np

    X = np.asarray(X)[:n_images]
    y = np.asarray(y)[:n_images]
    params = params or InferenceParams()
    started = time.perf_counter()
    with brian2_target(target, build_dir):
        result = spiking_predict(network, X, calibration_inputs, params, standalone=target == "cpp_standalone",
                                 progress=progress)
    wall = time.perf_counter() - started
    reference = network.predict(X)
    plan = result["plan"]
    return {
        "accuracy": float(np.mean(result["predictions"] == y)),
        "vectorized_accuracy": float(np.mean(reference == y)),
        "agreement": float(np.mean(result["predictions"] == reference)),
        "n_images": int(len(y)), "wall_seconds": wall, "images_per_second": len(y) / wall,
        "simulation_wall_seconds": result["simulation_wall_seconds"],
        "spikes_per_image": {name: count / len(y) for name, count in result["total_spikes"].items()},
        "simulated_seconds": result["simulated_seconds"], "target": target,
        "mapping": {"activation": plan.notes["activation"], "note": plan.notes["mapping"],
                    "exact": bool(plan.notes["exact_mapping"]), "steps": plan.steps, "slot": plan.slot,
                    "weight_bits": plan.notes["lava_weight_bits"]},
        "params": dataclasses.asdict(params),
    }
