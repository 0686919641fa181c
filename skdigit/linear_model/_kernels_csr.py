"""Numba kernels: fused, single-pass logistic loss and gradient on CSR rows.

Same contract as the dense kernel of :mod:`skdigit.linear_model._kernels`
(weighted *sum* of the pointwise log-losses returned, gradient sums written
into ``grad_W`` / ``grad_b``, no L2 term, ``y`` int64 class indices, float64
accumulation, ``n_chunks`` contiguous row chunks with their own accumulators
summed in chunk order: deterministic for a fixed ``n_chunks``), with ``W`` and
``grad_W`` of shape ``(n_rows_w, n_features)``. X arrives as CSR arrays
``(data, indices, indptr)``: a user's ``scipy.sparse`` matrix as it is, or the
compact copy of a dense ``X`` that :func:`pack_dense_csr` builds once per fit
(digit images are mostly zeros: the copy is a fraction of the bytes of a
float32 ``X``, and a pass over it skips the arithmetic on the zeros).

Multinomial kernel (``3 <= K <= 16`` classes)
---------------------------------------------
A row's ``K`` logits live in two vector registers (:mod:`._simd`): classes 0-7
in an ``<8 x double>``, the rest in a vector of 2, 4 or 8 lanes, so a non-zero
``x_ij`` costs one broadcast and two vector FMAs in the logits pass and two
vector read-modify-writes in the gradient pass. The weights are repacked per
call (``K * n_features`` values) into that lane layout; padding lanes hold
weight 0 and intercept ``-inf``, so their probability is exactly 0 and they
never reach the loss or the gradient. Rows are processed in blocks of
``_ROW_BLOCK``: the logits of all rows of the block (four interleaved partial
sums per row hide the FMA latency), then each row's softmax (vector ``exp``,
one scalar ``log``), then the gradient scatter ``gW[j] += x_ij * r_i``: keeping
the weight reads and the gradient updates in separate phases keeps each one's
working set in L1 (faster than alternating per row: ``benchmarks/``). More than 16
classes use a scalar kernel: by rows, or, on data with fewer rows than
features, by columns on a CSC copy of ``X`` (:func:`_multinomial_by_columns`:
what it reads at random is ``n_samples x K``, not the weights; 25% faster on
20,000 x 100,000 with 20 classes).

Binomial kernel: one weight vector, scalar, four partial sums per row.

Preconditions, not checked inside the kernels (their loads do no bounds
checking, for speed): column indices in ``[0, n_features)``, ``indptr``
non-decreasing from 0 to at most ``len(data)``, ``y`` in ``[0, n_rows_w)`` ({0,
1} for the binomial loss), all arrays C-contiguous.
:class:`~skdigit.linear_model._layouts.CSRLayout` checks a user's CSR
matrix once (:func:`check_csr`) before any kernel sees it.

:mod:`skdigit.linear_model._kernels_reference` holds the NumPy reference the
tests compare these kernels against; rounding differs from the dense kernel's
(the order of the additions inside a row), about 1e-14 relative.
"""

import math

import numpy as np
from numba import get_num_threads, njit, prange

from ..utils._threads import row_ranges, run_parts
from ._kernels import _pointwise_residual, _sum_chunks
from ._simd import (
    ld,
    vadd,
    vexp,
    vfma,
    vget,
    vhmax,
    vhsum,
    vload,
    vscale,
    vset,
    vshift,
    vsplat,
    vstore,
)

# Reassociation and contraction only; no flag that changes inf/nan semantics
# (the padding lanes rely on -inf).
_FASTMATH = {"reassoc", "contract"}
_ROW_BLOCK = 128  # rows per logits / softmax / gradient phase
_LA = 8  # lanes of the first class vector (classes 0-7)


@njit(nogil=True, cache=True)
def _aligned_view(buf, n):
    """A 64-byte aligned view of ``n`` elements of ``buf`` (8 spare elements)."""
    off = ((-buf.ctypes.data) % 64) // 8
    return buf[off:off + n]


@njit(nogil=True, fastmath=_FASTMATH, cache=True)
def _softmax_residual(za, zb, y_i, w_i, has_tail):
    """Loss and weighted residual of one row from its logits ``(za, zb)``.

    ``za`` holds classes 0-7, ``zb`` the following ones (ignored unless
    ``has_tail``); padding lanes hold ``-inf``. Returns ``(loss, ra, rb)`` with
    ``r_k = w_i * (softmax(z)_k - [k == y_i])``.
    """
    zmax = vhmax(za)
    if has_tail:
        zmax = max(zmax, vhmax(zb))
    ea = vexp(vshift(za, -zmax))
    eb = vexp(vshift(zb, -zmax))
    total = vhsum(ea)
    if has_tail:
        total += vhsum(eb)
    if y_i < _LA:
        z_y = vget(za, y_i)
    else:
        z_y = vget(zb, y_i - _LA)
    loss = w_i * (zmax + math.log(total) - z_y)
    s = w_i / total
    ra = vscale(ea, s)
    rb = vscale(eb, s)
    if y_i < _LA:
        ra = vset(ra, y_i, vget(ra, y_i) - w_i)
    else:
        rb = vset(rb, y_i - _LA, vget(rb, y_i - _LA) - w_i)
    return loss, ra, rb


def _make_multinomial_csr(tail):
    """The multinomial kernel for ``8 + tail`` padded classes, tail in {0, 2, 4, 8}.

    ``lb`` (the width of the second class vector, at least 2) and ``has_tail``
    are closure constants: the unused second vector of ``tail == 0`` compiles
    away, and the lane counts are literals as the SIMD intrinsics require.
    """
    lb = max(tail, 2)
    has_tail = tail > 0

    @njit(nogil=True, cache=True)
    def pack_weights(W, b):
        K, n_features = W.shape
        # ---- repack the weights: WA (n_features, 8) aligned, WB (n_features, lb);
        # padding lanes: weight 0, intercept -inf
        WA = _aligned_view(np.zeros(n_features * _LA + 8), n_features * _LA)
        WB = np.zeros(n_features * lb)
        ba_arr = np.full(_LA, -np.inf)
        bb_arr = np.full(lb, -np.inf)
        for k in range(K):
            if k < _LA:
                ba_arr[k] = b[k]
                for j in range(n_features):
                    WA[j * _LA + k] = W[k, j]
            else:
                bb_arr[k - _LA] = b[k]
                for j in range(n_features):
                    WB[j * lb + k - _LA] = W[k, j]
        return WA, WB, ba_arr, bb_arr

    @njit(nogil=True, fastmath=_FASTMATH, cache=True)
    def chunk_sums(data, indices, indptr, y, sample_weight, WA, WB, ba_arr, bb_arr,
                   n_features, acc_A, gB, acc_bc, start, stop):
        """Loss of the rows ``start:stop``; their gradient sums into the buffers."""
        gA = _aligned_view(acc_A, n_features * _LA)
        ZA = np.empty(_ROW_BLOCK * _LA)  # logits, then residuals, of a row block
        ZB = np.empty(_ROW_BLOCK * lb)
        ba = vload(ba_arr, 0, _LA)
        bb = vload(bb_arr, 0, lb)
        gba = vsplat(0.0, _LA)
        gbb = vsplat(0.0, lb)
        loss = 0.0
        for i0 in range(start, stop, _ROW_BLOCK):
            nb = min(_ROW_BLOCK, stop - i0)
            # ---- logits of the block's rows
            for r in range(nb):
                # four interleaved partial sums hide the FMA latency
                p = ld(indptr, i0 + r)
                p1 = ld(indptr, i0 + r + 1)
                a0 = ba
                a1 = bb
                c0 = vsplat(0.0, _LA)
                c1 = vsplat(0.0, lb)
                d0 = vsplat(0.0, _LA)
                d1 = vsplat(0.0, lb)
                e0 = vsplat(0.0, _LA)
                e1 = vsplat(0.0, lb)
                while p + 3 < p1:
                    j = ld(indices, p)
                    v = ld(data, p)
                    a0 = vfma(vsplat(v, _LA), vload(WA, j * _LA, _LA), a0)
                    if has_tail:
                        a1 = vfma(vsplat(v, lb), vload(WB, j * lb, lb), a1)
                    j = ld(indices, p + 1)
                    v = ld(data, p + 1)
                    c0 = vfma(vsplat(v, _LA), vload(WA, j * _LA, _LA), c0)
                    if has_tail:
                        c1 = vfma(vsplat(v, lb), vload(WB, j * lb, lb), c1)
                    j = ld(indices, p + 2)
                    v = ld(data, p + 2)
                    d0 = vfma(vsplat(v, _LA), vload(WA, j * _LA, _LA), d0)
                    if has_tail:
                        d1 = vfma(vsplat(v, lb), vload(WB, j * lb, lb), d1)
                    j = ld(indices, p + 3)
                    v = ld(data, p + 3)
                    e0 = vfma(vsplat(v, _LA), vload(WA, j * _LA, _LA), e0)
                    if has_tail:
                        e1 = vfma(vsplat(v, lb), vload(WB, j * lb, lb), e1)
                    p += 4
                while p < p1:
                    j = ld(indices, p)
                    v = ld(data, p)
                    a0 = vfma(vsplat(v, _LA), vload(WA, j * _LA, _LA), a0)
                    if has_tail:
                        a1 = vfma(vsplat(v, lb), vload(WB, j * lb, lb), a1)
                    p += 1
                vstore(ZA, r * _LA, vadd(vadd(a0, c0), vadd(d0, e0)))
                vstore(ZB, r * lb, vadd(vadd(a1, c1), vadd(d1, e1)))
            # ---- softmax: logits -> weighted residuals, in place
            for r in range(nb):
                loss_r, ra, rb = _softmax_residual(
                    vload(ZA, r * _LA, _LA), vload(ZB, r * lb, lb),
                    ld(y, i0 + r), ld(sample_weight, i0 + r), has_tail,
                )
                loss += loss_r
                gba = vadd(gba, ra)
                gbb = vadd(gbb, rb)
                vstore(ZA, r * _LA, ra)
                vstore(ZB, r * lb, rb)
            # ---- gradient: gW[j] += x_ij * r_i
            for r in range(nb):
                ra = vload(ZA, r * _LA, _LA)
                rb = vload(ZB, r * lb, lb)
                for p in range(ld(indptr, i0 + r), ld(indptr, i0 + r + 1)):
                    j = ld(indices, p)
                    v = ld(data, p)
                    vstore(gA, j * _LA, vfma(vsplat(v, _LA), ra, vload(gA, j * _LA, _LA)))
                    if has_tail:
                        vstore(gB, j * lb, vfma(vsplat(v, lb), rb, vload(gB, j * lb, lb)))
        vstore(acc_bc, 0, gba)
        vstore(acc_bc, _LA, gbb)
        return loss

    @njit(nogil=True, cache=True)
    def sum_chunks(accA, accB, acc_b, grad_W, grad_b):
        K, n_features = grad_W.shape
        n_chunks = accA.shape[0]
        # ---- sum the chunks in chunk order, back to the (K, n_features) layout
        for k in range(K):
            grad_b[k] = 0.0
            for j in range(n_features):
                grad_W[k, j] = 0.0
        for c in range(n_chunks):
            gA = _aligned_view(accA[c], n_features * _LA)
            for k in range(K):
                grad_b[k] += acc_b[c, k]
                if k < _LA:
                    for j in range(n_features):
                        grad_W[k, j] += gA[j * _LA + k]
                else:
                    for j in range(n_features):
                        grad_W[k, j] += accB[c, j * lb + k - _LA]

    def kernel(data, indices, indptr, y, sample_weight, W, b, grad_W, grad_b, n_chunks):
        # The chunks run in Python threads, the GIL released (run_parts): a
        # prange loop would cost seconds of compilation on a first run.
        n_features = W.shape[1]
        ranges = row_ranges(indptr.shape[0] - 1, n_chunks)
        WA, WB, ba_arr, bb_arr = pack_weights(W, b)
        accA = np.zeros((len(ranges), n_features * _LA + 8))
        accB = np.zeros((len(ranges), n_features * lb))
        acc_b = np.zeros((len(ranges), _LA + lb))
        losses = run_parts(chunk_sums, [
            (data, indices, indptr, y, sample_weight, WA, WB, ba_arr, bb_arr, n_features,
             accA[c], accB[c], acc_b[c], lo, hi)
            for c, (lo, hi) in enumerate(ranges)
        ])
        sum_chunks(accA, accB, acc_b, grad_W, grad_b)
        return float(np.sum(losses))

    kernel.chunk_sums = chunk_sums  # the compiled part (for the on-disk cache check)
    return kernel


_MULTINOMIAL_CSR = {tail: _make_multinomial_csr(tail) for tail in (0, 2, 4, 8)}


# ---------------------------------------------------------------------------
# Binomial kernel (one weight row) and the scalar fallback (K > 16)
# ---------------------------------------------------------------------------
@njit(nogil=True, fastmath=_FASTMATH, cache=True)
def _binomial_csr_chunk(data, indices, indptr, y, sample_weight, W, b, g, gb, start, stop):
    """Loss of the rows ``start:stop``; adds their gradient sums to ``g``, ``gb``."""
    w = W[0]
    z = np.empty(1)
    loss = 0.0
    for i in range(start, stop):
        s0 = b[0]
        s1 = 0.0
        s2 = 0.0
        s3 = 0.0
        p = ld(indptr, i)
        p1 = ld(indptr, i + 1)
        while p + 3 < p1:
            s0 += ld(data, p) * ld(w, ld(indices, p))
            s1 += ld(data, p + 1) * ld(w, ld(indices, p + 1))
            s2 += ld(data, p + 2) * ld(w, ld(indices, p + 2))
            s3 += ld(data, p + 3) * ld(w, ld(indices, p + 3))
            p += 4
        while p < p1:
            s0 += ld(data, p) * ld(w, ld(indices, p))
            p += 1
        z[0] = (s0 + s1) + (s2 + s3)
        loss += _pointwise_residual(z, ld(y, i), ld(sample_weight, i), True)
        r = z[0]
        gb[0] += r
        for q in range(ld(indptr, i), ld(indptr, i + 1)):
            j = ld(indices, q)
            g[j] += ld(data, q) * r
    return loss


def _binomial_csr(data, indices, indptr, y, sample_weight, W, b, grad_W, grad_b, n_chunks):
    # chunks in Python threads (run_parts), as the multinomial kernel
    ranges = row_ranges(indptr.shape[0] - 1, n_chunks)
    acc_W = np.zeros((len(ranges), 1, W.shape[1]))
    acc_b = np.zeros((len(ranges), 1))
    losses = run_parts(_binomial_csr_chunk, [
        (data, indices, indptr, y, sample_weight, W, b, acc_W[c, 0], acc_b[c], lo, hi)
        for c, (lo, hi) in enumerate(ranges)
    ])
    _sum_chunks(acc_W, grad_W)
    _sum_chunks(acc_b, grad_b)
    return float(np.sum(losses))


@njit(nogil=True, parallel=True, fastmath=_FASTMATH, cache=True)
def _multinomial_csr_generic(data, indices, indptr, y, sample_weight, W, b, grad_W, grad_b,
                             n_chunks):
    """Any number of classes (scalar loops over the classes; slow)."""
    n_samples = indptr.shape[0] - 1
    K, n_features = W.shape
    WT = np.ascontiguousarray(W.T)
    acc_W = np.zeros((n_chunks, n_features, K))
    acc_b = np.zeros((n_chunks, K))
    acc_loss = np.zeros(n_chunks)
    chunk = (n_samples + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * chunk
        stop = min(n_samples, start + chunk)
        gW = acc_W[c]
        gb = acc_b[c]
        z = np.empty(K)
        loss = 0.0
        for i in range(start, stop):
            z[:] = b
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                v = data[p]
                for k in range(K):
                    z[k] += v * WT[j, k]
            loss += _pointwise_residual(z, y[i], sample_weight[i], False)
            gb += z
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                v = data[p]
                for k in range(K):
                    gW[j, k] += v * z[k]
        acc_loss[c] = loss
    # the chunks' sums, in chunk order, written transposed: no third array of
    # the weights' size (16 MB on 100,000 features and 20 classes)
    for j in range(n_features):
        for k in range(K):
            total = acc_W[0, j, k]
            for c in range(1, n_chunks):
                total += acc_W[c, j, k]
            grad_W[k, j] = total
    _sum_chunks(acc_b, grad_b)
    return acc_loss.sum()


@njit(nogil=True, cache=True)
def _column_bounds(indptr, n_chunks):
    """``n_chunks + 1`` column boundaries splitting the non-zeros about evenly."""
    n_features = indptr.shape[0] - 1
    nnz = indptr[n_features]
    bounds = np.empty(n_chunks + 1, dtype=np.int64)
    bounds[0] = 0
    for c in range(1, n_chunks):
        j = np.searchsorted(indptr, (c * nnz) // n_chunks)
        bounds[c] = min(max(j, bounds[c - 1]), n_features)
    bounds[n_chunks] = n_features
    return bounds


@njit(nogil=True, parallel=True, fastmath=_FASTMATH, cache=True)
def _multinomial_by_columns(data, indices, indptr, y, sample_weight, W, b, grad_W, grad_b,
                            n_chunks):
    """Many classes, ``X`` by columns (CSC arrays: ``indptr`` over the features).

    Three passes: each chunk of columns adds ``x_ij W[:, j]`` into its own
    logits ``(n_samples, K)``, reading ``W`` once in order; each chunk of rows
    sums the chunks' logits (in chunk order), turns them into residuals;
    each chunk of columns then writes ``grad_W[:, j] = sum_i x_ij r_i``
    directly (a column belongs to one chunk: no gradient accumulators). The
    arrays read at random are the logits and residuals, ``n_samples x K``,
    not the weights: on wide data (many more features than rows) they stay
    in cache, where the row kernel's weight rows do not.
    """
    n_samples = y.shape[0]
    K = W.shape[0]
    bounds = _column_bounds(indptr, n_chunks)
    Zc = np.zeros((n_chunks, n_samples, K))
    for c in prange(n_chunks):
        Z = Zc[c]
        wj = np.empty(K)
        for j in range(bounds[c], bounds[c + 1]):
            p0 = indptr[j]
            p1 = indptr[j + 1]
            if p0 == p1:
                continue
            for k in range(K):
                wj[k] = W[k, j]
            for p in range(p0, p1):
                i = indices[p]
                v = data[p]
                for k in range(K):
                    Z[i, k] += v * wj[k]
    R = Zc[0]  # the residuals, written over chunk 0's logits row by row
    acc_b = np.zeros((n_chunks, K))
    acc_loss = np.zeros(n_chunks)
    rows = (n_samples + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        z = np.empty(K)
        gb = acc_b[c]
        loss = 0.0
        for i in range(c * rows, min(n_samples, (c + 1) * rows)):
            for k in range(K):
                total = Zc[0, i, k]
                for cc in range(1, n_chunks):
                    total += Zc[cc, i, k]
                z[k] = total + b[k]
            loss += _pointwise_residual(z, y[i], sample_weight[i], False)
            for k in range(K):
                gb[k] += z[k]
                R[i, k] = z[k]
        acc_loss[c] = loss
    for c in prange(n_chunks):
        g = np.empty(K)
        for j in range(bounds[c], bounds[c + 1]):
            g[:] = 0.0
            for p in range(indptr[j], indptr[j + 1]):
                i = indices[p]
                v = data[p]
                for k in range(K):
                    g[k] += v * R[i, k]
            for k in range(K):
                grad_W[k, j] = g[k]
    _sum_chunks(acc_b, grad_b)
    return acc_loss.sum()


def by_columns_pays(n_samples, n_features, n_classes, binary):
    """Whether the loss and gradient run on ``X`` by columns (:func:`_multinomial_by_columns`).

    For more than 16 classes (the scalar kernel's case) on data with fewer
    rows than features: its accumulators and the arrays it reads at random
    are ``n_samples x n_classes``, the row kernel's ``n_features x n_classes``.
    """
    return not binary and n_classes > _LA + 8 and n_samples < n_features


def logistic_loss_gradient_by_columns(data, indices, indptr, y, sample_weight, W, b,
                                      grad_W, grad_b, n_chunks):
    """:func:`logistic_loss_gradient_csr` (multinomial) with ``X`` given by columns.

    ``(data, indices, indptr)`` are CSC arrays: ``indptr`` of shape
    ``(n_features + 1,)``, ``indices`` row indices. Same contract and
    preconditions (row indices in ``[0, n_samples)``).
    """
    return _multinomial_by_columns(data, indices, indptr, y, sample_weight, W, b, grad_W,
                                   grad_b, n_chunks)


# ---------------------------------------------------------------------------
# The compact CSR copy of a dense X, built once per fit
# ---------------------------------------------------------------------------
def _index_dtype(n_features):
    return np.uint16 if n_features <= np.iinfo(np.uint16).max + 1 else np.int32


def _packed_nbytes(nnz, X):
    index_size = np.dtype(_index_dtype(X.shape[1])).itemsize
    return nnz * (X.dtype.itemsize + index_size) + 8 * (X.shape[0] + 1)


@njit(nogil=True, cache=True)
def _row_nnz(X, counts, lo, hi):
    """``counts[i]`` = number of non-zeros of row ``i``, for the rows ``lo:hi``."""
    for i in range(lo, hi):
        x = X[i]
        m = 0
        for j in range(x.shape[0]):
            m += 1 if x[j] != 0 else 0
        counts[i] = m


@njit(nogil=True, cache=True)
def _fill_rows(X, indptr, data, indices, lo, hi):
    """The CSR entries of the rows ``lo:hi`` of ``X`` (``indptr`` already known)."""
    n_cols = X.shape[1]
    # Branch-free compaction into a scratch row, then the exact number of
    # entries is copied out (never past the row's segment).
    buf_v = np.empty(n_cols + 1, dtype=data.dtype)
    buf_j = np.empty(n_cols + 1, dtype=indices.dtype)
    for i in range(lo, hi):
        p = indptr[i]
        m = indptr[i + 1] - p
        if m == 0:
            continue
        x = X[i]
        q = 0
        for j in range(n_cols):
            v = x[j]
            buf_v[q] = v
            buf_j[q] = j
            q += 1 if v != 0 else 0
        for t in range(m):  # a loop: a slice assignment compiles shape checks
            data[p + t] = buf_v[t]
            indices[p + t] = buf_j[t]


def pack_dense_csr(X, max_nbytes=None, n_threads=None):
    """CSR copy ``(data, indices, indptr)`` of the dense, C-contiguous ``X``.

    ``data`` keeps the dtype of ``X`` (exact: float64 stays float64),
    ``indices`` are ``uint16`` (``int32`` beyond 65536 features) and ``indptr``
    is int64.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    max_nbytes : float, default=None
        Build the copy only if it takes at most this many bytes (the count of
        non-zeros that decides it is the one the copy is built from).
    n_threads : int, default=None
        Row parts filled in parallel; ``None`` uses numba's thread count.

    Returns
    -------
    csr : tuple ``(data, indices, indptr)`` or None
        ``data`` and ``indices`` of shape (nnz,), ``indptr`` of shape
        (n_samples + 1,); None when the copy would exceed ``max_nbytes``.
    """
    n_samples, n_features = X.shape
    parts = row_ranges(n_samples, get_num_threads() if n_threads is None else n_threads)
    counts = np.empty(n_samples, dtype=np.int64)
    run_parts(_row_nnz, [(X, counts, lo, hi) for lo, hi in parts])
    indptr = np.zeros(n_samples + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    nnz = int(indptr[-1])
    if max_nbytes is not None and _packed_nbytes(nnz, X) > max_nbytes:
        return None
    data = np.empty(nnz, dtype=X.dtype)
    indices = np.empty(nnz, dtype=_index_dtype(n_features))
    run_parts(_fill_rows, [(X, indptr, data, indices, lo, hi) for lo, hi in parts])
    return data, indices, indptr


def check_csr(X):
    """Raise ``ValueError`` unless the CSR matrix ``X`` is safe for the kernels.

    The kernels read without bounds checks, so a malformed matrix (an index out
    of range, a decreasing ``indptr``) must be refused before they run.
    """
    try:
        X.check_format(full_check=True)
    except ValueError as exc:
        raise ValueError(
            f"X is a malformed CSR matrix ({exc}). Rebuild it with "
            "scipy.sparse.csr_matrix or csr_array."
        ) from exc


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
def logistic_loss_gradient_csr(
    data, indices, indptr, y, sample_weight, W, b, grad_W, grad_b, binary, n_chunks
):
    """Fused loss and gradient for CSR ``X`` given as ``(data, indices, indptr)``.

    Parameters
    ----------
    data : ndarray of shape (nnz,), float32 or float64
    indices : ndarray of shape (nnz,), uint16, int32 or int64
        Column indices, in any order within a row.
    indptr : ndarray of shape (n_samples + 1,), int32 or int64
    y : ndarray of shape (n_samples,), int64 class indices
    sample_weight : ndarray of shape (n_samples,), float64
    W : ndarray of shape (n_rows_w, n_features), float64
    b : ndarray of shape (n_rows_w,), float64
    grad_W : ndarray of shape (n_rows_w, n_features), float64, written
    grad_b : ndarray of shape (n_rows_w,), float64, written
    binary : bool
    n_chunks : int

    Returns
    -------
    loss : float
        Weighted sum of the pointwise losses.
    """
    if binary:
        kernel = _binomial_csr
    elif W.shape[0] > _LA + 8:
        kernel = _multinomial_csr_generic
    else:
        kernel = _MULTINOMIAL_CSR[_tail_lanes(W.shape[0])]
    return kernel(data, indices, indptr, y, sample_weight, W, b, grad_W, grad_b, n_chunks)


def _tail_lanes(n_classes):
    """Lanes of the second class vector for ``n_classes`` (0 when 8 or fewer)."""
    tail = n_classes - _LA
    return 0 if tail <= 0 else 2 if tail <= 2 else 4 if tail <= 4 else 8
