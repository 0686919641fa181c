"""Progress bars: tqdm when it is installed (the ``progress`` extra), else nothing."""

import importlib.util

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


def progress_bar(total, *, desc, unit="it", enabled=True, **tqdm_kwargs):
    """A tqdm progress bar, or a silent stand-in when disabled or without tqdm.

    Parameters
    ----------
    total : int or None
        Number of units expected.
    desc : str
        Label shown before the bar.
    unit : str, default="it"
        Name of one unit.
    enabled : bool, default=True
        ``False`` always gives the silent stand-in.
    **tqdm_kwargs : dict
        Further arguments of ``tqdm.auto.tqdm`` (``unit_scale``, ...).

    Returns
    -------
    bar : tqdm.tqdm or object
        Usable as a context manager, with ``update(n)`` and ``close()``.

    Examples
    --------
    >>> from skdigit.utils import progress_bar
    >>> with progress_bar(3, desc="work", enabled=False) as bar:
    ...     bar.update(3)
    """
    if not enabled or importlib.util.find_spec("tqdm") is None:
        return _NoProgress()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, **tqdm_kwargs)
