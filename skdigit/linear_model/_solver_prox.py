"""Proximal quasi-Newton solver for L1 and elastic-net penalties.

The objective is ``F(W, b) = f(W, b) + l1 * ||W||_1`` with ``f`` the smooth
part (the weighted mean log-loss plus ``l2 / 2 * ||W||_F^2``) and the
intercept ``b`` never penalized. Each iteration

1. builds the quadratic model of ``f`` at the current point with the compact
   limited-memory BFGS matrix (Byrd, Nocedal & Schnabel 1994)
   ``B = gamma * (I_K (x) M) - U^T Q U``, whose initial matrix is the whitening
   metric ``M = curvature * A + l2 * I`` of
   :mod:`skdigit.linear_model._preconditioner` (``A`` the normalized weighted
   second-moment matrix of ``[x, 1]``, no ``l2`` on the intercept), the same for
   every class: the metric in which L-BFGS converges fast on the L2 problem;
2. minimizes the model plus ``l1 * ||W + D||_1`` over a working set (the
   non-zero weights, the weights whose zero violates the optimality condition,
   the intercepts) by coordinate descent
   (:func:`skdigit.linear_model._cd_kernels.cd_model`): soft-thresholding gives
   exact zeros;
3. backtracks along the step ``D`` until the sufficient decrease
   ``F(x + t D) <= F(x) + sigma * t * Delta``, with
   ``Delta = <G, D> + l1 * (||W + D||_1 - ||W||_1)`` (Lee, Sun & Saunders 2014).

Stopping rule (the L2 rule ``max |gradient| <= tol`` extended to the
non-smooth objective): the largest absolute entry of the minimum-norm
subgradient of the mean-scaled objective is at most ``tol``. For an
intercept this is its gradient; for a weight ``w`` with gradient ``g`` of the
smooth part it is ``|g + l1 * sign(w)|`` when ``w != 0`` and
``max(|g| - l1, 0)`` when ``w == 0``. It is zero exactly at the minimizer.

References
----------
.. [1] J. D. Lee, Y. Sun and M. A. Saunders, "Proximal Newton-type methods for
   minimizing composite functions", SIAM J. Optim. 24(3), 2014.
.. [2] K. Scheinberg and X. Tang, "Practical inexact proximal quasi-Newton
   method with global complexity analysis", Math. Program. 160, 2016.
.. [3] R. H. Byrd, J. Nocedal and R. B. Schnabel, "Representations of
   quasi-Newton matrices and their use in limited memory methods", Math.
   Program. 63, 1994.
"""

import sys

import numpy as np
from scipy import linalg

from ._cd_kernels import cd_model
from ._solvers import SolverResult

CURVATURE = 0.01
MEMORY = 10
# Curvature of the log-loss in the logits that the first step assumes: the
# bound of Böhning (1992) for the multinomial loss, 1/4 for the binomial one.
# With it, gamma * M bounds the Hessian of the data term, so the first step
# is accepted without backtracking.
_FIRST_CURVATURE = {True: 0.25, False: 0.5}
_ARMIJO = 1e-4
_MAX_BACKTRACKS = 30


def _coef_layout(objective):
    """``(n_rows_w, n_features, fit_intercept)`` of the objective's parameters."""
    coef = getattr(objective, "coef", None)
    if coef is not None:
        return coef.n_rows_w, coef.n_features, coef.fit_intercept
    return objective.n_rows_w, objective.n_features, objective.fit_intercept


def min_norm_subgradient(W, G_W, l1):
    """Entries of the minimum-norm subgradient of ``f + l1 ||W||_1`` in ``W``.

    Parameters
    ----------
    W, G_W : ndarray of the same shape
        Weights and the gradient of the smooth part in them.
    l1 : float

    Returns
    -------
    ndarray of the shape of ``W``
    """
    at_zero = np.sign(G_W) * np.maximum(np.abs(G_W) - l1, 0.0)
    return np.where(W != 0, G_W + l1 * np.sign(W), at_zero)


class _Memory:
    """The last ``m`` curvature pairs ``(s, s @ M, y)`` in rows form."""

    def __init__(self, size):
        self.size = size
        self.S, self.SM, self.Y = [], [], []

    def __len__(self):
        return len(self.S)

    def push(self, s, sM, y):
        self.S.append(s)
        self.SM.append(sM)
        self.Y.append(y)
        if len(self.S) > self.size:
            del self.S[0], self.SM[0], self.Y[0]

    def clear(self):
        self.S, self.SM, self.Y = [], [], []

    def factors(self, gamma, n):
        """``U.T`` and ``(Q U).T`` of ``B = gamma * B0 - U^T Q U``, each ``(n, 2m)``."""
        m = len(self.S)
        if m == 0:
            return np.zeros((n, 0)), np.zeros((n, 0))
        S = np.array([s.ravel() for s in self.S])
        SM = np.array([s.ravel() for s in self.SM])
        Y = np.array([y.ravel() for y in self.Y])
        SY = S @ Y.T
        middle = np.empty((2 * m, 2 * m))
        middle[:m, :m] = gamma * (S @ SM.T)
        middle[:m, m:] = np.tril(SY, -1)
        middle[m:, :m] = middle[:m, m:].T
        middle[m:, m:] = -np.diag(np.diag(SY))
        U = np.vstack([gamma * SM, Y])
        QU = linalg.solve(middle, U, assume_a="sym", check_finite=False)
        return np.ascontiguousarray(U.T), np.ascontiguousarray(QU.T)


def _metric(objective, curvature, l2, n_features):
    """``M = curvature * A + l2 * I`` (no ``l2`` on the intercept) and its Cholesky
    factor (with a tiny ridge: a pixel that is always 0 has a zero row)."""
    gram = objective.gram() if hasattr(objective, "gram") else _gram_of(objective)
    M = curvature * np.array(gram, dtype=np.float64)
    idx = np.arange(n_features)
    M[idx, idx] += l2
    ridge = 1e-10 * max(float(np.max(np.diag(M))), np.finfo(float).tiny)
    factor = linalg.cho_factor(
        M + ridge * np.eye(len(M)), lower=True, check_finite=False
    )
    return M, factor


def _gram_of(objective):
    from ._preconditioner import weighted_gram

    return weighted_gram(
        objective.X, objective.sample_weight, objective.fit_intercept,
        n_threads=objective.n_threads,
    )


def _printer(verbose):
    if not verbose:
        return None
    every = 10 if verbose == 1 else 1

    def show(it, value, violation, n_work, n_sweeps, step):
        if it % every == 0:
            print(
                f"[proximal-qn] iteration {it:4d}  objective {value:.10g}  "
                f"violation {violation:.3g}  working set {n_work}  "
                f"sweeps {n_sweeps}  step {step:.3g}",
                file=sys.stdout, flush=True,
            )

    return show


def minimize_proximal_qn(
    objective, params0, *, tol, max_iter, verbose=0, callback=None, l1=None,
    memory=MEMORY, curvature=CURVATURE, max_sweeps=30, sweep_tol=0.05,
    gamma_rule="y", relaxation=1.0,
):
    """Minimize ``f + l1 * ||W||_1`` by proximal quasi-Newton steps (module docstring).

    Parameters
    ----------
    objective : LogisticObjective
        Its ``loss_gradient`` is the smooth part ``f`` (data and L2 terms);
        ``objective.penalty.l1`` (or the ``l1`` argument) the L1 strength.
    params0 : ndarray of shape (n_params,)
        Starting point, flat ``[W.ravel(), b]``.
    tol : float
        Stop when the largest entry of the minimum-norm subgradient is at most
        ``tol``.
    max_iter : int
        At most this many iterations (then ``converged`` is False).
    verbose : int, default=0
        Print progress every 10th iteration at 1, every iteration above.
    callback : callable, default=None
        ``callback(n_iter, params)`` after every iteration; returning True stops.
    l1 : float, default=None
        L1 strength; by default ``objective.penalty.l1``.
    memory : int, default=10
        Number of curvature pairs kept.
    curvature : float, default=0.01
        The constant of ``M`` (see :mod:`skdigit.linear_model._preconditioner`).
    max_sweeps : int, default=30
        Coordinate-descent sweeps per iteration at most.
    sweep_tol : float, default=0.05
        Relative change of the step below which the sweeps stop.

    Returns
    -------
    SolverResult
    """
    if l1 is None:
        l1 = float(objective.penalty.l1)
    penalty = getattr(objective, "penalty", None)
    l2 = float(penalty.l2) if penalty is not None else objective.l2_reg_strength
    K, p, fit_intercept = _coef_layout(objective)
    q = p + int(fit_intercept)
    n = K * q

    def as_rows(flat):
        rows = np.zeros((K, q))
        rows[:, :p] = flat[: K * p].reshape(K, p)
        if fit_intercept:
            rows[:, p] = flat[K * p:]
        return rows

    def as_flat(rows):
        parts = [rows[:, :p].ravel()]
        if fit_intercept:
            parts.append(rows[:, p])
        return np.concatenate(parts)

    def full_value(smooth, rows):
        return smooth + l1 * float(np.abs(rows[:, :p]).sum())

    def violation(rows, grad_rows):
        viol = min_norm_subgradient(rows[:, :p], grad_rows[:, :p], l1)
        largest = float(np.max(np.abs(viol), initial=0.0))
        if fit_intercept:
            largest = max(largest, float(np.max(np.abs(grad_rows[:, p]))))
        return largest

    M, factor = _metric(objective, curvature, l2, p)
    M_diag = np.tile(np.diag(M), K)
    binary = K == 1
    gamma = _FIRST_CURVATURE[binary] / curvature
    mem = _Memory(memory)
    show = _printer(verbose)
    penalized = np.zeros((K, q), dtype=bool)
    penalized[:, :p] = True

    x = np.array(params0, dtype=np.float64)
    smooth, grad = objective.loss_gradient(x)
    W, G = as_rows(x), as_rows(grad)
    value = full_value(smooth, W)
    n_iter = 0
    converged = False
    message = "max_iter reached"
    viol = violation(W, G)
    if viol <= tol:
        return SolverResult(x, 0, True, "the optimality violation is within tol "
                            "at the starting point", value)
    while n_iter < max_iter:
        U, QU = mem.factors(gamma, n)
        B_diag = gamma * M_diag - np.einsum("il,il->i", U, QU)
        # working set: non-zero weights, zeros violating |g| <= l1, intercepts
        work = (W != 0) | (np.abs(G) >= l1) | ~penalized
        work &= (B_diag > 0).reshape(K, q)
        coords = np.flatnonzero(work.ravel()).astype(np.int64)
        D = np.zeros((K, q))
        DM = np.zeros((K, q))
        r = np.zeros(U.shape[1])
        n_sweeps = cd_model(
            D, DM, r, W, G, M, gamma, U, QU, B_diag, l1, p, coords, max_sweeps,
            sweep_tol, relaxation,
        )
        l1_now = float(np.abs(W[:, :p]).sum())
        delta = float(np.vdot(G, D)) + l1 * (
            float(np.abs(W[:, :p] + D[:, :p]).sum()) - l1_now
        )
        if not delta < 0:
            if len(mem):
                mem.clear()
                gamma = _FIRST_CURVATURE[binary] / curvature
                continue
            message = "no descent direction (rounding errors dominate)"
            break
        step = 1.0
        for _ in range(_MAX_BACKTRACKS):
            W_new = W + step * D
            x_new = as_flat(W_new)
            smooth_new, grad_new = objective.loss_gradient(x_new)
            value_new = full_value(smooth_new, W_new)
            if value_new <= value + _ARMIJO * step * delta:
                break
            step *= 0.5
        else:
            message = "the line search failed (rounding errors dominate)"
            break
        n_iter += 1
        G_new = as_rows(grad_new)
        s = W_new - W
        y = G_new - G
        sy = float(np.vdot(s, y))
        if sy > 1e-10 * float(np.vdot(y, y)) ** 0.5 * float(np.vdot(s, s)) ** 0.5:
            sM = s @ M
            mem.push(s, sM, y)
            if gamma_rule == "y":
                My = linalg.cho_solve(factor, y.T, check_finite=False).T
                gamma = float(np.vdot(y, My)) / sy
            else:
                gamma = sy / float(np.vdot(s, sM))
        decrease = value - value_new
        x, W, G, value = x_new, W_new, G_new, value_new
        viol = violation(W, G)
        if show is not None:
            show(n_iter, value, viol, len(coords), n_sweeps, step)
        if viol <= tol:
            converged = True
            message = "the largest entry of the minimum-norm subgradient is at most tol"
            break
        if callback is not None and callback(n_iter, x):
            message = "stopped by the callback"
            break
        if decrease <= 64 * np.finfo(float).eps * abs(value):
            message = "no further decrease is representable"
            break
    return SolverResult(x, n_iter, converged, message, value)
