"""The ``[spiking]`` table of a model file: timing, rates and potentials of the spiking forms, with units.

Values are strings with a unit, as a neuroscientist would write them
(``dt = "1 ms"``, ``hidden_rate = "250 Hz"``). A missing unit, a unit of the
wrong kind (``"5 mV"`` for a time) or a non-positive value is a one-line
error naming the field. ``neuroplastic evaluate --engine brian2 --mode
spiking`` runs with these values; regimes and ``neuroplastic sweep`` can
set them like any other field (``spiking.hidden_rate="100 Hz"``).
"""

import math
import re
from dataclasses import dataclass
from typing import Optional

from ..errors import ConfigError

__all__ = ["SpikingSpec", "UNITS", "parse_quantity"]

#: Accepted units per kind, as factors to the canonical unit (ms for time, Hz for rate).
UNITS = {
    "time": {"ms": 1.0, "s": 1000.0, "us": 1e-3},
    "rate": {"Hz": 1.0, "kHz": 1000.0},
    "potential": {"mV": 1.0, "V": 1000.0},
}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)\s*$")


def parse_quantity(text, kind, field):
    """The value of ``text`` (e.g. ``"100 ms"``) in the canonical unit of ``kind``.

    Raises
    ------
    ConfigError
        Naming ``field`` if ``text`` is not a number followed by one of the
        units of ``kind``, or is not a positive, finite number.
    """
    units = UNITS[kind]
    match = _QUANTITY.match(text) if isinstance(text, str) else None
    if match is None:
        raise ConfigError(field, f"must be a number with a unit ({', '.join(units)}), e.g. '10 {next(iter(units))}', "
                                 f"got {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    if unit not in units:
        raise ConfigError(field, f"has unit {unit!r}, which is not a {kind}; use one of {', '.join(units)}")
    value *= units[unit]
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(field, f"must be positive, got {text!r}")
    return value


#: The quantities of the table and their kinds.
_KINDS = (("dt", "time"), ("integration_time", "time"), ("rest_time", "time"), ("hidden_rate", "rate"),
          ("inhibition_rate", "rate"))

#: The quantities of spiking training (:class:`~neuroplastic.engines.brian2.spiking.SpikingParams`): table key,
#: kind, and the parameter's name.
_TRAINING = (("training_dt", "time", "dt_ms"), ("presentation_time", "time", "presentation_ms"),
             ("decision_time", "time", "decision_ms"), ("release_rate", "rate", "release_rate_hz"),
             ("membrane_time_constant", "time", "tau_m_ms"), ("synaptic_time_constant", "time", "tau_e_ms"),
             ("drive_gain", "potential", "gain_mv"), ("threshold_start", "potential", "threshold_start_mv"),
             ("threshold_fall", "potential", "threshold_fall_mv"))

#: Keys of the earlier inference form and the only values still accepted (and ignored).
_LEGACY = {"output_time": "100 ms", "input_rate": "200 Hz", "coding": "regular"}


@dataclass(frozen=True)
class SpikingSpec:
    """Timing and rates of fully spiking inference (``neuroplastic evaluate``) and of spiking training (Brian2).

    The network is the integer rate code of the hardware layer
    (:mod:`neuroplastic.hardware.rate_code`): one of its steps is one time
    step ``dt``, and a full-intensity pixel fires once per step.

    Attributes
    ----------
    dt : str
        Simulation time step (one step of the rate code).
    integration_time : str
        How long each image drives the inputs: ``integration_time / dt``
        steps (at least 8), which is also the number of intensity levels.
    rest_time : str
        Silence after each image (at least 2 steps), so that the last spikes
        reach the output layer before the next image.
    hidden_rate : str
        Firing rate of a hidden unit whose drive is at the top of its range
        (the 99.9% quantile over calibration images); at most ``1 / dt``.
    inhibition_rate : str
        The same for the inhibitory interneuron of the triangle activations.
    training_dt, presentation_time, decision_time : str
        Spiking training (``neuroplastic train --engine brian2 --mode
        spiking``): time step, how long each image is shown, and when the
        firing threshold starts to fall.
    release_rate : str
        Transmitter release rate of a synapse whose input has intensity 1
        (at most ``1 / training_dt``).
    membrane_time_constant, synaptic_time_constant : str
        Of the hidden units.
    drive_gain : str
        Potential per unit of the rule's score (squared distance plus conscience).
    threshold_start, threshold_fall : str
        Firing threshold above rest until ``decision_time``, and how far it
        falls by the end of the image.
    output_time, input_rate, coding : str or None
        Keys of the earlier, partly analog inference, still found in older
        run folders. Accepted only with the values that form wrote by
        default (``"100 ms"``, ``"200 Hz"``, ``"regular"``) and ignored: a
        pixel now fires at most once per step, and the outputs integrate
        while the image is shown.
    """

    dt: str = "1 ms"
    integration_time: str = "128 ms"
    rest_time: str = "3 ms"
    hidden_rate: str = "250 Hz"
    inhibition_rate: str = "1 kHz"
    training_dt: str = "1 ms"
    presentation_time: str = "20 ms"
    decision_time: str = "10 ms"
    release_rate: str = "1 kHz"
    membrane_time_constant: str = "10 ms"
    synaptic_time_constant: str = "2 ms"
    drive_gain: str = "3 mV"
    threshold_start: str = "20 mV"
    threshold_fall: str = "60 mV"
    output_time: Optional[str] = None
    input_rate: Optional[str] = None
    coding: Optional[str] = None

    def values(self):
        """Every quantity in its canonical unit: ``{"dt": ms, ..., "hidden_rate": Hz, ...}``."""
        return {name: parse_quantity(getattr(self, name), kind, name) for name, kind in _KINDS}

    def validate(self):
        for name, legacy in _LEGACY.items():
            if getattr(self, name) not in (None, legacy):
                raise ConfigError(name, "is no longer used: spiking inference is the integer rate code (a "
                                        "full-intensity pixel fires once per dt, outputs integrate during the "
                                        "image); remove the key")
        try:  # the timing constraints live with the parameters they constrain
            self.inference_params().validate()
        except ConfigError as error:
            raise ConfigError(error.field.removesuffix("_ms").removesuffix("_hz"), error.reason) from None
        names = {param: key for key, _, param in _TRAINING}
        try:
            self.training_params().validate()
        except ConfigError as error:
            raise ConfigError(names.get(error.field, error.field), error.reason) from None

    def training_params(self):
        """The Brian2 engine's :class:`~neuroplastic.engines.brian2.spiking.SpikingParams` (ms, mV, Hz)."""
        from ..engines.brian2.spiking import SpikingParams

        return SpikingParams(**{param: parse_quantity(getattr(self, key), kind, key) for key, kind, param in _TRAINING})

    def inference_params(self):
        """The Brian2 engine's :class:`~neuroplastic.engines.brian2.inference.InferenceParams` (ms, Hz)."""
        from ..engines.brian2.inference import InferenceParams

        v = self.values()
        return InferenceParams(dt_ms=v["dt"], integration_time_ms=v["integration_time"], rest_time_ms=v["rest_time"],
                               hidden_rate_hz=v["hidden_rate"], inhibition_rate_hz=v["inhibition_rate"])
