"""Numba kernel: coordinate descent on the L1-penalized quadratic model of a step.

The proximal quasi-Newton solver of :mod:`skdigit.linear_model._solver_prox`
chooses each step ``D`` by minimizing the model

    q(D) = <G, D> + 1/2 vec(D)^T B vec(D) + l1 * ||W + D||_1     (weights only)

over a working set of coordinates, where ``G`` is the gradient of the smooth
part, ``W`` the current coefficients and ``B`` the compact limited-memory BFGS
matrix (Byrd, Nocedal & Schnabel 1994)

    B = gamma * (I_K (x) M) - U^T Q U,

with ``M`` a fixed ``(n_cols, n_cols)`` metric shared by every class (the
whitening metric of :mod:`skdigit.linear_model._preconditioner`), ``U`` of shape
``(2m, K * n_cols)`` and ``Q`` of shape ``(2m, 2m)``. The kernel receives
``U.T`` and ``(Q @ U).T`` (one contiguous row per coordinate) instead of ``U``
and ``Q``.

Everything is in rows form: row ``k`` of ``D``, ``W`` and ``G`` is ``[w_k, b_k]``
(``n_cols = n_features + fit_intercept``), flattened in C order as
``k * n_cols + j`` for the columns of ``U``. Columns ``j >= n_penalized`` (the
intercept) are not penalized and get a plain Newton step.

One coordinate update costs ``O(n_work_k + m)``, with ``n_work_k`` the number of
coordinates of its class in the working set: the kernel keeps ``DM = D @ M`` on
the working set (updated with part of one row of ``M``) and ``r = Q U vec(D)`` (updated with one column
of ``QU``), so that ``(B vec(D))_i = gamma * DM_i - U[:, i] . r``.

The part of a row of ``M`` on the working set is scattered over the row, and
reading it entry by entry keeps the compiler from vectorizing the update. The
kernel therefore first copies, for each class, the block ``M[J_k][:, J_k]`` of
its working-set columns ``J_k`` into one contiguous array, so that every update
is a contiguous ``axpy`` (same operations in the same order: the result is the
same to the bit). The copies take ``sum_k n_work_k**2`` floats, at most ``K``
times ``M``; above ``max_block`` floats the kernel updates ``D @ M`` on whole
rows of ``M`` instead (``n_cols`` entries per update, also contiguous).
:func:`skdigit.linear_model._cd_reference.cd_model_reference` is the plain NumPy
twin the tests compare this kernel with.
"""

import numpy as np
from numba import njit

MAX_BLOCK = 1 << 22
"""Largest number of floats (32 MiB) of the working-set blocks of ``M`` the kernel copies."""


@njit(cache=True, nogil=True)
def _class_segments(coords, n_cols):
    """Start and stop, in ``coords``, of the run of each coordinate's class."""
    n = coords.shape[0]
    start = np.empty(n, dtype=np.int64)
    stop = np.empty(n, dtype=np.int64)
    c = 0
    while c < n:
        k = coords[c] // n_cols
        e = c
        while e < n and coords[e] // n_cols == k:
            e += 1
        for cc in range(c, e):
            start[cc] = c
            stop[cc] = e
        c = e
    return start, stop


@njit(cache=True, nogil=True)
def _dot(x, y):
    """``x . y`` on contiguous slices, in four running sums (one sum would make
    every term wait for the previous one)."""
    n = x.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    l = 0
    while l + 4 <= n:
        s0 += x[l] * y[l]
        s1 += x[l + 1] * y[l + 1]
        s2 += x[l + 2] * y[l + 2]
        s3 += x[l + 3] * y[l + 3]
        l += 4
    while l < n:
        s0 += x[l] * y[l]
        l += 1
    return (s0 + s1) + (s2 + s3)


@njit(cache=True, nogil=True)
def _axpy(a, x, y):
    """``y += a * x`` on contiguous slices (the loop vectorizes; indexing into a
    larger array with computed indices does not)."""
    for l in range(x.shape[0]):
        y[l] += a * x[l]


@njit(cache=True, nogil=True)
def _coordinate_delta(d_old, w, a, inv_h, threshold):
    """Change of one coordinate of ``D`` to the minimizer of the model along it
    (``a`` the derivative of the smooth model in it, ``inv_h`` the inverse of
    its curvature, ``threshold`` ``l1 / h`` for a penalized coordinate and
    negative for an intercept)."""
    if threshold >= 0.0:
        current = w + d_old
        z = current - a * inv_h
        if z > threshold:
            return z - threshold - current
        if z < -threshold:
            return z + threshold - current
        return -current
    return -a * inv_h


@njit(cache=True, nogil=True)
def _coordinates(coords, n_cols, G, W, B_diag, l1, n_penalized):
    """What the sweeps read of each coordinate, in the order of ``coords``:
    its class row and column, ``G``, ``W``, ``1 / B_ii``, ``sqrt(B_ii)`` and
    the soft-threshold ``l1 / B_ii`` (-1 for an intercept). Computed once per
    call: divisions, square roots and the integer division that splits a flat
    index would otherwise be redone at every sweep."""
    n = coords.shape[0]
    rows = np.empty(n, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    g = np.empty(n)
    w = np.empty(n)
    inv_h = np.empty(n)
    sqrt_h = np.empty(n)
    threshold = np.empty(n)
    for c in range(n):
        i = coords[c]
        k = i // n_cols
        j = i - k * n_cols
        h = B_diag[i]
        rows[c], cols[c] = k, j
        g[c], w[c] = G[k, j], W[k, j]
        inv_h[c] = 1.0 / h
        sqrt_h[c] = np.sqrt(h)
        threshold[c] = l1 / h if j < n_penalized else -1.0
    return rows, cols, g, w, inv_h, sqrt_h, threshold


@njit(cache=True, nogil=True)
def cd_model(
    D, DM, r, W, G, M, gamma, U, QU, B_diag, l1, n_penalized, coords, max_sweeps,
    sweep_tol, max_block=MAX_BLOCK,
):
    """Cyclic coordinate descent on the model ``q``, in place.

    Parameters
    ----------
    D : ndarray of shape (K, n_cols)
        The step, updated in place (start from zeros or a previous step).
    DM : ndarray of shape (K, n_cols)
        ``D @ M`` on entry (on ``coords``), kept equal to it on ``coords``
        only: ``D`` is zero elsewhere and the rest is never read.
    r : ndarray of shape (2m,)
        ``QU @ D.ravel()`` on entry, kept equal to it.
    W, G : ndarray of shape (K, n_cols)
        Current coefficients and gradient of the smooth part.
    M : ndarray of shape (n_cols, n_cols)
        The metric (symmetric).
    gamma : float
        Scale of ``I_K (x) M`` in ``B``.
    U, QU : ndarray of shape (K * n_cols, 2m)
        The low-rank factors, transposed (one row per coordinate; ``m`` may
        be 0).
    B_diag : ndarray of shape (K * n_cols,)
        Diagonal of ``B``, positive on ``coords``.
    l1 : float
        Strength of the L1 term on columns ``0 .. n_penalized - 1``.
    n_penalized : int
        Number of penalized columns (``n_features``).
    coords : ndarray of int64
        Flat indices ``k * n_cols + j`` swept, in this order; those of one
        class must be contiguous (for example sorted). ``D`` must be zero
        outside them.
    max_sweeps : int
    sweep_tol : float
        Stop after a sweep whose largest ``|change| * sqrt(B_ii)`` is at most
        ``sweep_tol`` times the largest ``|D_i| * sqrt(B_ii)`` over ``coords``.
    max_block : int, default=MAX_BLOCK
        Most floats the contiguous copies of the working-set blocks of ``M``
        may take; above, ``D @ M`` is updated on whole rows of ``M``.

    Returns
    -------
    n_sweeps : int

    Notes
    -----
    Each coordinate is set to the exact minimizer of the model along it
    (Gauss-Seidel). Over-relaxing (steps of 1.5 times that) was measured on
    MNIST and needed more sweeps, not fewer.
    """
    n_cols = D.shape[1]
    n = coords.shape[0]
    start, stop = _class_segments(coords, n_cols)
    total = 0
    c = 0
    while c < n:
        total += (stop[c] - c) * (stop[c] - c)
        c = stop[c]
    if total > max_block:
        return _cd_rows(
            D, DM, r, W, G, M, gamma, U, QU, B_diag, l1, n_penalized, coords,
            max_sweeps, sweep_tol,
        )
    # blocks[offset[c] : offset[c] + stop[c] - start[c]] is row j of M on the
    # working-set columns of c's class, j the column of c
    offset = np.empty(n, dtype=np.int64)
    blocks = np.empty(total)
    base = 0
    c = 0
    while c < n:
        size = stop[c] - c
        k = coords[c] // n_cols
        for a in range(c, c + size):
            offset[a] = base + (a - c) * size
            ja = coords[a] - k * n_cols
            for b in range(c, c + size):
                blocks[offset[a] + b - c] = M[ja, coords[b] - k * n_cols]
        base += size * size
        c += size
    rows, cols, g, w, inv_h, sqrt_h, threshold = _coordinates(
        coords, n_cols, G, W, B_diag, l1, n_penalized
    )
    # D and D @ M on coords, in the order of coords
    d = np.empty(n)
    dm = np.empty(n)
    for a in range(n):
        d[a] = D[rows[a], cols[a]]
        dm[a] = DM[rows[a], cols[a]]
    n_sweeps = 0
    for _ in range(max_sweeps):
        n_sweeps += 1
        largest_change = 0.0
        largest_step = 0.0
        for c in range(n):
            i = coords[c]
            old = d[c]
            a = g[c] + (gamma * dm[c] - _dot(U[i], r))
            delta = _coordinate_delta(old, w[c], a, inv_h[c], threshold[c])
            if delta != 0.0:
                d[c] = old + delta
                size = stop[c] - start[c]
                _axpy(delta, blocks[offset[c]:offset[c] + size], dm[start[c]:stop[c]])
                _axpy(delta, QU[i], r)
            largest_change = max(largest_change, abs(delta) * sqrt_h[c])
            largest_step = max(largest_step, abs(d[c]) * sqrt_h[c])
        if largest_change <= sweep_tol * largest_step:
            break
    for a in range(n):
        D[rows[a], cols[a]] = d[a]
        DM[rows[a], cols[a]] = dm[a]
    return n_sweeps


@njit(cache=True, nogil=True)
def _cd_rows(
    D, DM, r, W, G, M, gamma, U, QU, B_diag, l1, n_penalized, coords, max_sweeps,
    sweep_tol,
):
    """:func:`cd_model` updating ``D @ M`` on whole rows (no copies of ``M``)."""
    rows, cols, g, w, inv_h, sqrt_h, threshold = _coordinates(
        coords, D.shape[1], G, W, B_diag, l1, n_penalized
    )
    n_sweeps = 0
    for _ in range(max_sweeps):
        n_sweeps += 1
        largest_change = 0.0
        largest_step = 0.0
        for c in range(coords.shape[0]):
            i = coords[c]
            k, j = rows[c], cols[c]
            old = D[k, j]
            a = g[c] + (gamma * DM[k, j] - _dot(U[i], r))
            delta = _coordinate_delta(old, w[c], a, inv_h[c], threshold[c])
            if delta != 0.0:
                D[k, j] = old + delta
                _axpy(delta, M[j], DM[k])
                _axpy(delta, QU[i], r)
            largest_change = max(largest_change, abs(delta) * sqrt_h[c])
            largest_step = max(largest_step, abs(D[k, j]) * sqrt_h[c])
        if largest_change <= sweep_tol * largest_step:
            break
    return n_sweeps


@njit(cache=True, nogil=True)
def cd_model_diagonal(
    D, DM, r, W, G, M, gamma, U, QU, B_diag, l1, n_penalized, coords, max_sweeps,
    sweep_tol,
):
    """:func:`cd_model` for a diagonal metric ``M``, on the working set's rows only.

    The model's coordinates are then coupled only through the low-rank term:
    one update costs ``O(m)`` (``D @ M`` is ``D * M``, one entry changes).
    Same parameters as :func:`cd_model` but ``M`` of shape ``(n_cols,)`` (the
    diagonal), and ``U``, ``QU`` of shape ``(n, 2m)`` and ``B_diag`` of shape
    ``(n,)`` holding only the rows of the ``n`` coordinates of ``coords``, in
    its order: memory in proportion to the working set, not to ``K *
    n_cols``. :func:`skdigit.linear_model._cd_reference.cd_model_reference`
    with ``np.diag(M)`` (and the full factors) is its NumPy twin.

    Returns
    -------
    n_sweeps : int
    """
    n_cols = D.shape[1]
    n = coords.shape[0]
    d = np.empty(n)
    dm = np.empty(n)
    m = np.empty(n)
    g = np.empty(n)
    w = np.empty(n)
    inv_h = np.empty(n)
    sqrt_h = np.empty(n)
    threshold = np.empty(n)
    rows = np.empty(n, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    for a in range(n):
        k = coords[a] // n_cols
        j = coords[a] - k * n_cols
        rows[a], cols[a] = k, j
        d[a] = D[k, j]
        dm[a] = DM[k, j]
        m[a] = M[j]
        g[a], w[a] = G[k, j], W[k, j]
        h = B_diag[a]
        inv_h[a] = 1.0 / h
        sqrt_h[a] = np.sqrt(h)
        threshold[a] = l1 / h if j < n_penalized else -1.0
    n_sweeps = 0
    for _ in range(max_sweeps):
        n_sweeps += 1
        largest_change = 0.0
        largest_step = 0.0
        for c in range(n):
            old = d[c]
            a = g[c] + (gamma * dm[c] - _dot(U[c], r))
            delta = _coordinate_delta(old, w[c], a, inv_h[c], threshold[c])
            if delta != 0.0:
                d[c] = old + delta
                dm[c] += delta * m[c]
                _axpy(delta, QU[c], r)
            largest_change = max(largest_change, abs(delta) * sqrt_h[c])
            largest_step = max(largest_step, abs(d[c]) * sqrt_h[c])
        if largest_change <= sweep_tol * largest_step:
            break
    for a in range(n):
        D[rows[a], cols[a]] = d[a]
        DM[rows[a], cols[a]] = dm[a]
    return n_sweeps
