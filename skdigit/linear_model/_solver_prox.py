"""Proximal quasi-Newton solver for L1 and elastic-net penalties.

The objective is ``F(W, b) = f(W, b) + l1 * ||W||_1`` with ``f`` the smooth
part (the weighted mean log-loss plus ``l2 / 2 * ||W||_F^2``) and the
intercept ``b`` never penalized. Each iteration

1. builds the quadratic model of ``f`` at the current point with the compact
   limited-memory BFGS matrix (Byrd, Nocedal & Schnabel 1994)
   ``B = gamma * (I_K (x) M) - U^T Q U``, whose initial matrix is the whitening
   metric ``M = curvature * A + l2 * I`` of
   :mod:`skdigit.linear_model._preconditioner` (``A`` the normalized weighted
   second-moment matrix of ``[x, 1]``), the same for
   every class: the metric in which L-BFGS converges fast on the L2 problem;
2. minimizes the model plus ``l1 * ||W + D||_1`` over a working set (the
   non-zero weights, the zero weights that violate the optimality condition
   the most, the intercepts) by coordinate descent
   (:func:`skdigit.linear_model._cd_kernels.cd_model`): soft-thresholding gives
   exact zeros. It starts from a Newton step on the face of the orthant of
   the signs of ``W`` (:func:`face_newton`), which solves most of the model
   in one linear solve: few signs change from one iteration to the next;
3. backtracks along the step ``D`` until the sufficient decrease
   ``F(x + t D) <= F(x) + sigma * t * Delta``, with
   ``Delta = <G, D> + l1 * (||W + D||_1 - ||W||_1)`` (Lee, Sun & Saunders 2014).

Stopping rule (the L2 rule ``max |gradient| <= tol`` extended to the
non-smooth objective, :meth:`LogisticObjective.optimality`): the largest
absolute entry of the minimum-norm subgradient of the mean-scaled objective is
at most ``tol``. For an intercept this is its gradient; for a weight ``w`` with
gradient ``g`` of the smooth part it is ``|g + l1 * sign(w)|`` when ``w != 0``
and ``max(|g| - l1, 0)`` when ``w == 0``. It is zero exactly at the minimizer.
The solver also stops, not converged, after ``max_iter`` iterations, when
five steps in a row decrease the objective by less than ``64 * eps``
relatively, or when rounding errors leave no descent direction.

References
----------
.. [1] J. D. Lee, Y. Sun and M. A. Saunders, "Proximal Newton-type methods for
   minimizing composite functions", SIAM J. Optim. 24(3), 2014.
.. [2] K. Scheinberg and X. Tang, "Practical inexact proximal quasi-Newton
   method with global complexity analysis", Math. Program. 160, 2016.
.. [3] R. H. Byrd, J. Nocedal and R. B. Schnabel, "Representations of
   quasi-Newton matrices and their use in limited memory methods", Math.
   Program. 63, 1994.
.. [4] G. Andrew and J. Gao, "Scalable training of L1-regularized log-linear
   models", ICML 2007.
"""

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

from ._cd_kernels import cd_model, cd_model_diagonal
from ._metric import DiagonalMetric
from ._preconditioner import Preconditioner
from ._solvers import Solver, SolverResult

__all__ = ["ProximalQN"]

CURVATURE = 0.01
"""The constant of the metric ``M`` (see :mod:`skdigit.linear_model._preconditioner`)."""
MEMORY = 10
"""Curvature pairs kept (at most; see :data:`WIDE_PAIRS_BYTES`)."""
WIDE_PAIRS_BYTES = 40 * 2**20
"""The most that the kept pairs' gradient changes (float32, ``K * n_dof`` each)
take with a diagonal metric, down to 3 pairs: on 100,000 features and 20
classes (shapes case 4) 5 pairs instead of 10, in the same 30 iterations, the
objective within 1e-6 relatively, the fit's peak 65 MB lower. Below about
1,000,000 weights (MNIST's, any of the usual shapes) all :data:`MEMORY`."""
# Curvature of the log-loss in the logits that the first step assumes: the
# bound of Böhning (1992) for the multinomial loss, 1/4 for the binomial one.
# With it, gamma * M bounds the Hessian of the data term (for l2 = 0), so the
# first step is accepted without backtracking.
_FIRST_CURVATURE = {True: 0.25, False: 0.5}
_ARMIJO = 1e-4
_MAX_BACKTRACKS = 30
# Iterations in a row that decrease the objective by less than 64 eps
# relatively before the solver gives up (near the optimum single ones happen).
_MAX_STALLED = 5
# A zero weight enters the working set when its violation |g| - l1 is at
# least this fraction of the largest one: fewer coordinates for coordinate
# descent (whose sweeps cost the square of the working set per class), and
# the others enter in later iterations as the largest violations shrink.
# Measured on MNIST (C=0.1): at 0.1 the same number of iterations as with every
# violator and half the coordinate-descent time for l1_ratio=0.5; at 0.5 too
# many iterations.
_VIOLATORS = 0.1
# Coordinate descent on the model: sweeps per iteration at most, and the
# relative change of the step below which it stops. The model must be solved
# well: with 5% instead of 1% the solver needs 1.5 times more iterations on
# MNIST, and each costs a pass over the data.
_MAX_SWEEPS = 100
_SWEEP_TOL = 0.01


class _Memory:
    """The last ``m`` curvature pairs ``(s, s @ M, y)``, flat, in three buffers.

    Preallocated ``(m, n)`` arrays written in turn (the oldest pair is
    overwritten): no list of vectors, no stacked copy of them per iteration.
    The small products ``s_i . y_j`` and ``s_i M s_j`` are kept by buffer row
    and updated for the new pair only (``O(m n)`` a push, not ``O(m^2 n)``).
    """

    def __init__(self, size, M):
        self.size = size
        self.M = M
        self._buffers = None
        self._SY = np.zeros((size, size))
        self._SMS = np.zeros((size, size))
        self.clear()

    def __len__(self):
        return len(self.order)

    def _position(self):
        """The buffer row the next pair goes to (the oldest pair's when full)."""
        if len(self.order) < self.size:
            return len(self.order)
        return self.order.pop(0)

    def push(self, s, y):
        if self._buffers is None:
            self._buffers = np.empty((3, self.size, s.size))
        position = self._position()
        for buffer, vector in zip(self._buffers, (s, _times_metric(s, self.M), y)):
            buffer[position] = vector.ravel()
        self.order.append(position)
        filled = len(self.order)
        S, SM, Y = (buffer[:filled] for buffer in self._buffers)
        self._SY[position, :filled] = Y @ S[position]
        self._SY[:filled, position] = S @ Y[position]
        self._SMS[position, :filled] = self._SMS[:filled, position] = SM @ S[position]
        return True

    def clear(self):
        self.order = []  # buffer rows, oldest first

    def _rows(self, order, coords):
        """``(S M)[order]`` and ``Y[order]``, each ``(m, n)``, or their columns on ``coords``."""
        _, SM, Y = self._buffers
        if coords is None:
            return SM[order], Y[order]
        return SM[np.ix_(order, coords)], Y[np.ix_(order, coords)]

    def factors(self, gamma, n, coords=None):
        """``U.T`` and ``(Q U).T``, each ``(n, 2m)``, of the compact form
        ``B = gamma * (I (x) M) - U^T Q U`` (Byrd, Nocedal & Schnabel, eq. 2.17),
        and ``Q^-1`` (the middle matrix of that form). With ``coords``, only
        their rows on ``coords``: ``(len(coords), 2m)``."""
        m = len(self.order)
        rows = n if coords is None else len(coords)
        if m == 0:
            return np.zeros((rows, 0)), np.zeros((rows, 0)), np.zeros((0, 0))
        order = np.array(self.order)
        SY = self._SY[np.ix_(order, order)]
        SMS = self._SMS[np.ix_(order, order)]
        lower = np.tril(SY, -1)
        middle = np.block([[gamma * SMS, lower], [lower.T, -np.diag(np.diag(SY))]])
        SM, Y = self._rows(order, coords)
        U_t = np.hstack([gamma * SM.T, Y.T])
        # Q U through the small inverse of the middle matrix and one product:
        # a solve with the K * n_cols columns of U as right-hand sides costs
        # several times more
        Q = linalg.solve(middle, np.eye(2 * m), assume_a="sym", check_finite=False)
        return U_t, U_t @ Q.T, middle


class _SparseMemory(_Memory):
    """:class:`_Memory` for a diagonal metric: ``s`` on its support only, ``s @ M`` not kept.

    The step ``s = W_new - W`` is zero outside the working set of its
    iteration (the model is minimized there only), a small part of the
    ``K * n_dof`` weights on wide data, so each ``s`` is kept as its non-zero
    indices and values; ``s @ M`` is ``s * M``, recomputed on the columns
    :meth:`factors` asks for. Only ``y`` (the change of the gradient, dense) is
    kept whole, in float32: ``m`` vectors of ``K * n_dof`` in single precision
    where :class:`_Memory` keeps ``3 m`` in double (on 100,000 features and 20
    classes, 80 MB instead of 480 MB). The model is the exact limited-memory
    BFGS matrix of the rounded pairs (every product is computed from the
    stored ``y``); a pair whose rounded ``s . y`` is not safely positive is
    not kept.

    ``M`` is the diagonal of the metric, ``(n_dof,)``, the same for every class
    (the flat index ``i`` of a pair's vector is class ``i // n_dof``, column
    ``i % n_dof``).
    """

    def push(self, s, y):
        """Keep the pair ``(s, y)`` unless its rounded curvature ``s . y`` is not
        safely positive; whether it was kept."""
        s, y = s.ravel(), y.ravel()
        if self._buffers is None:
            self._buffers = [None] * self.size, np.empty((self.size, y.size), np.float32)
        sparse_s, Y = self._buffers
        index = np.flatnonzero(s)
        values = s[index]
        rounded = y.astype(np.float32)
        sy = float(values @ rounded[index])
        if not sy > 1e-10 * np.linalg.norm(values) * np.linalg.norm(rounded):
            return False
        position = self._position()
        sparse_s[position] = index, values
        Y[position] = rounded
        y = Y[position]
        self.order.append(position)
        sM = values * self.M[index % self.M.size]
        for row in self.order:
            row_index, row_values = sparse_s[row]
            self._SY[position, row] = float(Y[row, index] @ values)
            self._SY[row, position] = float(row_values @ y[row_index])
            # s_row . (s M) on the common support of the two sparse vectors
            common, here, there = np.intersect1d(index, row_index, assume_unique=True,
                                                 return_indices=True)
            self._SMS[position, row] = self._SMS[row, position] = float(
                sM[here] @ row_values[there])
        return True

    def _rows(self, order, coords):
        sparse_s, Y = self._buffers
        n = Y.shape[1]
        columns = np.arange(n) if coords is None else coords
        S = np.zeros((len(order), len(columns)))
        for k, row in enumerate(order):
            index, values = sparse_s[row]
            # columns (like coords) are sorted: where each non-zero of s falls
            at = np.searchsorted(columns, index)
            found = at < len(columns)
            found[found] = columns[at[found]] == index[found]
            S[k, at[found]] = values[found]
        SM = S * self.M[columns % self.M.size]
        Y = Y[order] if coords is None else Y[np.ix_(order, coords)]
        return SM, Y.astype(np.float64)


NEWTON_MAX_BLOCK = 1024
"""Most non-zero coordinates of one class for :func:`face_newton`. Factoring a
block of size ``n`` takes ``n**3 / 3`` operations, a sweep of coordinate
descent reads its ``n**2`` entries one update at a time, several times slower
per entry: the factorization costs about as many sweeps as ``n / 15``, and
beyond a thousand coordinates more than the sweeps it saves."""


def face_newton(D, DM, r, W, G, M, gamma, U, QU, middle, l1, n_penalized, coords, factors,
                *, gathered=False):
    """Newton step on the model, with the signs of ``W + D`` held, in place.

    Coordinate descent on the model ``q`` (:func:`~._cd_kernels.cd_model`)
    converges slowly from ``D = 0``, as Gauss-Seidel does on the correlated
    pixels of ``M``, although few signs change from one iteration to the next.
    On the face of the orthant that the signs of ``W + D`` define (zeros held
    at zero), ``q`` is a quadratic whose minimizer solves one linear system in
    the non-zero coordinates ``F``: ``B_FF delta = -(gradient + l1 * sign)``. ``B_FF`` is a
    block-diagonal matrix (``gamma * M[J_k, J_k]`` for each class ``k``, a
    Cholesky factorization each) minus the low-rank term, solved with the
    Sherman-Morrison-Woodbury formula through ``Q^-1 = middle``.

    A coordinate whose sign the step would flip is set to zero instead (the
    orthant projection of OWL-QN, Andrew & Gao 2007); the step is kept only if
    it lowers ``q``, so coordinate descent, which goes on from it (and brings
    in the zeros that violate the optimality condition), always starts from a
    point no worse than its own.

    Parameters
    ----------
    D, DM, r : ndarray
        The step, ``D @ M`` on ``coords`` and ``QU.T @ D.ravel()``, as
        :func:`~._cd_kernels.cd_model` keeps them; updated in place.
    W, G, M, gamma, U, QU, l1, n_penalized, coords
        As for :func:`~._cd_kernels.cd_model`.
    middle : ndarray of shape (2m, 2m)
        ``Q^-1`` (:meth:`_Memory.factors`).
    factors : dict
        Cholesky factors of the blocks of ``M`` by class, ``{k: (J_k, factor)}``,
        kept from call to call (``M`` is fixed during a fit) and updated here:
        near the optimum the non-zero weights of most classes stay the same
        from one iteration to the next, and a factor is recomputed only when
        they change. Unused for a diagonal ``M`` (its blocks' factors are the
        square roots of their diagonals: no matrix is formed).
    gathered : bool, default=False
        Whether ``U`` and ``QU`` hold only the rows of ``coords`` (in its
        order), as the solver keeps them for a diagonal metric.

    Returns
    -------
    accepted : bool
        Whether the step was taken (False when it would not lower ``q``, when a
        factorization failed, from rounding errors in a nearly singular
        block, or when a class has more than :data:`NEWTON_MAX_BLOCK`
        non-zero coordinates).
    """
    K, q = D.shape
    rows, cols = np.divmod(coords, q)
    d = D[rows, cols]
    x = W[rows, cols] + d
    penalized = cols < n_penalized
    sign = np.where(penalized, np.sign(x), 0.0)
    free = np.flatnonzero((x != 0) | ~penalized)
    if free.size == 0 or np.bincount(rows[free]).max() > NEWTON_MAX_BLOCK:
        return False
    U_c = U if gathered else U[coords]  # the rows of U on coords, gathered once
    QU_c = QU if gathered else QU[coords]
    grad = G[rows, cols] + gamma * DM[rows, cols] - U_c @ r
    # With L_k L_k^T = M[J_k, J_k] (free is sorted by class, as coords is):
    # Y = L^-1 [rhs, U_F] block by block, then Woodbury's
    # B_FF^-1 rhs = L^-T (y + Y_U t) / gamma, t = (gamma Q^-1 - Y_U^T Y_U)^-1 Y_U^T y
    Y = np.column_stack([-(grad[free] + l1 * sign[free]), U_c[free]])
    bounds = np.searchsorted(rows[free], np.arange(K + 1))
    blocks = []
    for k in range(K):
        lo, hi = bounds[k], bounds[k + 1]
        if lo == hi:
            continue
        J = cols[free[lo:hi]]
        if M.ndim == 1:
            # a diagonal block: its factor is the square root of its diagonal
            diagonal = M[J]
            if not np.all(diagonal > 0):
                return False
            L = np.sqrt(diagonal)
            Y[lo:hi] /= L[:, None]
            blocks.append((lo, hi, L))
            continue
        held = factors.get(k)
        if held is not None and np.array_equal(held[0], J):
            L = held[1]
        else:
            block = M[np.ix_(J, J)]
            L, info = lapack.dpotrf(block, lower=True, overwrite_a=True)
            if info != 0:
                return False
            factors[k] = (J, L)
        Y[lo:hi], info = lapack.dtrtrs(L, Y[lo:hi], lower=True)
        blocks.append((lo, hi, L))
    v = Y[:, 0]
    if U.shape[1]:
        Y_U = Y[:, 1:]
        try:
            t = linalg.solve(gamma * middle - Y_U.T @ Y_U, Y_U.T @ v, check_finite=False)
        except linalg.LinAlgError:
            return False
        v = v + Y_U @ t
    step = np.empty_like(v)
    for lo, hi, L in blocks:
        if L.ndim == 1:
            step[lo:hi] = v[lo:hi] / L
        else:
            step[lo:hi], info = lapack.dtrtrs(L, v[lo:hi], lower=True, trans=1)
    step /= gamma
    x_new = x.copy()
    x_new[free] += step
    flipped = penalized & (np.sign(x_new) != sign)
    x_new[flipped] = 0.0
    change = x_new - x
    if not np.all(np.isfinite(change)):
        return False
    # the change of q: <gradient, change> + 1/2 change^T B change + l1 change of |x|
    if M.ndim == 1:
        change_M = change * M[cols]
    else:
        C_full = np.zeros((K, q))
        C_full[rows, cols] = change
        change_M = _times_metric(C_full, M)[rows, cols]
    change_r = QU_c.T @ change
    B_change = gamma * change_M - U_c @ change_r
    decrease = (
        float(grad @ change) + 0.5 * float(change @ B_change)
        + l1 * float(np.abs(x_new[penalized]).sum() - np.abs(x[penalized]).sum())
    )
    if not decrease < 0:
        return False
    D[rows, cols] = d + change
    DM[rows, cols] += change_M
    r += change_r
    return True


def _metric(objective, curvature):
    """The whitening metric ``M`` and ``y -> sum_k y_k M^-1 y_k^T``.

    On the shapes where the Gram matrix pays (:meth:`LogisticObjective.metric_kind`),
    ``M`` is explicit, ``(n_dof, n_dof)``, built, as the L2 solver's, from the
    eigendecomposition of the second moments
    (:class:`~skdigit.linear_model._preconditioner.Preconditioner`), whose
    numerically singular directions (a pixel that is always 0, collinear
    pixels, rounding of the float32 Gram matrix) are floored: ``M`` is positive
    definite whatever the data. Elsewhere ``M`` is its diagonal,
    ``(n_dof,)`` (:class:`~skdigit.linear_model._metric.DiagonalMetric`):
    ``O(n_features)`` memory and one pass over the non-zeros to build.
    """
    l2 = objective.penalty.curvature
    if objective.metric_kind() == "diagonal":
        metric = DiagonalMetric(objective.column_moments(), l2=l2, curvature=curvature)
        return metric.values, metric.inverse_norm2
    pre = Preconditioner(objective.gram_eigh(), objective.coef, l2=l2, curvature=curvature)
    V = pre.basis
    M = (V * pre.eigenvalues) @ V.T

    def inverse_norm2(rows):
        yV = rows @ V
        return float(np.sum(yV * yV / pre.eigenvalues))

    return np.ascontiguousarray(M), inverse_norm2


def _times_metric(rows, M):
    """``rows @ M`` for an explicit ``M``, ``rows * M`` for a diagonal one."""
    return rows @ M if M.ndim == 2 else rows * M


def _trial_point(out, W, D, step, coef):
    """Write the flat vector of ``W + step * D`` into ``out``; its weights' L1 norm.

    No rows-shaped temporary: the weights and the intercepts are written
    into their parts of ``out`` directly (the same products and sums as
    ``W + step * D``), and the norm is summed by blocks.
    """
    K, p = coef.n_rows_w, coef.n_features
    weights = out[: K * p].reshape(K, p)
    np.multiply(D[:, :p], step, out=weights)
    weights += W[:, :p]
    if coef.fit_intercept:
        intercepts = out[K * p:]
        np.multiply(D[:, p], step, out=intercepts)
        intercepts += W[:, p]
    return _l1_blocks(out[: K * p])


def _l1_blocks(v, block=1 << 16):
    """``sum |v|`` by blocks: no temporary of ``v``'s size."""
    return float(sum(np.abs(v[i:i + block]).sum() for i in range(0, v.size, block)))


class ProximalQN(Solver):
    """Proximal quasi-Newton steps for L1 and elastic-net penalties.

    Each iteration minimizes an L-BFGS model of the smooth part plus the L1
    term by coordinate descent (exact zeros), then backtracks on the whole
    objective (see the module docstring). Stops when the largest entry of the
    minimum-norm subgradient of the mean-scaled objective is at most ``tol``
    (:meth:`LogisticObjective.optimality`, the L2 solvers' ``max |gradient|
    <= tol`` where the penalty is smooth); ``max_iter`` iterations, five
    iterations in a row without a representable decrease, or no descent
    direction are reported as not converged.

    Whitens by the second moments of the data (``objective.gram()``, one Gram
    matrix of size ``n_features + 1``) where they pay for themselves, by their
    diagonal elsewhere (:meth:`LogisticObjective.metric_kind`: wide data, few
    rows), and handles any penalty, smooth ones too.

    Parameters
    ----------
    memory : int, default=MEMORY
        Number of curvature pairs kept.
    curvature : float, default=CURVATURE
        The constant of ``M``.
    """

    name = "proximal-qn"
    needs_smooth_penalty = False

    def __init__(self, memory=MEMORY, curvature=CURVATURE):
        self.memory = memory
        self.curvature = curvature

    def _solve(self, objective, params0, *, tol, max_iter, report):
        coef = objective.coef
        l1 = objective.penalty.l1
        K, p, q = coef.n_rows_w, coef.n_features, coef.n_dof
        M, inverse_norm2 = _metric(objective, self.curvature)
        diagonal = M.ndim == 1
        # the metric's diagonal for every coordinate: tiled only for an
        # explicit M (few features); a diagonal one is read by column
        M_diag = None if diagonal else np.tile(np.diag(M), K)
        descend = cd_model_diagonal if diagonal else cd_model
        first_gamma = _FIRST_CURVATURE[objective.binary] / self.curvature
        gamma = first_gamma
        if diagonal:
            pairs = min(self.memory, max(3, WIDE_PAIRS_BYTES // (4 * K * q)))
            memory = _SparseMemory(pairs, M)
        else:
            memory = _Memory(self.memory, M)
        factors = {}
        penalized = np.zeros((K, q), dtype=bool)
        penalized[:, :p] = True

        def l1_norm(rows):
            return sum(_l1_blocks(row[:p]) for row in rows)

        x = params0
        del params0
        smooth, grad = objective.loss_gradient(x)
        optimality = objective.optimality(x, grad)
        if optimality <= tol:
            return SolverResult(
                x, 0, True, "the optimality violation is within tol at the starting point",
                optimality,
            )
        W, G = coef.as_rows(x), coef.as_rows(grad)
        del grad  # (G holds it, as rows)
        value = smooth + l1 * l1_norm(W)
        # The weight-sized arrays live through an iteration, each K * n_dof
        # float64 (16 MB on 100,000 features and 20 classes): W and G (rows),
        # the step D, and ``trial``, the flat point the line search evaluates
        # (reused, and after an accepted step the current point's flat vector);
        # the new rows and the gradient change are made from them in place.
        trial = x  # the start point's memory (solve's copy): trial points go there
        del x
        at_current = True  # whether trial holds the current point W
        D = np.zeros((K, q))
        n_iter = stalled = 0
        converged = False
        message = "max_iter reached"
        while n_iter < max_iter:
            # working set: non-zero weights, zeros violating |g| <= l1 the most,
            # intercepts
            excess = np.where(penalized, np.abs(G) - l1, 0.0)
            worst = float(excess.max(initial=0.0))
            work = (W != 0) | ((excess >= 0) & (excess >= _VIOLATORS * worst)) | ~penalized
            del excess  # K * n_dof: not held through the iteration
            coords = np.flatnonzero(work).astype(np.int64)
            del work
            if diagonal:
                # the low-rank factors on the working set only: memory in
                # proportion to it, not to K * n_features
                U, QU, middle = memory.factors(gamma, K * q, coords)
                B_diag = gamma * M[coords % q] - np.einsum("il,il->i", U, QU)
                keep = B_diag > 0
                coords, U, QU, B_diag = coords[keep], U[keep], QU[keep], B_diag[keep]
            else:
                U, QU, middle = memory.factors(gamma, K * q)
                B_diag = gamma * M_diag - np.einsum("il,il->i", U, QU)
                coords = coords[B_diag[coords] > 0]
            D.fill(0.0)
            DM, r = np.zeros((K, q)), np.zeros(U.shape[1])
            # a Newton step on the face of the signs of W (where the last
            # step ended) solves most of the model; coordinate descent
            # finishes from it, bringing in the zeros that violate the
            # optimality condition and zeroing the weights that should be
            face_newton(D, DM, r, W, G, M, gamma, U, QU, middle, l1, p, coords, factors,
                        gathered=diagonal)
            descend(D, DM, r, W, G, M, gamma, U, QU, B_diag, l1, p, coords, _MAX_SWEEPS,
                    _SWEEP_TOL)
            del DM, U, QU  # K * n_dof and more: not held through the line search
            # the full step's point, whose L1 norm the predicted decrease needs
            l1_full = _trial_point(trial, W, D, 1.0, coef)
            at_current = False
            delta = float(np.vdot(G, D)) + l1 * (l1_full - l1_norm(W))
            if not delta < 0:
                if len(memory):  # a stale model: start it afresh
                    memory.clear()
                    gamma = first_gamma
                    continue
                message = "no descent direction: rounding errors dominate"
                break
            step = 1.0
            for attempt in range(_MAX_BACKTRACKS):
                l1_trial = l1_full if attempt == 0 else _trial_point(trial, W, D, step, coef)
                smooth_new, grad_new = objective.loss_gradient(trial)
                value_new = smooth_new + l1 * l1_trial
                if value_new <= value + _ARMIJO * step * delta:
                    break
                del grad_new
                step *= 0.5
            else:
                message = "the line search failed: rounding errors dominate"
                break
            n_iter += 1
            at_current = True
            optimality = objective.optimality(trial, grad_new)
            G_new = coef.as_rows(grad_new)
            del grad_new  # (G_new holds it)
            W_new = coef.as_rows(trial)
            # the pair (s, y) in the old rows' memory
            s = np.subtract(W_new, W, out=W)
            y = np.subtract(G_new, G, out=G)
            sy = float(np.vdot(s, y))
            if sy > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y) and memory.push(s, y):
                # gamma * M is the initial matrix of whitened L-BFGS:
                # (y^T M^-1 y / s^T y) M, i.e. y^T y / s^T y in the whitened variables
                gamma = inverse_norm2(y) / sy
            del s, y  # (the memory keeps what it needs of them)
            decrease = value - value_new
            W, G, value = W_new, G_new, value_new
            del W_new, G_new
            if report(trial, value, optimality):
                converged = True
                message = "a callback asked to stop"
                break
            if optimality <= tol:
                converged = True
                message = "the largest entry of the minimum-norm subgradient is at most tol"
                break
            stalled = stalled + 1 if decrease <= 64 * np.finfo(float).eps * abs(value) else 0
            if stalled == _MAX_STALLED:
                message = "no further decrease is representable"
                break
        if not at_current:  # stopped after a rejected step: the current point
            trial = coef.as_flat(W)
        return SolverResult(trial, n_iter, converged, message, optimality)
