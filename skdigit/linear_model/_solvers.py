"""Solvers: drive a :class:`~skdigit.linear_model._loss.LogisticObjective` to its minimum.

A solver is a :class:`Solver`: it declares what it needs of the objective
(a smooth penalty, the second moments of the data) and refuses the rest with a
clear error before it starts; :meth:`Solver.solve` takes the objective, a
starting point and the stopping parameters, and returns a
:class:`SolverResult`. No solver knows about estimators, so a regularization
path or a Dask-backed fit calls them directly.

Every solver calls ``callback(n_iter, params)`` after each iteration (a true
return value stops it early: scikit-learn's callbacks use this) and prints
progress when ``verbose``. None exceeds ``max_iter`` iterations; ``max_iter=0``
returns the starting point.

The solvers are registered in :data:`SOLVERS`; :func:`select_solver` is the
rule behind ``solver="auto"``.
"""

import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..utils import blas_threads, single_threaded_blas
from ._lbfgs import minimize_lbfgs
from ._metric import check_gram_fits, gram_pays
from ._preconditioner import LOW_RANK, LOW_RANK_ROWS, LowRankPreconditioner, Preconditioner

__all__ = [
    "SKLEARN_SOLVERS",
    "SOLVERS",
    "SOLVER_NAMES",
    "Solver",
    "SolverResult",
    "check_solver_name",
    "resolve_solver",
    "select_solver",
]


@dataclass
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        The flat parameter vector reached.
    n_iter : int
        Number of iterations run (at most ``max_iter``).
    converged : bool
        Whether the stopping criterion (``tol``) held at ``params``, or a
        callback asked to stop. False whatever else stopped the solver:
        ``max_iter``, or no further decrease representable.
    message : str
        The solver's own account of why it stopped.
    optimality : float or None, default=None
        :meth:`LogisticObjective.optimality` at ``params``, where the solver
        knows it without another pass over the data.
    solver : str or None, default=None
        The name of the solver that ran (set by :meth:`Solver.solve`).
    """

    params: np.ndarray
    n_iter: int
    converged: bool
    message: str
    optimality: float = None
    solver: str = None


class Solver:
    """Base class: requirements, the checks that enforce them, progress printing.

    Subclasses set :attr:`name`, :attr:`needs_smooth_penalty`, and implement
    :meth:`_solve`.
    """

    name = "solver"
    needs_smooth_penalty = True
    """Whether the solver handles only differentiable penalties (no L1 term)."""

    def check(self, objective):
        """Raise ``ValueError`` if this solver cannot minimize ``objective``."""
        if self.needs_smooth_penalty and not objective.penalty.is_smooth:
            raise ValueError(
                f"solver={self.name!r} handles only smooth penalties (l1_ratio=0, or "
                f"C=np.inf), but l1_ratio > 0 adds an L1 term. Use "
                f"solver='auto' or a proximal solver: {_proximal_names()}."
            )

    def solve(self, objective, params0, *, tol, max_iter, verbose=0, callback=None,
              copy=True):
        """Minimize ``objective`` from ``params0``.

        Parameters
        ----------
        objective : LogisticObjective
        params0 : ndarray of shape (n_params,)
        tol : float
            The stopping tolerance on :meth:`LogisticObjective.optimality`.
        max_iter : int
            At most this many iterations; 0 returns ``params0``.
        verbose : int, default=0
            Print the iteration (of ``max_iter``), the objective and the
            stopping quantity against ``tol``: at 1 the first and every 10th
            iteration, or sooner when a second has passed since the last line;
            above 1, every iteration.
        callback : callable, default=None
            ``callback(n_iter, params)`` after each iteration; a true return
            value stops the solver.
        copy : bool, default=True
            Whether to work on a copy of ``params0``. With False (and
            ``params0`` a float64 array) the solver may use its memory as its
            own and leave anything in it: a caller that has no further use
            for it saves one array of the coefficients' size.

        Returns
        -------
        SolverResult
            Its ``params`` in scikit-learn's representation of the multinomial
            model (:meth:`LogisticObjective.centred`).
        """
        self.check(objective)
        params0 = np.array(params0, dtype=np.float64, copy=True if copy else None)
        if max_iter == 0:
            return SolverResult(params0, 0, False, "max_iter=0: no iteration run",
                                solver=self.name)
        # The kernels use every core; BLAS threads spinning around the
        # optimizer's small vector work would take them (utils._threads).
        with single_threaded_blas():
            result = self._solve(
                objective, params0, tol=tol, max_iter=max_iter,
                report=_Reporter(self.name, verbose, callback, max_iter=max_iter, tol=tol),
            )
        # one representation of the multinomial optimum, whatever the solver
        result.params = objective.centred(result.params)
        result.solver = self.name
        return result

    def _solve(self, objective, params0, *, tol, max_iter, report):
        raise NotImplementedError


class _Reporter:
    """Per-iteration progress printing and the user's callback, for any solver."""

    def __init__(self, name, verbose, callback, *, max_iter=None, tol=None):
        self.name = name
        self.every = 0 if not verbose else 10 if verbose == 1 else 1
        self.callback = callback
        self.max_iter, self.tol = max_iter, tol
        self.n_iter = 0
        self.last = time.perf_counter()

    def __call__(self, params, value, optimality=None):
        """Record one iteration; return True when the callback asks to stop.

        ``optimality`` is the stopping quantity (stop when at most ``tol``),
        when the solver has it at hand.
        """
        self.n_iter += 1
        now = time.perf_counter()
        if self.every and (self.n_iter % self.every == 0 or self.n_iter == 1
                           or now - self.last >= 1.0):
            self.last = now
            of = "" if self.max_iter is None else f" of {self.max_iter}"
            line = f"[{self.name}] iteration {self.n_iter:4d}{of}  objective {value:.10g}"
            if optimality is not None and self.tol is not None:
                line += f"  optimality {optimality:.3g} (stops at tol={self.tol:.3g})"
            print(line, file=sys.stdout, flush=True)
        return bool(self.callback is not None and self.callback(self.n_iter, params))

    @contextmanager
    def building(self, what, *, announce=True):
        """Print ``preconditioner: WHAT`` before the block and ``preconditioner
        ready (T s)`` after it, when verbose and ``announce``.

        For steps before the first iteration that take seconds (building a
        preconditioner), so that a verbose fit is never silent for long.
        """
        if not (self.every and announce):
            yield
            return
        print(f"[{self.name}] preconditioner: {what}", file=sys.stdout, flush=True)
        start = time.perf_counter()
        yield
        self.last = time.perf_counter()
        print(f"[{self.name}] preconditioner ready ({self.last - start:.1f} s)",
              file=sys.stdout, flush=True)


# From this many variables on, the unconstrained L-BFGS runs in NumPy
# (:mod:`._lbfgs`): scipy's L-BFGS-B spends on its bound-constrained
# bookkeeping, per iteration, about three times the two-loop recursion's
# passes over the variables (benchmarks/shapes.py: 2,000,020 coefficients).
# Below, both take the same iterations and the difference is negligible.
_NUMPY_LBFGS_MIN_PARAMS = 100_000


def lbfgs_implementation(n_params):
    """Which L-BFGS runs on ``n_params`` unconstrained variables: ``"numpy"`` or ``"scipy"``.

    ``"numpy"`` (:func:`._lbfgs.minimize_lbfgs`, the same method and
    iterations as scipy's L-BFGS-B without bounds) from
    ``_NUMPY_LBFGS_MIN_PARAMS`` variables on, scipy's L-BFGS-B below.
    """
    return "numpy" if n_params >= _NUMPY_LBFGS_MIN_PARAMS else "scipy"


def _lbfgsb(fun, x0, *, gtol, max_iter, callback):
    """L-BFGS with scikit-learn's options: scipy's L-BFGS-B, or its NumPy twin (many variables)."""
    if lbfgs_implementation(np.size(x0)) == "numpy":
        res = minimize_lbfgs(fun, x0, max_iter=max_iter, callback=callback, m=10,
                             maxls=50, gtol=gtol, ftol=64 * np.finfo(float).eps)
        return res, res.message
    res = optimize.minimize(
        fun, x0, method="L-BFGS-B", jac=True, callback=callback,
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": gtol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    message = res.message if isinstance(res.message, str) else res.message.decode()
    return res, message


class _LastEvaluation:
    """``objective`` as a function of variables ``u`` (``params = to_params(u)``).

    Remembers its last evaluation: L-BFGS-B evaluates each accepted point just
    before its callback sees it, so the callback's convergence test and the
    user's callback cost no extra kernel pass.
    """

    def __init__(self, objective, to_params=None, gradient=None):
        self.objective = objective
        self.to_params = to_params
        self.to_gradient = gradient
        self._u = None
        self.copies = True

    def __call__(self, u):
        """``(loss, gradient)`` at ``u``.

        With ``copies`` (scipy's L-BFGS-B, which writes into its ``x`` and
        its gradient), ``u`` is copied and a copy of the gradient returned;
        without (the NumPy L-BFGS, which never writes into either), neither.
        """
        if self._u is None or (u is not self._u and not np.array_equal(u, self._u)):
            params = u if self.to_params is None else self.to_params(u)
            loss, grad = self.objective.loss_gradient(params)
            self._u = np.array(u, dtype=np.float64) if self.copies else np.asarray(u, np.float64)
            self.params, self.loss, self.grad = params, loss, grad
            self._grad_u = grad if self.to_gradient is None else self.to_gradient(grad)
        return self.loss, self._grad_u.copy() if self.copies else self._grad_u

    def optimality_at(self, u):
        self(u)
        return self.objective.optimality(self.params, self.grad)


def _run_lbfgs(objective, fun, u0, *, tol, max_iter, report, params0=None):
    """L-BFGS-B on ``fun``, stopping on the objective's optimality in ``[W, b]``.

    Where the data layout has a faster, float32-accurate variant
    (:meth:`~._loss.LogisticObjective.reduced_precision`: dense float32 ``X``),
    the iterations run on it first: to ``tol`` measured there, or until the
    objective stops decreasing by more than float32's rounding can resolve.
    The point reached is then tested at full precision, and the iterations go
    on there when it is not within ``tol``. ``n_iter`` counts both. When no
    iteration ran, the result is ``params0`` itself (the coefficients ``u0``
    stands for), not ``u0`` mapped back, which would move it by the rounding
    of the change of variables.
    """
    n_fast = 0
    fast = objective.reduced_precision() if max_iter > 0 else None
    if fast is not None:
        fast_fun = _LastEvaluation(fast, fun.to_params, fun.to_gradient)
        run = _lbfgs_until(fast, fast_fun, u0, tol=tol, max_iter=max_iter, report=report,
                           stall=_FAST_STALL)
        u0, n_fast = run.u, run.n_iter
        if run.why == _ASKED_TO_STOP:
            fun(u0)
            return SolverResult(fun.params, n_fast, True, run.why)
    run = _lbfgs_until(objective, fun, u0, tol=tol, max_iter=max_iter - n_fast, report=report)
    fun(run.u)
    why = run.why
    if n_fast and run.n_iter == 0 and why == _WITHIN_TOL_AT_START:
        why = _WITHIN_TOL  # reached by the fast iterations, tested at full precision
    # tol decides, not scipy: its own stop on a relative decrease of the
    # objective below 64 eps (status 0) can come above tol
    optimality = objective.optimality(fun.params, fun.grad)
    converged = optimality <= tol or why == _ASKED_TO_STOP
    if not converged and why.startswith("CONVERGENCE"):
        why = f"no further decrease is representable; scipy: {why}"
    params = params0 if params0 is not None and n_fast + run.n_iter == 0 else fun.params
    return SolverResult(params, n_fast + run.n_iter, converged, why, optimality)


_WITHIN_TOL = "the largest absolute entry of the gradient is at most tol"
_WITHIN_TOL_AT_START = "the gradient is within tol at the starting point"
_ASKED_TO_STOP = "a callback asked to stop"
# Reduced precision: a relative decrease of the objective below 1e-5 over 5
# iterations is taken as float32's rounding (about 1e-7 of the loss), not
# progress, and ends the fast iterations.
_FAST_STALL = (5, 1e-5)


@dataclass
class _Run:
    u: np.ndarray
    n_iter: int
    converged: bool
    why: str


def _lbfgs_until(objective, fun, u0, *, tol, max_iter, report, stall=None):
    """L-BFGS-B from ``u0`` until ``tol``, a callback, ``stall`` or scipy stops it."""
    if fun.optimality_at(u0) <= tol:
        return _Run(u0, 0, True, _WITHIN_TOL_AT_START)
    if max_iter <= 0:  # scipy would still take a step
        return _Run(u0, 0, False, "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT")
    stopped = {}
    values = [fun.loss]
    fun.copies = lbfgs_implementation(np.size(u0)) == "scipy"

    def callback(intermediate_result):
        fun(intermediate_result.x)
        optimality = objective.optimality(fun.params, fun.grad)
        if report(fun.params, fun.loss, optimality):
            stopped["why"] = _ASKED_TO_STOP
            raise StopIteration
        if optimality <= tol:
            stopped["why"] = _WITHIN_TOL
            raise StopIteration
        values.append(fun.loss)
        if stall is not None and len(values) > stall[0]:
            if values[-1 - stall[0]] - values[-1] <= stall[1] * abs(values[-1]):
                stopped["why"] = "no progress at this precision"
                raise StopIteration

    # scipy's own gradient test would look at the gradient in u: disabled.
    res, message = _lbfgsb(fun, u0, gtol=0.0, max_iter=max_iter, callback=callback)
    return _Run(
        res.x, int(res.nit),
        # status 1: iteration (or evaluation) limit; 2: line-search trouble
        converged=stopped.get("why") in (_WITHIN_TOL, _ASKED_TO_STOP) or res.status == 0,
        why=stopped.get("why", message),
    )


class LBFGS(Solver):
    """scipy's L-BFGS-B on the coefficients, as scikit-learn's ``lbfgs``.

    Stops when the largest absolute entry of the gradient of the mean-scaled
    objective is at most ``tol`` (scikit-learn's criterion), or when one
    iteration decreases the objective by less than ``64 * eps`` relatively (no
    further progress is representable). ``max_iter`` iterations or a failed
    line search (up to 50 steps) are reported as not converged. On dense
    float32 data the first iterations use float32 products, and the test of
    ``tol`` is at full precision (:func:`_run_lbfgs`). From 100,000
    coefficients on, the same method runs in NumPy
    (:func:`~._lbfgs.minimize_lbfgs`: the same iterates, without L-BFGS-B's
    bound-constrained bookkeeping, which on millions of coefficients costs as
    much as the loss and its gradient).

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
       Springer, 2006, chapter 7.2 (limited-memory BFGS).
    .. [2] R. H. Byrd, P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm
       for bound constrained optimization", SIAM J. Sci. Comput. 16(5), 1995.
    """

    name = "lbfgs"

    def _solve(self, objective, params0, *, tol, max_iter, report):
        fun = _LastEvaluation(objective)
        return _run_lbfgs(objective, fun, params0, tol=tol, max_iter=max_iter, report=report)


class PreconditionedLBFGS(Solver):
    """L-BFGS-B on whitened coefficients ``u = [W, b] M^{1/2}``.

    ``M`` is the data's weighted second-moment matrix times a constant
    curvature, plus the L2 term (:class:`Preconditioner`): a fixed, exact
    change of variables (Nocedal & Wright, section 7.2 on the initial Hessian;
    the same idea as a preconditioned conjugate gradient), built from one Gram
    matrix of size ``n_features + 1`` and its eigendecomposition. Above 2048
    features (:func:`low_rank_preconditions`) only the Gram matrix's largest
    eigenpairs are kept, estimated from a sample of rows
    (:class:`LowRankPreconditioner`): its cost does not grow with
    ``n_features**3``. Convergence is tested in the original coefficients, so
    ``tol`` means what it means for :class:`LBFGS` and scikit-learn's ``lbfgs``.

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
       Springer, 2006, chapters 5.1 (preconditioning) and 7.2 (L-BFGS).
    .. [2] D. Böhning, "Multinomial logistic regression algorithm", Ann. Inst.
       Statist. Math. 44(1), 1992 (a fixed bound on the Hessian of the same
       Kronecker form).
    .. [3] Z. Frangella, J. A. Tropp and M. Udell, "Randomized Nystrom
       preconditioning", SIAM J. Matrix Anal. Appl. 44(2), 2023.
    """

    name = "preconditioned-lbfgs"

    def check(self, objective):
        """Also raise ``MemoryError``, before allocating, if the Gram matrix cannot fit."""
        super().check(objective)
        if not low_rank_preconditions(objective):
            check_gram_fits(objective, self.name)

    def _solve(self, objective, params0, *, tol, max_iter, report):
        if low_rank_preconditions(objective):
            n_rows = min(LOW_RANK_ROWS, objective.layout.n_samples)
            with report.building(f"the {LOW_RANK} largest eigenpairs of the Gram matrix, "
                                 f"from {n_rows:,} rows drawn at random",
                                 announce=not objective.has_gram_low_rank()):
                with blas_threads(objective.n_threads):  # BLAS products only
                    low_rank = objective.gram_low_rank()
            pre = LowRankPreconditioner(low_rank, objective.coef, l2=objective.penalty.curvature)
        else:
            with report.building(f"the Gram matrix of {objective.layout.n_features:,} "
                                 "features and its eigenvectors",
                                 announce=not objective.has_gram()):
                gram = objective.gram_eigh()
            pre = Preconditioner(gram, objective.coef, l2=objective.penalty.curvature)
        fun = _LastEvaluation(objective, pre.to_params, pre.gradient)
        u0 = pre.from_params(params0)
        return _run_lbfgs(objective, fun, u0, tol=tol, max_iter=max_iter, report=report,
                          params0=np.asarray(params0, dtype=np.float64))


SOLVERS = {solver.name: solver for solver in (LBFGS(), PreconditionedLBFGS())}
"""The registered solvers, by name."""

# The proximal solver subclasses Solver, so it is imported once Solver exists.
from ._solver_prox import ProximalQN

SOLVERS[ProximalQN.name] = ProximalQN()


def _proximal_names():
    names = [name for name, solver in SOLVERS.items() if not solver.needs_smooth_penalty]
    return ", ".join(repr(name) for name in names) or "none is installed"


# Largest n_features for which "auto" whitens by the whole Gram matrix: it
# costs n_samples * n_features**2 and its eigendecomposition n_features**3.
# Above, "preconditioned-lbfgs" whitens by its largest eigenpairs
# (LowRankPreconditioner).
_MAX_PRECONDITIONED_FEATURES = 2048
# Fewest n_features for which "auto" picks the low-rank preconditioner on
# dense data with at least as many rows as features.
_MIN_LOW_RANK_FEATURES = 4097
# With one weight vector (two classes) a kernel pass is n_classes times
# cheaper than with ten, and the eigendecomposition (whose cost does not
# depend on n_samples) pays for itself only on enough rows.
_MIN_SAMPLES_PER_FEATURE_BINARY = 20


def low_rank_preconditions(objective):
    """Whether ``"preconditioned-lbfgs"`` whitens ``objective`` by a low-rank metric.

    It does above 2048 features (:class:`LowRankPreconditioner`: the largest
    eigenpairs of the Gram matrix, from a sample of rows), unless the whole
    Gram matrix is already at hand, and where the layout gathers rows in
    memory; otherwise it builds the whole Gram matrix (:class:`Preconditioner`).
    """
    return (
        not objective.has_gram()
        and objective.layout.n_features > _MAX_PRECONDITIONED_FEATURES
        and objective.layout.can_sample_rows
    )


def select_solver(objective):
    """The solver ``solver="auto"`` runs on ``objective``: its name in :data:`SOLVERS`.

    The rule (measured by ``benchmarks/``; ``benchmarks/shapes.py`` for wide
    data):

    - a penalty with an L1 term: the proximal solver (which whitens by the
      Gram matrix or its diagonal by shape, :meth:`LogisticObjective.metric_kind`);
    - at most 2048 features, a Gram matrix that fits in memory, and for two
      classes at least 20 samples per feature, for more classes at most 512
      features or at least one sample per feature:
      ``"preconditioned-lbfgs"`` (its Gram matrix pays for itself through
      several times fewer iterations, and it stops at a lower objective than
      plain L-BFGS at the same ``tol``);
    - dense data held in memory with more than 4096 features and at least as
      many rows as features (kernel features): ``"preconditioned-lbfgs"``
      with its low-rank metric (:class:`LowRankPreconditioner`; on the
      60,000 x 15,969 kernel features of ``benchmarks/wide.py``, 21
      iterations to ``tol=1e-4`` instead of plain L-BFGS's 48). From 2049 to 4096 features (the
      scattering pipeline's 3,969 included) ``"auto"`` keeps plain L-BFGS,
      which the shipped model was fitted with; name the solver to use the
      low-rank metric there;
    - otherwise ``"lbfgs"`` (no metric: memory and time in proportion to the
      data, as scikit-learn's ``lbfgs``).

    Parameters
    ----------
    objective : LogisticObjective

    Returns
    -------
    name : str
    """
    if not objective.penalty.is_smooth:
        return next(name for name, s in SOLVERS.items() if not s.needs_smooth_penalty)
    if objective.has_gram():
        n_samples, n_features = objective.layout.shape
        if n_features <= _MAX_PRECONDITIONED_FEATURES and not (
            objective.binary and n_samples < _MIN_SAMPLES_PER_FEATURE_BINARY * n_features
        ):
            return "preconditioned-lbfgs"
        return "lbfgs"
    n_samples, n_features = objective.layout.shape
    if objective.binary:
        pays = gram_pays(
            n_samples, n_features, max_features=_MAX_PRECONDITIONED_FEATURES,
            samples_per_feature=_MIN_SAMPLES_PER_FEATURE_BINARY, small_features=0,
        )
    else:
        pays = gram_pays(n_samples, n_features, max_features=_MAX_PRECONDITIONED_FEATURES)
    low_rank = (objective.layout.can_sample_rows and n_features >= _MIN_LOW_RANK_FEATURES
                and n_samples >= n_features)
    return "preconditioned-lbfgs" if pays or low_rank else "lbfgs"


SKLEARN_SOLVERS = {
    "newton-cg": "auto",
    "sag": "auto",
    "saga": "auto",
    "newton-cholesky": "gram",
    "newton-cd": "proximal",
    "newton-cd-gram": "proximal",
    "liblinear": None,
}
"""scikit-learn's solver names (1.9, and 1.10's ``"newton-cd"`` and
``"newton-cd-gram"``) that are not skdigit's, and what each maps to. Every
skdigit solver minimizes the same objective as every scikit-learn solver (but
``liblinear``), so a name a user ports with their code only says what kind of
method they wanted:

- ``"newton-cg"``, ``"sag"``, ``"saga"``: ``"auto"`` (``"saga"`` is
  scikit-learn's solver for any penalty; ``"sag"`` and ``"newton-cg"`` are
  L2-only there, skdigit fits any penalty with them);
- ``"newton-cholesky"`` (second-order, Gram matrix): ``"preconditioned-lbfgs"``
  (the Gram matrix as metric), or the proximal solver for an L1 term;
- ``"newton-cd"``, ``"newton-cd-gram"`` (scikit-learn 1.10's L1 and
  elastic-net solvers: Newton steps, coordinate descent): ``"proximal-qn"``,
  the same design;
- ``"liblinear"`` is refused: it penalizes the intercept and fits one-vs-rest,
  another problem.

``lbfgs`` is skdigit's own name too (the same method).
"""


def resolve_solver(solver, objective):
    """The name in :data:`SOLVERS` that ``solver`` (``"auto"``, ours or scikit-learn's) runs.

    Parameters
    ----------
    solver : str
        ``"auto"``, a name in :data:`SOLVERS` or in :data:`SKLEARN_SOLVERS`.
    objective : LogisticObjective

    Returns
    -------
    name : str

    Raises
    ------
    ValueError
        For ``"liblinear"`` (see :func:`check_solver_name`).
    """
    check_solver_name(solver)
    kind = SKLEARN_SOLVERS.get(solver, solver)
    if kind == "auto":
        return select_solver(objective)
    proximal = next(name for name, s in SOLVERS.items() if not s.needs_smooth_penalty)
    if kind == "proximal":
        return proximal
    if kind == "gram":
        return "preconditioned-lbfgs" if objective.penalty.is_smooth else proximal
    return kind


def check_solver_name(solver):
    """Raise ``ValueError`` for a scikit-learn solver that solves another problem."""
    if solver in SKLEARN_SOLVERS and SKLEARN_SOLVERS[solver] is None:
        raise ValueError(
            f"solver={solver!r} fits another problem than LogisticRegression's other "
            "solvers (it penalizes the intercept, and fits one-vs-rest for more than "
            "two classes), which skdigit does not solve. Use solver='auto' (or any "
            f"of {sorted(SOLVERS)}): the same objective as scikit-learn's 'lbfgs', "
            "'newton-cholesky' or 'saga'."
        )


SOLVER_NAMES = set(SOLVERS) | {"auto"} | set(SKLEARN_SOLVERS)
"""Every value the estimators' ``solver`` parameter accepts."""
