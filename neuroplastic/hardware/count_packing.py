"""Small non-negative integers packed several to a float64, for reading spike counts out of Lava.

Lava's ``Var.get`` sends an array one element at a time, each as its own
message between processes, which makes reading the spike counts of a large
network (12,000 hidden units x 1,000 images) take minutes. Counts and spike
steps are below the number of steps per image, so several of them fit in
the 53 bits a float64 holds exactly: the counting neurons pack their counts
at the end of the run and the caller unpacks them, for a fraction of the
messages.
"""

import numpy as np

__all__ = ["EXACT_BITS", "bits_for", "packed_size", "pack", "unpack"]

#: Integers below 2**53 survive the conversion to float64 that Lava's ``get`` applies to every element.
EXACT_BITS = 53


def bits_for(largest):
    """Bits per value for values in ``[0, largest]``."""
    return max(1, int(largest).bit_length())


def _per_word(bits):
    if not 1 <= bits <= EXACT_BITS:
        raise ValueError(f"bits per value must be in [1, {EXACT_BITS}], got {bits}")
    return EXACT_BITS // bits


def packed_size(n_values, bits):
    """Words that hold ``n_values`` values of ``bits`` bits."""
    per = _per_word(bits)
    return -(-int(n_values) // per)


def pack(values, bits):
    """``values`` (integers in ``[0, 2**bits)``, any shape, read in C order) as int64 words below ``2**53``.

    Raises
    ------
    ValueError
        If a value does not fit in ``bits`` bits.
    """
    per = _per_word(bits)
    flat = np.asarray(values, dtype=np.int64).ravel()
    if flat.size and (flat.min() < 0 or flat.max() >= 2**bits):
        raise ValueError(f"values must lie in [0, {2**bits}) to pack in {bits} bits, got "
                         f"[{flat.min()}, {flat.max()}]")
    padded = np.zeros(packed_size(flat.size, bits) * per, dtype=np.int64)
    padded[:flat.size] = flat
    shifts = np.arange(per, dtype=np.int64) * bits
    return np.left_shift(padded.reshape(-1, per), shifts).sum(axis=1)


def unpack(words, bits, shape):
    """The values :func:`pack` packed, as int64 of ``shape`` (``words`` may be float64, as ``get`` returns them)."""
    per = _per_word(bits)
    words = np.asarray(words).astype(np.int64).ravel()
    shifts = np.arange(per, dtype=np.int64) * bits
    values = np.right_shift(words[:, None], shifts) & ((1 << bits) - 1)
    size = int(np.prod(shape))
    return values.ravel()[:size].reshape(shape)
