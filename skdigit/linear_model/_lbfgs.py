"""L-BFGS in NumPy for unconstrained problems with many variables.

scipy's L-BFGS-B (``setulb``) handles bounds, and pays for it on every
iteration even when there are none: a generalized Cauchy point, a subspace
minimization and the update of its compact matrices, all ``O(m n)`` passes over
the ``n`` variables, plus a copy of the iterate and the gradient in its driver
on every evaluation. With millions of variables (100,000 features and 20
classes: 2,000,020) that bookkeeping costs as much as an evaluation of the
loss and its gradient on 20,000 sparse rows. For an unconstrained problem the
L-BFGS-B direction is the L-BFGS direction ``-H g`` (every variable free: the
subspace minimization is the unconstrained quasi-Newton step), which the
two-loop recursion computes in ``4 m`` BLAS passes over ``n`` with no other
work; :func:`minimize_lbfgs` is that method with L-BFGS-B's choices, so that
it takes the same iterations:

- the initial inverse Hessian ``(s'y / y'y) I`` of the newest pair, ``m = 10``
  pairs kept, ``s = t d`` and ``s'y = t (g_new'd - g'd)``, a pair skipped
  when ``s'y <= eps (-g's)`` (no positive curvature);
- the first step ``1 / ||g||`` along ``-g``, then ``1``; the line search is
  MINPACK's ``dcsrch`` (Moré and Thuente, as L-BFGS-B's), through scipy's
  :func:`scipy.optimize._linesearch.scalar_search_wolfe1`, with L-BFGS-B's
  parameters (sufficient decrease ``1e-3``, curvature ``0.9``, ``xtol=0.1``)
  and at most ``maxls`` evaluations; when it fails, the memory is dropped and
  the iteration restarts along ``-g``, and a failure along ``-g`` ends the
  run (status 2);
- the stopping rules and messages of scipy's driver: the callback after each
  iteration (``StopIteration`` halts), then ``max_iter``, then ``maxfun``
  evaluations (status 1), then the relative decrease ``(f_old - f) /
  max(|f_old|, |f|, 1) <= ftol`` (status 0), and ``max |g| <= gtol``
  (status 0).

The result is an :class:`scipy.optimize.OptimizeResult` with the fields the
solvers read from scipy's (``x``, ``fun``, ``jac``, ``nit``, ``nfev``,
``status``, ``message``, ``success``).

References
----------
.. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
   Springer, 2006, algorithms 7.4 and 7.5 (L-BFGS, the two-loop recursion).
.. [2] J. J. Moré and D. J. Thuente, "Line search algorithms with guaranteed
   sufficient decrease", ACM Trans. Math. Softw. 20(3), 1994.
.. [3] C. Zhu, R. H. Byrd, P. Lu and J. Nocedal, "Algorithm 778: L-BFGS-B",
   ACM Trans. Math. Softw. 23(4), 1997 (the choices above).
"""

from collections import deque

import numpy as np
from scipy.linalg.blas import daxpy
from scipy.optimize import OptimizeResult
from scipy.optimize._linesearch import scalar_search_wolfe1

__all__ = ["minimize_lbfgs"]

# L-BFGS-B's line-search parameters (lnsrlb: ftol, gtol, xtol, stpmax)
_C1, _C2, _XTOL, _STEP_MAX = 1e-3, 0.9, 0.1, 1e10

_CONVERGED_F = "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH"
_CONVERGED_G = "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL"
_MAX_ITER = "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT"
_MAX_FUN = "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT"
_HALTED = "STOP: CALLBACK REQUESTED HALT"
_NO_STEP = "ABNORMAL: the line search found no acceptable step along the steepest descent"


class _TooManySteps(Exception):
    pass


class _Line:
    """``fun`` along ``x + t d``, each point evaluated once (the line search asks twice)."""

    def __init__(self, fun, x, d, maxls):
        self.fun, self.x, self.d, self.maxls = fun, x, d, maxls
        self.n_eval = 0
        self.t = None

    def _at(self, t):
        if t != self.t:
            if self.n_eval >= self.maxls:
                raise _TooManySteps
            x = self.x + t * self.d
            f, g = self.fun(x)
            self.n_eval += 1
            self.t, self.x_t, self.f, self.g = t, x, float(f), np.asarray(g, dtype=np.float64)
        return self

    def phi(self, t):
        return self._at(t).f

    def derphi(self, t):
        self._at(t)
        if self.gd_t != t:
            self.gd, self.gd_t = float(self.g @ self.d), t
        return self.gd

    gd_t = None


def _direction(g, pairs):
    """``-H g`` by the two-loop recursion over ``pairs`` of ``(s, y, 1 / s'y)``, oldest first."""
    q = g.copy()
    if not pairs:
        return np.negative(q, out=q)
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        q = daxpy(y, q, a=-a)
        alphas.append(a)
    s, y, rho = pairs[-1]
    q *= 1.0 / (rho * float(y @ y))  # (s'y / y'y): the newest pair's scale
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        q = daxpy(s, q, a=a - rho * float(y @ q))
    return np.negative(q, out=q)


def _within(g, gtol):
    """``max |g| <= gtol`` (without a pass of ``abs`` for ``gtol=0``)."""
    return not g.any() if gtol == 0 else np.max(np.abs(g), initial=0.0) <= gtol


def minimize_lbfgs(fun, x0, *, max_iter, callback=None, m=10, maxls=50,
                   ftol=64 * np.finfo(float).eps, gtol=0.0, maxfun=15000):
    """Minimize ``fun`` (returning the value and the gradient) from ``x0`` by L-BFGS.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (f, g)``; ``g`` is not modified here.
    x0 : ndarray of shape (n,)
    max_iter : int
        At most this many iterations (at least one is taken, as scipy's).
    callback : callable, default=None
        ``callback(OptimizeResult(x=x, fun=f))`` after each iteration; raising
        ``StopIteration`` stops the run.
    m : int, default=10
        Pairs ``(s, y)`` kept.
    maxls : int, default=50
        Evaluations per line search.
    ftol : float, default=64 * eps
        Stop when an iteration decreases ``f`` by at most this, relatively.
    gtol : float, default=0.0
        Stop when ``max |g| <= gtol``.
    maxfun : int, default=15000
        Stop when the evaluations exceed this.

    Returns
    -------
    OptimizeResult
        ``x``, ``fun``, ``jac``, ``nit``, ``nfev``, ``status`` (0 converged,
        1 ``max_iter`` or ``maxfun``, 2 the line search failed or a callback
        halted), ``message`` (scipy's L-BFGS-B messages), ``success``.
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    f, g = float(f), np.asarray(g, dtype=np.float64)
    nfev, nit = 1, 0
    pairs = deque(maxlen=m)
    status, message = None, None
    if _within(g, gtol):
        status, message = 0, _CONVERGED_G
    while status is None:
        d = _direction(g, pairs)
        dg = float(d @ g)
        if not pairs or dg >= 0:  # no memory, or an ascent direction: restart along -g
            if pairs:
                pairs.clear()
                d = np.negative(g)
                dg = float(d @ g)
            if not dg < 0:  # a gradient too small to square (or not finite)
                status, message = 2, _NO_STEP
                break
            if nit == 0:  # L-BFGS-B's first step, 1 / ||g||
                scale = 1.0 / np.sqrt(-dg)
                d *= scale
                dg *= scale
        line = _Line(fun, x, d, maxls)
        try:
            t, _, _ = scalar_search_wolfe1(
                line.phi, line.derphi, phi0=f, derphi0=dg, c1=_C1, c2=_C2,
                amax=_STEP_MAX, amin=0.0, xtol=_XTOL,
            )
        except _TooManySteps:
            t = None
        if t is None and line.t is not None and line.f < f:
            t = line.t  # dcsrch's warnings (rounding errors, xtol): L-BFGS-B takes the step
        if t is not None and t != line.t:
            line.maxls += 1
            line.phi(t)  # dcsrch ends on the point it evaluated last: not reached
        nfev += line.n_eval
        if t is None:
            if pairs:  # drop the memory and try the steepest descent
                pairs.clear()
                continue
            status, message = 2, _NO_STEP
            break
        # As L-BFGS-B: s = t d, and s'y and g's from the directional derivatives
        # (no pass over the variables); the pair skipped without curvature.
        f_old, x_new, g_new = f, line.x_t, line.g
        sy = t * (line.derphi(t) - dg)
        if sy > np.finfo(float).eps * -(t * dg):
            d *= t
            pairs.append((d, np.subtract(g_new, g), 1.0 / sy))
        x, f, g = x_new, line.f, g_new
        nit += 1
        if callback is not None:
            try:
                callback(OptimizeResult(x=x, fun=f))
            except StopIteration:
                status, message = 2, _HALTED
                break
        if nit >= max_iter:
            status, message = 1, _MAX_ITER
        elif nfev > maxfun:
            status, message = 1, _MAX_FUN
        elif f_old - f <= ftol * max(abs(f_old), abs(f), 1.0):
            status, message = 0, _CONVERGED_F
        elif _within(g, gtol):
            status, message = 0, _CONVERGED_G
    return OptimizeResult(x=x, fun=f, jac=g, nit=nit, nfev=nfev, status=status,
                          message=message, success=status == 0)
