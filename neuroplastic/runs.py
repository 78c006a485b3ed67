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
import io
import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .atomic import atomic_write_bytes, atomic_write_json, atomic_write_text
from .errors import DataError, NeuroplasticError

__all__ = ["RunFolder", "default_run_name"]


def default_run_name(model_name, seed):
    """``<model>-seed<N>-<YYYYmmdd-HHMMSS>``, a new folder name for each run."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{model_name}-seed{seed}-{stamp}"


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
        """Merge ``figures`` into ``metrics.json`` (created if missing)."""
        metrics = self.read_json(self.METRICS) if self.file(self.METRICS).exists() else {}
        metrics.update(figures)
        self.write_json(self.METRICS, metrics)
        return metrics

    def log(self, message):
        """Append a time-stamped line to ``run.log`` (rewritten atomically)."""
        path = self.file(self.LOG)
        previous = path.read_text(encoding="utf-8") if path.exists() else ""
        stamp = _dt.datetime.now().isoformat(timespec="seconds")
        atomic_write_text(path, f"{previous}{stamp} {message}\n")

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
        except (OSError, ValueError, EOFError) as exc:
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
