"""Reading the IDX file format used to distribute MNIST.

An IDX file is a 4-byte magic number ``00 00 TT NN`` (``TT``: data type code,
``NN``: number of dimensions), ``NN`` big-endian ``uint32`` dimension sizes, then
the values in C order, big-endian. The files are often gzipped.
"""

import gzip
import hashlib
import os
import zlib
from math import prod
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

__all__ = ["load_idx"]

_GZIP_MAGIC = b"\x1f\x8b"

MAX_BYTES = 2**31
"""Default limit on the size of an IDX file's values, in bytes (2 GiB): :func:`load_idx`
refuses a header announcing more before allocating anything."""

# DEFLATE cannot compress better than about 1032:1 (a run of 258 bytes in a
# code of at most 2 bits); a gzip file whose header announces more than this
# ratio allows is truncated or forged, whatever it inflates to.
_MAX_DEFLATE_RATIO = 1032
_CHUNK = 4 << 20  # bytes decompressed at a time (4 MB: faster than 1 MB on MNIST)

# IDX data type code -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


@validate_params(
    {
        "path": [str, os.PathLike],
        "max_bytes": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def load_idx(path, *, max_bytes=MAX_BYTES):
    """Read an IDX file into a numpy array.

    IDX is the simple binary format in which the MNIST database is
    distributed. Gzipped files are recognised by their magic bytes, whatever
    their name, and decompressed as they are read: the memory used is the
    array's, however the file inflates.

    Parameters
    ----------
    path : str or os.PathLike
        The IDX file, gzipped or not.

    max_bytes : int or None, default=2**31
        The largest array (in bytes) the file may announce; a header that
        announces more is refused before anything is allocated. The default,
        2 GiB, is 45 times MNIST's training images. None for no limit (the
        header is still checked against the file's size).

    Returns
    -------
    array : ndarray
        The values, of the shape given in the file's header (any rank) and of
        the dtype given by its type code: ``uint8`` (0x08), ``int8`` (0x09),
        ``int16`` (0x0B), ``int32`` (0x0C), ``float32`` (0x0D) or ``float64``
        (0x0E), in native byte order. The array is C-contiguous, writable and
        owns its memory. For the MNIST image files this is an ``ndarray of
        shape (n_samples, 28, 28)`` of ``uint8`` pixel intensities 0-255; for
        the label files an ``ndarray of shape (n_samples,)`` of ``uint8``
        labels 0-9.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a valid IDX file: corrupted or truncated gzip data,
        a bad magic number (first two bytes not zero, or an unknown data type
        code), a truncated header, a payload whose size does not match the
        header (truncated file or trailing bytes; for a gzipped file, a header
        announcing more than its compressed size can hold), or a header that
        announces more than ``max_bytes``. The message names the file; the
        size checks are made before the array is allocated.
    MemoryError
        If the array the header announces (within ``max_bytes``) does not fit
        in memory; the message names the file and the size.

    See Also
    --------
    load_mnist : Load the MNIST database (bundled with skdigit).

    References
    ----------
    .. [1] Y. LeCun, C. Cortes and C. J. C. Burges, "The MNIST database of
       handwritten digits", http://yann.lecun.com/exdb/mnist/ (describes the
       IDX file format at the bottom of the page).

    Examples
    --------
    Write a small IDX file (2 x 3 ``int16``, gzipped) and read it back:

    >>> import gzip, tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from skdigit.datasets import load_idx
    >>> values = np.array([[1, -2, 3], [400, 500, -600]], dtype=">i2")
    >>> header = bytes([0, 0, 0x0B, 2]) + np.array([2, 3], dtype=">u4").tobytes()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "values-idx2-short.gz"
    ...     _ = path.write_bytes(gzip.compress(header + values.tobytes()))
    ...     array = load_idx(path)
    >>> array
    array([[   1,   -2,    3],
           [ 400,  500, -600]], dtype=int16)
    """
    return read_idx(Path(os.fspath(path)), max_bytes=max_bytes)[0]


def read_idx(path, *, max_bytes, sha256=False):
    """Read the IDX file at ``path``, streaming, with every size checked first.

    Parameters
    ----------
    path : pathlib.Path or importlib.resources.abc.Traversable
        The file (the bundled MNIST is a Traversable); it names the file in
        errors.
    max_bytes : int or None
        The largest array the header may announce, in bytes.
    sha256 : bool, default=False
        Also return the SHA-256 of the decompressed bytes (header and values).

    Returns
    -------
    array : ndarray
    digest : str or None
        The hex SHA-256 when ``sha256``, else None.
    """
    with path.open("rb") as raw:
        file_size = raw.seek(0, os.SEEK_END)
        raw.seek(0)
        gzipped = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        hasher = hashlib.sha256() if sha256 else None
        try:
            array = _read_stream(stream, path, file_size, gzipped, max_bytes, hasher)
        except (OSError, EOFError, zlib.error) as exc:
            if not gzipped:
                raise
            raise ValueError(f"{path}: corrupted or truncated gzip data ({exc})") from exc
    return array, None if hasher is None else hasher.hexdigest()


def _read(stream, n, hasher):
    """Up to ``n`` bytes of ``stream`` (fewer only at its end), hashed."""
    parts, left = [], n
    while left:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    data = b"".join(parts)
    if hasher is not None:
        hasher.update(data)
    return data


def _read_stream(stream, source, file_size, gzipped, max_bytes, hasher):
    """Decode the IDX ``stream``; ``source`` names the file in errors."""
    magic = _read(stream, 4, hasher)
    if len(magic) < 4:
        raise ValueError(
            f"{source}: not an IDX file: {len(magic)} bytes, too short for the "
            "4-byte magic number"
        )
    zero0, zero1, code, ndim = magic
    if zero0 or zero1:
        raise ValueError(
            f"{source}: not an IDX file: bad magic number 0x{magic.hex()} "
            "(its first two bytes must be zero)"
        )
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X} ({d.name})" for c, d in _IDX_DTYPES.items())
        raise ValueError(
            f"{source}: not an IDX file: bad magic number 0x{magic.hex()} "
            f"(unknown data type code 0x{code:02X}; known codes: {known})"
        )
    header_size = 4 + 4 * ndim
    sizes = _read(stream, 4 * ndim, hasher)
    if len(sizes) < 4 * ndim:
        raise ValueError(
            f"{source}: truncated IDX header: {ndim} dimensions need a "
            f"{header_size}-byte header, the file has {4 + len(sizes)} bytes"
        )
    shape = tuple(int(n) for n in np.frombuffer(sizes, ">u4"))
    dtype = _IDX_DTYPES[code]
    expected = prod(shape) * dtype.itemsize
    _check_announced_size(source, shape, dtype, expected, header_size, file_size, gzipped,
                          max_bytes)
    try:
        array = np.empty(shape, dtype.newbyteorder("="))
    except MemoryError as exc:
        raise MemoryError(
            f"{source}: not enough memory for the {expected} bytes of shape {shape} of "
            f"{dtype.name} its header announces"
        ) from exc
    buffer = memoryview(array.reshape(-1).view(np.uint8))
    actual = 0
    while actual < expected:
        n = stream.readinto(buffer[actual:actual + _CHUNK])
        if not n:
            break
        actual += n
    if hasher is not None:
        hasher.update(buffer[:actual])
    trailing = 0
    scratch = memoryview(bytearray(1 << 20)) if actual == expected else None
    while actual == expected and (n := stream.readinto(scratch)):
        # counted, not kept (one buffer reused), at most max_bytes read
        trailing += n
        if hasher is not None:
            hasher.update(scratch[:n])
        if max_bytes is not None and trailing > max_bytes:
            break
    if actual != expected or trailing:
        problem = "truncated" if actual < expected else f"{trailing} trailing bytes"
        raise ValueError(
            f"{source}: IDX payload size does not match the header ({problem}): "
            f"shape {shape} of {dtype.name} needs {expected} bytes after the "
            f"{header_size}-byte header, the file has {actual + trailing}"
        )
    if dtype.byteorder == ">":  # big-endian values on a little-endian machine
        array.byteswap(inplace=True)  # in place: no copy, the array owns its memory
    return array


def _check_announced_size(source, shape, dtype, expected, header_size, file_size, gzipped,
                          max_bytes):
    """Refuse, before allocating, a header announcing more than the file or the limit holds."""
    if max_bytes is not None and expected > max_bytes:
        raise ValueError(
            f"{source}: the IDX header announces shape {shape} of {dtype.name}, "
            f"{expected} bytes, more than the limit of {max_bytes} bytes; if the file "
            "is genuine, pass a larger max_bytes"
        )
    if not gzipped:
        actual = file_size - header_size
        if actual != expected:
            problem = (
                "truncated" if actual < expected else f"{actual - expected} trailing bytes"
            )
            raise ValueError(
                f"{source}: IDX payload size does not match the header ({problem}): "
                f"shape {shape} of {dtype.name} needs {expected} bytes after the "
                f"{header_size}-byte header, the file has {actual}"
            )
    elif expected > _MAX_DEFLATE_RATIO * file_size:
        raise ValueError(
            f"{source}: the IDX header announces shape {shape} of {dtype.name}, "
            f"{expected} bytes, more than a gzip file of {file_size} bytes can inflate to: the "
            "file is truncated or corrupted"
        )
