"""Data sets: IDX reading, MNIST and any IDX folder, class subsets,
validation splits, verified download and the bundled sample."""

from .folder import IDX_PARTS, MNIST_CONTENT, find_idx_files, load_idx_folder, verify_idx_folder
from .idx import parse_idx, read_idx
from .locate import DATA_ENV, OFFLINE_ENV, data_candidates, download_mnist, locate_mnist, user_cache_dir
from .sample import load_sample
from .splits import DataSet, LabelledImages

__all__ = [
    "DATA_ENV",
    "OFFLINE_ENV",
    "IDX_PARTS",
    "MNIST_CONTENT",
    "DataSet",
    "LabelledImages",
    "data_candidates",
    "download_mnist",
    "find_idx_files",
    "load_dataset",
    "load_idx_folder",
    "load_mnist",
    "load_sample",
    "locate_mnist",
    "parse_idx",
    "read_idx",
    "user_cache_dir",
    "verify_idx_folder",
]

#: Names accepted by :func:`load_dataset`.
DATASET_NAMES = ("mnist", "mnist-sample")


def load_mnist(data_dir=None, *, offline=None, classes=None):
    """Load full MNIST (60,000 training and 10,000 test images).

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with the IDX files. If omitted, the search order of
        :func:`~neuroplastic.datasets.locate.locate_mnist` applies.
    offline : bool, optional
        Never download.
    classes : sequence of int, optional
        Keep only these digits (the paper uses 1, 2 and 6).

    Returns
    -------
    DataSet
    """
    folder = locate_mnist(data_dir, offline=offline)
    return load_idx_folder(folder, name="mnist").with_classes(classes)


def load_dataset(name, data_dir=None, *, offline=None, classes=None):
    """Load a data set by the name a model definition gives.

    Parameters
    ----------
    name : {"mnist", "mnist-sample"}
        ``"mnist"`` is the full set; with ``data_dir``, any IDX folder
        (e.g. Fashion-MNIST) is read in its place. ``"mnist-sample"`` is the
        bundled 2,000/1,000-image sample.
    data_dir, offline, classes
        As for :func:`load_mnist`; ``data_dir="mnist-sample"`` reads the
        bundled sample in place of the full set (``--data mnist-sample``).

    Returns
    -------
    DataSet
    """
    if name == "mnist-sample" or str(data_dir) == "mnist-sample":
        return load_sample().with_classes(classes)
    if name == "mnist":
        return load_mnist(data_dir, offline=offline, classes=classes)
    from ..errors import DataError

    raise DataError(f"unknown data set {name!r}; choose one of {', '.join(DATASET_NAMES)}")
