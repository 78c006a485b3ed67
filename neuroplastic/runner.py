"""Train a model definition into a run folder: the main job.

This wires the one-way chain together: data set -> model definition ->
engine -> saved network -> metrics, figures and report. It holds no learning
logic of its own.
"""

import platform
import resource
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import ModelDefinition, dump_model, load_model, parse_model, with_overrides
from .datasets import load_dataset
from .engines import check_engine, make_learner
from .errors import NeuroplasticError
from .optional import require
from .report.dynamics import plot_dynamics
from .report import plot_receptive_fields, plot_synapses_over_training, plot_weight_distribution, run_report_markdown
from .runs import RunFolder, default_run_name

__all__ = ["TrainingData", "prepare_data", "train_model", "peak_rss_mb"]


def peak_rss_mb():
    """Peak resident memory of this process so far, in MB.

    On Linux, ``VmHWM`` of ``/proc/self/status``: the high-water mark of this
    program's own memory. ``getrusage``'s ``ru_maxrss`` is not that: the
    kernel carries a process's high-water mark across ``exec``, so a run
    started by a large process (a benchmark, a sweep) reported at least the
    memory of its parent. Elsewhere, ``ru_maxrss`` (kilobytes; bytes on macOS).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0)


@dataclass(frozen=True)
class TrainingData:
    """The arrays a run uses: training, validation (may be empty) and test."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple
    description: dict


def prepare_data(model, data_dir=None):
    """Load and cut the data a model definition asks for.

    The validation split is stratified and seeded by the training seed; the
    test set is kept apart for reported figures only.
    """
    spec = model.data
    data = load_dataset(spec.dataset, data_dir, classes=spec.classes)
    train, val = data.training_split(n_train=spec.n_train, validation_fraction=spec.validation_fraction,
                                     seed=model.training.seed)
    description = data.summary() | {"n_train_used": len(train), "n_validation": len(val)}
    return TrainingData(train.X, train.y, val.X, val.y, data.test.X, data.test.y,
                        tuple(data.train.images.shape[1:]), description)


def _dynamics_summary(dynamics):
    """The headline figures of the census for metrics.json (the whole census goes to dynamics.json)."""
    if not dynamics:
        return None
    epochs = dynamics["epochs"]
    return {"grown": dynamics["grown"], "eliminated": dynamics["eliminated"],
            "mean_lifetime": dynamics["mean_lifetime"],
            "turnover_per_pass": [e.get("turnover") for e in epochs],
            "min_turnover_after_first_pass": min((e["turnover"] for e in epochs[1:] if e.get("turnover") is not None),
                                                 default=None)}


def _command_line():
    return "neuroplastic " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _open_run(model, out, resume):
    """Return (run folder, model as run, saved learner state or None)."""
    if resume:
        if out is None:
            raise NeuroplasticError("resuming needs the folder of the interrupted run (out)")
        run = RunFolder(out, create=False)
        saved = parse_model(run.file(RunFolder.MODEL).read_text(encoding="utf-8"), source=str(run.file(RunFolder.MODEL)))
        state = run.load_checkpoint()
        if state is None:
            raise NeuroplasticError(f"{run.path}: no checkpoint to resume from")
        return run, saved, state
    run = RunFolder(out if out is not None else Path("runs") / default_run_name(model.model.name, model.training.seed))
    if run.file(RunFolder.CHECKPOINT).exists():
        raise NeuroplasticError(f"{run.path}: holds an interrupted run; resume it, or train into another folder")
    run.write_text(RunFolder.MODEL, dump_model(model))
    return run, model, None


def train_model(model_path, *, data_dir=None, out=None, seed=None, hidden_epochs=None, readout_epochs=None,
                resume=False, progress=None, engine="vectorized", mode="rate", target=None, readout_engine=None):
    """Train the model a definition file describes and write its run folder.

    Parameters
    ----------
    model_path : str, Path or ModelDefinition
        A model definition (``models/*.toml``, or one already loaded). With
        ``resume``, ignored in favour of the run folder's own copy.
    data_dir : str or Path, optional
        Folder with the IDX files (see :func:`neuroplastic.datasets.locate_mnist`).
    out : str or Path, optional
        The run folder; default ``runs/<model>-seed<N>-<time>``.
    seed, hidden_epochs, readout_epochs : int, optional
        Override the definition's ``[training]`` values.
    resume : bool
        Continue the interrupted run in ``out`` from its last checkpoint. The
        result is identical to an uninterrupted run.
    progress : callable, optional
        ``progress(done, total, nonsilent)`` after every batch, e.g. to drive
        a progress bar.
    engine : {"vectorized", "brian2"}
        The engine that executes the rule.
    mode : {"rate", "spiking"}
        The Brian2 form (``engine="brian2"`` only).
    target, readout_engine : str, optional
        Brian2 code-generation target and where the readout phase runs
        (:func:`neuroplastic.engines.brian2.make_brian2_learner`).

    Returns
    -------
    (RunFolder, dict)
        The run folder and its metrics.
    """
    check_engine(engine, mode)  # before any folder is made or data read
    if engine == "brian2":
        require("brian2", "the Brian2 engine")
    if resume:
        model = None
    else:
        model = model_path if isinstance(model_path, ModelDefinition) else load_model(model_path)
        model = with_overrides(model, training={"seed": seed, "hidden_epochs": hidden_epochs,
                                                  "readout_epochs": readout_epochs})
    run, model, state = _open_run(model, out, resume)
    data = prepare_data(model, data_dir)
    if engine == "brian2":
        from .engines.brian2 import make_brian2_learner

        learner = make_brian2_learner(model, mode, target=target, build_dir=run.file("brian2_build"),
                                      readout_engine=readout_engine)
    else:
        learner = make_learner(model)
    run.log(("resuming" if resume else "training") + f" {model.model.name} on {data.description['n_train_used']:,} images")

    def checkpoint(snapshot):
        run.save_checkpoint(snapshot)

    learner.fit(
        data.X_train,
        data.y_train,
        progress=progress,
        checkpoint=checkpoint,
        checkpoint_every=model.training.checkpoint_every,
        resume_state=state,
    )
    network = learner.to_network()
    network.metadata.update({"model": model.model.name, "seed": model.training.seed, "method": "structural plasticity"})
    network.save(run.file(RunFolder.NETWORK))

    started = time.perf_counter()
    test_accuracy = network.score(data.X_test, data.y_test)
    inference_seconds = time.perf_counter() - started
    metrics = {
        "model": model.model.name,
        "engine": "vectorized" if engine != "brian2" else f"brian2-{mode}",
        "seed": model.training.seed,
        "epochs": model.training.epochs,
        "hidden_epochs": model.training.hidden_epochs,
        "readout_epochs": model.training.readout_epochs,
        "data": data.description,
        "test_accuracy": test_accuracy,
        "validation_accuracy": network.score(data.X_val, data.y_val) if len(data.y_val) else None,
        "train_accuracy": network.score(data.X_train, data.y_train),
        "nonsilent_synapses": network.n_nonsilent,
        "potential_synapses": network.n_potential,
        "nonsilent_fraction_hidden": network.n_nonsilent["hidden"] / network.n_potential["hidden"],
        "train_seconds": learner.fit_seconds_,
        "test_inference_seconds": inference_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "dynamics": _dynamics_summary(getattr(learner, "dynamics_", None)),
        "python": platform.python_version(),
        "command": _command_line(),
    }
    run.write_json(RunFolder.METRICS, metrics)
    run.write_json(RunFolder.HISTORY, learner.history_)
    if getattr(learner, "dynamics_", None):
        run.write_json("dynamics.json", learner.dynamics_)
    plots = {
        "Non-silent synapses, growth and elimination over training": "plots/synapses.png",
        "Receptive fields of the first 64 hidden units": "plots/receptive_fields.png",
        "Distribution of non-silent input weights": "plots/weights.png",
    }
    if learner.history_:
        plot_synapses_over_training(learner.history_, run.file("plots/synapses.png"))
    else:
        plots.pop("Non-silent synapses, growth and elimination over training")
    if getattr(learner, "dynamics_", None) and learner.dynamics_["epochs"]:
        plot_dynamics(learner.dynamics_, run.file("plots/dynamics.png"))
        plots["Synapse dynamics: turnover, survival, lifetimes and weight distribution"] = "plots/dynamics.png"
    plot_receptive_fields(network.hidden_weights, data.image_shape, run.file("plots/receptive_fields.png"))
    plot_weight_distribution(network.hidden_weights, run.file("plots/weights.png"))
    run.write_text("report.md", run_report_markdown(metrics, plots, _command_line()))
    run.remove_checkpoint()
    run.log(f"done: test accuracy {test_accuracy:.4f}, {network.n_nonsilent['total']:,} non-silent synapses")
    return run, metrics
