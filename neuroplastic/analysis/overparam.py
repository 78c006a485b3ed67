"""The over-parameterisation factor: how many more synapses dense BP needs for the same accuracy.

The BP hidden size is chosen on a validation split carved from the training
images, never on the test set; the test set only scores the network that
was chosen (and ours), once.
"""

import numpy as np

from ..errors import ConfigError, DataError

__all__ = ["overparameterisation_factor"]


def _dense_synapses(n_hidden, n_inputs, n_classes):
    return {"hidden": n_hidden * n_inputs, "total": n_hidden * (n_inputs + n_classes)}


def _search(accuracy, target, max_hidden):
    """Smallest size in 1..max_hidden whose ``accuracy(size)`` reaches ``target`` (doubling, then
    bisection), or ``None``."""
    low, high, size = 0, None, 1
    while size <= max_hidden:
        if accuracy(size) >= target:
            high = size
            break
        low = size
        size = min(size * 2, max_hidden) if size < max_hidden else max_hidden + 1
    if high is not None:
        while high - low > 1:
            middle = (low + high) // 2
            if accuracy(middle) >= target:
                high = middle
            else:
                low = middle
    return high


def overparameterisation_factor(network, X_train, y_train, X_val, y_val, *, X_test=None, y_test=None,
                                max_hidden=1024, seeds=(0,), bp_params=None, target_accuracy=None, progress=None):
    """Smallest dense BP network that matches ``network``'s validation accuracy, and its synapses over ours.

    Every BP network trains on ``X_train`` and is scored on the validation
    images ``X_val``; the search doubles the hidden size from 1 until the
    mean validation accuracy over ``seeds`` reaches the target, then bisects
    between the last size that fell short and the first that matched. Only
    the chosen size (and ours) is then scored on the test images, if given.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
        Our trained network (it must not have trained on ``X_val``).
    X_train, y_train : array
        Images the BP networks train on (those ours trained on).
    X_val, y_val : array
        Held-out validation images, carved from the training set (see
        :meth:`neuroplastic.datasets.DataSet.training_split`): the target
        and the selection are measured on them.
    X_test, y_test : array, optional
        Test images, scored once for ours and for the chosen BP size.
    max_hidden : int
        Largest BP hidden layer tried.
    seeds : sequence of int
        BP seeds averaged at each size.
    bp_params : dict, optional
        Further hyperparameters of :class:`~neuroplastic.baselines.BackpropClassifier`.
    target_accuracy : float, optional
        Validation accuracy to match; default ``network.score(X_val, y_val)``.
    progress : callable, optional
        Called with a one-line message after each BP size.

    Returns
    -------
    dict
        ``selected_on`` (``"validation"``), ``target_accuracy`` (ours, on
        validation), ``bp_hidden`` (smallest matching size, or ``None``),
        ``bp_accuracy`` (its validation accuracy), ``bp_test_accuracy`` and
        ``our_test_accuracy`` (``None`` without test images),
        ``bp_synapses`` (dense, both layers), ``our_synapses`` (non-silent,
        both layers), ``factor`` (= bp_synapses / our_synapses),
        ``factor_hidden`` (input->hidden only), ``matched`` (False if even
        ``max_hidden`` fell short; then the factor is a lower bound), and
        ``curve`` (validation accuracy of every size tried).

    Raises
    ------
    DataError
        If the validation split is empty.
    """
    from ..baselines import BackpropClassifier

    if max_hidden < 1:
        raise ConfigError("max_hidden", f"must be a positive integer, got {max_hidden}")
    if len(y_val) == 0:
        raise DataError("the over-parameterisation search needs a validation split (validation_fraction > 0); "
                        "it never selects on the test set")
    target = network.score(X_val, y_val) if target_accuracy is None else float(target_accuracy)
    n_inputs, n_classes = network.n_inputs, int(network.classes.shape[0])
    curve, fitted = {}, {}

    def accuracy(size):
        if size not in curve:
            fitted[size] = [BackpropClassifier(n_hidden=size, random_state=seed, **(bp_params or {}))
                            .fit(X_train, y_train) for seed in seeds]
            curve[size] = float(np.mean([clf.score(X_val, y_val) for clf in fitted[size]]))
            if progress is not None:
                progress(f"BP hidden {size}: validation accuracy {curve[size]:.4f} (target {target:.4f})")
        return curve[size]

    high = _search(accuracy, target, max_hidden)
    matched = high is not None
    bp_hidden = high if matched else max_hidden
    bp = _dense_synapses(bp_hidden, n_inputs, n_classes)
    ours = network.n_nonsilent
    tested = X_test is not None and y_test is not None
    return {
        "selected_on": "validation",
        "target_accuracy": target,
        "bp_hidden": bp_hidden if matched else None,
        "bp_accuracy": curve[bp_hidden],
        "bp_test_accuracy": (float(np.mean([clf.score(X_test, y_test) for clf in fitted[bp_hidden]]))
                             if tested else None),
        "our_test_accuracy": network.score(X_test, y_test) if tested else None,
        "bp_synapses": bp["total"],
        "our_synapses": ours["total"],
        "factor": bp["total"] / ours["total"],
        "factor_hidden": bp["hidden"] / ours["hidden"],
        "matched": matched,
        "seeds": list(seeds),
        "curve": [{"hidden": k, "accuracy": v} for k, v in sorted(curve.items())],
    }
