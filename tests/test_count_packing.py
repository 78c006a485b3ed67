"""Packing small counts several to a float64 word, as the Lava counting neurons do for a fast read."""

import numpy as np
import pytest

from neuroplastic.hardware.count_packing import EXACT_BITS, bits_for, pack, packed_size, unpack


@pytest.mark.parametrize("bits", [1, 7, 8, 9, 10, 26, 53])
@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (5, 7), (13, 4)])
def test_values_survive_packing_and_the_float64_that_lava_sends(bits, shape):
    values = np.random.default_rng(bits).integers(0, 2**bits, size=shape)
    words = pack(values, bits)
    assert words.shape == (packed_size(values.size, bits),)
    assert words.max(initial=0) < 2**EXACT_BITS
    np.testing.assert_array_equal(unpack(words.astype(np.float64), bits, shape), values)


def test_the_largest_values_fill_every_bit_of_a_word():
    bits = 9  # five 9-bit values per 53-bit word
    values = np.full(10, 2**bits - 1)
    words = pack(values, bits)
    assert len(words) == 2 and words[0] == 2**45 - 1
    np.testing.assert_array_equal(unpack(words, bits, (10,)), values)


def test_bits_cover_zero_to_the_largest_value():
    assert [bits_for(n) for n in (0, 1, 2, 255, 256, 258)] == [1, 1, 2, 8, 9, 9]


@pytest.mark.parametrize("bad", [-1, 256])
def test_a_value_that_does_not_fit_is_refused(bad):
    with pytest.raises(ValueError, match=r"\[0, 256\)"):
        pack(np.array([3, bad]), 8)


def test_more_bits_than_a_float64_holds_exactly_are_refused():
    with pytest.raises(ValueError, match="53"):
        pack(np.array([1]), 54)
