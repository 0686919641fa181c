"""Solvers: drive a :class:`~skdigit.linear_model._loss.LogisticObjective` to its minimum.

Each solver takes the objective, a starting point and the stopping parameters,
and returns a :class:`SolverResult`. None of them knows about estimators, so a
future ``partial_fit`` or a Dask-backed search can call them directly.
"""

import functools
import sys
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from threadpoolctl import ThreadpoolController

from ._preconditioner import Preconditioner


@functools.cache
def _threadpool_controller():
    return ThreadpoolController()


def single_threaded_blas():
    """Context manager holding BLAS at one thread while a solver runs.

    The kernels use every core. The optimizers' own BLAS work is on short
    vectors, and idle OpenBLAS threads spin between calls, taking the cores
    from the kernels' threads: measured 2.3x slower fits on MNIST. The
    controller is created once (each ``threadpool_limits`` call would scan the
    loaded libraries again, about 3 ms, as much as a whole fit on small data).
    """
    return _threadpool_controller().limit(limits=1, user_api="blas")


@dataclass
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        The flat parameter vector reached.
    n_iter : int
        Number of iterations run.
    converged : bool
        Whether the stopping criterion held before ``max_iter``.
    message : str
        The solver's own account of why it stopped.
    objective : float
        Objective value at ``params``.
    """

    params: np.ndarray
    n_iter: int
    converged: bool
    message: str
    objective: float


def _progress_printer(verbose, solver):
    """A callback printing the objective: every 10th iteration at ``verbose=1``,
    every iteration above; ``None`` when not ``verbose``."""
    if not verbose:
        return None
    every = 10 if verbose == 1 else 1
    state = {"it": 0}

    def callback(intermediate_result):
        state["it"] += 1
        if state["it"] % every:
            return
        print(
            f"[{solver}] iteration {state['it']:4d}  "
            f"objective {intermediate_result.fun:.10g}",
            file=sys.stdout,
            flush=True,
        )

    return callback


def _lbfgsb(fun, x0, *, gtol, max_iter, callback):
    """scipy's L-BFGS-B with scikit-learn's options; ``(result, message)``."""
    res = optimize.minimize(
        fun,
        x0,
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": gtol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    message = res.message if isinstance(res.message, str) else res.message.decode()
    return res, message


def minimize_lbfgs(objective, params0, *, tol, max_iter, verbose=0):
    """Minimize ``objective`` with scipy's L-BFGS-B.

    Convergence criterion (the one of scikit-learn's ``lbfgs`` solver): stops
    when the largest absolute component of the gradient of the mean-scaled
    objective is at most ``tol`` (scipy's ``gtol``), or when the relative
    decrease of the objective in one iteration falls below ``64 * eps``
    (``ftol``, as in scikit-learn: no further progress is representable).
    Reaching ``max_iter`` iterations, or a line search that fails, is reported
    as not converged. The line search may take up to 50 steps.

    Parameters
    ----------
    objective : LogisticObjective
    params0 : ndarray of shape (n_params,)
    tol : float
    max_iter : int
    verbose : int, default=0
        Print the objective every 10th iteration at 1, every iteration above.

    Returns
    -------
    SolverResult

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
       Springer, 2006, chapter 7.2 (limited-memory BFGS).
    .. [2] R. H. Byrd, P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm
       for bound constrained optimization", SIAM J. Sci. Comput. 16(5), 1995.
    """
    res, message = _lbfgsb(
        objective.loss_gradient,
        params0,
        gtol=tol,
        max_iter=max_iter,
        callback=_progress_printer(verbose, "lbfgs"),
    )
    return SolverResult(
        params=res.x,
        n_iter=int(res.nit),
        # status 1: iteration (or evaluation) limit reached; 2: line-search trouble
        converged=res.status == 0,
        message=message,
        objective=float(res.fun),
    )


class _InPreconditionedVariables:
    """``objective`` as a function of the preconditioned variables ``u``.

    Remembers its last evaluation: L-BFGS-B evaluates each accepted point just
    before its callback sees it, so the convergence test on the gradient in the
    original coefficients costs no extra kernel pass.
    """

    def __init__(self, objective, preconditioner):
        self.objective = objective
        self.preconditioner = preconditioner
        self._u = None

    def loss_gradient(self, u):
        if self._u is None or not np.array_equal(u, self._u):
            params = self.preconditioner.to_params(u)
            loss, grad = self.objective.loss_gradient(params)
            self._u = np.array(u, dtype=np.float64)
            self.params, self.loss, self.grad = params, loss, grad
            self._grad_u = self.preconditioner.gradient(grad)
        return self.loss, self._grad_u.copy()

    def grad_max_at(self, u):
        """Largest absolute entry of the gradient in the coefficients at ``u``."""
        self.loss_gradient(u)
        return float(np.max(np.abs(self.grad), initial=0.0))


def minimize_preconditioned_lbfgs(objective, params0, *, tol, max_iter, verbose=0):
    """Minimize ``objective`` with L-BFGS-B on whitened coefficients.

    L-BFGS runs in the variables ``u = [W, b] M^{1/2}`` of
    :class:`~skdigit.linear_model._preconditioner.Preconditioner`, where ``M``
    is the data's weighted second-moment matrix times a constant curvature,
    plus the L2 term: a fixed, exact change of variables (Nocedal & Wright,
    section 7.2 on the initial Hessian; the same idea as a preconditioned
    conjugate gradient). Building ``M`` costs one Gram matrix (BLAS, float32, on
    chunks of rows: no copy of ``X``) and one eigendecomposition of size
    ``n_features + 1``; on MNIST the solver then needs 5 to 6 times fewer
    iterations than plain L-BFGS and stops at a lower objective.

    Convergence criterion, in the original coefficients (so ``tol`` means what
    it means for :func:`minimize_lbfgs` and scikit-learn's ``lbfgs``): stops when
    the largest absolute component of the gradient of the mean-scaled objective
    with respect to ``[W, b]`` is at most ``tol`` (checked at the start and after
    every iteration), or when one iteration decreases the objective by less
    than ``64 * eps`` relatively. ``max_iter`` iterations or a failed line
    search are reported as not converged.

    Parameters
    ----------
    objective : LogisticObjective
    params0 : ndarray of shape (n_params,)
    tol : float
    max_iter : int
    verbose : int, default=0
        Print the objective every 10th iteration at 1, every iteration above.

    Returns
    -------
    SolverResult

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
       Springer, 2006, chapters 5.1 (preconditioning) and 7.2 (L-BFGS).
    .. [2] D. Böhning, "Multinomial logistic regression algorithm", Ann. Inst.
       Statist. Math. 44(1), 1992 (a fixed bound on the Hessian of the same
       Kronecker form).
    """
    preconditioner = Preconditioner(objective, n_threads=objective.n_threads)
    fun = _InPreconditionedVariables(objective, preconditioner)
    u0 = preconditioner.from_params(np.asarray(params0, dtype=np.float64))
    if fun.grad_max_at(u0) <= tol:
        return SolverResult(
            params=fun.params, n_iter=0, converged=True,
            message="the gradient is within tol at the starting point",
            objective=float(fun.loss),
        )
    progress = _progress_printer(verbose, "preconditioned-lbfgs")
    stopped = {"tol": False}

    def callback(intermediate_result):
        if progress is not None:
            progress(intermediate_result)
        if fun.grad_max_at(intermediate_result.x) <= tol:
            stopped["tol"] = True
            raise StopIteration

    # scipy's own gradient test would look at the gradient in u: disabled.
    res, message = _lbfgsb(
        fun.loss_gradient, u0, gtol=0.0, max_iter=max_iter, callback=callback
    )
    fun.loss_gradient(res.x)
    if stopped["tol"]:
        message = "the largest absolute entry of the gradient is at most tol"
    return SolverResult(
        params=fun.params,
        n_iter=int(res.nit),
        converged=stopped["tol"] or res.status == 0,
        message=message,
        objective=float(fun.loss),
    )


SOLVERS = {
    "lbfgs": minimize_lbfgs,
    "preconditioned-lbfgs": minimize_preconditioned_lbfgs,
}


# Largest n_features for which "auto" whitens: the Gram matrix costs
# n_samples * n_features**2 and its eigendecomposition n_features**3.
_MAX_PRECONDITIONED_FEATURES = 2048
# With one weight vector (two classes) an iteration is ten times cheaper than
# with ten classes, and the Gram matrix is worth it only for fewer features.
_MAX_PRECONDITIONED_FEATURES_BINARY = 256


def select_solver(objective):
    """The solver ``solver="auto"`` runs on ``objective``: its name in :data:`SOLVERS`.

    The rule, measured on MNIST and ``load_digits`` (``benchmarks/``):

    - ``"preconditioned-lbfgs"`` when there are at least three classes and at
      most 2048 features, or two classes and at most 256 features. On MNIST (ten
      classes, 784 pixels, C=1) it needs 44 iterations where plain L-BFGS needs
      about 250, and the whole fit, Gram matrix included, is 2x faster (1.15 s
      against 2.4 s, dense float32) and ends at a lower objective.
    - ``"lbfgs"`` otherwise. For "is it a 2" on MNIST (two classes, 784
      pixels), one kernel pass costs about 4 ms and plain L-BFGS needs only
      about 70 iterations, so the Gram matrix (as long as 100 of those passes)
      does not pay: measured 0.50 s against 0.65 s.

    Both run on the fused loss-gradient kernel (the CSR kernel for sparse
    ``X`` and for a dense ``X`` sparse enough to be copied to compact CSR, the
    dense kernel otherwise), in ``X``'s own dtype, and both stop on
    scikit-learn's criterion, so ``tol`` means the same as in
    :class:`sklearn.linear_model.LogisticRegression`.

    Parameters
    ----------
    objective : LogisticObjective

    Returns
    -------
    name : str
    """
    limit = (
        _MAX_PRECONDITIONED_FEATURES_BINARY
        if objective.binary
        else _MAX_PRECONDITIONED_FEATURES
    )
    if objective.n_features <= limit:
        return "preconditioned-lbfgs"
    return "lbfgs"
