"""Solvers: drive a :class:`~skdigit.linear_model._loss.LogisticObjective` to its minimum.

Each solver takes the objective, a starting point and the stopping parameters,
and returns a :class:`SolverResult`. None of them knows about estimators, so a
future ``partial_fit`` or a Dask-backed search can call them directly.
"""

import sys
from dataclasses import dataclass

import numpy as np
from scipy import optimize


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
    res = optimize.minimize(
        objective.loss_gradient,
        params0,
        method="L-BFGS-B",
        jac=True,
        callback=_progress_printer(verbose, "lbfgs"),
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    message = res.message if isinstance(res.message, str) else res.message.decode()
    return SolverResult(
        params=res.x,
        n_iter=int(res.nit),
        # status 1: iteration (or evaluation) limit reached; 2: line-search trouble
        converged=res.status == 0,
        message=message,
        objective=float(res.fun),
    )


SOLVERS = {"lbfgs": minimize_lbfgs}


def select_solver(objective):
    """The solver ``solver="auto"`` runs on ``objective``: its name in :data:`SOLVERS`.

    The rule, by measurement on MNIST (``benchmarks/``): L-BFGS on the fused
    loss-gradient kernel, whatever the size and layout of the data. Dense
    input runs the register-blocked dense kernel and CSR input the CSR kernel,
    each in the dtype it was given (float32 or float64); no copy of ``X`` is
    made. L-BFGS needs one kernel pass per iteration (plus rare extra line-search
    passes) and stops on scikit-learn's criterion, so ``tol`` means the same as
    in :class:`sklearn.linear_model.LogisticRegression`. Solvers that may beat
    it on large data (truncated Newton on a fused Hessian-vector product, a
    warm start from a subsample fit) would be added here, behind this rule,
    once measured to reach the same objective faster.

    Parameters
    ----------
    objective : LogisticObjective

    Returns
    -------
    name : str
    """
    return "lbfgs"
