"""Write files atomically: a temporary file in the same folder, then a rename.

The temporary file is named ``.NAME.PID.XXXXXXXX.tmp`` (hidden, beside
``NAME``, with the writing process's id). A process killed outright (``kill
-9``, a power cut) cannot remove it; the next :func:`atomic_write` of the same
``NAME`` does, when it is stale: a regular file of ours (same owner), matching
that pattern exactly, whose process is gone and which has not been touched for
:data:`STALE_AFTER` seconds, or which has not been touched for a day whatever
its process (another machine's, on a shared folder).
"""

import glob
import os
import re
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

STALE_AFTER = 10.0
"""Seconds without a write after which a dead process's temporary file is stale."""

_STALE_ANYWAY = 24 * 3600.0
# mkstemp's random part: 8 characters of letters, digits and "_"
_RANDOM = r"[a-z0-9_]{8}"


def _pid_alive(pid):
    if os.name != "posix":
        # os.kill(pid, 0) would terminate the process on Windows: assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # someone else's process, or not a pid
        return pid > 0
    return True


def _remove_stale_temporaries(path, now=None):
    """Remove our own stale temporary files of ``path`` (see the module docstring).

    Returns
    -------
    removed : list of pathlib.Path
    """
    now = time.time() if now is None else now
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(?:(\d+)\.)?{_RANDOM}\.tmp")
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        match = pattern.fullmatch(candidate.name)
        if match is None:
            continue
        try:
            info = candidate.lstat()
        except OSError:
            continue
        if not (candidate.is_file() and not candidate.is_symlink()):
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        age = now - info.st_mtime
        pid = match.group(1)
        dead = pid is not None and int(pid) != os.getpid() and not _pid_alive(int(pid))
        if (dead and age > STALE_AFTER) or age > _STALE_ANYWAY:
            try:
                candidate.unlink()
            except OSError:
                continue
            removed.append(candidate)
    return removed


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path, mode="wb", **open_kwargs):
    """Open a temporary file beside ``path``; rename it to ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left as it
    was, so readers never see a half-written file. The folder is created if
    needed; the file gets the usual permissions (``0o666`` less the umask).
    Temporary files of ``path`` left behind by a killed process are removed
    first, when they are stale (see :mod:`skdigit.utils._atomic`).

    Parameters
    ----------
    path : str or os.PathLike
        The final file name.
    mode : {"wb", "w", "w+b"}, default="wb"
        Binary or text mode; ``"w+b"`` to read back what was written (to
        checksum it, say).
    **open_kwargs : dict
        Passed to :func:`os.fdopen` (e.g. ``encoding="utf-8"``).

    Yields
    ------
    file : file object
        The open temporary file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skdigit.utils import atomic_write
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target, "w", encoding="utf-8") as fh:
    ...     _ = fh.write("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file private (0600); give it the usual permissions
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
