"""Input checks and column statistics of the vectorized engine."""

import numpy as np

from ...errors import DataError
from ...network import all_finite

__all__ = ["check_images", "column_mean_std"]

F32 = np.float32


def check_images(X, n_features=None):
    """Images as a float32 array of shape (n, n_pixels) with finite values in [0, 1].

    Raises
    ------
    DataError
        One line saying what is wrong (not numeric, not 2-D, wrong width, empty,
        NaN or infinite, out of range).
    """
    try:
        X = np.asarray(X, dtype=F32)
    except (TypeError, ValueError):
        raise DataError("inputs must be numeric") from None
    if X.ndim != 2:
        raise DataError(f"inputs must be a 2-D array (n_samples, n_pixels), got {X.ndim}-D")
    if n_features is not None and X.shape[1] != n_features:
        raise DataError(f"inputs must have {n_features} pixels per image, got {X.shape[1]}")
    if X.shape[0] == 0:
        raise DataError("inputs are empty")
    if not all_finite(X):
        raise DataError("inputs contain NaN or infinite values")
    if X.min() < 0 or X.max() > 1:
        raise DataError(f"inputs must lie in [0, 1], got values in [{X.min():g}, {X.max():g}]")
    return X


def column_mean_std(F, chunk=4096):
    """Per-unit mean and standard deviation (+1e-6) of activity, accumulated in float64 chunks."""
    total = np.zeros(F.shape[1])
    for start in range(0, F.shape[0], chunk):
        total += F[start:start + chunk].sum(axis=0, dtype=np.float64)
    mean = total / F.shape[0]
    squares = np.zeros(F.shape[1])
    for start in range(0, F.shape[0], chunk):
        squares += np.square(F[start:start + chunk] - mean).sum(axis=0)
    return mean.astype(F32), (np.sqrt(squares / F.shape[0]) + 1e-6).astype(F32)
