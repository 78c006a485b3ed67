"""How long the project's dense backprop baseline takes to reach a given accuracy.

Speed claims compare the rule with dense BP *trained to the same accuracy*,
not with BP trained for an arbitrary number of epochs. This module trains
the JAX baseline epoch by epoch and records, after each epoch, the wall
time and the test accuracy, so the first epoch at which BP reaches the
rule's reported accuracy gives its time to that accuracy.
"""

import time

import numpy as np

__all__ = ["bp_time_to_accuracy", "compilation_seconds"]


def compilation_seconds(epoch_seconds):
    """JAX's compilation time, estimated as the first epoch's excess over the median of the others.

    Never negative: when the first epoch is the fastest (the program was
    already compiled in this process, e.g. for a network of the same shape),
    there is nothing to subtract.
    """
    if len(epoch_seconds) < 2:
        return 0.0
    return max(0.0, float(epoch_seconds[0] - np.median(epoch_seconds[1:])))


def bp_time_to_accuracy(data, target, seed, max_epochs=30, n_hidden=100):
    """Wall time of dense BP 784-``n_hidden``-10 until its test accuracy reaches ``target``.

    Parameters
    ----------
    data : neuroplastic.runner.TrainingData
        The model's training split and the test set.
    target : float
        Test accuracy to reach (a fraction).
    seed : int
    max_epochs : int
        BP stops after this many epochs whether or not it reached ``target``.
    n_hidden : int
        Width of the hidden layer.

    Returns
    -------
    dict
        ``curve`` (seconds and test accuracy after each epoch),
        ``seconds_to_target`` (None if never reached) and the same without
        JAX's compilation time, estimated as the first epoch's excess over
        the median epoch. Seconds include scoring the test set after every
        epoch.
    """
    from ..baselines import BackpropClassifier

    clf = BackpropClassifier(n_hidden=n_hidden, epochs=max_epochs, random_state=seed)
    curve = []
    started = time.perf_counter()

    def after_epoch(params, masks, epoch):
        clf.params_, clf.masks_ = params, masks
        curve.append((time.perf_counter() - started, clf.score(data.X_test, data.y_test)))
        return params, masks

    original = clf._run_epochs

    def run_epochs(*args, **kwargs):
        kwargs["after_epoch"] = after_epoch
        return original(*args, **kwargs)

    clf._run_epochs = run_epochs
    clf.fit(data.X_train, data.y_train)
    reached = [(t, acc) for t, acc in curve if acc >= target]
    compile_seconds = compilation_seconds(np.diff([0.0] + [t for t, _ in curve]))
    return {"n_hidden": n_hidden, "curve": [{"seconds": t, "test": acc} for t, acc in curve],
            "seconds_to_target": reached[0][0] if reached else None,
            "seconds_to_target_without_compilation": reached[0][0] - compile_seconds if reached else None,
            "note": "seconds include evaluating the test set after every epoch; the first epoch includes JAX's "
                    "compilation, estimated as its excess over the median epoch"}
