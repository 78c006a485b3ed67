"""Run folders: one folder per run with everything needed to read it later.

Layout::

    RUN/
      model.toml        the model definition as run (with command-line overrides)
      metrics.json      figures of the run (accuracy, synapse counts, time, memory)
      network.npz       the trained network (see neuroplastic.network)
      history.json      one record per rewiring event
      checkpoint.npz    learner state for --resume (removed when the run ends)
      run.log           what happened, with times
      plots/*.png       figures

Every file is written atomically (temporary file, then rename).
"""

import datetime as _dt
import fcntl
import io
import json
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .atomic import atomic_write_bytes, atomic_write_json, atomic_write_text
from .errors import DataError, NeuroplasticError

__all__ = ["LoadedRun", "RunFolder", "default_run_name", "file_lock", "load_run"]


def default_run_name(model_name, seed):
    """``<model>-seed<N>-<YYYYmmdd-HHMMSS>``, a new folder name for each run."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{model_name}-seed{seed}-{stamp}"


@contextmanager
def file_lock(path):
    """Hold an exclusive advisory lock (``fcntl.flock``) on ``path`` for the ``with`` block.

    The lock file is created if missing and left in place (removing it would
    let a waiting process lock a file that a newcomer has already replaced).
    Every process that reads, changes and writes the guarded file takes this
    lock first, so no update is lost.
    """
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass(frozen=True)
class LoadedRun:
    """What a finished run folder holds, read by :func:`load_run`.

    Attributes
    ----------
    folder : RunFolder
    network : TrainedNetwork
        The trained network (``network.npz``).
    model : ModelDefinition
        The model definition as run (``model.toml``).
    data : TrainingData or None
        The run's data set cut as its model says: training part, validation
        part and test set (see :func:`neuroplastic.runner.prepare_data`);
        ``None`` when not asked for.
    """

    folder: "RunFolder"
    network: object
    model: object
    data: object = None


class RunFolder:
    """Reads and writes the files of one run.

    Parameters
    ----------
    path : str or Path
        The run's folder; created if missing.
    """

    MODEL = "model.toml"
    METRICS = "metrics.json"
    NETWORK = "network.npz"
    HISTORY = "history.json"
    CHECKPOINT = "checkpoint.npz"
    LOG = "run.log"

    def __init__(self, path, *, create=True):
        self.path = Path(path)
        if create:
            (self.path / "plots").mkdir(parents=True, exist_ok=True)
        elif not self.path.is_dir():
            raise NeuroplasticError(f"{self.path}: no such run folder")

    @classmethod
    def open(cls, path):
        """An existing run folder (a user error if ``path`` is not a folder)."""
        return cls(path, create=False)

    def __repr__(self):
        return f"RunFolder({str(self.path)!r})"

    def file(self, name):
        """Path of a file in the run folder."""
        return self.path / name

    # -- text and JSON -----------------------------------------------------
    def write_text(self, name, text):
        atomic_write_text(self.file(name), text)

    def write_json(self, name, obj):
        atomic_write_json(self.file(name), obj)

    def read_json(self, name):
        path = self.file(name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NeuroplasticError(f"{path}: missing; is this a finished run?") from None
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: not valid JSON ({exc})") from None

    def update_metrics(self, **figures):
        """Merge ``figures`` into ``metrics.json`` (created if missing).

        The read-merge-write runs under an exclusive lock on
        ``.metrics.json.lock``, so concurrent updates (e.g. ``analyze`` and
        ``evaluate`` on one run) are all kept.
        """
        with file_lock(self.file(f".{self.METRICS}.lock")):
            metrics = self.read_json(self.METRICS) if self.file(self.METRICS).exists() else {}
            metrics.update(figures)
            self.write_json(self.METRICS, metrics)
        return metrics

    def log(self, message):
        """Append a time-stamped line to ``run.log`` (rewritten atomically, under a lock)."""
        path = self.file(self.LOG)
        stamp = _dt.datetime.now().isoformat(timespec="seconds")
        with file_lock(self.file(f".{self.LOG}.lock")):
            previous = path.read_text(encoding="utf-8") if path.exists() else ""
            atomic_write_text(path, f"{previous}{stamp} {message}\n")

    # -- the finished run --------------------------------------------------
    def _require(self, name):
        path = self.file(name)
        if not path.is_file():
            raise NeuroplasticError(f"{path}: missing; is this a finished run?")
        return path

    def load_network(self):
        """The trained network (``network.npz``); a damaged file is a :class:`DataError` naming it."""
        from .network import TrainedNetwork

        return TrainedNetwork.load(self._require(self.NETWORK))

    def load_model(self):
        """The model definition as run (``model.toml``)."""
        from .config import load_model

        return load_model(self._require(self.MODEL))

    def load(self, data_dir=None, *, data=True):
        """Read the network, the model definition and (``data=True``) the run's data split.

        Parameters
        ----------
        data_dir : str or Path, optional
            Folder of the IDX files for a run on ``mnist`` (default: the usual
            search order); the data set and classes come from the run's model.
        data : bool
            Also load and cut the data set.

        Returns
        -------
        LoadedRun
        """
        network = self.load_network()
        model = self.load_model()
        split = None
        if data:
            from .runner import prepare_data

            split = prepare_data(model, data_dir)
        return LoadedRun(self, network, model, split)

    # -- checkpoints -------------------------------------------------------
    def save_checkpoint(self, state):
        """Save a learner state: a flat dict of arrays, sparse matrices and JSON values."""
        arrays, plain = {}, {}
        for key, value in state.items():
            if sp.issparse(value):
                value = value.tocsr()
                for part in ("data", "indices", "indptr"):
                    arrays[f"{key}__csr_{part}"] = getattr(value, part)
                arrays[f"{key}__csr_shape"] = np.asarray(value.shape, dtype=np.int64)
            elif isinstance(value, np.ndarray):
                arrays[key] = value
            else:
                plain[key] = value
        arrays["__json__"] = np.frombuffer(json.dumps(plain).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        atomic_write_bytes(self.file(self.CHECKPOINT), buffer.getvalue())

    def load_checkpoint(self):
        """Return the saved state, or ``None`` if the run has no checkpoint."""
        path = self.file(self.CHECKPOINT)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise DataError(f"{path}: damaged checkpoint ({exc})") from None
        state = json.loads(arrays.pop("__json__").tobytes().decode("utf-8"))
        for key in [k for k in arrays if k.endswith("__csr_shape")]:
            name = key[: -len("__csr_shape")]
            parts = [arrays.pop(f"{name}__csr_{p}") for p in ("data", "indices", "indptr")]
            state[name] = sp.csr_matrix(tuple(parts), shape=tuple(arrays.pop(key)))
        state.update(arrays)
        return state

    def remove_checkpoint(self):
        self.file(self.CHECKPOINT).unlink(missing_ok=True)


def load_run(path, data_dir=None, *, data=True):
    """Read a finished run folder: ``RunFolder.open(path).load(data_dir, data=data)``.

    This is the one loader behind ``evaluate``, ``analyze``, ``energy`` and
    ``report``.

    Returns
    -------
    LoadedRun

    Raises
    ------
    NeuroplasticError
        If the folder, its ``network.npz`` or its ``model.toml`` is missing
        or damaged (one line that names the file).
    """
    return RunFolder.open(path).load(data_dir, data=data)
