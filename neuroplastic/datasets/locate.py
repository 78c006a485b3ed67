"""Where data is looked for, and the verified download.

Search order for MNIST: an explicit folder, the ``NEUROPLASTIC_DATA``
environment variable, the user cache, then (unless offline) a download from
the public mirrors into the user cache, verified by SHA-256.
"""

import gzip
import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

from ..atomic import atomic_write_bytes
from ..errors import DataError
from .folder import IDX_PARTS, MNIST_CONTENT, find_idx_files

__all__ = ["DATA_ENV", "OFFLINE_ENV", "MNIST_MIRRORS", "NEXT_STEPS", "user_cache_dir", "data_candidates", "locate_mnist", "download_mnist"]

#: Environment variable naming a folder with the MNIST IDX files.
DATA_ENV = "NEUROPLASTIC_DATA"
#: Environment variable that, set to 1, forbids downloads.
OFFLINE_ENV = "NEUROPLASTIC_OFFLINE"

#: Public mirrors of the original MNIST files (gzip), tried in order.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

#: What to do when MNIST is neither found nor downloadable (appended to the error).
NEXT_STEPS = (
    f"put the four MNIST IDX files in a folder and pass --data DIR or set {DATA_ENV}=DIR, "
    'or run offline on the bundled sample: a model file with [data] dataset = "mnist-sample"'
)


def user_cache_dir():
    """The per-user cache folder for data sets (``$XDG_CACHE_HOME/neuroplastic``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "neuroplastic"


def data_candidates(explicit=None):
    """The folders searched for MNIST, in order, with where each came from.

    Parameters
    ----------
    explicit : str or Path, optional
        A folder named by the user (``--data DIR``). If given, it is the
        only candidate.

    Returns
    -------
    list of (str, Path)
        ``(origin, folder)`` pairs.
    """
    if explicit is not None:
        return [("--data", Path(explicit))]
    found = []
    if os.environ.get(DATA_ENV):
        found.append((DATA_ENV, Path(os.environ[DATA_ENV])))
    found.append(("user cache", user_cache_dir() / "mnist"))
    return found


def _is_offline(offline):
    if offline is not None:
        return offline
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes"}


def locate_mnist(explicit=None, *, offline=None, mirrors=MNIST_MIRRORS):
    """Return the folder that holds the MNIST files, downloading if allowed.

    Parameters
    ----------
    explicit : str or Path, optional
        A folder named by the user; a missing or incomplete one is an error.
    offline : bool, optional
        Never download. Defaults to the ``NEUROPLASTIC_OFFLINE`` variable.
    mirrors : sequence of str
        Base URLs to download from.

    Returns
    -------
    Path

    Raises
    ------
    DataError
        If no folder has the files and downloading is not possible.
    """
    candidates = data_candidates(explicit)
    if explicit is not None:
        find_idx_files(candidates[0][1])  # raises a clear error if incomplete
        return candidates[0][1]
    for origin, folder in candidates:
        try:
            find_idx_files(folder)
        except DataError:
            if origin == DATA_ENV:
                raise DataError(f"{folder}: named by {DATA_ENV} but does not hold the MNIST files") from None
            continue
        return folder
    if _is_offline(offline):
        raise DataError(f"MNIST not found and offline mode forbids downloading; {NEXT_STEPS}")
    try:
        return download_mnist(user_cache_dir() / "mnist", mirrors=mirrors)
    except DataError as exc:
        raise DataError(f"{exc}; {NEXT_STEPS}") from None


def _fetch(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (URLs are ours or the user's)
        return response.read()


def download_mnist(folder, *, mirrors=MNIST_MIRRORS, timeout=60):
    """Download the four MNIST files into ``folder``, verified by SHA-256.

    Each file's decompressed content must match :data:`MNIST_CONTENT`. Files
    are written atomically, so an interrupted download leaves nothing behind.

    Parameters
    ----------
    folder : Path
    mirrors : sequence of str
        Base URLs, tried in order until one gives a verified file.
    timeout : float
        Seconds per request.

    Returns
    -------
    Path
        ``folder``.

    Raises
    ------
    DataError
        If no mirror gives a file with the right content.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stem in IDX_PARTS.values():
        target = folder / f"{stem}.gz"
        if target.is_file():
            continue
        _size, sha256, _md5 = MNIST_CONTENT[stem]
        problems = []
        for base in mirrors:
            url = f"{base}{stem}.gz"
            try:
                payload = _fetch(url, timeout)
                digest = hashlib.sha256(gzip.decompress(payload)).hexdigest()
            except (urllib.error.URLError, OSError, EOFError) as exc:
                problems.append(f"{url}: {getattr(exc, 'reason', exc)}")
                continue
            if digest != sha256:
                problems.append(f"{url}: SHA-256 mismatch")
                continue
            atomic_write_bytes(target, payload)
            break
        else:
            raise DataError(f"{stem}.gz: download failed ({'; '.join(problems) or 'no mirrors'})")
    return folder
