"""Arrays both Brian2 forms of the hidden layer build from the per-unit slots and the images.

The rate form (:mod:`~neuroplastic.engines.brian2.rate`) and the spiking form
(:mod:`~neuroplastic.engines.brian2.spiking`) keep a
unit's synapses in ``capacity`` slots and grow at inputs active in an image;
these functions give them the same lookup tables and the same wiring.
"""

import numpy as np

__all__ = ["active_input_table", "sibling_pairs", "upkeep_row"]


def active_input_table(X, threshold):
    """The inputs above ``threshold`` in each image, left-aligned in a table padded with 0.

    Returns
    -------
    table : numpy.ndarray, shape (n_images, max(1, most active inputs in one image))
        ``table[m, :n_active[m]]`` are image ``m``'s active inputs, in increasing order.
    n_active : numpy.ndarray of float, shape (n_images,)
    """
    active = np.asarray(X) > threshold
    n_active = active.sum(axis=1)
    table = np.zeros((active.shape[0], max(1, int(n_active.max()))))
    rows, cols = np.nonzero(active)
    table[rows, np.arange(rows.size) - np.repeat(np.cumsum(n_active) - n_active, n_active)] = cols
    return table, n_active.astype(float)


def sibling_pairs(n_units, capacity):
    """Pre and post slot indices connecting every slot to every other slot of the same unit (slots unit-major)."""
    pre, post = np.nonzero(~np.eye(capacity, dtype=bool))
    offset = np.repeat(np.arange(n_units) * capacity, pre.size)
    return np.tile(pre, n_units) + offset, np.tile(post, n_units) + offset


def upkeep_row(upkeep, n_inputs):
    """The upkeep of a synapse from each input as one row (a ``TimedArray`` read at t = 0); ones if ``None``."""
    return np.ones((1, n_inputs)) if upkeep is None else np.asarray(upkeep, dtype=float)[None, :]
