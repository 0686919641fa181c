"""Data layouts: where the rows of ``X`` live and how the kernels read them.

A layout binds the training data once and answers the two questions the rest
of the core asks of the data, as *sums over rows*:

- :meth:`loss_gradient_sums`: the weighted sum of the pointwise log-losses and
  of their gradients in ``W`` and ``b`` (one fused kernel pass);
- :meth:`moments`: the weighted second moments ``sum_i s_i x_i x_i^T``,
  ``sum_i s_i x_i`` and ``sum_i s_i`` (for the preconditioner);
- :meth:`column_moments`: only their diagonal ``sum_i s_i x_ij^2`` (for the
  diagonal metric of wide data: ``O(n_features)`` memory, one pass over the
  non-zeros).

Sums add across row chunks, so a layout of chunks held elsewhere (a Dask
array) can plug in with the same two methods, and no solver changes. No layout
adds a penalty or divides by the weights' sum: that is the objective's job
(:mod:`skdigit.linear_model._loss`).

Three layouts exist:

- :class:`DenseLayout`: a C-contiguous float32 or float64 ``X``, read by the
  dense kernel (:mod:`._kernels`);
- :class:`CSRLayout`: a user's CSR matrix, checked once and read as it is by
  the CSR kernels (:mod:`._kernels_csr`);
- :class:`PackedCSRLayout`: a compact CSR copy of a dense ``X`` (values in its
  dtype, 16-bit column indices), built once when it takes at most half of
  ``X``'s bytes, as digit images do (mostly zeros).

:func:`make_layout` picks one.
"""

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..utils._threads import kernel_threads
from ._kernels import logistic_loss_gradient_dense
from ._kernels_csr import (
    by_columns_pays,
    check_csr,
    logistic_loss_gradient_by_columns,
    logistic_loss_gradient_csr,
    pack_dense_csr,
)

__all__ = [
    "CSRLayout", "ColumnMoments", "DenseLayout", "Moments", "PackedCSRLayout", "is_dask_array", "make_layout"
]

# A dense X is copied to CSR when the copy takes at most this fraction of its
# bytes: about where the CSR kernel overtakes the dense one (benchmarks/).
PACK_MAX_FRACTION = 0.5
# Rows per BLAS call of the moments: about 4 MB of float32 per chunk, so that
# the densified, weighted copies stay small next to X, and at least 1024 rows,
# so that adding each block's n_features-square product into the float64 sums
# stays small next to the product itself.
_MOMENT_CHUNK_ELEMENTS = 2**20
_MOMENT_MIN_ROWS = 1024


@dataclass
class Moments:
    """Weighted moments of the rows: sums over rows, so they add across chunks.

    Attributes
    ----------
    second : ndarray of shape (n_features, n_features)
        ``sum_i s_i x_i x_i^T`` (float64; symmetric up to rounding).
    first : ndarray of shape (n_features,)
        ``sum_i s_i x_i``.
    total : float
        ``sum_i s_i``.
    """

    second: np.ndarray
    first: np.ndarray
    total: float
    # The (n_features + 1)-square buffer ``second`` is the top-left block of,
    # when the layout allocated one: gram() then fills it in place.
    _augmented: np.ndarray = None

    def __add__(self, other):
        return Moments(
            self.second + other.second, self.first + other.first, self.total + other.total
        )

    def gram(self, fit_intercept):
        """The normalized second-moment matrix of ``[x, 1]`` (``[x]`` without intercept).

        With intercept, built in place in the buffer the layout accumulated
        into when there is one: ``second`` is then scaled too (call once).

        Returns
        -------
        gram : ndarray of shape (n_features + fit_intercept, n_features + fit_intercept)
            ``sum_i s_i x~_i x~_i^T / sum_i s_i``.
        """
        n_features = self.first.shape[0]
        dim = n_features + int(fit_intercept)
        if self._augmented is not None and fit_intercept:
            gram = self._augmented  # in place: no second copy of the matrix
            self._augmented = None
        else:
            gram = np.empty((dim, dim))
            gram[:n_features, :n_features] = self.second
        if fit_intercept:
            gram[n_features, :n_features] = self.first
            gram[:n_features, n_features] = self.first
            gram[n_features, n_features] = self.total
        gram /= self.total
        return gram


@dataclass
class ColumnMoments:
    """The diagonal of :class:`Moments`: sums over rows, so they add across chunks.

    Attributes
    ----------
    second : ndarray of shape (n_features,)
        ``sum_i s_i x_ij**2`` (float64).
    first : ndarray of shape (n_features,)
        ``sum_i s_i x_ij``.
    total : float
        ``sum_i s_i``.
    """

    second: np.ndarray
    first: np.ndarray
    total: float

    def __add__(self, other):
        return ColumnMoments(
            self.second + other.second, self.first + other.first, self.total + other.total
        )

    def diagonal(self, fit_intercept):
        """The diagonal of :meth:`Moments.gram`: ``sum_i s_i x~_ij**2 / sum_i s_i``.

        Returns
        -------
        diagonal : ndarray of shape (n_features + fit_intercept,)
        """
        diagonal = self.second / self.total
        return np.append(diagonal, 1.0) if fit_intercept else diagonal


def _column_moments_dense(rows, n_samples, n_features, sample_weight):
    """:class:`ColumnMoments` of dense blocks ``rows(lo, hi)``, in float64."""
    chunk_rows = max(1, _MOMENT_CHUNK_ELEMENTS // max(n_features, 1))
    second, first = np.zeros(n_features), np.zeros(n_features)
    for lo in range(0, n_samples, chunk_rows):
        hi = min(n_samples, lo + chunk_rows)
        block = np.array(rows(lo, hi), dtype=np.float64)  # a copy: squared in place
        weights = sample_weight[lo:hi]
        first += weights @ block
        np.multiply(block, block, out=block)
        second += weights @ block
    return ColumnMoments(second, first, float(sample_weight.sum()))


def _column_moments_csr(data, indices, indptr, n_features, sample_weight):
    """:class:`ColumnMoments` of CSR arrays, in float64, without densifying."""
    weights = np.repeat(sample_weight, np.diff(indptr))
    values = np.asarray(data, dtype=np.float64)
    indices = np.asarray(indices, dtype=np.intp)
    first = np.bincount(indices, weights=weights * values, minlength=n_features)
    second = np.bincount(indices, weights=weights * values * values, minlength=n_features)
    return ColumnMoments(second, first, float(sample_weight.sum()))


# The float32 product of a block of the moments is taken as it is unless it
# overflowed or a non-zero column's weighted squares sum below the first of
# these (subnormal or lost): then the block's columns are scaled by powers of
# two before the product and the float64 sums scaled back (features of
# magnitude 1e20 square to 1e40, beyond float32's 3.4e38).
_FLOAT32_SAFE = (2.0**-100, 2.0**100)


def _power_of_two_scale(values):
    """Powers of two near ``values`` (1 where a value is 0 or not finite)."""
    with np.errstate(divide="ignore"):
        exponent = np.ceil(np.log2(values))
    return np.exp2(np.where(np.isfinite(exponent), exponent, 0.0))


def _accumulate_moments(rows, sample_weight, start, stop, chunk_rows, second, first):
    """Add the moments of rows ``start:stop`` to ``second`` and ``first``.

    ``rows(lo, hi)`` returns a dense block; float32 products by BLAS, float64
    sums. With non-negative weights (always, but for a user's negative
    ``sample_weight``) the block is scaled by the square roots of the weights
    and multiplied by its own transpose, which NumPy hands to BLAS's
    symmetric rank-k update (``syrk``: half the work of a general product);
    otherwise by a general product with the weighted block. The scaled block
    and the product go into buffers allocated once: where the allocator
    returns freed memory to the system at once (Dask's workers set
    ``MALLOC_TRIM_THRESHOLD_``), a fresh ``n_features``-square product per
    block would be paged in again every time.
    """
    n_features = second.shape[0]
    symmetric = not (sample_weight[start:stop] < 0).any()
    scaled = np.empty((min(chunk_rows, stop - start), n_features), dtype=np.float32)
    product = np.empty((n_features, n_features), dtype=np.float32)
    for lo in range(start, stop, chunk_rows):
        hi = min(stop, lo + chunk_rows)
        block = rows(lo, hi)
        chunk = np.asarray(block, dtype=np.float32)
        weights = sample_weight[lo:hi].astype(np.float32)
        part = scaled[:hi - lo]
        if symmetric:
            np.multiply(chunk, np.sqrt(weights)[:, None], out=part)
            np.matmul(part.T, part, out=product)
        else:
            np.multiply(chunk, weights[:, None], out=part)
            np.matmul(part.T, chunk, out=product)
        first_part = weights @ chunk
        if _float32_failed(product, first_part):
            _accumulate_scaled(block, sample_weight[lo:hi], symmetric, second, first)
            continue
        second += product
        first += first_part


def _float32_failed(product, first_part):
    """Whether a block's float32 moments overflowed or underflowed (checks in O(n_features)).

    The diagonal of the product (sums of weighted squares) bounds every other
    entry (Cauchy-Schwarz): when it is finite and not below ``2**-100`` where
    the column is not zero, no entry overflowed and none lost its precision
    to underflow. A block that the cast to float32 itself overflowed shows as
    a non-finite ``first_part``.
    """
    diagonal = product.diagonal()
    if not (np.isfinite(diagonal).all() and np.isfinite(first_part).all()):
        return True
    small = diagonal < _FLOAT32_SAFE[0]
    if not small.any():
        return False
    # a column whose squares underflowed though its weighted sum did not
    # (always-zero columns, the border pixels of digits, have both zero)
    return bool((first_part[small] != 0).any())


def _accumulate_scaled(chunk, weights, symmetric, second, first):
    """Add one block's moments, its columns and weights scaled by powers of two.

    For blocks whose float32 product would overflow or underflow: the product
    is taken on ``x_ij / c_j`` with weights ``s_i / w`` (each at most 1 in
    magnitude) and scaled back by ``w * c_i * c_j`` in float64.
    """
    chunk = np.asarray(chunk, dtype=np.float64)
    column = _power_of_two_scale(np.abs(chunk).max(axis=0))
    weight = float(_power_of_two_scale(np.abs(weights).max(initial=0.0)))
    block = (chunk / column).astype(np.float32)
    w = (weights / weight).astype(np.float32)
    if symmetric:
        part = block * np.sqrt(w)[:, None]
        product = part.T @ part
    else:
        product = (block * w[:, None]).T @ block
    second += product.astype(np.float64) * (weight * column[:, None] * column[None, :])
    first += (w.astype(np.float64) @ block.astype(np.float64)) * (weight * column)


def _moments(rows, n_samples, n_features, sample_weight, n_threads):
    """Moments of ``n_samples`` rows read by ``rows(lo, hi)``, in ``n_threads`` parts.

    The parts are contiguous row ranges computed by Python threads (BLAS
    releases the GIL; call with BLAS held at one thread) and summed in order:
    deterministic for a given ``n_threads``. Memory: the result plus one
    ``n_features``-square buffer per extra thread and one chunk per thread.
    """
    chunk_rows = max(_MOMENT_MIN_ROWS, _MOMENT_CHUNK_ELEMENTS // max(n_features, 1))
    n_parts = max(1, min(n_threads, n_samples // chunk_rows))
    bounds = np.linspace(0, n_samples, n_parts + 1).astype(int)
    # The first part accumulates straight into the top-left block of the
    # (n_features + 1)-square result, the others into their own buffers.
    augmented = np.zeros((n_features + 1, n_features + 1))
    parts = [(augmented[:n_features, :n_features], np.zeros(n_features))] + [
        (np.zeros((n_features, n_features)), np.zeros(n_features)) for _ in range(n_parts - 1)
    ]
    jobs = [
        (rows, sample_weight, bounds[p], bounds[p + 1], chunk_rows, *parts[p])
        for p in range(n_parts)
    ]
    if n_parts == 1:
        _accumulate_moments(*jobs[0])
    else:
        with ThreadPoolExecutor(n_parts) as pool:
            list(pool.map(lambda job: _accumulate_moments(*job), jobs))
    second, first = parts[0]
    for second_p, first_p in parts[1:]:
        second += second_p
        first += first_p
    del parts, jobs
    return Moments(second, first, float(sample_weight.sum()), augmented)


class _Layout:
    """What every layout has: shapes, dtype, and the two row sums."""

    name = "layout"

    @property
    def n_samples(self):
        return self.shape[0]

    @property
    def n_features(self):
        return self.shape[1]

    # The arrays the layout holds in memory (none for a layout of chunks held
    # elsewhere): what its size counts.
    held_arrays = ()

    def __sizeof__(self):
        # What dask.sizeof reads, so that a Dask scheduler keeps tasks beside a
        # chunk's layout rather than move it (it would count a bare object as
        # a few bytes).
        return object.__sizeof__(self) + sum(int(a.nbytes) for a in self.held_arrays)

    def reduced_precision(self):
        """A faster, float32-accurate variant of this layout, or None (the default)."""
        return None

    # Whether :meth:`sample_rows` gathers rows: layouts of a dense X in memory
    # (a sample of a few thousand rows is then at most X's size; a user's
    # sparse X would be densified, a Dask array's chunks are elsewhere).
    can_sample_rows = False

    def sample_rows(self, indices):
        """The rows ``indices`` (sorted) as a dense ndarray of shape ``(len(indices), n_features)``."""
        raise NotImplementedError(f"{type(self).__name__} does not gather rows")

    def moments(self, sample_weight, *, n_threads=1):
        """Weighted moments of the rows (:class:`Moments`)."""
        return _moments(
            self._dense_rows, self.n_samples, self.n_features, sample_weight, n_threads
        )

    def column_moments(self, sample_weight):
        """The diagonal of :meth:`moments` (:class:`ColumnMoments`), in float64."""
        return _column_moments_dense(
            self._dense_rows, self.n_samples, self.n_features, sample_weight
        )

    def __repr__(self):
        return f"{type(self).__name__}(shape={self.shape}, dtype={self.dtype})"


class DenseLayout(_Layout):
    """A dense, C-contiguous ``X`` read by the dense kernel.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
        C-contiguous; never written (read-only memory maps work).
    """

    name = "dense"
    products_dtype = np.dtype(np.float64)

    def __init__(self, X):
        self.X = X
        self.shape = X.shape
        self.dtype = X.dtype

    def reduced_precision(self):
        """This layout with the products in float32 for a float32 ``X`` (else None).

        Twice the SIMD lanes of the float64 products, for float32-accurate
        sums (the rounding of the products is about ``1e-7`` relative). Solvers
        use it far from the optimum, then check and finish with this layout
        (:func:`~._solvers._run_lbfgs`).
        """
        if self.dtype != np.float32:
            return None
        fast = DenseLayout(self.X)
        fast.products_dtype = np.dtype(np.float32)
        return fast

    held_arrays = property(lambda self: (self.X,))
    can_sample_rows = True

    def _dense_rows(self, lo, hi):
        return self.X[lo:hi]

    def sample_rows(self, indices):
        """The rows ``indices`` of ``X`` (a copy in its dtype)."""
        return self.X[indices]

    def loss_gradient_sums(self, y, sample_weight, W, b, grad_W, grad_b, binary, n_threads):
        """Weighted loss sum; writes the gradient sums into ``grad_W``, ``grad_b``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,), int64 class indices
        sample_weight : ndarray of shape (n_samples,), float64
        W : ndarray of shape (n_rows_w, n_features), float64, C-contiguous
        b : ndarray of shape (n_rows_w,), float64
        grad_W : ndarray of shape (n_rows_w, n_features), float64, written
        grad_b : ndarray of shape (n_rows_w,), float64, written
        binary : bool
        n_threads : int

        Returns
        -------
        loss_sum : float
        """
        # The kernel's products run in the dtype of the W it is given; its
        # parts run in Python threads (no numba team to size).
        W = np.ascontiguousarray(W, dtype=self.products_dtype)
        return logistic_loss_gradient_dense(
            self.X, y, sample_weight, W, b, grad_W, grad_b, binary, n_threads
        )


class _CSRArrays(_Layout):
    """A layout whose kernel input is CSR arrays ``(data, indices, indptr)``.

    With more than 16 classes on data with fewer rows than features
    (:func:`~._kernels_csr.by_columns_pays`), the kernel reads ``X`` by
    columns instead: a CSC copy of it, made on the first evaluation and kept
    (the bytes of the non-zeros again).
    """

    _columns = None
    _held_columns = property(lambda self: () if self._columns is None else self._columns)
    # a CSRLayout's csr are its X's
    held_arrays = property(lambda self: self.csr + self._held_columns)

    def by_columns(self):
        """``X`` as CSC arrays ``(data, indices, indptr)``, made once."""
        if self._columns is None:
            data, indices, indptr = self.csr
            X = sparse.csr_matrix((data, indices, indptr), shape=self.shape).tocsc()
            self._columns = (X.data, X.indices, X.indptr)
        return self._columns

    def loss_gradient_sums(self, y, sample_weight, W, b, grad_W, grad_b, binary, n_threads):
        """Weighted loss sum; writes the gradient sums (see :class:`DenseLayout`)."""
        with kernel_threads(n_threads):
            if by_columns_pays(self.n_samples, self.n_features, W.shape[0], binary):
                return logistic_loss_gradient_by_columns(
                    *self.by_columns(), y, sample_weight, W, b, grad_W, grad_b, n_threads
                )
            return logistic_loss_gradient_csr(
                *self.csr, y, sample_weight, W, b, grad_W, grad_b, binary, n_threads
            )


class CSRLayout(_CSRArrays):
    """A user's CSR matrix, read as it is by the CSR kernels.

    Parameters
    ----------
    X : scipy.sparse CSR matrix or array of shape (n_samples, n_features)
        float32 or float64. Checked once (:func:`check_csr`), since the kernels
        read without bounds checks; never copied.
    """

    name = "csr"

    def __init__(self, X):
        check_csr(X)
        self.X = X
        self.shape = X.shape
        self.dtype = X.dtype
        self.csr = (X.data, X.indices, X.indptr)

    def _dense_rows(self, lo, hi):
        return self.X[lo:hi].toarray()

    def column_moments(self, sample_weight):
        """The diagonal of :meth:`moments` (:class:`ColumnMoments`), from the non-zeros."""
        return _column_moments_csr(*self.csr, self.n_features, sample_weight)


class PackedCSRLayout(_CSRArrays):
    """The compact CSR copy of a dense ``X`` (:func:`pack_dense_csr`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
        The dense data (kept for the moments, read by BLAS).
    csr : tuple of ndarray
        ``(data, indices, indptr)`` of ``X``: values in its dtype, ``uint16``
        column indices (``int32`` beyond 65536 features), int64 ``indptr``.
    """

    name = "packed-csr"

    def __init__(self, X, csr):
        self.X = X
        self.shape = X.shape
        self.dtype = X.dtype
        self.csr = csr

    held_arrays = property(lambda self: (self.X, *self.csr, *self._held_columns))
    can_sample_rows = True

    def _dense_rows(self, lo, hi):
        return self.X[lo:hi]

    def sample_rows(self, indices):
        """The rows ``indices`` of the dense ``X`` (a copy in its dtype)."""
        return self.X[indices]


def is_dask_array(X):
    """Whether ``X`` is a Dask array, known without importing dask."""
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "__dask_graph__")


def lazy_on_dask(method):
    """Decorate a prediction method ``method(self, X)``: on a Dask ``X``, a lazy Dask array.

    Each row chunk runs the NumPy method (``_layout_dask.predict_lazily``);
    dask is imported only then.
    """

    @functools.wraps(method)
    def wrapper(self, X):
        if is_dask_array(X):
            from ._layout_dask import predict_lazily

            return predict_lazily(self, X, method.__name__)
        return method(self, X)

    return wrapper


def make_layout(X, *, n_threads=1):
    """The layout for ``X``: CSR as given, packed CSR when sparse enough, else dense.

    A Dask array gets a :class:`~._layout_dask.DaskLayout` (the local layouts
    of its row chunks, made by this function where the chunks live).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        float32 or float64; a dense ``X`` must be C-contiguous, a sparse one CSR.
    n_threads : int, default=1
        Threads packing a dense ``X``.

    Returns
    -------
    layout : DenseLayout, CSRLayout, PackedCSRLayout or DaskLayout
    """
    if is_dask_array(X):
        from ._layout_dask import DaskLayout

        return DaskLayout(X)
    if sparse.issparse(X):
        return CSRLayout(X)
    csr = pack_dense_csr(X, max_nbytes=PACK_MAX_FRACTION * X.nbytes, n_threads=n_threads)
    return DenseLayout(X) if csr is None else PackedCSRLayout(X, csr)
