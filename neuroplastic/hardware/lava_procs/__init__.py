"""Lava custom processes for the hardware layer, and their process models.

Lava imports every ``.py`` file beside a custom process's module while it
compiles a network, so this package holds the processes and their models
and nothing else.
"""
