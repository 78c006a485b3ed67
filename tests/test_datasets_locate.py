"""Where data is looked for, offline mode, and the verified download (from a local file:// mirror)."""

import gzip

import numpy as np
import pytest

from conftest import write_idx_folder
from neuroplastic.datasets import DATA_ENV, MNIST_CONTENT, data_candidates, download_mnist, locate_mnist
from neuroplastic.datasets import verify_idx_folder
from neuroplastic.errors import DataError


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_explicit_folder_wins_over_environment(isolated_env, monkeypatch, tiny_idx_folder):
    folder, _ = tiny_idx_folder
    monkeypatch.setenv(DATA_ENV, str(isolated_env / "elsewhere"))
    assert data_candidates(folder) == [("--data", folder)]
    assert locate_mnist(folder, offline=True) == folder


def test_environment_then_user_cache(isolated_env, monkeypatch):
    monkeypatch.setenv(DATA_ENV, "/some/where")
    origins = [origin for origin, _ in data_candidates()]
    assert origins == [DATA_ENV, "user cache"]


def test_environment_folder_without_files_is_an_error(isolated_env, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(isolated_env / "empty"))
    with pytest.raises(DataError, match=f"named by {DATA_ENV}"):
        locate_mnist(offline=True)


def test_user_cache_is_used(isolated_env, monkeypatch):
    folder, _ = write_idx_folder(isolated_env / "cache" / "neuroplastic" / "mnist")
    assert locate_mnist(offline=True) == folder


def test_offline_mode_never_downloads(isolated_env, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("download attempted")

    monkeypatch.setattr("neuroplastic.datasets.locate.download_mnist", forbidden)
    with pytest.raises(DataError, match="offline mode forbids downloading") as info:
        locate_mnist(offline=True)
    assert "--data DIR" in str(info.value) and "mnist-sample" in str(info.value)


def test_failed_download_says_what_to_do_next(isolated_env, tmp_path):
    """No data and no reachable mirror: one line naming --data, NEUROPLASTIC_DATA and the bundled sample."""
    with pytest.raises(DataError) as info:
        locate_mnist(offline=False, mirrors=[(tmp_path / "no-mirror").as_uri() + "/"])
    message = str(info.value)
    assert "download failed" in message and "\n" not in message
    for hint in ("--data DIR", DATA_ENV, '"mnist-sample"'):
        assert hint in message


def _fake_mirror(folder, arrays_by_stem, monkeypatch):
    """A file:// mirror holding tiny files, with the known checksums patched to theirs."""
    import hashlib

    from conftest import idx_bytes

    folder.mkdir(parents=True)
    table = {}
    for stem, array in arrays_by_stem.items():
        content = idx_bytes(array)
        (folder / f"{stem}.gz").write_bytes(gzip.compress(content))
        table[stem] = (len(content), hashlib.sha256(content).hexdigest(), "")
    monkeypatch.setattr("neuroplastic.datasets.locate.MNIST_CONTENT", table)
    return folder.as_uri() + "/"


def test_download_verifies_and_writes_every_file(tmp_path, monkeypatch):
    _, arrays = write_idx_folder(tmp_path / "src")
    mirror = _fake_mirror(tmp_path / "mirror", arrays, monkeypatch)
    target = download_mnist(tmp_path / "dl", mirrors=["file:///nonexistent/", mirror])
    for stem, array in arrays.items():
        assert (target / f"{stem}.gz").is_file()
    assert not list(target.glob("*.tmp")) and not list(target.glob(".*"))


def test_download_rejects_a_file_with_wrong_content(tmp_path, monkeypatch):
    _, arrays = write_idx_folder(tmp_path / "src")
    mirror = _fake_mirror(tmp_path / "mirror", arrays, monkeypatch)
    stem = "train-images-idx3-ubyte"
    (tmp_path / "mirror" / f"{stem}.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x00"))
    with pytest.raises(DataError, match=f"{stem}.gz: download failed .*SHA-256 mismatch"):
        download_mnist(tmp_path / "dl", mirrors=[mirror])
    assert not (tmp_path / "dl" / f"{stem}.gz").exists()


def test_tiny_folder_is_not_reported_as_mnist(tiny_idx_folder):
    folder, _ = tiny_idx_folder
    assert all(r["verified"] is False for r in verify_idx_folder(folder))


def test_known_checksums_cover_the_four_files():
    assert len(MNIST_CONTENT) == 4
    assert all(len(sha) == 64 for _, sha, _ in MNIST_CONTENT.values())


@pytest.mark.mnist
def test_full_mnist_is_found_and_verified(mnist_folder):
    records = verify_idx_folder(mnist_folder)
    assert all(r["verified"] for r in records)
    items = {r["part"]: r["items"] for r in records}
    assert items == {"train_images": 60000, "train_labels": 60000, "test_images": 10000, "test_labels": 10000}
    labels = np.bincount(locate_and_load(mnist_folder).test.labels)
    assert labels.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def locate_and_load(folder):
    from neuroplastic.datasets import load_mnist

    return load_mnist(folder)
