"""Components for anyone's Brian2 network.

- :class:`StructuralPlasticity` -- growth, elimination and a per-neuron budget over a pool of potential
  synapses of a user's ``Synapses`` (implemented in :mod:`neuroplastic.brian2.structural`).
"""

from .structural import StructuralPlasticity

__all__ = ["StructuralPlasticity"]
