"""Progress of long steps: a tqdm bar on a terminal, plain lines otherwise.

One mechanism for every long step the command line runs (loading, deskewing,
the scattering transform, evaluation, reports, CV folds): :func:`progress_bar`.
On a terminal it is a tqdm bar (tqdm is a core dependency: a bar costs
nothing to install and needs no extra); when standard error is not a terminal
(a log file, CI, a pipe) it prints plain lines, ``desc: n/total unit (t s)``,
at most one a second and one at the end, so logs hold no ``\\r`` clutter. The
solver reports its iterations itself (``verbose``), as scikit-learn's do.
"""

import sys
import time

__all__ = ["progress_bar"]


class _NoProgress:
    """Stands in for a tqdm bar: same context-manager and ``update`` interface."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n=1):
        pass

    def close(self):
        pass


class _LineProgress(_NoProgress):
    """Progress as plain lines on ``file``: at most one every ``interval`` seconds."""

    def __init__(self, total, desc, unit, file, interval=1.0):
        self.total, self.desc, self.unit, self.file = total, desc, unit, file
        self.interval = interval
        self.n = 0
        self.start = self.last = time.perf_counter()
        self.closed = False

    def _line(self):
        total = "" if self.total is None else f"/{self.total:,}"
        elapsed = time.perf_counter() - self.start
        print(f"{self.desc}: {self.n:,}{total} {self.unit} ({elapsed:.1f} s)",
              file=self.file, flush=True)

    def update(self, n=1):
        self.n += n
        now = time.perf_counter()
        if now - self.last >= self.interval and self.n != self.total:
            self.last = now
            self._line()

    def close(self):
        if not self.closed:
            self.closed = True
            self._line()

    def __exit__(self, *exc_info):
        if exc_info[0] is None:
            self.close()
        return False


def progress_bar(total, *, desc, unit="it", enabled=True, file=None, **tqdm_kwargs):
    """A progress bar on a terminal, plain progress lines otherwise, or nothing.

    Parameters
    ----------
    total : int or None
        Number of units expected.
    desc : str
        Label shown before the bar.
    unit : str, default="it"
        Name of one unit.
    enabled : bool, default=True
        ``False`` always gives a silent stand-in.
    file : file object, default=None
        Where to write; None means standard error.
    **tqdm_kwargs : dict
        Further arguments of ``tqdm.tqdm`` (``unit_scale``, ...), used on a
        terminal.

    Returns
    -------
    bar : tqdm.tqdm or object
        Usable as a context manager, with ``update(n)`` and ``close()``.

    Examples
    --------
    >>> import io
    >>> from skdigit.utils import progress_bar
    >>> out = io.StringIO()
    >>> with progress_bar(3, desc="work", unit="image", file=out) as bar:
    ...     bar.update(3)
    >>> out.getvalue().startswith("work: 3/3 image")
    True
    >>> with progress_bar(3, desc="work", enabled=False) as bar:
    ...     bar.update(3)
    """
    if not enabled:
        return _NoProgress()
    file = sys.stderr if file is None else file
    isatty = getattr(file, "isatty", None)
    if isatty is None or not isatty():
        return _LineProgress(total, desc, unit, file)
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=file, **tqdm_kwargs)
