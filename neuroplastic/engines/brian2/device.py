"""Code-generation targets: Brian2's runtime (``numpy``, ``cython``) and ``cpp_standalone``.

Brian2 keeps its preferences and its device in module-level state. The
:func:`brian2_target` context manager sets them for one build and restores
them afterwards, so two networks built one after the other do not leak
settings into each other. Caches and build folders go into the folder the
caller gives (a run folder or a temporary folder), never into the
repository.
"""

import contextlib
import gc
import tempfile
from pathlib import Path

from ...errors import ConfigError
from ...optional import require
from .. import TARGETS

__all__ = ["TARGETS", "brian2_target", "frozen_garbage"]


@contextlib.contextmanager
def brian2_target(target="numpy", directory=None):
    """Select a code-generation target for the Brian2 objects built inside the ``with`` block.

    Parameters
    ----------
    target : {"numpy", "cython", "cpp_standalone"}
        ``numpy`` starts at once (tiny networks, tests); ``cython`` compiles
        once per process and cache; ``cpp_standalone`` compiles the whole
        network into one program (fastest for long runs). OpenMP is off:
        on 2 shared cores it is slower and changes the random streams.
    directory : str or Path, optional
        Folder for the cython cache or the standalone build; a fresh
        temporary folder if omitted.

    Yields
    ------
    pathlib.Path
        The build/cache folder in use.
    """
    brian2 = require("brian2", "the Brian2 engine")

    if target not in TARGETS:
        raise ConfigError("target", f"must be one of {', '.join(TARGETS)}, got {target!r}")
    owned = None
    if directory is None:
        owned = tempfile.TemporaryDirectory(prefix="neuroplastic-brian2-")
        directory = owned.name
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    prefs = brian2.prefs
    saved = {key: prefs[key] for key in ("codegen.target", "codegen.runtime.cython.cache_dir",
                                         "devices.cpp_standalone.openmp_threads", "core.default_float_dtype")}
    try:
        if target == "cpp_standalone":
            prefs["devices.cpp_standalone.openmp_threads"] = 0
            brian2.set_device("cpp_standalone", directory=str(directory / "standalone"), build_on_run=True,
                              compile=True, run=True, clean=False)
        else:
            prefs["codegen.target"] = target
            if target == "cython":
                prefs["codegen.runtime.cython.cache_dir"] = str(directory / "cython_cache")
        yield directory
    finally:
        if target == "cpp_standalone":
            brian2.device.reinit()
            brian2.device.activate()
            brian2.set_device("runtime")
        for key, value in saved.items():
            prefs[key] = value
        if owned is not None:
            owned.cleanup()


@contextlib.contextmanager
def frozen_garbage():
    """Move the objects that exist now out of the garbage collector's reach for the ``with`` block.

    Brian2 collects garbage at the start of every ``run()``; with the many
    short runs of a session, a full collection over every object of the
    process would dominate the time.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
