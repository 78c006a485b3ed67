"""The ``neuroplastic`` command line (thin: it only wires library calls together)."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
