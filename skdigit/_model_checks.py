"""What a model file must pass before and after it is read: checksum, archive sizes, methods.

- A joblib file written by :func:`~skdigit.save_model` ends with a trailer
  holding the SHA-256 of everything before it; :func:`~skdigit.load_model`
  verifies it, so a file damaged after it was saved (flipped bytes in the
  coefficients, say) is refused instead of predicting with the damaged weights.
  ``joblib.load`` stops at the end of the pickle and ignores the trailer.
- A ``.skops`` file is a zip archive; the sizes its members declare (which
  Python's :mod:`zipfile` never reads past) are checked before skops reads
  anything, so that a small file inflating to gigabytes is refused at once.
- An object loaded from a ``.skops`` file must not carry instance attributes
  that shadow its class's methods (an attribute ``predict`` set to a trusted
  NumPy function would change what ``predict`` returns).

Each failure raises :class:`ModelFileError`.
"""

import hashlib
import inspect
import os
import zipfile

import numpy as np

__all__ = [
    "SKOPS_MAX_BYTES",
    "SKOPS_MAX_MEMBERS",
    "SKOPS_MAX_SCHEMA_BYTES",
    "ModelFileError",
    "check_no_shadowed_methods",
    "check_skops_archive",
    "verify_checksum",
    "write_checksum",
]

_MARKER = b"\n#skdigit-sha256:"
_TRAILER_SIZE = len(_MARKER) + 64 + 1  # the marker, 64 hex digits, a newline
_CHUNK = 1 << 20

SKOPS_MAX_SCHEMA_BYTES = 16 * 2**20
"""The largest ``schema.json`` a ``.skops`` file may declare (16 MiB; a fitted
scattering pipeline's is about 35 KB)."""

SKOPS_MAX_BYTES = 2**30
"""The largest total size the members of a ``.skops`` file may declare (1 GiB)."""

SKOPS_MAX_MEMBERS = 10_000
"""The most members a ``.skops`` archive may hold."""


class ModelFileError(ValueError):
    """A model file is missing, unreadable, or does not hold a fitted classifier."""


def _sha256(fh, n_bytes):
    """The hex SHA-256 of the next ``n_bytes`` of ``fh``, read a chunk at a time."""
    digest = hashlib.sha256()
    left = n_bytes
    while left:
        chunk = fh.read(min(left, _CHUNK))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest()


def write_checksum(fh):
    """Append the checksum trailer to the file ``fh``, open for reading and writing.

    Parameters
    ----------
    fh : file object
        Binary, readable, writable and seekable, holding the whole model.
    """
    fh.flush()
    size = fh.seek(0, os.SEEK_END)
    fh.seek(0)
    digest = _sha256(fh, size)
    fh.seek(0, os.SEEK_END)
    fh.write(_MARKER + digest.encode("ascii") + b"\n")


def verify_checksum(path):
    """Check the checksum trailer of the joblib file at ``path``, if it has one.

    Files without a trailer (written by ``joblib.dump`` itself, or by skdigit
    before 0.2) are accepted unchecked.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    checked : bool
        Whether the file had a trailer (and so was verified).

    Raises
    ------
    ModelFileError
        If the file's content does not match its recorded SHA-256.
    """
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size < _TRAILER_SIZE:
            return False
        fh.seek(size - _TRAILER_SIZE)
        trailer = fh.read(_TRAILER_SIZE)
        if not (trailer.startswith(_MARKER) and trailer.endswith(b"\n")):
            return False
        recorded = trailer[len(_MARKER):-1].decode("ascii", "replace")
        fh.seek(0)
        actual = _sha256(fh, size - _TRAILER_SIZE)
    if actual != recorded:
        raise ModelFileError(
            f"{str(path)!r} is damaged: its content does not match the SHA-256 recorded "
            f"when it was saved ({actual}, recorded {recorded}); restore it from a copy "
            "or train the model again"
        )
    return True


def check_skops_archive(path):
    """Check the sizes a ``.skops`` archive declares before skops reads it.

    Parameters
    ----------
    path : pathlib.Path

    Raises
    ------
    ModelFileError
        If the file is not a zip archive, holds no ``schema.json``, more than
        :data:`SKOPS_MAX_MEMBERS` members, a ``schema.json`` larger than
        :data:`SKOPS_MAX_SCHEMA_BYTES` or members larger than
        :data:`SKOPS_MAX_BYTES` in all, once decompressed.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a skops model file ({type(exc).__name__}: {exc})"
        ) from exc
    if len(members) > SKOPS_MAX_MEMBERS:
        raise ModelFileError(
            f"{str(path)!r} is not a skops model file skdigit reads: it holds "
            f"{len(members)} members, more than {SKOPS_MAX_MEMBERS}"
        )
    schema = [m for m in members if m.filename == "schema.json"]
    if not schema:
        raise ModelFileError(f"{str(path)!r} is not a skops model file: it has no schema.json")
    if schema[0].file_size > SKOPS_MAX_SCHEMA_BYTES:
        raise ModelFileError(
            f"{str(path)!r} is not a skops model file skdigit reads: its schema.json "
            f"inflates to {schema[0].file_size} bytes, more than {SKOPS_MAX_SCHEMA_BYTES} "
            "(a model's schema takes kilobytes); the file is damaged or hostile"
        )
    total = sum(m.file_size for m in members)
    if total > SKOPS_MAX_BYTES:
        raise ModelFileError(
            f"{str(path)!r} is not a skops model file skdigit reads: its members inflate "
            f"to {total} bytes, more than {SKOPS_MAX_BYTES}; the file is damaged or hostile"
        )


def _shadowed_methods(obj, where, seen):
    """``where.name`` of each instance attribute of ``obj`` (and what it holds) that
    shadows a method of its class."""
    if id(obj) in seen or isinstance(obj, (np.ndarray, np.generic, str, bytes, type)):
        return []
    seen.add(id(obj))
    if isinstance(obj, (list, tuple)):
        items = [(f"{where}[{i}]", value) for i, value in enumerate(obj)]
        found = []
    elif isinstance(obj, dict):
        items = [(f"{where}[{key!r}]", value) for key, value in obj.items()]
        found = []
    else:
        attributes = getattr(obj, "__dict__", None)
        if not isinstance(attributes, dict):
            return []
        items = [(f"{where}.{name}", value) for name, value in attributes.items()]
        found = [
            f"{where}.{name}" for name in attributes
            if callable(inspect.getattr_static(type(obj), name, None))
        ]
    for place, value in items:
        found += _shadowed_methods(value, place, seen)
    return found


def check_no_shadowed_methods(model, source):
    """Refuse a loaded model whose objects carry attributes shadowing their methods.

    Parameters
    ----------
    model : object
        What skops loaded.
    source : str
        How to name the file in the message.

    Raises
    ------
    ModelFileError
        Naming each such attribute (``model.steps[1][1].predict``, say).
    """
    found = _shadowed_methods(model, "model", set())
    if found:
        raise ModelFileError(
            f"{source} sets attributes that replace methods of their class: "
            f"{', '.join(found)}; a model file holds fitted values, never methods: the "
            "file is damaged or hostile"
        )
