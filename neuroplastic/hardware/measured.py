"""Measured CPU cost per inference: wall time on this machine times a cited power.

The ``cpu`` profile's MAC-count price charges every multiply-accumulate the
same, whether it runs in a BLAS matrix product or in a sparse gather. Here
the network's own forward pass (:meth:`~neuroplastic.network.TrainedNetwork.predict`,
the compiled kernel when Numba is installed) is timed on the images, on one
thread, and the time is multiplied by the power per hardware thread that the
profile's ``[measured]`` section cites. The two figures can disagree: see
``docs/performance.md``.
"""

import time

import numpy as np

__all__ = ["measured_cost", "has_measured_power"]


def has_measured_power(profile):
    """Whether ``profile`` cites a power per thread for measured-time pricing."""
    return "power_per_thread" in profile.quantities


def _one_thread():
    """Run the compiled kernel on one thread; returns the previous count to restore (None without Numba)."""
    try:
        import numba
    except ImportError:
        return None
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    return previous


def measured_cost(network, X, profile, *, batch_size=1000, rounds=3):
    """Energy and latency per inference from the measured wall time of ``network`` on ``X``.

    Parameters
    ----------
    network : TrainedNetwork
    X : numpy.ndarray, shape (n, n_inputs)
    profile : HardwareProfile
        With a ``power_per_thread`` field (the ``cpu`` profile).
    batch_size : int
        Images per call of ``predict``.
    rounds : int
        Timed passes over ``X``; the fastest counts.

    Returns
    -------
    dict
        ``seconds_per_image``, ``threads`` (1), ``batch_size``, ``power_w``,
        ``energy_uj`` (time x power) and ``latency_us`` (batch time / batch
        size: throughput latency, not the latency of one image alone).
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    previous = _one_thread()
    try:
        network.predict(X[:batch_size])  # compile and warm the caches
        best = np.inf
        for _ in range(rounds):
            started = time.perf_counter()
            for start in range(0, X.shape[0], batch_size):
                network.predict(X[start:start + batch_size])
            best = min(best, time.perf_counter() - started)
    finally:
        if previous is not None:
            import numba

            numba.set_num_threads(previous)
    seconds = best / X.shape[0]
    power_w = profile["power_per_thread"] / 1e3  # profiles hold power in mW
    return {"kind": "measured time x cited power", "seconds_per_image": seconds, "threads": 1,
            "batch_size": int(batch_size), "images": int(X.shape[0]), "power_w": power_w,
            "energy_uj": seconds * power_w * 1e6, "latency_us": seconds * 1e6}
