"""The learning rule: its parameters, its update equations and its activations.

- :mod:`.params` -- frozen dataclasses of the rule's parameters (``[rule.*]`` tables).
- :mod:`.updates` -- the update equations, each once, as pure NumPy functions.
- :mod:`.activations` -- hidden activations by name and :func:`hidden_activity`,
  shared by training and inference.
"""

from .activations import ACTIVATIONS, hidden_activity
from .params import HiddenRuleParams, HomeostasisParams, OutputRuleParams, RewiringParams, RuleParams

__all__ = ["ACTIVATIONS", "hidden_activity", "HiddenRuleParams", "RewiringParams", "HomeostasisParams",
           "OutputRuleParams", "RuleParams"]
