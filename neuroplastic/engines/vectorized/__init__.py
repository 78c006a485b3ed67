"""The vectorized engine: the rule in matrix form, with mini-batches."""

from .classifier import StructuralPlasticityClassifier

__all__ = ["StructuralPlasticityClassifier"]
