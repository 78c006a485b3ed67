"""Engines that execute the rule. ``vectorized``: batched NumPy, for full MNIST."""

from .vectorized import StructuralPlasticityClassifier

__all__ = ["StructuralPlasticityClassifier", "make_learner"]


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
