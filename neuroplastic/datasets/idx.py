"""Reading IDX files (the format of MNIST and Fashion-MNIST), raw or gzip.

Every check that fails raises :class:`~neuroplastic.errors.DataError` with a
message that names the file and says what is wrong.
"""

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError

__all__ = ["read_idx_bytes", "parse_idx", "read_idx", "IDX_DTYPES"]

#: IDX type codes (third byte of the magic number) and their big-endian dtypes.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


def read_idx_bytes(path):
    """Return the decompressed content of an IDX file.

    Parameters
    ----------
    path : str or Path
        A raw IDX file, or one compressed with gzip (detected by content).

    Returns
    -------
    bytes

    Raises
    ------
    DataError
        If the file is missing, unreadable, or a damaged gzip stream.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise DataError(f"{path}: truncated gzip stream") from None
    except (OSError, zlib.error) as exc:
        raise DataError(f"{path}: corrupt gzip stream ({exc})") from None


def parse_idx(content, *, source="<bytes>"):
    """Parse IDX content into an array, validating header and size.

    Parameters
    ----------
    content : bytes
        Decompressed IDX content.
    source : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        The data in native byte order, with the shape the header gives.

    Raises
    ------
    DataError
        On a bad magic number, an unknown type code, or a byte count that
        does not match the dimensions.
    """
    if len(content) < 4:
        raise DataError(f"{source}: truncated: {len(content)} bytes is shorter than the 4-byte IDX magic number")
    zero, type_code, ndim = struct.unpack(">HBB", content[:4])
    if zero != 0 or type_code not in IDX_DTYPES or ndim == 0:
        raise DataError(f"{source}: not an IDX file: bad magic number 0x{content[:4].hex()}")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise DataError(f"{source}: truncated: header needs {header_size} bytes, found {len(content)}")
    shape = struct.unpack(f">{ndim}I", content[4:header_size])
    dtype = IDX_DTYPES[type_code]
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(content) < expected:
        raise DataError(f"{source}: truncated: expected {expected:,} bytes, found {len(content):,}")
    if len(content) > expected:
        raise DataError(f"{source}: corrupt: expected {expected:,} bytes, found {len(content):,} (trailing data)")
    data = np.frombuffer(content, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file (raw or gzip) into a NumPy array.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    DataError
        If the file is missing, truncated or corrupt.

    Examples
    --------
    >>> images = read_idx("train-images-idx3-ubyte.gz")  # doctest: +SKIP
    >>> images.shape  # doctest: +SKIP
    (60000, 28, 28)
    """
    return parse_idx(read_idx_bytes(path), source=str(path))
