"""Reading the IDX file format used to distribute MNIST.

An IDX file is a 4-byte magic number ``00 00 TT NN`` (``TT``: data type code,
``NN``: number of dimensions), ``NN`` big-endian ``uint32`` dimension sizes, then
the values in C order, big-endian. The files are often gzipped.
"""

import gzip
import os
import zlib
from math import prod
from pathlib import Path

import numpy as np

__all__ = ["load_idx"]

_GZIP_MAGIC = b"\x1f\x8b"

# IDX data type code -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def load_idx(path):
    """Read an IDX file into a numpy array.

    IDX is the simple binary format in which the MNIST database is
    distributed. Gzipped files are recognised by their magic bytes, whatever
    their name.

    Parameters
    ----------
    path : str or os.PathLike
        The IDX file, gzipped or not.

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
        code), a truncated header, or a payload whose size does not match the
        header (truncated file or trailing bytes). The message names the file.

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
    path = Path(os.fspath(path))
    return _parse_idx(_read_payload(path), path)


def _read_payload(path):
    """Return the bytes of the file at ``path``, decompressed if it is gzipped.

    ``path`` is a :class:`pathlib.Path` or an :mod:`importlib.resources`
    Traversable (the bundled MNIST); it names the file in errors.
    """
    data = path.read_bytes()
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: corrupted or truncated gzip data ({exc})") from exc


def _parse_idx(payload, source):
    """Decode the IDX bytes ``payload``; ``source`` names the file in errors."""
    if len(payload) < 4:
        raise ValueError(
            f"{source}: not an IDX file: {len(payload)} bytes, too short for the "
            "4-byte magic number"
        )
    zero0, zero1, code, ndim = payload[:4]
    if zero0 or zero1:
        raise ValueError(
            f"{source}: not an IDX file: bad magic number 0x{payload[:4].hex()} "
            "(its first two bytes must be zero)"
        )
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X} ({d.name})" for c, d in _IDX_DTYPES.items())
        raise ValueError(
            f"{source}: not an IDX file: bad magic number 0x{payload[:4].hex()} "
            f"(unknown data type code 0x{code:02X}; known codes: {known})"
        )
    header_size = 4 + 4 * ndim
    if len(payload) < header_size:
        raise ValueError(
            f"{source}: truncated IDX header: {ndim} dimensions need a "
            f"{header_size}-byte header, the file has {len(payload)} bytes"
        )
    shape = tuple(int(n) for n in np.frombuffer(payload, ">u4", ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = prod(shape) * dtype.itemsize
    actual = len(payload) - header_size
    if actual != expected:
        problem = "truncated" if actual < expected else f"{actual - expected} trailing bytes"
        raise ValueError(
            f"{source}: IDX payload size does not match the header ({problem}): "
            f"shape {shape} of {dtype.name} needs {expected} bytes after the "
            f"{header_size}-byte header, the file has {actual}"
        )
    values = np.frombuffer(payload, dtype, prod(shape), offset=header_size)
    # The copy gives a writable array that owns its memory, in native byte order.
    return values.reshape(shape).astype(dtype.newbyteorder("="))
