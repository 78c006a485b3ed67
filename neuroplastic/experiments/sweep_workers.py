"""Dask worker set-up for sweeps on the Brian2 engine.

Importing Brian2 installs a SIGINT handler, which Python allows only in a
process's main thread. A Dask worker runs tasks in other threads, so a cell
that imported Brian2 first would fail; :class:`ImportBrian2` imports it when
each worker starts, in the worker's main thread (a worker plugin's ``setup``
runs on the worker's event loop), including workers that replace a crashed
one.
"""

from distributed import WorkerPlugin

__all__ = ["ImportBrian2"]


class ImportBrian2(WorkerPlugin):
    """Import Brian2 on every worker of the cluster as it starts."""

    name = "neuroplastic-import-brian2"

    def setup(self, worker):
        import brian2  # noqa: F401 (the import is the point)
