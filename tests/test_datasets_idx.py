"""IDX reading: what a valid file gives, and the one-line errors for damaged ones."""

import gzip

import numpy as np
import pytest

from conftest import idx_bytes, write_idx_folder
from neuroplastic.datasets import load_idx_folder, parse_idx, read_idx
from neuroplastic.errors import DataError


def test_raw_and_gzip_files_read_to_the_same_array(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a").write_bytes(idx_bytes(array))
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), array)


def test_big_endian_integers_are_decoded():
    array = np.array([1, 256, -2], dtype=np.int32)
    np.testing.assert_array_equal(parse_idx(idx_bytes(array, type_code=0x0C)), array)


def test_truncated_file_names_expected_and_found_bytes(tmp_path):
    content = idx_bytes(np.zeros((10, 4, 4), dtype=np.uint8))
    path = tmp_path / "cut.idx"
    path.write_bytes(content[:-50])
    with pytest.raises(DataError, match=r"cut.idx: truncated: expected 176 bytes, found 126"):
        read_idx(path)


def test_truncated_gzip_stream_is_reported(tmp_path):
    payload = gzip.compress(idx_bytes(np.arange(5000, dtype=np.uint8)))
    path = tmp_path / "cut.gz"
    path.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(DataError, match=r"cut.gz: truncated gzip stream"):
        read_idx(path)


def test_wrong_magic_number_is_reported(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 10)
    with pytest.raises(DataError, match=r"bad: not an IDX file: bad magic number 0x12340801"):
        read_idx(path)


def test_trailing_bytes_are_reported():
    content = idx_bytes(np.zeros(3, dtype=np.uint8)) + b"extra"
    with pytest.raises(DataError, match="trailing data"):
        parse_idx(content, source="x")


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_idx(tmp_path / "absent.gz")


def test_folder_loads_images_and_labels(tiny_idx_folder):
    folder, arrays = tiny_idx_folder
    data = load_idx_folder(folder)
    np.testing.assert_array_equal(data.train.images, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(data.test.labels, arrays["t10k-labels-idx1-ubyte"])
    assert data.train.X.dtype == np.float32 and data.train.X.max() <= 1.0
    assert data.train.X.shape == (12, 16)


def test_uncompressed_folder_loads(tmp_path):
    folder, arrays = write_idx_folder(tmp_path / "raw", compress=False)
    np.testing.assert_array_equal(load_idx_folder(folder).train.images, arrays["train-images-idx3-ubyte"])


def test_label_count_mismatch_is_reported(tmp_path):
    folder, _ = write_idx_folder(tmp_path / "d")
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(11, np.uint8))))
    with pytest.raises(DataError, match=r"count mismatch: 11 labels for 12 images"):
        load_idx_folder(folder)


def test_missing_folder_is_reported(tmp_path):
    with pytest.raises(DataError, match="no such data folder"):
        load_idx_folder(tmp_path / "nowhere")


def test_missing_part_is_named(tmp_path):
    folder, _ = write_idx_folder(tmp_path / "d")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing t10k-labels-idx1-ubyte"):
        load_idx_folder(folder)
