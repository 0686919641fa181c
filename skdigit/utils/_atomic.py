"""Write files atomically: a temporary file in the same folder, then a rename."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


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

    Parameters
    ----------
    path : str or os.PathLike
        The final file name.
    mode : {"wb", "w"}, default="wb"
        Binary or text mode.
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
