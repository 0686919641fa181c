"""A fit on a Dask cluster under faults: clear errors for lost chunks, dead or paused workers.

Every round trip of a fit on a Dask array (:class:`~._layout_dask.DaskLayout`)
goes through :func:`compute` or :func:`wait`. Under ``dask.distributed`` they
turn the cluster's failures into a :class:`DaskFitError` that says what
happened and what to do:

- a worker died and chunks that Dask cannot recompute were lost (chunks
  placed with ``Client.scatter``): distributed's ``FutureCancelledError``
  ("lost dependencies") says neither;
- workers died again and again running a task of the fit (``KilledWorker``),
  most often at their memory limit;
- no worker can run a task for :data:`STALL_TIMEOUT` seconds (every one
  paused above distributed's memory pause threshold, or none left): without
  this the fit would wait forever while nannies restart the workers.

Without a distributed client (dask's threaded scheduler) they are
``dask.compute`` and nothing else.
"""

import contextlib
import sys
import time

import dask

__all__ = ["STALL_TIMEOUT", "DaskFitError", "compute", "wait"]

STALL_TIMEOUT = 120.0
"""Seconds during which no worker can run a task (all paused, or none) before a
fit on a Dask cluster gives up with :class:`DaskFitError`."""

_POLL = 2.0  # seconds between looks at the workers while an evaluation is under way


class DaskFitError(RuntimeError):
    """A fit on a Dask cluster cannot go on: chunks lost, workers dead or paused."""


def _client():
    """The distributed client ``dask.compute`` would use now, or None."""
    if "distributed" not in sys.modules:  # never imported here: no client can exist
        return None
    from distributed import Client

    client = getattr(dask.base.get_scheduler(), "__self__", None)
    return client if isinstance(client, Client) else None


def _lost(exc):
    return DaskFitError(
        "A Dask worker died (or was restarted) during the fit, and chunks of X it held "
        "were lost that Dask cannot recompute: chunks placed with Client.scatter (or "
        f"other futures without a graph) exist nowhere else. (distributed: {exc}) Build "
        "X so that Dask can recompute a lost chunk, from a graph (for example "
        "dask.array.from_array(X, chunks=...).persist() or dask.array.from_zarr(...)) "
        "rather than Client.scatter; find why the worker died (its memory limit, say: "
        "see the workers' logs); and fit again."
    )


def _killed(exc):
    return DaskFitError(
        f"Dask workers died again and again while running a task of the fit ({exc}); "
        "most often they reach their memory limit holding their chunks of X. Give the "
        "workers more memory (memory_limit), use more workers or smaller chunks, and "
        "fit again."
    )


def _stalled(seconds, statuses):
    seen = ", ".join(f"{n} {s}" for s, n in sorted(_count(statuses).items())) or "no worker"
    return DaskFitError(
        f"The fit made no progress for {seconds:.0f} s: no Dask worker can run its tasks "
        f"({seen}). A worker pauses when its memory passes distributed's pause threshold "
        "(distributed.worker.memory.pause, a fraction of memory_limit) and is restarted "
        "by its nanny at the terminate threshold. Give the workers more memory "
        "(memory_limit), use more workers or hold less per worker (smaller chunks), and "
        "fit again."
    )


def _count(statuses):
    counts = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


@contextlib.contextmanager
def _translated():
    """Turn distributed's errors for lost chunks and dead workers into DaskFitError."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        yield
    except KilledWorker as exc:
        raise _killed(exc) from exc
    except CancelledError as exc:  # distributed's FutureCancelledError is one
        raise _lost(exc) from exc


def _worker_statuses(client):
    """The status of every worker (``"running"``, ``"paused"``, ...), as the scheduler sees it."""
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # distributed releases before n_workers
        info = client.scheduler_info()
    return [str(w.get("status", "running")) for w in info.get("workers", {}).values()]


class _Watch:
    """Raise :class:`DaskFitError` once no worker could run for :data:`STALL_TIMEOUT` s."""

    def __init__(self, client):
        self.client, self.since = client, None

    def check(self):
        statuses = _worker_statuses(self.client)
        if any(status == "running" for status in statuses):
            self.since = None
            return
        now = time.monotonic()
        self.since = now if self.since is None else self.since
        if now - self.since >= STALL_TIMEOUT:
            raise _stalled(now - self.since, statuses)


def _timeouts():
    from distributed import TimeoutError as DistributedTimeout

    return (TimeoutError, DistributedTimeout)


def compute(value):
    """``dask.compute(value)[0]``, with a cluster's faults as :class:`DaskFitError`.

    Parameters
    ----------
    value : dask collection or delayed

    Returns
    -------
    result : object

    Raises
    ------
    DaskFitError
        Under ``dask.distributed``, if chunks were lost for good, workers kept
        dying, or no worker could run for :data:`STALL_TIMEOUT` seconds.
    """
    client = _client()
    if client is None:
        return dask.compute(value)[0]
    future = client.compute(value)
    watch = _Watch(client)
    try:
        with _translated():
            while True:
                try:
                    return future.result(timeout=_POLL)
                except _timeouts():
                    watch.check()
    finally:
        if not future.done():
            future.cancel()
        future.release()


def wait(futures):
    """Wait until ``futures`` (distributed futures) are computed, watching the workers.

    Raises
    ------
    DaskFitError
        As :func:`compute`.
    """
    from distributed import wait as wait_all

    client = futures[0].client if futures else None
    watch = _Watch(client) if client is not None else None
    with _translated():
        while True:
            try:
                done, _ = wait_all(futures, timeout=_POLL)
            except _timeouts():
                watch.check()
                continue
            for future in done:
                if future.status == "error":
                    future.result()  # raises the task's error (translated above)
                elif future.status == "cancelled":
                    future.result()
            return
