"""Exceptions for user errors.

Every error a user can act on (a bad file, a bad parameter, bad input data)
is a :class:`NeuroplasticError`. The command line turns these into one line
and exit code 2; anything else is a bug and keeps its traceback.
"""

__all__ = ["NeuroplasticError", "DataError", "ConfigError", "DependencyError", "HardwareError"]


class NeuroplasticError(Exception):
    """Base class of all user errors raised by ``neuroplastic``.

    Parameters
    ----------
    message : str
        One line that names the file or field and says what is wrong.
    """


class DataError(NeuroplasticError, ValueError):
    """Input data is missing, truncated, corrupt or of the wrong shape."""


class ConfigError(NeuroplasticError, ValueError):
    """A model definition or hyperparameter is unknown, mistyped or impossible.

    Parameters
    ----------
    field_or_message : str
        The offending field's name when ``reason`` is given, else the whole
        message.
    reason : str, optional
        What is wrong, e.g. ``"must be a positive integer, got -5"``.

    Examples
    --------
    >>> str(ConfigError("n_hidden", "must be positive, got -5"))
    'n_hidden must be positive, got -5'
    """

    def __init__(self, field_or_message, reason=None):
        self.field = field_or_message if reason is not None else None
        self.reason = reason
        super().__init__(field_or_message if reason is None else f"{field_or_message} {reason}")


class HardwareError(NeuroplasticError, ValueError):
    """A hardware profile is invalid, or a network does not fit its limits."""


class DependencyError(NeuroplasticError, ImportError):
    """An optional backend (Brian2, Lava, JAX, Dask) is not installed; the message names the extra."""
