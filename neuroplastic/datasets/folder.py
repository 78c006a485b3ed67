"""Loading any folder of four IDX files (MNIST, Fashion-MNIST, ...)."""

import hashlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from .idx import parse_idx, read_idx_bytes
from .splits import DataSet, LabelledImages

__all__ = ["IDX_PARTS", "find_idx_files", "load_idx_folder", "verify_idx_folder", "MNIST_CONTENT"]

#: The four parts of an IDX data set, by their standard file stems.
IDX_PARTS = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

#: Decompressed content of the original MNIST files: byte count, SHA-256
#: (computed from the files) and MD5 (as published with the data set).
MNIST_CONTENT = {
    "train-images-idx3-ubyte": (
        47_040_016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "6bbc9ace898e44ae57da46a324031adb",
    ),
    "train-labels-idx1-ubyte": (
        60_008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "a25bea736e30d166cdddb491f175f624",
    ),
    "t10k-images-idx3-ubyte": (
        7_840_016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "2646ac647ad5339dbf082846283269ea",
    ),
    "t10k-labels-idx1-ubyte": (
        10_008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        "27ae3e4e09519cfbb04c329615203637",
    ),
}


def _candidates(folder, stem):
    dotted = stem.replace("-idx", ".idx")  # "train-images.idx3-ubyte", another common spelling
    for name in (stem, dotted):
        yield folder / f"{name}.gz"
        yield folder / name


def find_idx_files(folder):
    """Locate the four IDX files in ``folder``.

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    dict
        Part name (see :data:`IDX_PARTS`) to file path.

    Raises
    ------
    DataError
        If the folder does not exist or a file is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such data folder")
    found = {}
    for part, stem in IDX_PARTS.items():
        path = next((p for p in _candidates(folder, stem) if p.is_file()), None)
        if path is None:
            raise DataError(f"{folder}: missing {stem} (or {stem}.gz)")
        found[part] = path
    return found


def _check_pair(images, labels, images_path, labels_path):
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(f"{images_path}: expected uint8 images of shape (n, rows, cols), got {images.dtype} {images.shape}")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DataError(f"{labels_path}: expected a 1-d array of integer labels, got {labels.dtype} {labels.shape}")
    if labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{labels_path}: labels/images count mismatch: {labels.shape[0]:,} labels "
            f"for {images.shape[0]:,} images in {images_path.name}"
        )


def load_idx_folder(folder, *, name=None):
    """Load a train/test IDX data set from a folder.

    Parameters
    ----------
    folder : str or Path
        Holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each raw or
        gzip-compressed (``.gz``).
    name : str, optional
        The data set's name; defaults to the folder's name.

    Returns
    -------
    DataSet

    Raises
    ------
    DataError
        If a file is missing, truncated or corrupt, or images and labels
        disagree in count.
    """
    folder = Path(folder)
    files = find_idx_files(folder)
    arrays = {part: parse_idx(read_idx_bytes(path), source=str(path)) for part, path in files.items()}
    parts = {}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        _check_pair(images, labels, files[f"{split}_images"], files[f"{split}_labels"])
        parts[split] = LabelledImages(images, labels.astype(np.int64))
    return DataSet(name or folder.name, parts["train"], parts["test"], str(folder))


def verify_idx_folder(folder):
    """Check every file of a folder against the known MNIST content.

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    list of dict
        One record per file: ``file``, ``items`` (first dimension),
        ``verified`` (``True`` if the content's SHA-256 matches MNIST's,
        ``False`` if it differs, ``None`` if the file is not a known MNIST
        file).

    Raises
    ------
    DataError
        If a file is missing, truncated or corrupt, or images and labels
        disagree in count.
    """
    records = []
    files = find_idx_files(folder)
    arrays = {}
    for part, path in files.items():
        content = read_idx_bytes(path)
        array = arrays[part] = parse_idx(content, source=str(path))
        known = MNIST_CONTENT.get(IDX_PARTS[part])
        digest = hashlib.sha256(content).hexdigest()
        records.append(
            {
                "part": part,
                "file": str(path),
                "items": int(array.shape[0]),
                "sha256": digest,
                "verified": None if known is None else digest == known[1],
            }
        )
    for split in ("train", "test"):
        _check_pair(arrays[f"{split}_images"], arrays[f"{split}_labels"], files[f"{split}_images"], files[f"{split}_labels"])
    return records
