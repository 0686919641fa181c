"""Whether numba has compiled kernels on disk: the first fit after installing pays for it.

numba caches each ``@njit(cache=True)`` function in the package's
``__pycache__``, or, when the installation is read-only, in the user's cache
folder (numba's own fallback locator). A kernel with no index file there has
never been compiled on this machine; the command line uses this to say that
a one-time compilation is running, rather than leave a long first fit
unexplained.
"""

import os

__all__ = ["kernels_on_disk"]


def kernels_on_disk(*dispatchers):
    """True when every numba dispatcher given has a compiled version on disk.

    Parameters
    ----------
    *dispatchers : numba dispatchers
        Compiled with ``cache=True``. Others count as cached (nothing to wait for).

    Returns
    -------
    cached : bool
    """
    for dispatcher in dispatchers:
        cache = getattr(dispatcher, "_cache", None)
        cache_file = getattr(cache, "_cache_file", None)
        index = getattr(cache_file, "_index_path", None)
        if index is not None and not os.path.exists(index):
            return False
    return True
