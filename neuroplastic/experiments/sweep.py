"""Parameter sweeps: model files x parameter values x seeds, run in parallel on Dask.

Each cell of the grid is an ordinary run folder ``OUT/cells/<cell-id>/``
written by :func:`neuroplastic.runner.train_model`, so every later stage
(``analyze``, ``report``) works on a cell as on any run. A cell is complete
when its ``metrics.json`` exists; a rerun of the same sweep skips complete
cells and resumes interrupted ones from their checkpoint, so an interrupted
sweep loses at most the work since each running cell's last checkpoint.

Cells run as Dask tasks: on a :class:`distributed.LocalCluster` of ``jobs``
single-threaded worker processes by default, or on an existing cluster given
by its scheduler address (its workers must see ``OUT`` and the data folder
at the same paths). A task that raises is retried (Dask's ``retries``); a
task whose worker process dies is rescheduled by Dask on another worker.

Outputs in ``OUT``: ``cells.csv`` (one row per cell), ``summary.csv`` and
``summary.md`` (mean and sd over seeds per model and parameter setting),
``sweep.json`` (everything), and ``plots/accuracy_vs_synapses.png``,
``plots/accuracy_by_setting.png``.

Every cell runs on one engine (``engine``, ``mode``, ``target``: the
vectorized engine by default, or Brian2 in its rate or spiking form), which
the sweep folder records in ``engine.json``; a rerun with another engine
into the same folder is refused. ``--param spiking.FIELD=...`` varies the
biophysics of the spiking form.

When the swept model files extend a common base model file, that base runs
too, with the same settings and seeds, as the reference group (unless it is
listed already or ``reference=False``); ``summary.md`` and ``sweep.json`` then
compare every other group with it (see :mod:`.sweep_reference`).
"""

import contextlib
import fcntl
import functools
import json
import logging
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

from ..atomic import atomic_write_json, atomic_write_text
from ..config import dump_model, load_model, with_overrides
from ..config.overrides import apply_dotted, parse_param
from ..engines import check_engine
from ..errors import ConfigError, NeuroplasticError
from ..optional import require
from .sweep_reference import with_reference
from .sweep_tables import _short, aggregate_sweep

__all__ = ["SweepCell", "plan_sweep", "run_sweep", "run_cell", "aggregate_sweep", "parse_params", "with_reference",
           "engine_name", "DEFINITION", "ENGINE_FILE"]

#: The file in each cell folder that holds the cell's model definition (overrides and seed applied).
DEFINITION = "definition.toml"

@dataclass(frozen=True)
class SweepCell:
    """One run of a sweep.

    Attributes
    ----------
    cell_id : str
        Folder name under ``OUT/cells``, readable: ``<model>-<param>=<value>-seed<N>``.
    model_file : str
        The model definition file the cell comes from.
    setting : tuple of (str, object)
        The dotted overrides of this cell (without the seed).
    seed : int
    definition : str
        The full model definition (TOML text) the cell trains.
    """

    cell_id: str
    model_file: str
    setting: tuple
    seed: int
    definition: str = field(repr=False)

    @property
    def group(self):
        """Label of the cell's model and setting, shared by all its seeds."""
        parts = [Path(self.model_file).stem] + [f"{name}={_short(value)}" for name, value in self.setting]
        return " ".join(parts)




def _safe(text):
    return re.sub(r"[^A-Za-z0-9._=+-]+", "_", text).strip("_")


def parse_params(texts):
    """Parse ``--param`` arguments into an ordered dict ``name -> list of values``.

    Raises
    ------
    ConfigError
        On a malformed argument or a parameter given twice.
    """
    grid = {}
    for text in texts or ():
        name, values = parse_param(text)
        if name in grid:
            raise ConfigError(f"parameter {name} is given twice; list its values once: {name}=a,b,c")
        grid[name] = values
    return grid


def plan_sweep(models, params=None, seeds=1):
    """The cells of a sweep, every definition built and validated up front.

    Parameters
    ----------
    models : sequence of str or Path
        Model definition files.
    params : dict, optional
        Dotted name -> list of values (see :func:`parse_params`); every
        combination is a setting.
    seeds : int or sequence of int
        Number of seeds (0, 1, ...) or the seeds themselves.

    Returns
    -------
    list of SweepCell

    Raises
    ------
    ConfigError
        If a model file or an overridden value is invalid (before anything runs).
    """
    seeds = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not models:
        raise ConfigError("a sweep needs at least one model definition file")
    if not seeds:
        raise ConfigError("seeds", "must be a positive integer")
    params = dict(params or {})
    stems = [_safe(Path(m).stem) for m in models]
    cells, seen = [], set()
    for index, model_file in enumerate(models):
        base = load_model(model_file)
        stem = stems[index] if stems.count(stems[index]) == 1 else f"{stems[index]}{index}"
        for values in product(*params.values()):
            setting = tuple(zip(params, values))
            model = apply_dotted(base, dict(setting)) if setting else base
            for seed in seeds:
                seeded = with_overrides(model, training={"seed": seed})
                name = "-".join([stem, *(f"{k}={_short(v)}" for k, v in setting), f"seed{seed}"])
                cell_id = _safe(name)
                if cell_id in seen:
                    raise ConfigError(f"two cells of the sweep share the folder name {cell_id!r}")
                seen.add(cell_id)
                cells.append(SweepCell(cell_id, str(model_file), setting, seed, dump_model(seeded)))
    return cells


def _train_with_runner(definition_path, out, data_dir, resume, *, engine="vectorized", mode="rate", target=None):
    from ..runner import train_model

    _, metrics = train_model(definition_path, data_dir=data_dir, out=out, resume=resume, engine=engine, mode=mode,
                             target=target)
    return metrics


#: The file in a sweep folder that names the engine its cells ran on.
ENGINE_FILE = "engine.json"


def _check_engine(out, engine):
    """Record the sweep's engine in ``out``, or refuse one different from the recorded one."""
    path = out / ENGINE_FILE
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored != engine:
            raise NeuroplasticError(f"{path}: this sweep ran on {engine_name(stored)}, not "
                                    f"{engine_name(engine)}; use a new sweep folder for another engine")
    else:
        atomic_write_json(path, engine)


def engine_name(engine):
    """How a recorded engine (``engine.json``) reads in a message."""
    if engine["engine"] != "brian2":
        return "the vectorized engine"
    return f"brian2 ({engine['mode']} form, target {engine['target'] or 'default'})"


def run_cell(cell, out_dir, data_dir=None, train=None):
    """Train one cell into ``out_dir/cells/<cell-id>`` unless it is complete; return its metrics.

    This is the Dask task. It is idempotent: a retried or rescheduled task
    finds a finished cell and returns its metrics, or an interrupted one and
    resumes it from its checkpoint.

    Parameters
    ----------
    cell : SweepCell
    out_dir : str or Path
    data_dir : str or Path, optional
    train : callable, optional
        ``train(definition_path, out, data_dir, resume) -> metrics``; the
        default trains with :func:`neuroplastic.runner.train_model`.
    """
    from ..runs import RunFolder

    folder = Path(out_dir) / "cells" / cell.cell_id
    metrics_path = folder / RunFolder.METRICS
    if metrics_path.exists():
        return json.loads(metrics_path.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    definition = folder / DEFINITION
    atomic_write_text(definition, cell.definition)
    resume = (folder / RunFolder.CHECKPOINT).exists()
    return (train or _train_with_runner)(str(definition), str(folder), data_dir, resume)


def _check_definitions(cells, out):
    """Refuse to mix cells of a changed definition into an existing sweep folder."""
    for cell in cells:
        stored = out / "cells" / cell.cell_id / DEFINITION
        if stored.exists() and stored.read_text(encoding="utf-8") != cell.definition:
            raise NeuroplasticError(
                f"{stored}: cell {cell.cell_id} was run with a different model definition; "
                "use a new sweep folder for a changed model")


def _is_complete(cell, out):
    return (out / "cells" / cell.cell_id / "metrics.json").exists()


#: The file that marks a sweep folder as in use by a running sweep.
LOCK = ".sweep.lock"


@contextlib.contextmanager
def _sweep_lock(out):
    """Refuse to run two sweeps into one folder at once.

    The lock is an exclusive ``fcntl.flock`` on ``out/.sweep.lock``, taken
    without waiting: checking and taking it are one step, so two sweeps that
    start together cannot both pass. The kernel drops the lock when its
    process ends, so the lock of a killed sweep is simply taken over. The
    file names the holder (host and process id) for the error message and is
    removed when the sweep ends.
    """
    path = out / LOCK
    while True:
        handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise NeuroplasticError(f"{out}: another sweep is running into this folder ({path}, held by "
                                    f"{holder}); wait for it to end") from None
        try:  # the holder before us may have removed the file after we opened it: lock the current one
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{socket.gethostname()} {os.getpid()}\n")
        handle.flush()
        yield
    finally:
        path.unlink(missing_ok=True)  # while still holding the lock (see the inode check above)
        handle.close()


class _Cluster:
    """A Dask client: on a new LocalCluster of ``jobs`` processes, or on ``scheduler``."""

    def __init__(self, jobs, scheduler):
        self.jobs, self.scheduler = jobs, scheduler
        self.cluster = self.client = None

    def __enter__(self):
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="10s")
            except OSError as exc:
                raise NeuroplasticError(f"Dask scheduler {self.scheduler}: cannot connect ({exc})") from None
        else:
            self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        return False


def run_sweep(models, *, out, params=None, seeds=1, data_dir=None, jobs=2, scheduler=None, retries=2,
              reference=True, progress=None, train=None, engine="vectorized", mode="rate", target=None):
    """Run every cell of a sweep that is not complete yet, then aggregate all cells.

    Parameters
    ----------
    models : sequence of str or Path
        Model definition files.
    out : str or Path
        The sweep folder; cells go to ``out/cells/<cell-id>``.
    params : dict, optional
        Dotted name -> list of values.
    seeds : int or sequence of int
    data_dir : str or Path, optional
        Folder of the IDX files.
    jobs : int
        Worker processes of the local Dask cluster (ignored with ``scheduler``).
    scheduler : str, optional
        Address of an existing Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    retries : int
        Times a cell whose task raised is tried again.
    reference : bool
        Whether to run the common base model of ``models`` as the reference
        group and compare every group with it (see :func:`with_reference`).
    progress : callable, optional
        ``progress(done, total, cell_id, ok)`` after each cell that ran.
    train : callable, optional
        Replaces the training of a cell (see :func:`run_cell`); for tests.
    engine : {"vectorized", "brian2"}
    mode : {"rate", "spiking"}
        The Brian2 form (``engine="brian2"`` only).
    target : str, optional
        Brian2 code-generation target (default: ``cpp_standalone`` for the
        spiking form, else ``numpy``).

    Returns
    -------
    dict
        ``cells`` (one row per cell), ``summary`` (per setting),
        ``reference`` (see :func:`with_reference`; None without one),
        ``comparison`` (each group against the reference), ``engine``
        (engine, mode, target), ``ran``, ``skipped``, ``failed`` (cell id -> error), ``wall_time_s`` and
        ``files``.
    """
    if jobs < 1:
        raise ConfigError("jobs", f"must be a positive integer, got {jobs}")
    if retries < 0:
        raise ConfigError("retries", f"must be non-negative, got {retries}")
    start = time.perf_counter()
    out = Path(out)
    data_dir = None if data_dir is None else str(Path(data_dir).resolve())  # workers may run elsewhere
    check_engine(engine, mode)
    if engine == "brian2":
        require("brian2", "a sweep on the Brian2 engine")
    recorded = {"engine": engine, "mode": mode if engine == "brian2" else None,
                "target": target if engine == "brian2" else None}
    if train is None:
        train = functools.partial(_train_with_runner, engine=engine, mode=mode, target=target)
    models, found = with_reference(models, reference)
    cells = plan_sweep(models, params, seeds)
    _check_definitions(cells, out)
    (out / "cells").mkdir(parents=True, exist_ok=True)
    with _sweep_lock(out):
        _check_engine(out, recorded)
        return _run_pending(cells, found, out, data_dir, jobs, scheduler, retries, progress, train, start, recorded)


def _run_pending(cells, found, out, data_dir, jobs, scheduler, retries, progress, train, start, engine):
    pending = [c for c in cells if not _is_complete(c, out)]
    skipped = [c.cell_id for c in cells if c not in pending]
    failed, ran = {}, []
    if pending:
        require("distributed", "a sweep's Dask cluster")
        from distributed import as_completed

        token = uuid.uuid4().hex[:8]
        with _Cluster(min(jobs, len(pending)), scheduler) as client:
            if engine["engine"] == "brian2":
                from .sweep_workers import ImportBrian2

                client.register_plugin(ImportBrian2())
            futures = {
                client.submit(run_cell, cell, str(out.resolve()), data_dir, train,
                              key=f"neuroplastic-sweep-{token}-{cell.cell_id}", retries=retries, pure=False): cell
                for cell in pending
            }
            for done, future in enumerate(as_completed(futures), start=1):
                cell = futures[future]
                if future.status == "finished":
                    ran.append(cell.cell_id)
                else:
                    error = future.exception()
                    failed[cell.cell_id] = f"{type(error).__name__}: {error}"
                if progress is not None:
                    progress(done, len(pending), cell.cell_id, cell.cell_id not in failed)
    result = aggregate_sweep(cells, out, found)
    result.update(engine=engine, ran=ran, skipped=skipped, failed=failed,
                  wall_time_s=round(time.perf_counter() - start, 2))
    atomic_write_json(out / "sweep.json", _json_ready(result))
    return result


def _json_ready(obj):
    return json.loads(json.dumps(obj, default=str))


