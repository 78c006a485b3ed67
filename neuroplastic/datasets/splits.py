"""Labelled image sets and the ways to cut them: class subsets, stratified
validation splits and seeded subsamples."""

from dataclasses import dataclass

import numpy as np

from ..errors import DataError

__all__ = ["LabelledImages", "DataSet"]


@dataclass(frozen=True)
class LabelledImages:
    """Images with their labels.

    Parameters
    ----------
    images : numpy.ndarray
        ``uint8`` array of shape ``(n, rows, cols)``.
    labels : numpy.ndarray
        Integer array of shape ``(n,)``.
    """

    images: np.ndarray
    labels: np.ndarray

    def __post_init__(self):
        if self.images.ndim != 3:
            raise DataError(f"images must have shape (n, rows, cols), got {self.images.shape}")
        if self.labels.shape != (self.images.shape[0],):
            raise DataError(
                f"labels/images count mismatch: {self.labels.shape[0]:,} labels for {self.images.shape[0]:,} images"
            )

    def __len__(self):
        return int(self.labels.shape[0])

    @property
    def n_features(self):
        """Pixels per image."""
        return int(self.images.shape[1] * self.images.shape[2])

    @property
    def X(self):
        """Flattened pixel intensities in [0, 1], ``float32`` of shape ``(n, pixels)``."""
        return self.images.reshape(len(self), self.n_features).astype(np.float32) / np.float32(255.0)

    @property
    def y(self):
        """Labels as ``int64``."""
        return self.labels.astype(np.int64)

    def take(self, index):
        """Return the images and labels at ``index`` (an index array or mask)."""
        return LabelledImages(self.images[index], self.labels[index])

    def with_classes(self, classes):
        """Keep only the images whose label is in ``classes``."""
        return self.take(np.isin(self.labels, np.asarray(classes)))

    def stratified_split(self, fraction, seed):
        """Split into two parts, each class divided in the same proportion.

        Parameters
        ----------
        fraction : float
            Share of each class that goes to the second part, in (0, 1).
        seed : int
            Seed of the shuffle; the same seed gives the same split.

        Returns
        -------
        (LabelledImages, LabelledImages)
            The kept part and the held-out part.
        """
        if not 0.0 < fraction < 1.0:
            raise DataError(f"validation fraction must be in (0, 1), got {fraction}")
        rng = np.random.default_rng(seed)
        labels, sizes = np.unique(self.labels, return_counts=True)
        # Largest-remainder allocation: the classes' shares add up to exactly round(fraction * n).
        quotas = fraction * sizes
        n_held = np.floor(quotas).astype(int)
        shortfall = int(round(fraction * len(self))) - int(n_held.sum())
        n_held[np.argsort(-(quotas - n_held), kind="stable")[:shortfall]] += 1
        held_out = []
        for label, count in zip(labels, n_held):
            members = np.flatnonzero(self.labels == label)
            held_out.append(rng.permutation(members)[:count])
        mask = np.zeros(len(self), dtype=bool)
        mask[np.concatenate(held_out)] = True
        return self.take(~mask), self.take(mask)

    def subsample(self, n, seed):
        """Return ``n`` images drawn without replacement, stratified by class.

        The same ``seed`` gives the same images. If ``n`` is at least the size
        of the set, the whole set is returned (in its original order).
        """
        if n >= len(self):
            return self
        if n <= 0:
            raise DataError(f"subsample size must be positive, got {n}")
        _, held = self.stratified_split(n / len(self), seed)
        return held


@dataclass(frozen=True)
class DataSet:
    """A named data set with a training and a test part.

    Parameters
    ----------
    name : str
        E.g. ``"mnist"`` or ``"mnist-sample"``.
    train, test : LabelledImages
    source : str
        Where the files were found (a folder, or ``"bundled sample"``).
    """

    name: str
    train: LabelledImages
    test: LabelledImages
    source: str

    def with_classes(self, classes):
        """Restrict both parts to ``classes`` (e.g. the paper's digits 1, 2, 6)."""
        if classes is None:
            return self
        missing = sorted(set(classes) - set(np.unique(self.train.labels).tolist()))
        if missing:
            raise DataError(f"{self.name}: classes {missing} do not occur in the training set")
        return DataSet(self.name, self.train.with_classes(classes), self.test.with_classes(classes), self.source)

    def training_split(self, *, n_train=None, validation_fraction=0.0, seed=0):
        """The images a run trains on and the held-out validation images.

        Parameters
        ----------
        n_train : int, optional
            Use a stratified subsample of this many training images first.
        validation_fraction : float
            Share of (those) training images held out, stratified; 0 holds
            out none.
        seed : int
            Seed of the subsample and the split.

        Returns
        -------
        (LabelledImages, LabelledImages)
            Training part and validation part (possibly empty).
        """
        train = self.train if n_train is None else self.train.subsample(n_train, seed)
        if validation_fraction > 0:
            return train.stratified_split(validation_fraction, seed)
        return train, train.take(np.zeros(len(train), dtype=bool))

    def summary(self):
        """A dict of counts, for printing and metrics files."""
        return {
            "name": self.name,
            "source": self.source,
            "n_train": len(self.train),
            "n_test": len(self.test),
            "image_shape": list(self.train.images.shape[1:]),
            "classes": sorted(np.unique(self.train.labels).tolist()),
        }
