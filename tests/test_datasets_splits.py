"""Class subsets, stratified validation splits, seeded subsamples, the bundled sample."""

import numpy as np
import pytest

from neuroplastic.datasets import LabelledImages, load_dataset, load_sample
from neuroplastic.datasets.sample import SAMPLE_PATH
from neuroplastic.errors import DataError


def _images(n_per_class=(30, 20, 10)):
    labels = np.concatenate([np.full(n, c) for c, n in enumerate(n_per_class)])
    images = np.arange(labels.size * 4, dtype=np.uint8).reshape(labels.size, 2, 2)
    return LabelledImages(images, labels)


def test_stratified_split_keeps_class_proportions_and_partitions():
    data = _images()
    kept, held = data.stratified_split(0.2, seed=1)
    assert np.bincount(held.labels).tolist() == [6, 4, 2]
    assert len(kept) + len(held) == len(data)
    all_rows = np.concatenate([kept.images[:, 0, 0], held.images[:, 0, 0]])
    assert sorted(all_rows.tolist()) == sorted(data.images[:, 0, 0].tolist())


def test_same_seed_gives_same_split_and_other_seed_differs():
    data = _images()
    a = data.stratified_split(0.3, seed=5)[1].images
    b = data.stratified_split(0.3, seed=5)[1].images
    c = data.stratified_split(0.3, seed=6)[1].images
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_subsample_is_stratified_and_seeded():
    data = _images()
    sub = data.subsample(12, seed=0)
    assert len(sub) == 12
    assert np.bincount(sub.labels).tolist() == [6, 4, 2]
    np.testing.assert_array_equal(sub.images, data.subsample(12, seed=0).images)


def test_class_subset_keeps_only_those_classes():
    sample = load_sample().with_classes([1, 2, 6])
    assert set(np.unique(sample.train.labels)) == {1, 2, 6}
    assert set(np.unique(sample.test.labels)) == {1, 2, 6}


def test_class_subset_rejects_absent_class():
    with pytest.raises(DataError, match=r"classes \[11\] do not occur"):
        load_sample().with_classes([1, 11])


def test_bundled_sample_is_small_stratified_real_mnist():
    sample = load_sample()
    assert SAMPLE_PATH.stat().st_size <= 1_000_000
    assert (len(sample.train), len(sample.test)) == (2000, 1000)
    assert sample.train.images.shape[1:] == (28, 28)
    counts = np.bincount(sample.train.labels)
    assert counts.min() >= 170 and counts.max() <= 230  # MNIST's own class proportions
    # real digits: mostly background, a few bright strokes
    assert 0.05 < (sample.train.images > 128).mean() < 0.25


def test_load_dataset_rejects_unknown_name():
    with pytest.raises(DataError, match="unknown data set 'cifar'"):
        load_dataset("cifar")


def test_bad_validation_fraction_is_rejected():
    with pytest.raises(DataError, match=r"validation fraction must be in \(0, 1\)"):
        _images().stratified_split(1.5, seed=0)


def test_empty_selection_still_has_feature_columns():
    empty = _images().take(np.zeros(60, dtype=bool))
    assert empty.X.shape == (0, 4) and empty.y.shape == (0,)


@pytest.mark.parametrize("n", [600, 1000, 1999, 7])
def test_subsample_has_exactly_the_requested_size(n):
    sample = load_sample().train
    assert len(sample.subsample(n, seed=0)) == n


def test_training_split_subsamples_then_holds_out_validation():
    sample = load_sample()
    train, val = sample.training_split(n_train=1000, validation_fraction=0.2, seed=4)
    assert (len(train), len(val)) == (800, 200)
    train_all, val_none = sample.training_split(seed=4)
    assert len(train_all) == 2000 and len(val_none) == 0 and val_none.X.shape == (0, 784)
