"""The bundled sample: 2,000 training and 1,000 test images of real MNIST,
stratified, for offline quick runs and fast tests.

Rebuild it from the full set with::

    python -m neuroplastic.datasets.make_sample --data DIR
"""

import io
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_bytes
from ..errors import DataError
from .splits import DataSet, LabelledImages

__all__ = ["SAMPLE_PATH", "SAMPLE_SIZES", "load_sample", "make_sample"]

SAMPLE_PATH = Path(__file__).with_name("mnist_sample.npz")
#: (training images, test images, seed) of the bundled sample.
SAMPLE_SIZES = (2000, 1000, 0)


def load_sample(path=SAMPLE_PATH):
    """Load the bundled MNIST sample.

    Returns
    -------
    DataSet
        Named ``"mnist-sample"``.
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            parts = {key: archive[key] for key in ("train_images", "train_labels", "test_images", "test_labels")}
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the bundled sample ({exc})") from None
    train = LabelledImages(parts["train_images"], parts["train_labels"].astype(np.int64))
    test = LabelledImages(parts["test_images"], parts["test_labels"].astype(np.int64))
    return DataSet("mnist-sample", train, test, "bundled sample")


def make_sample(full, path=SAMPLE_PATH, sizes=SAMPLE_SIZES):
    """Draw the stratified sample from a full data set and save it.

    Parameters
    ----------
    full : DataSet
    path : Path
    sizes : (int, int, int)
        Training images, test images, seed.
    """
    n_train, n_test, seed = sizes
    train = full.train.subsample(n_train, seed)
    test = full.test.subsample(n_test, seed)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        train_images=train.images,
        train_labels=train.labels.astype(np.uint8),
        test_images=test.images,
        test_labels=test.labels.astype(np.uint8),
    )
    atomic_write_bytes(path, buffer.getvalue())
