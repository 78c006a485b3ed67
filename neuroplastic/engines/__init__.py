"""Engines that execute the rule. ``vectorized``: batched NumPy, for full MNIST."""

from ..errors import ConfigError
from .vectorized import StructuralPlasticityClassifier

__all__ = ["ENGINES", "MODES", "READOUT_ENGINES", "TARGETS", "StructuralPlasticityClassifier", "check_engine", "make_learner"]

#: Engines that execute the rule.
ENGINES = ("vectorized", "brian2")
#: Forms of the Brian2 engine: rates as continuous variables, or spikes.
MODES = ("rate", "spiking")
#: Where the Brian2 engine's readout phase may run.
READOUT_ENGINES = ("brian2", "vectorized")
#: Brian2's code-generation targets: its runtime (``numpy``, ``cython``) and ``cpp_standalone`` (spiking mode only).
TARGETS = ("numpy", "cython", "cpp_standalone")


def check_engine(engine, mode="rate"):
    """Raise :class:`~neuroplastic.errors.ConfigError` unless ``engine`` and ``mode`` name an engine and form.

    Parameters
    ----------
    engine : str
        One of :data:`ENGINES`.
    mode : str
        One of :data:`MODES` (read by the Brian2 engine only).
    """
    if engine not in ENGINES:
        raise ConfigError("engine", f"must be one of {', '.join(ENGINES)}, got {engine!r}")
    if mode not in MODES:
        raise ConfigError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")


def make_learner(model):
    """The vectorized learner for a model definition (:class:`neuroplastic.config.ModelDefinition`).

    Parameters
    ----------
    model : ModelDefinition
        Its ``network``, ``training`` and ``rule`` parts are used.

    Returns
    -------
    StructuralPlasticityClassifier
    """
    return StructuralPlasticityClassifier.from_params(
        model.rule, n_hidden=model.network.n_hidden, activation=model.network.activation,
        hidden_epochs=model.training.hidden_epochs,
        readout_epochs=model.training.readout_epochs, batch_size=model.training.batch_size, random_state=model.training.seed)
