"""Typed model definitions loaded from ``models/*.toml``."""

from .loader import dump_model, load_model, parse_model, with_overrides
from .schema import DataSpec, HardwareSpec, ModelDefinition, ModelInfo, NetworkSpec, TrainingSpec
from .spiking import SpikingSpec

__all__ = [
    "DataSpec",
    "HardwareSpec",
    "ModelDefinition",
    "ModelInfo",
    "NetworkSpec",
    "SpikingSpec",
    "TrainingSpec",
    "dump_model",
    "load_model",
    "parse_model",
    "with_overrides",
]
