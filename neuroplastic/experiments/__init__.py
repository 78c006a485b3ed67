"""Experiments built from the parts: one module per experiment.

- :mod:`neuroplastic.experiments.compare`: the paper's table (baselines and
  our rule at several hidden sizes and seeds; ``compare.compare``).
- the other modules (continual learning, parameter sweeps) each describe
  themselves.
"""
