"""Hyperparameter handling shared by the learners that execute the rule (scikit-learn conventions)."""

import dataclasses

import numpy as np

from ..errors import ConfigError
from ..rule.activations import ACTIVATIONS
from ..rule.params import HiddenRuleParams, HomeostasisParams, OutputRuleParams, RewiringParams, RuleParams

__all__ = ["RULE_PARTS", "RuleHyperparameters"]

#: The rule's parameter groups: hyperparameter name -> dataclass.
RULE_PARTS = {"hidden": HiddenRuleParams, "rewiring": RewiringParams, "homeostasis": HomeostasisParams,
              "output": OutputRuleParams}


class RuleHyperparameters:
    """``from_params``, ``get_params``, ``set_params`` and ``rule_params`` for a learner of the rule.

    A subclass lists its constructor's keyword names in ``_PARAM_NAMES``;
    those include the :data:`RULE_PARTS`.
    """

    _PARAM_NAMES = ()

    @classmethod
    def from_params(cls, rule_params, **kwargs):
        """Build from a :class:`~neuroplastic.rule.params.RuleParams` (or any object/dict with
        ``hidden``, ``rewiring``, ``homeostasis``, ``output``) plus the other hyperparameters."""
        parts = {}
        for name in RULE_PARTS:
            value = rule_params.get(name) if isinstance(rule_params, dict) else getattr(rule_params, name, None)
            if value is not None:
                parts[name] = value
        return cls(**parts, **kwargs)

    def get_params(self, deep=True):
        """Hyperparameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._PARAM_NAMES}

    def set_params(self, **params):
        """Set hyperparameters; ``rule_part__field=value`` replaces one field of a rule dataclass."""
        for key, value in params.items():
            if "__" in key and key.split("__", 1)[0] in RULE_PARTS:
                part, name = key.split("__", 1)
                current = getattr(self, part) or RULE_PARTS[part]()
                try:
                    setattr(self, part, dataclasses.replace(current, **{name: value}))
                except TypeError:
                    raise ConfigError(key, "is not a known hyperparameter") from None
            elif key in self._PARAM_NAMES:
                setattr(self, key, value)
            else:
                raise ConfigError(key, f"is not a known hyperparameter (known: {', '.join(self._PARAM_NAMES)})")
        return self

    def rule_params(self):
        """The validated rule parameters, as one :class:`~neuroplastic.rule.params.RuleParams`."""
        parts = {}
        for name, kind in RULE_PARTS.items():
            value = getattr(self, name)
            value = kind() if value is None else value
            if isinstance(value, dict):
                try:
                    value = kind(**value)
                except TypeError as exc:
                    raise ConfigError(f"rule.{name}", f"has an unknown field ({exc})") from None
            try:
                value.validate()
            except ConfigError as exc:
                where = f"rule.{name}.{exc.field}" if exc.field else f"rule.{name}"
                raise ConfigError(where, exc.reason or str(exc)) from None
            parts[name] = value
        return RuleParams(**parts)

    def _check_counts(self):
        """Unit, batch and pass counts are integers in range."""
        for name in ("n_hidden", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigError(name, f"must be a positive integer, got {value!r}")
        for name in ("hidden_epochs", "readout_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ConfigError(name, f"must be a non-negative integer, got {value!r}")

    def _check_activation(self):
        """The activation is a known one."""
        if self.activation not in ACTIVATIONS:
            raise ConfigError("activation", f"must be one of {', '.join(sorted(ACTIVATIONS))}, got {self.activation!r}")
