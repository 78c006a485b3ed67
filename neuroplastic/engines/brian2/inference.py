"""Fully spiking inference of a trained network in Brian2: the rate-coded plan, run as Brian2 neurons.

A :class:`~neuroplastic.network.TrainedNetwork` is first rewritten as
integrate-and-fire arithmetic by the hardware layer
(:func:`~neuroplastic.hardware.rate_code.build_plan`: a ReLU of a sparse
drive, see :mod:`neuroplastic.hardware.linear_form`, with quantised
weights and thresholds fitted on calibration images), then run as Brian2
neurons and synapses (:mod:`.spiking_inference`). Every hidden and output
quantity is a membrane potential or a spike count; the class with the most
output spikes wins (ties: the class whose last spike came first).

How exact the spiking form is depends on the activation:

- ``relu`` and ``squared_distance_triangle``: the rewrite is exact; the
  remaining error is the rate code's (weights quantised to 8 bits, counts
  rounded to whole spikes, drives above the calibration's 99.9% quantile
  saturated);
- ``triangle`` (Euclidean distances): the square root is linearised around
  the population's mean distance, which is fitted per image from the
  input's total intensity (one relay neuron); approximate;
- ``triangle_squared`` (the triangle with power 2): the linearised triangle,
  squared by facilitating synapses onto the output layer (see
  :mod:`.spiking_inference`); the per-image gain is squared the same way
  (one relay neuron with a plain and a facilitating synapse); approximate;
- other activations are refused with one line.

The error is measured, not assumed: :func:`spiking_predict` returns the
predictions, and ``neuroplastic evaluate`` reports their agreement with the
float network.
"""

from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError, HardwareError
from ...hardware.rate_code import build_plan, classify_counts
from .spiking_inference import run_plan

__all__ = ["InferenceParams", "spiking_predict"]


@dataclass(frozen=True)
class InferenceParams:
    """Timing and rates of spiking inference (ms, Hz); the ``[spiking]`` table in canonical units.

    One plan step is one time step ``dt``. A full-intensity pixel fires
    once per step (``1 / dt``), a pixel of intensity ``x`` ``round(x *
    steps)`` times, with ``steps = integration_time / dt``. After the
    ``steps`` steps each image rests for ``rest_time / dt`` steps (at least
    2, so that the last spikes reach the output layer before the next
    image). A hidden unit whose drive sits at the 99.9% quantile of the
    calibration drives fires at ``hidden_rate``; the inhibitory interneuron
    likewise at ``inhibition_rate``; both at most ``1 / dt``.
    """

    dt_ms: float = 1.0
    integration_time_ms: float = 128.0
    rest_time_ms: float = 3.0
    hidden_rate_hz: float = 250.0
    inhibition_rate_hz: float = 1000.0

    @property
    def steps(self):
        """Time steps each image drives the inputs."""
        return int(round(self.integration_time_ms / self.dt_ms))

    @property
    def pad(self):
        """Rest steps after each image."""
        return int(round(self.rest_time_ms / self.dt_ms))

    def validate(self):
        """Raise a ConfigError naming the field unless the values make a valid plan."""
        for name in ("dt_ms", "integration_time_ms", "rest_time_ms", "hidden_rate_hz", "inhibition_rate_hz"):
            if not getattr(self, name) > 0:
                raise ConfigError(name, f"must be positive, got {getattr(self, name)}")
        for name, least in (("integration_time_ms", 8), ("rest_time_ms", 2)):
            steps = getattr(self, name) / self.dt_ms
            if abs(steps - round(steps)) > 1e-9:
                raise ConfigError(name, f"must be a whole number of time steps of {self.dt_ms:g} ms, "
                                        f"got {getattr(self, name):g} ms")
            if round(steps) < least:
                raise ConfigError(name, f"must last at least {least} time steps of {self.dt_ms:g} ms, "
                                        f"got {getattr(self, name):g} ms")
        for name in ("hidden_rate_hz", "inhibition_rate_hz"):
            if getattr(self, name) * self.dt_ms / 1000.0 > 1.0 + 1e-12:
                raise ConfigError(name, f"fires more than once per time step of {self.dt_ms:g} ms; lower it or dt")

    def plan(self, network, calibration_inputs):
        """The :class:`~neuroplastic.hardware.rate_code.SpikingPlan` of ``network`` with this timing.

        Raises
        ------
        ConfigError
            If the parameters are invalid or the activation has no
            integrate-and-fire form (field ``activation``).
        """
        self.validate()
        try:
            return build_plan(network, calibration_inputs, steps=self.steps, pad=self.pad,
                              hidden_rate=min(1.0, self.hidden_rate_hz * self.dt_ms / 1000.0),
                              inhibition_rate=min(1.0, self.inhibition_rate_hz * self.dt_ms / 1000.0),
                              squares=True)
        except HardwareError as error:
            raise ConfigError("activation", f"spiking inference: {error}") from None


def spiking_predict(network, X, calibration_inputs, params=None, *, record=False, standalone=False, progress=False):
    """Predict the classes of ``X`` with the spiking form of ``network``.

    Parameters
    ----------
    network : TrainedNetwork
    X : numpy.ndarray, shape (n, n_inputs), values in [0, 1]
    calibration_inputs : numpy.ndarray, shape (m, n_inputs)
        Images (no labels) that fix the thresholds; training images, not ``X``.
    params : InferenceParams, optional
    record : bool
        Also return every layer's spike counts per image.
    standalone : bool
        True if the caller selected ``cpp_standalone``.
    progress : bool
        Report the run's progress on stderr.

    Returns
    -------
    dict
        ``predictions`` (class labels), ``output`` counts ``(n_classes, n)``,
        ``total_spikes`` per layer, ``plan`` (the SpikingPlan),
        ``simulated_seconds``, ``simulation_wall_seconds`` (standalone only)
        and, with ``record``, the other layers' counts.
    """
    params = params or InferenceParams()
    plan = params.plan(network, calibration_inputs)
    result = run_plan(plan, np.asarray(X, dtype=np.float64), dt_ms=params.dt_ms, record=record,
                      standalone=standalone, progress=progress)
    result["predictions"] = classify_counts(result["output"], result["output_last"], plan.classes)
    result["plan"] = plan
    return result
