"""Plug-in information of discrete codes: the cross-check of the VIB figure.

The hidden code of a deterministic network is a function of the input, so
for a discretised code ``Z = d(H(X))`` the mutual information I(X;Z) equals
the entropy H(Z). The plug-in (maximum-likelihood) entropy of the observed
codes is a lower bound in expectation and saturates at ``log2(n)`` when every
image has its own code, so it is only informative for small layers; both the
estimate and its ceiling are reported.
"""

import numpy as np

__all__ = ["binarise", "plugin_entropy_bits", "plugin_mutual_information_bits", "discrete_code_information",
           "confusion_matrix", "label_information_bits"]


def binarise(H, threshold="zero"):
    """Binary codes from hidden activity.

    Parameters
    ----------
    H : numpy.ndarray, shape (n, units)
    threshold : {"zero", "median"} or float
        A unit is on if its activity is above 0, above its own median over
        the images, or above the given number.

    Returns
    -------
    numpy.ndarray of bool
    """
    H = np.asarray(H)
    if threshold == "zero":
        return H > 0
    if threshold == "median":
        return H > np.median(H, axis=0, keepdims=True)
    return H > float(threshold)


def _code_ids(codes):
    codes = np.asarray(codes)
    if codes.ndim == 1:
        codes = codes[:, None]
    _, ids = np.unique(np.packbits(codes.astype(bool), axis=1) if codes.dtype == bool else codes,
                       axis=0, return_inverse=True)
    return ids.ravel()


def plugin_entropy_bits(codes, *, miller_madow=False):
    """Plug-in entropy of the rows of ``codes`` (or of a 1-d array of symbols), in bits.

    With ``miller_madow`` the bias correction ``(K - 1) / (2 n ln 2)`` is
    added, ``K`` the number of distinct codes seen.
    """
    ids = _code_ids(codes)
    counts = np.bincount(ids)
    counts = counts[counts > 0]
    p = counts / counts.sum()
    entropy = float(-(p * np.log2(p)).sum())
    if miller_madow:
        entropy += (counts.size - 1) / (2.0 * ids.size * np.log(2.0))
    return entropy


def plugin_mutual_information_bits(a, b):
    """Plug-in I(A;B) = H(A) + H(B) - H(A,B) of paired discrete observations, in bits."""
    ia, ib = _code_ids(a), _code_ids(b)
    joint = ia * (ib.max() + 1) + ib
    return plugin_entropy_bits(ia) + plugin_entropy_bits(ib) - plugin_entropy_bits(joint)


def discrete_code_information(H, y, *, threshold="zero"):
    """The plug-in figures of binarised hidden codes.

    Returns
    -------
    dict
        ``i_xz_bits_plugin`` (= H(Z) of the binary codes), its ceiling
        ``log2(n)``, the number of distinct codes, ``i_zy_bits_plugin`` and
        the threshold used.
    """
    codes = binarise(H, threshold)
    n = codes.shape[0]
    return {
        "i_xz_bits_plugin": plugin_entropy_bits(codes),
        "i_xz_bits_plugin_ceiling": float(np.log2(n)),
        "distinct_codes": int(np.unique(_code_ids(codes)).size),
        "i_zy_bits_plugin": plugin_mutual_information_bits(codes, np.asarray(y)),
        "plugin_threshold": threshold,
        "plugin_images": int(n),
    }


def confusion_matrix(y_true, y_pred, classes):
    """Counts ``C[i, j]`` of images of class ``classes[i]`` predicted as ``classes[j]``."""
    classes = np.asarray(classes)
    index_true = np.searchsorted(classes, np.asarray(y_true))
    index_pred = np.searchsorted(classes, np.asarray(y_pred))
    matrix = np.zeros((classes.size, classes.size), dtype=np.int64)
    np.add.at(matrix, (index_true, index_pred), 1)
    return matrix


def label_information_bits(confusion):
    """I(Y; Y_hat) in bits from a confusion matrix of counts (plug-in)."""
    joint = np.asarray(confusion, dtype=np.float64)
    joint = joint / joint.sum()
    p_true = joint.sum(axis=1, keepdims=True)
    p_pred = joint.sum(axis=0, keepdims=True)
    nonzero = joint > 0
    return float(np.sum(joint[nonzero] * np.log2(joint[nonzero] / (p_true @ p_pred)[nonzero])))
