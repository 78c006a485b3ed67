"""Shared fixtures: tiny IDX files written on the fly, and the full MNIST when present."""

import gzip
import importlib.util
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from neuroplastic.datasets import DATA_ENV, find_idx_files
from neuroplastic.errors import DataError

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
