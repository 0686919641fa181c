"""Regularization paths: one fit per ``C``, from the strongest penalty to the weakest.

Along a path the data layout, the second moments and their eigendecomposition
depend only on the data, so they are built once (:class:`PathFitter`) and every
fit of the path reuses them; each fit starts from the previous solution (warm
start), which lies close to the next one when the grid is fine.
:func:`logistic_regression_path` is the public entry point;
:class:`~skdigit.linear_model.DigitLogisticClassifierCV` runs one path per
fold and ``l1_ratio``.
"""

import numbers

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length

from ..utils import parallel_kernel_lock, resolve_n_threads
from ._convergence import warn_not_converged
from ._layouts import make_layout
from ._loss import LogisticObjective, effective_sample_weight
from ._penalties import make_penalty
from ._solvers import SOLVERS, resolve_solver

__all__ = [
    "PathFitter",
    "alpha_grid",
    "c_grid",
    "check_alphas",
    "check_cs",
    "logistic_regression_path",
    "warn_path_not_converged",
]

# Decades spanned by a grid of Cs with an L1 term: from where every weight is
# zero, 1e4 times weaker (glmnet's lambda_min_ratio for n_samples > n_features).
_L1_GRID_DECADES = 4.0


class PathFitter:
    """Fits along a path of ``C`` values on one data set, sharing what depends only on it.

    Parameters
    ----------
    X : {ndarray, csr_matrix} of shape (n_samples, n_features)
        float32 or float64, C-contiguous if dense.
    y_idx : ndarray of shape (n_samples,)
        Class indices ``0 .. n_classes - 1``.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative, with a positive sum (class weights included).
    n_classes : int
    fit_intercept : bool
    solver : str
        A name in :data:`SOLVERS`, ``"auto"`` (chosen per penalty), or a
        scikit-learn solver name (:func:`~._solvers.resolve_solver`).
    n_threads : int
    moments_from : LogisticObjective, default=None
        Share its second moments instead of computing this data's (see
        :meth:`LogisticObjective.share_moments`).
    """

    def __init__(self, X, y_idx, sample_weight, n_classes, *, fit_intercept, solver,
                 n_threads, moments_from=None):
        self.objective = LogisticObjective(
            make_layout(X, n_threads=n_threads), y_idx, sample_weight, n_classes,
            fit_intercept=fit_intercept, penalty=make_penalty(np.inf, 0.0, 1.0),
            n_threads=n_threads,
        )
        if moments_from is not None:
            self.objective.share_moments(moments_from)
        self.solver = solver

    @property
    def coef(self):
        return self.objective.coef

    def l1_max(self):
        """The mean-scaled L1 strength at and above which every weight is zero.

        The largest absolute gradient of the data term in ``W`` at ``W = 0``,
        with the intercepts at their optimum (the weighted log class
        frequencies; zero without intercept).
        """
        objective = self.objective
        params = objective.coef.zeros()
        if objective.coef.fit_intercept:
            counts = np.bincount(
                objective.y, weights=objective.sample_weight,
                minlength=2 if objective.binary else objective.coef.n_rows_w,
            )
            freq = np.clip(counts / counts.sum(), 1e-12, 1.0)
            _, b = objective.coef.unpack(params)
            b[:] = np.log(freq[1] / freq[0]) if objective.binary else np.log(freq)
        _, grad_W, _ = objective.data_loss_gradient(params)
        return float(np.max(np.abs(grad_W), initial=0.0))

    def fit(self, C, l1_ratio, params0, *, tol, max_iter, verbose=0):
        """One fit at ``(C, l1_ratio)`` from ``params0``: ``(SolverResult, solver name)``."""
        name = self.solver_for(C, l1_ratio)  # also sets the objective's penalty
        result = SOLVERS[name].solve(
            self.objective, params0, tol=tol, max_iter=max_iter, verbose=verbose
        )
        return result, name

    def path(self, Cs, l1_ratio, *, tol, max_iter, params0=None, verbose=0):
        """Fits at each of ``Cs`` in the order given, each warm-started from the last.

        Returns
        -------
        params : ndarray of shape (n_cs, n_params)
        n_iter : ndarray of shape (n_cs,)
        not_converged : list of tuple
            ``(C, SolverResult)`` of each fit that stopped before ``tol`` held.
        """
        current = self.coef.zeros() if params0 is None else np.array(params0, dtype=float)
        params = np.empty((len(Cs), self.coef.n_params))
        n_iter = np.zeros(len(Cs), dtype=np.int32)
        not_converged = []
        with parallel_kernel_lock():
            for i, C in enumerate(Cs):
                result, _ = self.fit(C, l1_ratio, current, tol=tol, max_iter=max_iter, verbose=verbose)
                current = result.params
                params[i], n_iter[i] = current, result.n_iter
                if not result.converged:
                    not_converged.append((C, result))
        return params, n_iter, not_converged

    def prepare_moments(self, Cs, l1_ratios):
        """Compute, once, the moments the solvers of these fits will whiten by.

        The Gram matrix's eigendecomposition where a solver chosen for one of
        the fits uses it, the column moments where the proximal solver uses
        the diagonal metric, nothing where plain L-BFGS runs (wide data: the
        Gram matrix would cost more than the fits). Objectives that share
        this one's moments (:meth:`LogisticObjective.share_moments`) then
        compute none.
        """
        objective = self.objective
        for C in Cs:
            for l1_ratio in l1_ratios:
                name = self.solver_for(C, l1_ratio)
                if name == "preconditioned-lbfgs" or (
                    not SOLVERS[name].needs_smooth_penalty
                    and objective.metric_kind() == "gram"
                ):
                    objective.gram_eigh()
                elif not SOLVERS[name].needs_smooth_penalty:
                    objective.column_moments()

    def solver_for(self, C, l1_ratio):
        """The name of the solver a fit at ``(C, l1_ratio)`` runs (sets that penalty)."""
        self.objective.penalty = make_penalty(C, l1_ratio, self.objective.sw_sum)
        return resolve_solver(self.solver, self.objective)


def initial_params(coef, layout):
    """The flat starting point of ``coef``, a starting point as the user gives it.

    Parameters
    ----------
    coef : array-like
        ``[W | b]`` of shape ``(n_rows_w, n_features + fit_intercept)``, or
        ``W`` alone ``(n_rows_w, n_features)`` (intercepts from zero); for
        two classes (``n_rows_w == 1``) also 1-D, as scikit-learn accepts it.
    layout : CoefLayout

    Returns
    -------
    params : ndarray of shape (n_params,)

    Raises
    ------
    ValueError
        For another shape, or a value that is not finite, saying the shape
        expected.
    """
    K, p, intercept = layout.n_rows_w, layout.n_features, layout.fit_intercept
    try:
        rows = np.asarray(coef, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"coef must be an array of numbers; got {coef!r}.") from None
    if rows.ndim == 1 and K == 1:
        rows = rows[None, :]
    shapes = [(K, p + 1), (K, p)] if intercept else [(K, p)]
    if rows.shape not in shapes:
        what = "1 row (two classes: one weight vector)" if K == 1 else f"{K} rows (one per class)"
        also = f", or ({p},) / ({p + 1},) for two classes" if K == 1 and intercept else (
            f", or ({p},) for two classes" if K == 1 else ""
        )
        raise ValueError(
            f"coef, the starting point, has shape {rows.shape}; expected "
            + " or ".join(str(shape) for shape in shapes) + also + f": {what}, "
            f"{p} weights" + (" and the intercept last" if intercept else "") + "."
        )
    if not np.all(np.isfinite(rows)):
        raise ValueError("coef, the starting point, holds NaN or infinity.")
    b = rows[:, p] if rows.shape[1] > p else np.zeros(K)
    return layout.pack(rows[:, :p], b)


def check_cs(Cs, name="Cs"):
    """``Cs`` checked: an int >= 1, or a non-empty list of C values in (0, inf].

    Returns an int unchanged, a list as a 1-D float array (in the order given).

    Raises
    ------
    ValueError
        For an empty list, or a value that is not a number in (0, inf] (zero,
        negative, NaN): each C is an inverse regularization strength.

    Examples
    --------
    >>> from skdigit.linear_model._path import check_cs
    >>> check_cs([1, 0.1])
    array([1. , 0.1])
    >>> check_cs([0.1, -1])
    Traceback (most recent call last):
    ...
    ValueError: Cs must hold C values in (0, inf]; got [0.1, -1.0]...
    """
    if isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool):
        if Cs < 1:
            raise ValueError(f"{name}={Cs}: give at least 1 value (an int >= 1) or a list.")
        return Cs
    try:
        values = np.asarray(Cs, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be an int or a list of numbers (C values); got {Cs!r}."
        ) from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{name} must be an int or a non-empty 1-D list of C values; got {Cs!r}. "
            "An int gives that many values on a log scale."
        )
    if not np.all(values > 0):  # NaN fails too
        raise ValueError(
            f"{name} must hold C values in (0, inf]; got {values.tolist()}. C is the "
            "inverse of the regularization strength: it must be positive, and "
            "np.inf fits without penalty."
        )
    return values


def check_alphas(alphas):
    """``alphas`` checked: an int >= 1, or a non-empty list of values in [0, inf).

    Raises
    ------
    ValueError
        For an empty list, or a value that is negative, NaN or infinite.
    """
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        if alphas < 1:
            raise ValueError(f"alphas={alphas}: give at least 1 value (an int >= 1) or a list.")
        return alphas
    try:
        values = np.asarray(alphas, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"alphas must be an int or a list of numbers; got {alphas!r}.") from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"alphas must be an int or a non-empty 1-D list; got {alphas!r}.")
    if not np.all((values >= 0) & np.isfinite(values)):
        raise ValueError(
            f"alphas must hold penalty strengths in [0, inf); got {values.tolist()}. "
            "0 fits without penalty."
        )
    return values


def alpha_grid(alphas, l1_ratios, fitter, weight_sum):
    """The ``C`` values, ascending, of scikit-learn 1.10's ``alphas``.

    ``C = 1 / (alpha * weight_sum)``. An int gives scikit-learn 1.10's grid
    ``np.logspace(-7, 2, alphas)`` for pure L2, and :func:`c_grid`'s glmnet
    grid with an L1 term.
    """
    alphas = check_alphas(alphas)
    if isinstance(alphas, numbers.Integral):
        if max(l1_ratios) > 0:
            return c_grid(alphas, l1_ratios, fitter)
        alphas = np.logspace(-7, 2, int(alphas))
    with np.errstate(divide="ignore"):
        return np.sort(1.0 / (alphas * weight_sum))


def c_grid(Cs, l1_ratios, fitter=None):
    """The ``C`` values of a path, ascending (strongest regularization first).

    An int ``Cs`` gives scikit-learn's grid ``np.logspace(-4, 4, Cs)`` for pure
    L2; with an L1 term (any ``l1_ratio > 0``) the grid starts, as glmnet's
    does, at the largest ``C`` for which every weight is zero (for the largest
    ``l1_ratio``) and spans four decades from there. A list is sorted.
    """
    Cs = check_cs(Cs)
    if not isinstance(Cs, numbers.Integral):
        return np.sort(Cs)
    l1 = max(l1_ratios)
    if l1 == 0 or fitter is None:
        return np.logspace(-4, 4, int(Cs))
    c_min = l1 / (fitter.objective.sw_sum * max(fitter.l1_max(), np.finfo(float).tiny))
    return np.logspace(np.log10(c_min), np.log10(c_min) + _L1_GRID_DECADES, int(Cs))


def warn_path_not_converged(not_converged, *, max_iter, tol, solver):
    """One ConvergenceWarning for the fits of paths that stopped before ``tol`` held.

    ``not_converged`` holds ``(C, SolverResult)`` pairs (:meth:`PathFitter.path`);
    the first fit at each ``C`` is named. ``solver`` is the estimator's
    (see :func:`~._convergence.warn_not_converged`).
    """
    first = {}
    for C, result in not_converged:
        first.setdefault(C, result)
    warn_not_converged(
        [(f"at C={C:.4g}", result) for C, result in sorted(first.items())],
        max_iter=max_iter, tol=tol, solver=solver,
    )


def logistic_regression_path(
    X, y, *, Cs=10, l1_ratio=0.0, fit_intercept=True, tol=1e-4, max_iter=100,
    class_weight=None, sample_weight=None, solver="auto", coef=None, n_jobs=None,
    verbose=0,
):
    """Coefficients of logistic regressions along a path of ``C`` values.

    Each fit is that of :class:`~skdigit.DigitLogisticClassifier` at its ``C``
    (the same objective and stopping rule), warm-started from the previous
    ``C``'s solution; the data layout and second moments are built once.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data, e.g. pixel intensities scaled to [0, 1]; float32 stays
        float32.
    y : array-like of shape (n_samples,)
        Class labels; at least two distinct values.
    Cs : int or array-like of shape (n_cs,), default=10
        The ``C`` values, fitted in increasing order. An int gives
        ``np.logspace(-4, 4, Cs)`` for ``l1_ratio=0``; with an L1 term, ``Cs``
        values spanning four decades upward from the largest ``C`` at which
        every weight is zero (as glmnet).
    l1_ratio : float, default=0.0
        The elastic-net mixing parameter in [0, 1].
    fit_intercept : bool, default=True
    tol : float, default=1e-4
        Stopping tolerance of each fit (see :class:`~skdigit.DigitLogisticClassifier`).
    max_iter : int, default=100
        Maximum solver iterations of each fit.
    class_weight : dict or "balanced", default=None
    sample_weight : array-like of shape (n_samples,), default=None
    solver : str, default="auto"
        As in :class:`~skdigit.DigitLogisticClassifier`.
    coef : array-like of shape (n_rows_w, n_features + fit_intercept), default=None
        Starting point of the first fit (zeros when None): ``[W | b]``, or the
        weights ``W`` alone of shape ``(n_rows_w, n_features)``; for two
        classes (``n_rows_w == 1``) also a 1-D array, as scikit-learn
        accepts it.
    n_jobs : int, default=None
        Threads of the kernels (see :class:`~skdigit.DigitLogisticClassifier`).
    verbose : int, default=0

    Returns
    -------
    coefs : ndarray of shape (n_cs, n_rows_w, n_features + fit_intercept)
        The coefficients ``[W | b]`` at each ``C`` (intercept last;
        ``n_rows_w`` is 1 for two classes, else the number of classes).
    Cs : ndarray of shape (n_cs,)
        The ``C`` values, ascending.
    n_iter : ndarray of shape (n_cs,)
        Solver iterations of each fit.

    Raises
    ------
    ValueError
        If ``y`` has a single class, ``coef`` does not have one of the shapes
        above, a value of ``Cs`` is not in (0, inf], or the inputs are invalid.

    See Also
    --------
    skdigit.DigitLogisticClassifierCV : Chooses ``C`` (and ``l1_ratio``) by
        cross-validation along such paths.

    References
    ----------
    .. [1] J. Friedman, T. Hastie and R. Tibshirani, "Regularization paths for
       generalized linear models via coordinate descent", J. Stat. Softw.
       33(1), 2010.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdigit.linear_model import logistic_regression_path
    >>> X, y = load_digits(return_X_y=True)
    >>> coefs, Cs, n_iter = logistic_regression_path(X / 16, y, Cs=[0.01, 0.1, 1.0])
    >>> coefs.shape
    (3, 10, 65)
    """
    X = check_array(
        X, accept_sparse="csr", dtype=[np.float64, np.float32], order="C",
        accept_large_sparse=True,
    )
    check_consistent_length(X, y)
    y = np.asarray(y)
    check_classification_targets(y)
    classes, y_idx = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            "logistic_regression_path needs samples of at least 2 classes, but y "
            f"contains only one class: {classes[0]!r}."
        )
    sample_weight = effective_sample_weight(sample_weight, X, y, classes, y_idx, class_weight)
    fitter = PathFitter(
        X, y_idx, sample_weight, classes.shape[0], fit_intercept=fit_intercept,
        solver=solver, n_threads=resolve_n_threads(n_jobs),
    )
    Cs = c_grid(Cs, [l1_ratio], fitter)
    params0 = None if coef is None else initial_params(coef, fitter.coef)
    params, n_iter, not_converged = fitter.path(
        Cs, l1_ratio, tol=tol, max_iter=max_iter, params0=params0, verbose=verbose
    )
    warn_path_not_converged(not_converged, max_iter=max_iter, tol=tol, solver=solver)
    coefs = np.stack([fitter.coef.as_rows(p) for p in params])
    return coefs, Cs, n_iter
