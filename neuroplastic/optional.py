"""Optional backends: import them on first use, and name the extra that installs them.

The core install (NumPy engine, analysis without VIB, reports, hardware
costs) needs none of these. Each backend is an extra of the package::

    pip install "neuroplastic[brian2]"     # Brian2 engine
    pip install "neuroplastic[lava]"       # Lava simulation of the hardware mapping (Python 3.10 only)
    pip install "neuroplastic[baselines]"  # JAX + optax: backprop baselines and the VIB estimate
    pip install "neuroplastic[sweep]"      # Dask distributed: parallel sweeps
    pip install "neuroplastic[fast]"       # Numba: the compiled inference kernel
    pip install "neuroplastic[sanafe]"     # SANA-FE: the independent energy/latency estimate
"""

import importlib

from .errors import DependencyError

__all__ = ["EXTRAS", "require"]

#: Top-level module -> the extra of ``neuroplastic`` that installs it.
EXTRAS = {
    "brian2": "brian2",
    "lava": "lava",
    "jax": "baselines",
    "optax": "baselines",
    "distributed": "sweep",
    "numba": "fast",
    "sanafe": "sanafe",
}


def require(module, purpose):
    """Import ``module``, or raise a one-line error naming the extra to install.

    Parameters
    ----------
    module : str
        Module to import, e.g. ``"brian2"`` or ``"lava.magma.core"``.
    purpose : str
        What needs it, e.g. ``"the Brian2 engine"``.

    Returns
    -------
    module

    Raises
    ------
    DependencyError
        If the module is not installed.

    Examples
    --------
    >>> require("numpy", "the NumPy engine").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        missing = getattr(exc, "name", None) or top
        extra = EXTRAS.get(top)
        how = f"pip install 'neuroplastic[{extra}]'" if extra else f"pip install {top}"
        raise DependencyError(f"{purpose} needs {missing}, which is not installed: {how}") from None
