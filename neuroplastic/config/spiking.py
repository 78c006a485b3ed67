"""The ``[spiking]`` table of a model file: timing and rates of spiking inference, with units.

Values are strings with a unit, as a neuroscientist would write them
(``dt = "1 ms"``, ``input_rate = "200 Hz"``). A missing unit, a unit of the
wrong kind (``"5 mV"`` for a time) or a non-positive value is a one-line
error naming the field. ``neuroplastic evaluate --engine brian2 --mode
spiking`` runs with these values; regimes and ``neuroplastic sweep`` can
set them like any other field (``spiking.input_rate="100 Hz"``).
"""

import math
import re
from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigError

__all__ = ["SpikingSpec", "UNITS", "parse_quantity"]

#: Accepted units per kind, as factors to the canonical unit (ms for time, Hz for rate).
UNITS = {
    "time": {"ms": 1.0, "s": 1000.0, "us": 1e-3},
    "rate": {"Hz": 1.0, "kHz": 1000.0},
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
_KINDS = (("dt", "time"), ("integration_time", "time"), ("output_time", "time"), ("input_rate", "rate"),
          ("hidden_rate", "rate"))


@dataclass(frozen=True)
class SpikingSpec:
    """Timing and rates of spiking inference of a trained network.

    Attributes
    ----------
    dt : str
        Simulation time step.
    integration_time : str
        How long each image drives the hidden layer (the input spike trains).
    output_time : str
        How long the hidden spike trains drive the output layer.
    input_rate : str
        Firing rate of a full-intensity pixel.
    hidden_rate : str
        Firing rate of a hidden unit with activity 1.
    coding : {"regular", "poisson"}
        Regular spike trains or Poisson ones.
    """

    dt: str = "1 ms"
    integration_time: str = "100 ms"
    output_time: str = "100 ms"
    input_rate: str = "200 Hz"
    hidden_rate: str = "500 Hz"
    coding: Literal["regular", "poisson"] = "regular"

    def values(self):
        """Every quantity in its canonical unit: ``{"dt": ms, ..., "input_rate": Hz, ...}``."""
        return {name: parse_quantity(getattr(self, name), kind, name) for name, kind in _KINDS}

    def validate(self):
        values = self.values()
        if values["input_rate"] * values["dt"] / 1000.0 > 1.0:
            raise ConfigError("input_rate", f"fires more than once per time step of {self.dt}; lower it or dt")
        for name in ("integration_time", "output_time"):
            steps = values[name] / values["dt"]
            if abs(steps - round(steps)) > 1e-9:
                raise ConfigError(name, f"must be a whole number of time steps of {self.dt}, got {getattr(self, name)}")

    def inference_params(self):
        """The Brian2 engine's :class:`~neuroplastic.engines.brian2.inference.InferenceParams` (ms, Hz)."""
        from ..engines.brian2.inference import InferenceParams

        v = self.values()
        return InferenceParams(dt_ms=v["dt"], t_int_ms=v["integration_time"], t_out_ms=v["output_time"],
                               f_in_hz=v["input_rate"], f_h_hz=v["hidden_rate"], coding=self.coding)
