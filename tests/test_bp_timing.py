"""The compilation estimate of the dense-BP timing."""

import pytest

from neuroplastic.experiments.bp_timing import compilation_seconds


def test_compilation_is_the_first_epochs_excess_over_the_median_epoch():
    assert compilation_seconds([3.0, 1.0, 1.2, 0.8]) == pytest.approx(2.0)


def test_an_already_compiled_first_epoch_subtracts_nothing():
    assert compilation_seconds([0.9, 1.0, 1.1]) == 0.0
    assert compilation_seconds([2.0]) == 0.0
