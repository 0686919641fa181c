"""Thread policy, in one place: how many threads the kernels use, and around them BLAS.

One rule for ``n_jobs`` (:func:`resolve_n_threads`), the team a kernel
launches sized to its parts (:func:`kernel_threads`), one guard for numba's
parallel kernels called from several Python threads (:func:`parallel_kernel_lock`),
one executor for kernels whose parts run in Python threads (:func:`run_parts`),
and one way to hold BLAS at a single thread while our kernels run
(:func:`single_threaded_blas`).
"""

import contextlib
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba
from threadpoolctl import ThreadpoolController

__all__ = [
    "available_cpus",
    "blas_threads",
    "kernel_threads",
    "parallel_kernel_lock",
    "resolve_n_threads",
    "row_ranges",
    "run_parts",
    "single_threaded_blas",
]


def available_cpus():
    """The number of CPUs this process may run on (at least 1).

    :func:`os.process_cpu_count` where it exists (Python 3.13), else the CPU
    affinity of the process (:func:`os.sched_getaffinity`, which a container
    or ``taskset`` restricts), else :func:`os.cpu_count`.

    Returns
    -------
    n_cpus : int
    """
    if hasattr(os, "process_cpu_count"):
        count = os.process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return max(1, count or 1)


def resolve_n_threads(n_jobs):
    """Number of parallel row chunks of a kernel for the ``n_jobs`` parameter.

    The rule, for every estimator of skdigit: counted from the threads numba
    may use now (``numba.get_num_threads()``, which a joblib worker or
    ``numba.set_num_threads`` may have lowered): ``None`` and ``-1`` use them
    all, ``-2`` all but one, and so on (at least 1); a positive ``n_jobs`` is
    used as it is. Either way, at most the CPUs available to the process
    (:func:`available_cpus`): more threads than cores only wait on each
    other. For a fixed value (on a given machine) the kernels' results are
    bit-for-bit reproducible.

    Parameters
    ----------
    n_jobs : int or None

    Returns
    -------
    n_threads : int
        At least 1.

    Examples
    --------
    >>> import numba
    >>> from skdigit.utils._threads import resolve_n_threads
    >>> from skdigit.utils._threads import available_cpus
    >>> resolve_n_threads(None) == min(numba.get_num_threads(), available_cpus())
    True
    >>> resolve_n_threads(1)
    1
    >>> resolve_n_threads(20_000) == available_cpus()
    True
    """
    if n_jobs is None:
        n_threads = numba.get_num_threads()
    elif n_jobs < 0:
        n_threads = max(numba.get_num_threads() + 1 + n_jobs, 1)
    else:
        n_threads = int(n_jobs)
    return max(1, min(n_threads, available_cpus()))


@contextlib.contextmanager
def kernel_threads(n_threads):
    """Context manager: numba's parallel kernels launch ``n_threads`` threads here.

    A kernel that splits its rows into ``n_threads`` parts still launches
    numba's whole team (:func:`numba.get_num_threads`); the threads without a
    part wait at the region's end, spinning on a core. That costs nothing when
    the process has the cores to itself, but where several kernels run at once
    on the same cores (one per Dask worker process, one per joblib worker) the
    spinning threads take the cores from the working ones. The team is sized to
    the parts for the calling thread only (numba's setting is per thread) and
    restored afterwards; at most numba's ``NUMBA_NUM_THREADS``.

    Parameters
    ----------
    n_threads : int
        Parts the kernel runs in; at least 1.
    """
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(n_threads), numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


_POOL = {}  # process id -> executor of run_parts; a forked child makes its own
_POOL_LOCK = threading.Lock()


def row_ranges(n_rows, n_parts):
    """``n_parts`` contiguous ``(lo, hi)`` ranges covering ``range(n_rows)``.

    Each ``ceil(n_rows / n_parts)`` rows (the last shorter, or empty): the
    row chunks of every kernel run by :func:`run_parts`, so a given
    ``n_parts`` always splits the same way (reproducible sums).
    """
    n_parts = max(1, int(n_parts))
    step = (n_rows + n_parts - 1) // n_parts
    return [(min(n_rows, p * step), min(n_rows, (p + 1) * step)) for p in range(n_parts)]


def run_parts(function, parts):
    """``[function(*args) for args in parts]``, the parts run in parallel threads.

    For numba kernels compiled with ``nogil=True`` (and NumPy calls that
    release the GIL): a kernel written for one contiguous part of the rows,
    run here on several, instead of a ``prange`` loop, whose compilation costs
    several seconds per signature on a first run. One part runs in the calling
    thread. The threads are those of one executor per process, kept between
    calls, of at most :func:`available_cpus` threads whatever the number of
    parts (extra parts wait their turn); its tasks never wait on each other,
    so callers in several threads share it safely.

    Parameters
    ----------
    function : callable
    parts : list of tuple
        The arguments of each call.

    Returns
    -------
    results : list
        In the order of ``parts``.
    """
    if len(parts) <= 1:
        return [function(*args) for args in parts]
    pid = os.getpid()
    with _POOL_LOCK:
        pool = _POOL.get(pid)
        if pool is None:
            pool = ThreadPoolExecutor(available_cpus(), thread_name_prefix="skdigit-kernel")
            _POOL[pid] = pool
    futures = [pool.submit(function, *args) for args in parts[1:]]
    first = function(*parts[0])  # the caller takes a part too
    return [first] + [future.result() for future in futures]


_KERNEL_LOCK = threading.Lock()


_LAYER = []  # numba's threading layer, once known


def _needs_lock():
    # numba's fallback "workqueue" threading layer (used where neither TBB nor
    # OpenMP is available) aborts on parallel calls from two Python threads at
    # once; the others are thread-safe. The layer is known once a parallel
    # kernel has run; before that, assume the worst.
    if not _LAYER:
        try:
            _LAYER.append(numba.threading_layer())
        except ValueError:
            return True
    return _LAYER[0] == "workqueue"


def parallel_kernel_lock():
    """Context manager serializing our parallel numba kernels across Python threads.

    A no-op with the thread-safe TBB and OpenMP threading layers; a lock with
    numba's fallback ``workqueue`` layer, which aborts on concurrent calls.
    """
    if not _needs_lock():
        return contextlib.nullcontext()
    return _KERNEL_LOCK


@functools.cache
def _threadpool_controller():
    return ThreadpoolController()


def single_threaded_blas():
    """Context manager holding BLAS at one thread while our kernels run.

    The kernels use every core. Around them (the optimizer's vector work, the
    small products of the preconditioner) OpenBLAS threads would spin between
    calls and take the cores from the kernels' threads. The controller is
    created once: each ``threadpool_limits`` call would scan the loaded
    libraries again.
    """
    return _threadpool_controller().limit(limits=1, user_api="blas")


def blas_threads(n_threads):
    """Context manager letting BLAS use ``n_threads`` threads (inside :func:`single_threaded_blas`).

    For the work of a solver that is BLAS products on their own, with no
    kernel running beside them (the randomized SVD of the low-rank
    preconditioner).
    """
    return _threadpool_controller().limit(limits=max(1, int(n_threads)), user_api="blas")
