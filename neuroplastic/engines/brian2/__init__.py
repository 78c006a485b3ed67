"""The rule as Brian2 networks: a rate form (held against the vectorized engine) and spiking inference.

- :mod:`.device` -- code-generation targets (numpy, cython, cpp_standalone) and their build folders.
- :mod:`.rate` -- the hidden layer on per-unit slots, one presentation per time step: competition, instar, growth.
- :mod:`.spiking` -- a spiking hidden layer (dense pool of the earlier rule; not used for training yet).
- :mod:`.readout` -- the output layer's three-factor node-perturbation rule (not used by the learner yet).
- :mod:`.inference` -- spiking inference of a trained network (triangle activation).
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


def evaluate_spiking(network, X, y, *, n_images=None, params=None, target="cpp_standalone", build_dir=None,
                     seed=0):
    """Spiking inference accuracy of ``network`` on the first ``n_images`` of (X, y), with timing.

    Returns
    -------
    dict
        ``accuracy``, ``vectorized_accuracy`` (same images), ``agreement`` (same prediction),
        ``n_images``, ``wall_seconds``, ``images_per_second``, ``hidden_spikes_per_image``,
        ``input_spikes_per_image``, ``target``, and the inference parameters.
    """
    import dataclasses
    import time

    import numpy as np

    X = np.asarray(X)[:n_images]
    y = np.asarray(y)[:n_images]
    params = params or InferenceParams()
    started = time.perf_counter()
    with brian2_target(target, build_dir):
        result = spiking_predict(network, X, params, seed=seed, standalone=target == "cpp_standalone")
    wall = time.perf_counter() - started
    reference = network.predict(X)
    return {
        "accuracy": float(np.mean(result["predictions"] == y)),
        "vectorized_accuracy": float(np.mean(reference == y)),
        "agreement": float(np.mean(result["predictions"] == reference)),
        "n_images": int(len(y)), "wall_seconds": wall, "images_per_second": len(y) / wall,
        "hidden_spikes_per_image": result["hidden_spikes"] / len(y),
        "input_spikes_per_image": result["input_spikes"] / len(y),
        "simulated_seconds": result["simulated_seconds"], "target": target,
        "params": dataclasses.asdict(params),
    }
