"""Spiking evaluation of a run folder's trained network: the library side of ``neuroplastic evaluate``."""

from ...config import load_model
from ...datasets import load_dataset
from ...errors import ConfigError, NeuroplasticError
from ...network import TrainedNetwork
from ...runs import RunFolder

__all__ = ["evaluate_run"]


def evaluate_run(run_path, *, engine="brian2", mode="spiking", n_images=None, data_dir=None, target="cpp_standalone",
                 params=None, seed=0):
    """Run spiking inference of the network in ``run_path`` on its test images; add the figures to its metrics.

    Parameters
    ----------
    run_path : str or Path
        A run folder with ``network.npz`` and ``model.toml``.
    engine, mode : str
        Only ``brian2`` / ``spiking``.
    n_images : int, optional
        The first ``n_images`` test images (all if omitted).
    data_dir : str or Path, optional
        IDX folder (default search order).
    target : str
        Brian2 code-generation target; the build goes into ``<run>/brian2_build``.
    params : InferenceParams, optional
        Timing and rates; by default those of the run's `[spiking]` table.
    seed : int

    Returns
    -------
    (RunFolder, dict)
        The run folder and the figures written under ``metrics.json``'s ``brian2_spiking`` key.
    """
    from ...optional import require
    from . import evaluate_spiking

    require("brian2", "spiking evaluation (the Brian2 engine)")
    if engine != "brian2" or mode != "spiking":
        raise ConfigError("engine", f"evaluate supports --engine brian2 --mode spiking, got {engine} / {mode}")
    if n_images is not None and n_images < 1:
        raise ConfigError("images", f"must be a positive integer, got {n_images}")
    run = RunFolder(run_path, create=False)
    if not run.file(RunFolder.NETWORK).exists():
        raise NeuroplasticError(f"{run.path}: no {RunFolder.NETWORK}; train the run first")
    network = TrainedNetwork.load(run.file(RunFolder.NETWORK))
    model = load_model(run.file(RunFolder.MODEL))
    test = load_dataset(model.data.dataset, data_dir, classes=model.data.classes).test
    figures = evaluate_spiking(network, test.X, test.y, n_images=n_images, params=params or model.spiking.inference_params(),
                               target=target, build_dir=run.file("brian2_build"), seed=seed)
    run.update_metrics(brian2_spiking=figures)
    run.log(f"brian2 spiking inference on {figures['n_images']:,} test images: accuracy {figures['accuracy']:.4f} "
            f"(vectorized {figures['vectorized_accuracy']:.4f}), {figures['wall_seconds']:.1f} s")
    return run, figures
