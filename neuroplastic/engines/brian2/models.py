"""Brian2 learners for model definitions: the counterpart of :func:`neuroplastic.engines.make_learner`."""

from ...errors import ConfigError
from ...optional import require
from .. import MODES
from .learner import Brian2Classifier

__all__ = ["make_brian2_learner", "train_brian2"]


def make_brian2_learner(model, mode, *, target=None, build_dir=None, spiking=None, readout_engine=None):
    """The Brian2 learner for a model definition (the counterpart of :func:`neuroplastic.engines.make_learner`).

    Parameters
    ----------
    model : ModelDefinition
    mode : {"rate", "spiking"}
    target : str, optional
        Default ``cpp_standalone`` in spiking mode, ``numpy`` in rate mode.
    build_dir : str or Path, optional
    spiking : SpikingParams, optional
        Default: the model's ``[spiking]`` table.
    readout_engine : {"brian2", "vectorized"}, optional
        See :class:`Brian2Classifier`.

    Returns
    -------
    Brian2Classifier
    """
    if mode not in MODES:
        raise ConfigError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    require("brian2", "the Brian2 engine")
    return Brian2Classifier.from_params(
        model.rule, mode=mode, n_hidden=model.network.n_hidden, activation=model.network.activation,
        hidden_epochs=model.training.hidden_epochs, readout_epochs=model.training.readout_epochs,
        batch_size=model.training.batch_size, random_state=model.training.seed,
        target=target or ("cpp_standalone" if mode == "spiking" else "numpy"), build_dir=build_dir,
        spiking=spiking if spiking is not None else model.spiking.training_params(), readout_engine=readout_engine)


def train_brian2(model, data, mode, *, target=None, build_dir=None, spiking=None, progress=None):
    """Train a model definition with the Brian2 engine; same return contract as the vectorized learner.

    Parameters
    ----------
    model : ModelDefinition
    data : TrainingData or any object with ``X_train`` and ``y_train``
    mode : {"rate", "spiking"}
    target : str, optional
    build_dir : str or Path, optional
    spiking : SpikingParams, optional
    progress : callable, optional

    Returns
    -------
    Brian2Classifier
        Fitted; ``to_network()`` and ``history_`` as for the vectorized learner.
    """
    learner = make_brian2_learner(model, mode, target=target, build_dir=build_dir, spiking=spiking)
    return learner.fit(data.X_train, data.y_train, progress=progress)
