"""A data layout for a Dask array: the kernels mapped over its row chunks.

:class:`DaskLayout` answers the two questions of every layout
(:mod:`._layouts`), :meth:`~DaskLayout.loss_gradient_sums` and
:meth:`~DaskLayout.moments`, as sums over rows; since sums add across row
chunks, it computes them chunk by chunk where the chunks live (each chunk with
the local layout of :func:`~._layouts.make_layout` and the same numba kernel
as a NumPy fit), then adds the partial sums in a tree. Only the coefficients
go out and only the sums come back (``n_rows_w x (n_features + 1)`` numbers):
one scheduler round trip per evaluation, and no solver knows the difference.

Where the chunks are held in memory (a persisted array, or NumPy chunks), the
local layouts are built once and held beside them (persisted: on the workers
under ``dask.distributed``); otherwise (a lazy graph, e.g. a zarr store read
with :func:`dask.array.from_zarr`), every evaluation streams the chunks from
their source and keeps none: a fit out of core.

Under ``dask.distributed``, the held chunks of one worker are read by one task
per worker thread (:func:`holder_groups`), each summing its chunks in turn,
rather than one task per chunk: the same kernels and the same data movement
(none), with a scheduler round trip that no longer grows with the number of
chunks. Elsewhere (dask's threaded scheduler, streamed chunks) there is one
task per chunk.

The same module holds the lazy predictions (:func:`predict_lazily`, by
:func:`dask.array.map_blocks`, and :func:`score`) and the lazy input checks of
``fit`` (:func:`check_fit_input`). It imports dask: it is imported only once an
input is known to be a Dask array. Its round trips go through
:mod:`._dask_faults`, which turns lost chunks and dead or paused workers into
a clear :class:`~._dask_faults.DaskFitError`.
"""

import contextlib
import sys
import threading
import uuid
from numbers import Integral

import dask
import dask.array as da
import numpy as np
from dask.core import flatten, istask
from sklearn.utils.validation import check_is_fitted

from ..utils._threads import _needs_lock
from ._dask_faults import compute, wait
from ._layouts import _Layout, make_layout

__all__ = ["DaskLayout", "check_fit_input", "holder_groups", "predict_lazily", "score"]

# Partial sums combined per task of the reduction tree: the depth is
# log_8(n_chunks) and each combine holds at most 8 gradients in memory.
TREE_FAN_IN = 8
# The coefficients travel inside every chunk task (no extra dependency to fetch
# before the kernels start) while all the copies together stay this small;
# beyond, they are one key that each worker fetches once.
EMBED_COEF_MAX_BYTES = 8 * 2**20
# numba's "workqueue" threading layer aborts on parallel kernels called from two
# threads at once (dask's threaded scheduler runs chunk tasks in a pool).
_CHUNK_LOCK = threading.Lock()


_NOT_FINITE = (
    "The Dask array X holds NaN or infinity (found during fit, which checks it "
    "lazily, chunk by chunk). Clean the data, e.g. X = dask.array.nan_to_num(X)."
)


def _kernel_guard():
    return _CHUNK_LOCK if _needs_lock() else contextlib.nullcontext()


def is_held(X):
    """Whether every chunk of ``X`` is data (NumPy, or a future on a worker), not a task."""
    graph = X.__dask_graph__()
    return not any(istask(graph[key]) for key in flatten(X.__dask_keys__()))


class _Rows:
    """One chunk's local layout with its labels and weights (``y`` may be None)."""

    def __init__(self, layout, y, sample_weight):
        self.layout, self.y, self.sample_weight = layout, y, sample_weight

    def __sizeof__(self):
        # the chunk's bytes (see _Layout.__sizeof__): tasks stay where it is
        return (object.__sizeof__(self) + sys.getsizeof(self.layout)
                + sum(getattr(a, "nbytes", 0) for a in (self.y, self.sample_weight)))


def _chunk_layout(block):
    with _kernel_guard():
        return make_layout(np.ascontiguousarray(block), n_threads=1)


def _chunk_sums(W, b, binary, *chunks):
    """``(loss_sum, grad_W_sum, grad_b_sum)`` of the chunks (``_Rows``), single-threaded.

    The chunks are summed in the order given (deterministic).
    """
    loss, grad_W, grad_b = 0.0, np.zeros_like(W), np.zeros_like(b)
    part_W, part_b = (np.empty_like(W), np.empty_like(b)) if len(chunks) > 1 else (grad_W, grad_b)
    for rows in chunks:
        with _kernel_guard():
            loss += rows.layout.loss_gradient_sums(
                rows.y, rows.sample_weight, W, b, part_W, part_b, binary, 1
            )
        if part_W is not grad_W:
            grad_W += part_W
            grad_b += part_b
    return loss, grad_W, grad_b


def _chunk_moments(*chunks):
    """The moments of the chunks (``_Rows``) added in the order given."""
    return _add_moments(*[rows.layout.moments(rows.sample_weight, n_threads=1)
                          for rows in chunks])


def _chunk_column_moments(*chunks):
    """The column moments of the chunks (``_Rows``) added in the order given."""
    return _add_moments(*[rows.layout.column_moments(rows.sample_weight)
                          for rows in chunks])


def _add_sums(*parts):
    loss, grad_W, grad_b = parts[0]
    grad_W, grad_b = grad_W.copy(), grad_b.copy()
    for part in parts[1:]:
        loss += part[0]
        grad_W += part[1]
        grad_b += part[2]
    return loss, grad_W, grad_b


def _add_moments(*parts):
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def tree_reduce(parts, combine, fan_in=TREE_FAN_IN):
    """One delayed value: ``parts`` combined ``fan_in`` at a time, in order (deterministic)."""
    combine = dask.delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [combine(*parts[i:i + fan_in]) for i in range(0, len(parts), fan_in)]
    return parts[0]


def holder_groups(rows):
    """The chunks' indices in groups, one task's worth each: ``list of list of int``.

    Under ``dask.distributed``, for ``rows`` held as futures: the chunks held
    by each worker, dealt in turn to as many groups as that worker has
    threads (a chunk held by several workers goes to the one with the fewest
    so far). A group's task depends only on chunks of its worker, so the
    scheduler runs it there and nothing moves. Otherwise (no ``distributed``
    client, lazy chunks, or a holder not known) one group per chunk.
    """
    singletons = [[i] for i in range(len(rows))]
    if "distributed" not in sys.modules:  # the only source of futures: never imported here
        return singletons
    from distributed import futures_of

    futures = [futures_of(r) for r in rows]
    if not futures or any(len(f) != 1 for f in futures):
        return singletons
    futures = [f[0] for f in futures]
    client = futures[0].client
    wait(futures)
    holders = client.who_has(futures)
    # Client.nthreads covers every worker (scheduler_info lists only the first
    # five in some releases of distributed)
    threads = client.nthreads()
    by_worker = {}
    for i, future in enumerate(futures):
        candidates = [w for w in holders.get(future.key, ()) if w in threads]
        if not candidates:
            return singletons
        worker = min(candidates, key=lambda w: (len(by_worker.get(w, ())), w))
        by_worker.setdefault(worker, []).append(i)
    groups = []
    for worker, indices in by_worker.items():
        n = max(1, min(threads[worker], len(indices)))
        groups.extend(indices[j::n] for j in range(n))
    return sorted(groups)


class DaskLayout(_Layout):
    """The row chunks of a Dask array, read by the kernels where they live.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features), float32 or float64
        Known chunk sizes; columns in one chunk (rechunked lazily otherwise).
        Held chunks (persisted, or NumPy) get their local layouts built once
        and persisted beside them; lazy chunks are streamed at every
        evaluation.

    Attributes
    ----------
    streams : bool
        Whether every evaluation reads the chunks from their source (``X`` not
        held in memory).
    bounds : ndarray of shape (n_chunks + 1,)
        Row offsets of the chunks.
    """

    name = "dask"

    def __init__(self, X):
        if any(np.isnan(c) for c in X.chunks[0]):
            raise ValueError(
                "X is a Dask array of unknown chunk sizes; call X.compute_chunk_sizes() "
                "(or build it with known chunks) before fit."
            )
        self.streams = not is_held(X)
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})
        self.X = X
        self.shape = X.shape
        self.dtype = X.dtype
        self.bounds = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(np.int64)
        blocks = list(X.to_delayed().ravel())
        parts = [dask.delayed(_chunk_layout, pure=True)(block) for block in blocks]
        self._layouts = parts if self.streams else list(dask.persist(*parts))
        # (y, sample_weight, [delayed _Rows], groups of their indices) of the last binding
        self._bound = None

    @property
    def n_chunks(self):
        return len(self._layouts)

    def _rows(self, y, sample_weight):
        """The chunks bound to ``y`` and ``sample_weight``, sent once per pair of arrays.

        The objective passes the same arrays at every evaluation; they are cut
        along the chunks of ``X`` and sent once (held with the local layouts).
        Returns the delayed ``_Rows`` and the groups of :func:`holder_groups`.
        """
        bound = self._bound
        if bound is not None and bound[1] is sample_weight and (y is None or bound[0] is y):
            return bound[2], bound[3]
        cuts = list(zip(self.bounds[:-1], self.bounds[1:]))
        ys = [None if y is None else np.ascontiguousarray(y[lo:hi], dtype=np.int64)
              for lo, hi in cuts]
        sws = [np.ascontiguousarray(sample_weight[lo:hi], dtype=np.float64) for lo, hi in cuts]
        make_rows = dask.delayed(_Rows, pure=True)
        if self.streams:  # held on their own, so that no evaluation sends them again
            token = uuid.uuid4().hex
            if y is not None:
                ys = list(dask.persist(*[dask.delayed(y_i, name=f"skdigit-y-{token}-{i}")
                                         for i, y_i in enumerate(ys)]))
            sws = list(dask.persist(*[dask.delayed(sw_i, name=f"skdigit-sw-{token}-{i}")
                                      for i, sw_i in enumerate(sws)]))
            rows = [make_rows(*args) for args in zip(self._layouts, ys, sws)]
        else:
            # The pieces travel inside the tasks that bind them to the held
            # layouts (16 bytes a row): each task's one dependency is its
            # chunk's layout, so it runs where that chunk is held.
            rows = list(dask.persist(*[make_rows(*args) for args in zip(self._layouts, ys, sws)]))
        groups = [[i] for i in range(len(rows))] if self.streams else holder_groups(rows)
        self._bound = (y, sample_weight, rows, groups)
        return rows, groups

    def loss_gradient_sums(self, y, sample_weight, W, b, grad_W, grad_b, binary, n_threads):
        """Weighted loss sum; writes the gradient sums into ``grad_W``, ``grad_b``.

        The arguments are those of
        :meth:`~skdigit.linear_model._layouts.DenseLayout.loss_gradient_sums`.
        ``W`` and ``b`` go out with the chunk tasks (as one key each when
        copies would pass :data:`EMBED_COEF_MAX_BYTES`), every task (a chunk,
        or a worker thread's chunks, see :func:`holder_groups`) runs
        single-threaded (the parallelism is over tasks, so ``n_threads`` is not
        used), and the partial sums come back reduced.

        Raises
        ------
        ValueError
            If the loss is not finite at finite coefficients: ``X`` (checked
            lazily, chunk by chunk) holds NaN or infinity. :meth:`moments`
            raises the same.
        DaskFitError
            Under ``dask.distributed``, if chunks that Dask cannot recompute
            were lost with a worker, workers kept dying, or none could run for
            :data:`~._dask_faults.STALL_TIMEOUT` seconds (see
            :mod:`._dask_faults`). :meth:`moments` raises the same.
        """
        rows, groups = self._rows(y, sample_weight)
        W_d, b_d = np.array(W), np.array(b)
        if len(groups) * (W.nbytes + b.nbytes) > EMBED_COEF_MAX_BYTES:
            token = uuid.uuid4().hex  # one key each, fetched once per worker
            W_d = dask.delayed(W_d, name=f"skdigit-W-{token}")
            b_d = dask.delayed(b_d, name=f"skdigit-b-{token}")
        # pure=False: fresh keys, even when a line search evaluates a point again
        chunk_sums = dask.delayed(_chunk_sums, pure=False)
        parts = [chunk_sums(W_d, b_d, binary, *[rows[i] for i in g]) for g in groups]
        loss, gW, gb = compute(tree_reduce(parts, _add_sums))
        grad_W[...] = gW
        grad_b[...] = gb
        if not np.isfinite(loss) and np.isfinite(W).all() and np.isfinite(b).all():
            raise ValueError(_NOT_FINITE)
        return loss

    def moments(self, sample_weight, *, n_threads=1):
        """Weighted moments of the rows (:class:`~._layouts.Moments`), summed over chunks."""
        rows, groups = self._rows(None, sample_weight)
        chunk_moments = dask.delayed(_chunk_moments, pure=True)
        parts = [chunk_moments(*[rows[i] for i in g]) for g in groups]
        moments = compute(tree_reduce(parts, _add_moments))
        if not np.isfinite(moments.first).all():
            raise ValueError(_NOT_FINITE)
        return moments

    def column_moments(self, sample_weight):
        """The diagonal of :meth:`moments` (:class:`~._layouts.ColumnMoments`)."""
        rows, groups = self._rows(None, sample_weight)
        chunk_moments = dask.delayed(_chunk_column_moments, pure=True)
        parts = [chunk_moments(*[rows[i] for i in g]) for g in groups]
        moments = compute(tree_reduce(parts, _add_moments))
        if not np.isfinite(moments.first).all():
            raise ValueError(_NOT_FINITE)
        return moments

    def __repr__(self):
        mode = "streamed" if self.streams else "held"
        return (f"DaskLayout(shape={self.shape}, dtype={self.dtype}, "
                f"n_chunks={self.n_chunks}, {mode})")


# --- fit's input checks, lazily ------------------------------------------------


def _to_numpy_vector(v, name, n_samples):
    """A small per-sample vector (NumPy, list or Dask array) as NumPy, checked."""
    v = v.compute() if hasattr(v, "__dask_graph__") else v
    v = np.asarray(v)
    if v.ndim == 2 and v.shape[1] == 1:
        v = v.ravel()
    if v.ndim != 1 or v.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have shape ({n_samples},) like the rows of X, got {v.shape}."
        )
    return v


def _check_array(X):
    if not hasattr(X, "chunks"):  # a Dask DataFrame or another collection
        raise TypeError(
            f"Expected a Dask array, got a {type(X).__name__}. Convert it first, e.g. "
            "X.to_dask_array(lengths=True) for a Dask DataFrame."
        )


def check_fit_input(estimator, X, y, sample_weight):
    """``(X, y, sample_weight)`` for ``fit`` on a Dask array ``X``, without computing ``X``.

    ``X`` is checked lazily (2-D, known chunks, at least one sample and
    feature; float32 and float64 kept, other numeric dtypes cast lazily to
    float64); non-finite values are caught during the fit. ``y`` and
    ``sample_weight`` (NumPy or Dask) are one number per sample: they are
    brought to the client as NumPy (8 bytes a row, against ``X``'s
    ``n_features`` values). Sets ``n_features_in_``.
    """
    _check_array(X)
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D Dask array X of shape (n_samples, n_features), got {X.ndim}-D "
            f"with shape {X.shape}. Reshape it, e.g. X.reshape(len(X), -1) for images."
        )
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"X must hold real numbers, got dtype {X.dtype}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    n_samples, n_features = X.shape
    if not isinstance(n_samples, Integral) or np.isnan(n_samples):
        raise ValueError(
            "X is a Dask array of unknown length; call X.compute_chunk_sizes() before fit."
        )
    if n_samples < 1 or n_features < 1:
        raise ValueError(f"X of shape {X.shape} holds no sample or no feature.")
    y = _to_numpy_vector(y, "y", n_samples)
    if sample_weight is not None and not np.isscalar(sample_weight):
        sample_weight = _to_numpy_vector(sample_weight, "sample_weight", n_samples)
    # fit resets what validate_data(reset=True) would set
    estimator.n_features_in_ = n_features
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return X, y, sample_weight


# --- predictions, lazily -------------------------------------------------------


def _check_predict_input(estimator, X):
    check_is_fitted(estimator)
    _check_array(X)
    if X.ndim != 2 or X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has shape {X.shape}, but {type(estimator).__name__} was fitted with "
            f"{estimator.n_features_in_} features: pass a 2-D array with that many columns."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X


def _apply(block, estimator, method):
    return getattr(estimator, method)(block)


def predict_lazily(estimator, X, method):
    """``estimator.<method>`` on each row chunk of a Dask ``X``: a lazy Dask array.

    ``method`` is ``"decision_function"``, ``"predict_proba"``,
    ``"predict_log_proba"`` or ``"predict"``; each chunk task calls the NumPy
    method (the fitted estimator, small, travels with the graph).
    """
    X = _check_predict_input(estimator, X)
    if method == "predict":
        dtype = estimator.classes_.dtype
    else:
        dtype = np.result_type(X.dtype, estimator.coef_.dtype)
    if method == "predict" or (method == "decision_function" and estimator.coef_.shape[0] == 1):
        return X.map_blocks(_apply, estimator, method, drop_axis=1, dtype=dtype,
                            meta=np.empty((0,), dtype))
    n_out = len(estimator.classes_)
    return X.map_blocks(_apply, estimator, method, chunks=(X.chunks[0], (n_out,)),
                        dtype=dtype, meta=np.empty((0, 0), dtype))


def score(estimator, X, y, sample_weight=None):
    """Mean accuracy on a Dask array ``X``, lazily: a 0-d Dask array (``float()`` computes it)."""
    labels = predict_lazily(estimator, X, "predict")
    if not hasattr(y, "__dask_graph__"):
        y = da.from_array(np.asarray(y), chunks=(labels.chunks[0],))
    correct = (labels == y).astype(np.float64)
    if sample_weight is None:
        return correct.mean()
    if not hasattr(sample_weight, "__dask_graph__"):
        sample_weight = da.from_array(np.asarray(sample_weight, dtype=np.float64),
                                      chunks=(labels.chunks[0],))
    return (correct * sample_weight).sum() / sample_weight.sum()
