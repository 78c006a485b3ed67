"""How close a rate-coded run comes to the ranges of Loihi's fixed-point neurons.

Two limits, both in weight steps (one weight step is 64 units of Loihi's
membrane arithmetic):

- **State, 24 bits.** Lava's bit-accurate LIF holds current and potential
  in 24 bits: 2**23 units, 131,072 weight steps. A current beyond it wraps
  around and a potential is clipped (the simulator does both, as Lava does),
  so a network that reaches it no longer computes its rate code exactly.
  In the bundled networks only potentials far below zero are clipped (of
  losing classes, or of hidden units under strong inhibition), which does
  not change which neuron fires.
- **Input, 16 bits.** A neuron's synaptic input per step is 16-bit on
  Loihi: Lava 0.10's bit-accurate LIF declares its input port ``int16``.
  Lava's CPU models do not enforce it (a larger input arrives whole), so a
  run can exceed it there and not on the chip.

:class:`PeakRanges` is an ``observe`` callback of
:func:`~.rate_code.simulate` that records, per layer, the largest input and
potential and how many steps clipped a potential.
"""

import numpy as np

from .rate_code import UV_LIMIT, V_SHIFT

__all__ = ["INPUT_LIMIT", "STATE_LIMIT", "PeakRanges", "beyond_input"]

#: The 16-bit synaptic input per neuron and step of Lava's bit-accurate LIF port, in weight steps.
INPUT_LIMIT = 2**15 - 1

#: The 24-bit potential of Lava's bit-accurate LIF, in weight steps.
STATE_LIMIT = UV_LIMIT / V_SHIFT


class PeakRanges:
    """Largest input and potential per layer of a fixed-point :func:`~.rate_code.simulate` run.

    Pass the instance as ``observe``; then read :meth:`layers` and :meth:`beyond_input`.
    """

    def __init__(self):
        self._peaks = {}

    def __call__(self, name, a_in, v):
        peak = self._peaks.setdefault(name, {"input": 0.0, "potential": 0, "clipped_steps": 0})
        if a_in.size:
            peak["input"] = max(peak["input"], float(np.abs(a_in).max()))
            peak["potential"] = max(peak["potential"], int(np.abs(v).max()))
            peak["clipped_steps"] += int(np.any(np.abs(v) >= UV_LIMIT - 1))

    def layers(self):
        """``{layer: {max_input_weight_steps, max_potential_weight_steps, steps_with_a_clipped_potential,
        within_16_bit_input, within_24_bit_state}}``."""
        return {name: {"max_input_weight_steps": peak["input"],
                       "max_potential_weight_steps": peak["potential"] / V_SHIFT,
                       "steps_with_a_clipped_potential": peak["clipped_steps"],
                       "within_16_bit_input": peak["input"] <= INPUT_LIMIT,
                       "within_24_bit_state": peak["potential"] < UV_LIMIT - 1}
                for name, peak in self._peaks.items()}

    def beyond_input(self):
        """``{layer: largest input}`` of the layers whose input exceeded :data:`INPUT_LIMIT`."""
        return beyond_input(self.layers())


def beyond_input(layers):
    """``{layer: largest input}`` of the layers whose input exceeded :data:`INPUT_LIMIT`, from ``layers`` as
    :meth:`PeakRanges.layers` gives them (and an energy report's ``ranges`` holds them)."""
    return {name: layer["max_input_weight_steps"] for name, layer in layers.items()
            if not layer["within_16_bit_input"]}
