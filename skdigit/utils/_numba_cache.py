"""Whether numba has compiled kernels on disk: the first fit after installing pays for it.

numba caches each ``@njit(cache=True)`` function in the package's
``__pycache__``, or, when the installation is read-only, in the user's cache
folder (numba's own fallback locator). A kernel with no index file there has
never been compiled on this machine; the command line uses this to say that
a one-time compilation is running, rather than leave a long first fit
unexplained.

The transformers of a prediction (:class:`~skdigit.Deskew`,
:class:`~skdigit.Scattering2D`) avoid that wait altogether for a handful of
images: below :data:`NUMPY_TWIN_BELOW` images they run their kernel's plain
NumPy twin (milliseconds an image) instead of the kernel, which a fresh
installation would first compile (about ten seconds on two cores). Reading
one photo after installing is then as fast as every later time.
"""

import os

__all__ = ["NUMPY_TWIN_BELOW", "kernels_on_disk", "use_numpy_twin"]

# Batches of fewer images than this run the NumPy twin of the deskewing and
# scattering kernels: about 6 ms an image against 0.4 ms for the kernel once
# compiled, so at most about 0.2 s, against seconds of compilation on a first
# run (or about half a second to load the compiled kernels from numba's cache).
NUMPY_TWIN_BELOW = 32


def use_numpy_twin(n_samples):
    """Whether a transform of ``n_samples`` images runs the NumPy twin of its kernel.

    Parameters
    ----------
    n_samples : int
        The number of images transformed together.

    Returns
    -------
    twin : bool
        True for fewer than :data:`NUMPY_TWIN_BELOW` images.
    """
    return n_samples < NUMPY_TWIN_BELOW


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
