"""Continual learning: tasks of digit classes learnt one after another by the same network.

Protocol (identical for our rule and for BP): one network with an output
unit for every class of all tasks is trained on task 1's training images,
then *continues* training on task 2's images only, and so on; nothing of an
earlier task is replayed. Only the output units of the classes in the
current task receive a teaching signal (our rule's readout, and BP as
``"bp"``): an output unit whose class is never shown has no error to learn
from, so its synapses are left alone. Plain BP, whose softmax loss over all
output units pushes the absent classes down, runs too (``"bp_all_outputs"``).
After each task the network is tested on the test images of every task, two
ways:

- class-incremental accuracy: the prediction is the most active output
  unit among *all* classes (the network must know which task an image is from);
- task-restricted accuracy: the most active output unit among the classes of
  the image's own task (the task is given, as in task-incremental learning).

By default each task trains on all of its training images and is tested
on its test images. To choose options (such as ``session_scaling``) without
looking at the test set, ``evaluate_on="validation"`` holds out a stratified
share of the training images (seeded by ``[training] seed``), trains on the
rest and scores on that share instead; the test set is then not read.

Retention of task ``k`` after the last task is its final accuracy divided by
its accuracy right after it was learnt. For our rule the input->hidden
synapses are also counted after each task: non-silent ones, free potential
ones (silent sites that could still grow a synapse, Knoblauch's reserve for
new memories), and those the task changed, grew or eliminated, and the
hidden units whose input weights it changed.
"""

import time

import numpy as np

from ..errors import ConfigError, DataError
from ..rule.updates import norm_matching_factor
from .continual_report import continual_markdown, write_continual_outputs  # noqa: F401 (re-exported)

__all__ = ["EVALUATE_ON", "parse_tasks", "run_continual", "synapse_changes", "validation_split", "ContinualBackprop",
           "continual_markdown", "write_continual_outputs"]


def parse_tasks(text):
    """Parse ``"0-4,5-9"`` or ``"0-1,2-3,4-5,6-7,8-9"`` or ``"0+3,1+2"`` into lists of classes.

    Raises
    ------
    ConfigError
        For malformed text, an empty task or a class in two tasks.
    """
    tasks = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            if "-" in part:
                low, high = (int(v) for v in part.split("-"))
                classes = list(range(low, high + 1))
            else:
                classes = [int(v) for v in part.split("+")]
        except ValueError:
            raise ConfigError("tasks", f"expected ranges like 0-4,5-9 or lists like 0+3,1+2; got {text!r}") from None
        if not classes or min(classes) < 0:
            raise ConfigError("tasks", f"task {part!r} has no classes")
        tasks.append(classes)
    if len(tasks) < 2:
        raise ConfigError("tasks", f"needs at least two tasks, got {text!r}")
    flat = [c for t in tasks for c in t]
    if len(set(flat)) != len(flat):
        raise ConfigError("tasks", f"a class appears in two tasks: {text!r}")
    return tasks


def _task_name(classes):
    return f"{classes[0]}-{classes[-1]}" if classes == list(range(classes[0], classes[-1] + 1)) else "+".join(
        map(str, classes))


def synapse_changes(before, after, *, tol=0.0):
    """Count what one task did to the input->hidden synapses.

    Parameters
    ----------
    before, after : scipy.sparse matrix, shape (n_hidden, n_inputs)
        Hidden weights before and after the task (``before`` may be ``None``
        for an untrained network: everything non-silent counts as grown).
    tol : float
        Changes up to this size count as unchanged.

    Returns
    -------
    dict
        ``synapses_changed`` (sites whose weight changed), ``synapses_grown``
        (silent -> non-silent), ``synapses_eliminated`` (non-silent -> silent),
        ``units_changed`` (hidden units with any changed input weight),
        ``nonsilent_hidden`` and ``free_potential_synapses`` (after the task).
    """
    after = after.tocsr()
    if before is None:
        before = after.copy()
        before.data[:] = 0
        before.eliminate_zeros()
    before = before.tocsr()
    diff = (after - before).tocsr()
    diff.data[np.abs(diff.data) <= tol] = 0
    diff.eliminate_zeros()
    was = before.copy()
    was.data = (was.data != 0).astype(np.int8)
    now = after.copy()
    now.data = (now.data != 0).astype(np.int8)
    change = (now - was).tocsr()
    potential = after.shape[0] * after.shape[1]
    nonsilent = int(np.count_nonzero(after.data))
    return {
        "synapses_changed": int(diff.nnz),
        "synapses_grown": int(np.sum(change.data == 1)),
        "synapses_eliminated": int(np.sum(change.data == -1)),
        "units_changed": int(np.count_nonzero(np.diff(diff.indptr))),
        "nonsilent_hidden": nonsilent,
        "free_potential_synapses": int(potential - nonsilent),
    }


class _Scorer:
    """Accuracy of a network's output potentials on each task's test images, both ways."""

    def __init__(self, tasks, X_test, y_test):
        self.tasks = tasks
        self.sets = []
        for classes in tasks:
            mask = np.isin(y_test, classes)
            if not mask.any():
                raise DataError(f"no evaluation images of classes {classes}")
            self.sets.append((X_test[mask], y_test[mask]))

    def __call__(self, network):
        overall, restricted = [], []
        classes_all = np.asarray(network.classes)
        for classes, (X, y) in zip(self.tasks, self.sets):
            potentials = network.decision_function(X)
            overall.append(float(np.mean(classes_all[np.argmax(potentials, axis=1)] == y)))
            columns = np.flatnonzero(np.isin(classes_all, classes))
            restricted.append(float(np.mean(classes_all[columns[np.argmax(potentials[:, columns], axis=1)]] == y)))
        return overall, restricted


def _continue_rule(learner, X, y, classes):
    """One more task for our rule's learner: ``partial_fit`` (the engine's continuation)."""
    if not hasattr(learner, "partial_fit"):
        raise ConfigError(f"{type(learner).__name__} has no partial_fit; continual learning needs one")
    learner.partial_fit(X, y, classes=classes)
    return learner


class ContinualBackprop:
    """Dense BP (:class:`~neuroplastic.baselines.BackpropClassifier`) that keeps learning across calls.

    ``partial_fit(X, y, classes=...)`` trains ``epochs`` epochs on the data
    given, starting from the current weights (a fresh Adam state per call),
    with one output unit per class of ``classes`` from the first call on.
    The same face as our rule's learner, so the protocol is identical.

    Parameters
    ----------
    n_hidden, activation, epochs, batch_size, learning_rate, random_state
        As for :class:`~neuroplastic.baselines.BackpropClassifier`.
    present_classes_only : bool
        Teach only the output units of the classes in the data of the call
        (the softmax and the loss run over those units; the others keep
        their weights and biases), as our rule's readout does. With False
        the loss runs over every output unit, which pushes the absent
        classes down (plain BP).
    session_scaling : bool
        After a call that taught output units no earlier call taught, scale
        their weights and bias so that their mean weight norm equals that of
        the earlier units (as our rule's ``[rule.output] session_scaling``).
    """

    def __init__(self, *, n_hidden=100, activation="relu", epochs=5, batch_size=128, learning_rate=1e-3,
                 present_classes_only=True, session_scaling=False, random_state=None):
        from ..baselines import BackpropClassifier

        self.present_classes_only = present_classes_only
        self.session_scaling = session_scaling
        self.inner = BackpropClassifier(n_hidden=n_hidden, activation=activation, epochs=epochs,
                                        batch_size=batch_size, learning_rate=learning_rate, random_state=random_state)

    def partial_fit(self, X, y, classes=None):
        import jax
        import jax.numpy as jnp

        from ..baselines.mlp import dense_masks, init_params

        inner = self.inner
        if not hasattr(inner, "params_"):
            if classes is None:
                raise ConfigError("classes", "must be given on the first call of partial_fit")
            inner._check_hyperparameters()
            X = inner._check_X(X)
            inner.classes_ = np.unique(np.asarray(classes))
            inner.n_features_in_ = X.shape[1]
            inner.history_, inner.fit_time_s_ = [], 0.0
            self._rng = np.random.default_rng(inner.random_state)
            key = jax.random.PRNGKey(int(self._rng.integers(2**31 - 1)))
            params = init_params(key, X.shape[1], inner.n_hidden, inner.classes_.size)
            masks = dense_masks(params)
        else:
            X = inner._check_X(X, inner.n_features_in_)
            params = {k: jnp.asarray(v) for k, v in inner.params_.items()}
            masks = {k: jnp.asarray(v, dtype=jnp.float32) for k, v in inner.masks_.items()}
        y = np.asarray(y)
        if not np.isin(y, inner.classes_).all():
            raise DataError(f"labels {sorted(set(y.tolist()) - set(inner.classes_.tolist()))} are not among the "
                            f"classes given on the first call")
        y_index = np.searchsorted(inner.classes_, y)
        taught = np.arange(inner.classes_.size)
        if self.present_classes_only:
            taught = np.unique(y_index)
            y_index = np.searchsorted(taught, y_index)
        full, full_masks = params, masks
        params = {**params, "W2": params["W2"][:, taught], "b2": params["b2"][taught]}
        masks = {**masks, "W2": masks["W2"][:, taught]}
        start = time.perf_counter()
        params, masks = inner._run_epochs(params, masks, jnp.asarray(X), jnp.asarray(y_index, dtype=jnp.int32),
                                          self._rng, epochs=inner.epochs)
        inner.fit_time_s_ += time.perf_counter() - start
        params = {**params, "W2": jnp.asarray(full["W2"]).at[:, taught].set(params["W2"]),
                  "b2": jnp.asarray(full["b2"]).at[taught].set(params["b2"])}
        masks = {**masks, "W2": full_masks["W2"]}
        inner.params_ = {k: np.array(v, dtype=np.float32) for k, v in params.items()}
        before = getattr(self, "_taught_before", np.zeros(inner.classes_.size, dtype=bool))
        if self.session_scaling:
            new, factor = norm_matching_factor(np.linalg.norm(inner.params_["W2"], axis=0), taught, before)
            if factor is not None:
                inner.params_["W2"][:, new] *= factor
                inner.params_["b2"][new] *= factor
        before[taught] = True
        self._taught_before = before
        inner.masks_ = {k: np.asarray(v, dtype=bool) for k, v in masks.items()}
        return self

    def to_network(self):
        return self.inner.to_network()


def _run_method(name, learner, continue_fn, tasks, train_sets, scorer, classes, progress):
    stages, previous = [], None
    for index, (task, (X, y)) in enumerate(zip(tasks, train_sets)):
        if progress:
            progress(f"{name}: task {_task_name(task)} ({len(y):,} images)")
        start = time.perf_counter()
        continue_fn(learner, X, y, classes)
        seconds = time.perf_counter() - start
        network = learner.to_network()
        overall, restricted = scorer(network)
        stage = {"task": _task_name(task), "train_seconds": round(seconds, 2), "accuracy": overall,
                 "accuracy_task_restricted": restricted, "nonsilent": network.n_nonsilent}
        stage.update(synapse_changes(previous, network.hidden_weights))
        previous = network.hidden_weights.copy()
        stages.append(stage)
    return stages


def _retention(stages, key):
    """Final accuracy on each task divided by its accuracy right after it was learnt."""
    final = stages[-1][key]
    return [final[k] / stages[k][key][k] if stages[k][key][k] > 0 else None for k in range(len(stages))]


#: Where the accuracies of :func:`run_continual` are measured.
EVALUATE_ON = ("test", "validation")


def validation_split(y, fraction, seed):
    """Indices of a stratified training part and validation part of labels ``y``.

    Each class is divided in the same proportion, as
    :meth:`neuroplastic.datasets.LabelledImages.stratified_split` does.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Indices into ``y`` of the training part and of the validation part.
    """
    from ..datasets import LabelledImages

    y = np.asarray(y)
    index = LabelledImages(np.arange(y.size).reshape(-1, 1, 1), y)
    kept, held = index.stratified_split(fraction, seed)
    return kept.images.ravel(), held.images.ravel()


def run_continual(model, tasks, *, data=None, data_dir=None, bp=True, bp_epochs=5, bp_hidden=100, seed=None,
                  rule_learner=None, evaluate_on="test", validation_fraction=None, progress=None):
    """Train our rule (and BP) on the tasks in sequence; measure accuracy and synapses after each.

    Parameters
    ----------
    model : neuroplastic.config.ModelDefinition
        Our rule's definition; its ``[data]`` says which data set (its
        ``classes`` must be unset: the tasks choose the classes).
    tasks : list of list of int
        The classes of each task, in training order (see :func:`parse_tasks`).
    data : (X_train, y_train, X_test, y_test), optional
        Arrays to use instead of loading the model's data set.
    data_dir : str or Path, optional
    bp : bool
        Also run dense BP under the same protocol (``"bp"``) and plain BP
        teaching every output unit (``"bp_all_outputs"``).
    bp_epochs : int
        BP's epochs per task.
    bp_hidden : int
        BP's hidden units. The default, 100, is a dense network of about the
        accuracy of our rule's models on full MNIST (about 97.7%) that
        trains in seconds.
    seed : int, optional
        Overrides ``[training] seed`` (both learners).
    rule_learner : object, optional
        A learner with ``partial_fit(X, y, classes=)`` and ``to_network()``
        replacing the model's (for tests).
    evaluate_on : {"test", "validation"}
        ``"test"`` trains on all training images and scores on the test
        images; ``"validation"`` holds out a stratified share of the
        training images, trains on the rest and scores on that share (to
        choose options; the test images are not used).
    validation_fraction : float, optional
        That share; default the model's ``[data] validation_fraction``, or
        0.1667 if that is 0.
    progress : callable, optional
        Receives one-line messages.

    Returns
    -------
    dict
        ``tasks``, ``settings``, and per method (``"rule"``, ``"bp"``) the
        list of ``stages`` and the ``retention`` of every task, both ways.
    """
    from ..config import dump_model, with_overrides

    if seed is not None:
        model = with_overrides(model, training={"seed": int(seed)})
    seed = model.training.seed
    classes = sorted(c for t in tasks for c in t)
    if data is None:
        from ..datasets import load_dataset

        loaded = load_dataset(model.data.dataset, data_dir, classes=classes)
        train = loaded.train
        if model.data.n_train is not None:
            train = train.subsample(model.data.n_train, seed)
        data = (train.X, train.y, loaded.test.X, loaded.test.y)
    X_train, y_train, X_test, y_test = (np.asarray(a) for a in data)
    if evaluate_on not in EVALUATE_ON:
        raise ConfigError("evaluate_on", f"must be one of {', '.join(EVALUATE_ON)}, got {evaluate_on!r}")
    fraction = None
    if evaluate_on == "validation":
        fraction = float(validation_fraction or model.data.validation_fraction or 0.1667)
        if not 0.0 < fraction < 1.0:
            raise ConfigError("validation_fraction", f"must be in (0, 1), got {fraction}")
        kept, held = validation_split(y_train, fraction, seed)
        X_train, y_train, X_test, y_test = X_train[kept], y_train[kept], X_train[held], y_train[held]
    train_sets = []
    for task in tasks:
        mask = np.isin(y_train, task)
        if not mask.any():
            raise DataError(f"no training images of classes {task}")
        train_sets.append((X_train[mask], y_train[mask]))
    scorer = _Scorer(tasks, X_test, y_test)
    if rule_learner is None:
        from ..engines import make_learner

        rule_learner = make_learner(model)
    start = time.perf_counter()
    result = {"tasks": [_task_name(t) for t in tasks], "classes": [list(t) for t in tasks], "methods": {}}
    methods = [("rule", rule_learner, _continue_rule)]
    if bp:
        hidden = int(bp_hidden)
        scaling = bool(model.rule.output.session_scaling)
        for name, present in (("bp", True), ("bp_all_outputs", False)):
            methods.append((name, ContinualBackprop(n_hidden=hidden, epochs=bp_epochs, present_classes_only=present,
                                                    session_scaling=scaling and present, random_state=seed),
                            lambda learner, X, y, c: learner.partial_fit(X, y, classes=c)))
    for name, learner, continue_fn in methods:
        stages = _run_method(name, learner, continue_fn, tasks, train_sets, scorer, classes, progress)
        result["methods"][name] = {
            "stages": stages,
            "retention": _retention(stages, "accuracy"),
            "retention_task_restricted": _retention(stages, "accuracy_task_restricted"),
        }
    result["settings"] = {
        "model": model.model.name, "dataset": model.data.dataset, "seed": seed,
        "n_train_per_task": [int(len(y)) for _, y in train_sets], "n_test_per_task": [len(s[1]) for s in scorer.sets],
        "rule_epochs_per_task": model.training.epochs, "bp_epochs_per_task": bp_epochs if bp else None,
        "bp_hidden": int(bp_hidden) if bp else None,
        "protocol": "sequential tasks, no replay; one output unit per class of all tasks from the start; "
                    "our rule and 'bp' teach only the output units of the classes in the current task, "
                    "'bp_all_outputs' teaches every output unit (plain softmax over all classes)",
        "session_scaling": bool(model.rule.output.session_scaling),
        "evaluated_on": evaluate_on, "validation_fraction": fraction,
        "definition": dump_model(model),
    }
    result["wall_time_s"] = round(time.perf_counter() - start, 1)
    return result
