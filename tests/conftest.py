"""Shared fixtures: tiny IDX files written on the fly, the full MNIST when present, the Brian2 target, and
`engine`: every form of the rule that trains (tests/engines.py)."""

import gzip
import importlib.util
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from neuroplastic.datasets import DATA_ENV, find_idx_files
from neuroplastic.errors import ConfigError, DataError

from engines import ENGINES, Engine, FittedEngine, tiny_images

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "models"


def idx_bytes(array, type_code=0x08):
    """Encode ``array`` as IDX content (big-endian header, as the format says)."""
    array = np.asarray(array)
    header = struct.pack(">HBB", 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx_folder(folder, n_train=12, n_test=6, shape=(4, 4), compress=True, seed=0):
    """Write a tiny four-file IDX data set; return (folder, arrays)."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(n_train, *shape), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % 3).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(n_test, *shape), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(n_test) % 3).astype(np.uint8),
    }
    for stem, array in arrays.items():
        content = idx_bytes(array)
        if compress:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(content))
        else:
            (folder / stem).write_bytes(content)
    return folder, arrays


@pytest.fixture
def tiny_idx_folder(tmp_path):
    return write_idx_folder(tmp_path / "tiny")


def _full_mnist_folder():
    folder = os.environ.get(DATA_ENV)
    if not folder:
        return None
    try:
        find_idx_files(folder)
    except DataError:
        return None
    return Path(folder)


@pytest.fixture(scope="session")
def mnist_folder():
    """The full MNIST folder named by NEUROPLASTIC_DATA; the test is skipped without it."""
    folder = _full_mnist_folder()
    if folder is None:
        pytest.skip(f"full MNIST not available (set {DATA_ENV})")
    return folder


def needs(module, extra):
    """Skip unless the optional backend ``module`` is installed (it comes with ``neuroplastic[extra]``)."""
    return pytest.mark.skipif(importlib.util.find_spec(module) is None,
                              reason=f"needs {module}: pip install 'neuroplastic[{extra}]'")


needs_jax = needs("jax", "baselines")
needs_brian2 = needs("brian2", "brian2")
needs_lava = needs("lava", "lava")
needs_dask = needs("distributed", "sweep")


# -- Brian2 code-generation target and the engine fixture ------------------------------------------------------------
#: Environment variable that selects the Brian2 target when ``--brian2-target`` is not given.
BRIAN2_TARGET_ENV = "NEUROPLASTIC_BRIAN2_TARGET"
BRIAN2_TARGETS = ("numpy", "cython", "cpp_standalone")


def pytest_addoption(parser):
    parser.addoption(
        "--brian2-target", choices=BRIAN2_TARGETS, default=os.environ.get(BRIAN2_TARGET_ENV, "numpy"),
        help=f"Brian2 code-generation target of the tests that take it (default: ${BRIAN2_TARGET_ENV} or numpy); "
             "select them with -m 'not codegen_independent', or -m standalone_compatible for cpp_standalone")


@pytest.fixture(scope="session")
def brian2_settings(request, tmp_path_factory):
    """``(target, build_dir)`` of the Brian2 tests that follow ``--brian2-target`` (or $NEUROPLASTIC_BRIAN2_TARGET);
    one cache folder per session, so cython compiles each code object once."""
    target = request.config.getoption("--brian2-target")
    return target, (None if target == "numpy" else tmp_path_factory.mktemp(f"brian2-{target}"))


def pytest_collection_modifyitems(config, items):
    """On ``--brian2-target cpp_standalone``, skip the tests that take the target (the ``brian2_settings``
    fixture) but are marked neither ``standalone_compatible`` nor ``codegen_independent``."""
    if config.getoption("--brian2-target") != "cpp_standalone":
        return
    skip = pytest.mark.skip(reason="runs on Brian2's runtime targets only (not marked standalone_compatible)")
    for item in items:
        if "brian2_settings" in getattr(item, "fixturenames", ()) and not any(
                item.get_closest_marker(name) for name in ("standalone_compatible", "codegen_independent")):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def engine_images():
    """The tiny deterministic training set of the engine fixture."""
    return tiny_images()


@pytest.fixture(scope="session", params=[pytest.param("vectorized", marks=pytest.mark.codegen_independent),
                                         *ENGINES[1:]])
def engine(request, brian2_settings, engine_images):
    """One form of the rule, fitted once per session on :func:`engine_images`: a
    :class:`~engines.FittedEngine` (the :class:`~engines.Engine` as ``form``, the recording of the fit as ``run``).

    A form the learner refuses (its ConfigError names the field ``mode``) is skipped with the learner's own
    reason.
    """
    if request.param != "vectorized":
        pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")
    form = Engine(request.param, *brian2_settings)
    try:
        run = form.fit(*engine_images)
    except ConfigError as error:
        if error.field != "mode":
            raise
        pytest.skip(f"{request.param}: {error}")
    return FittedEngine(form, run)

