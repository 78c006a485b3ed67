"""The over-parameterisation factor: how many more synapses dense BP needs for the same accuracy."""

import numpy as np

from ..errors import ConfigError

__all__ = ["overparameterisation_factor"]


def _dense_synapses(n_hidden, n_inputs, n_classes):
    return {"hidden": n_hidden * n_inputs, "total": n_hidden * (n_inputs + n_classes)}


def overparameterisation_factor(network, X_train, y_train, X_test, y_test, *, max_hidden=1024, seeds=(0,),
                                bp_params=None, target_accuracy=None, progress=None):
    """Smallest dense BP network that matches ``network``'s test accuracy, and its synapses over ours.

    The search doubles the hidden size from 1 until the mean test accuracy
    over ``seeds`` reaches the target, then bisects between the last size
    that fell short and the first that matched.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
        Our trained network.
    X_train, y_train, X_test, y_test : array
        Data the BP networks train and are scored on (the same as ours).
    max_hidden : int
        Largest BP hidden layer tried.
    seeds : sequence of int
        BP seeds averaged at each size.
    bp_params : dict, optional
        Further hyperparameters of :class:`~neuroplastic.baselines.BackpropClassifier`.
    target_accuracy : float, optional
        Accuracy to match; default ``network.score(X_test, y_test)``.
    progress : callable, optional
        Called with a one-line message after each BP size.

    Returns
    -------
    dict
        ``target_accuracy``, ``bp_hidden`` (smallest matching size, or
        ``None``), ``bp_accuracy``, ``bp_synapses`` (dense, both layers),
        ``our_synapses`` (non-silent, both layers), ``factor``
        (= bp_synapses / our_synapses), ``factor_hidden`` (input->hidden
        only), ``matched`` (False if even ``max_hidden`` fell short; then the
        factor is a lower bound), and ``curve`` (every size tried).
    """
    from ..baselines import BackpropClassifier

    if max_hidden < 1:
        raise ConfigError("max_hidden", f"must be a positive integer, got {max_hidden}")
    target = network.score(X_test, y_test) if target_accuracy is None else float(target_accuracy)
    n_inputs, n_classes = network.n_inputs, int(network.classes.shape[0])
    curve = {}

    def accuracy(size):
        if size not in curve:
            scores = [BackpropClassifier(n_hidden=size, random_state=seed, **(bp_params or {}))
                      .fit(X_train, y_train).score(X_test, y_test) for seed in seeds]
            curve[size] = float(np.mean(scores))
            if progress is not None:
                progress(f"BP hidden {size}: accuracy {curve[size]:.4f} (target {target:.4f})")
        return curve[size]

    low, high = 0, None
    size = 1
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
    matched = high is not None
    bp_hidden = high if matched else max_hidden
    bp = _dense_synapses(bp_hidden, n_inputs, n_classes)
    ours = network.n_nonsilent
    return {
        "target_accuracy": target,
        "bp_hidden": bp_hidden if matched else None,
        "bp_accuracy": curve[bp_hidden],
        "bp_synapses": bp["total"],
        "our_synapses": ours["total"],
        "factor": bp["total"] / ours["total"],
        "factor_hidden": bp["hidden"] / ours["hidden"],
        "matched": matched,
        "seeds": list(seeds),
        "curve": [{"hidden": k, "accuracy": v} for k, v in sorted(curve.items())],
    }
