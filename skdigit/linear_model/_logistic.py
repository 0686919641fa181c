"""DigitLogisticClassifier: scikit-learn's logistic regression objective, solved fast."""

from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, _fit_context
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import (
    DocLinkMixin,
    parallel_kernel_lock,
    resolve_n_threads,
)
from ._callbacks import CallbackSupportMixin, FitCallbacks
from ._convergence import warn_not_converged
from ._layouts import is_dask_array, lazy_on_dask, make_layout
from ._loss import LogisticObjective, effective_sample_weight
from ._penalties import c_from_alpha, check_c_alpha, make_penalty, resolve_regularization
from ._solvers import SOLVER_NAMES, SOLVERS, check_solver_name, resolve_solver


def check_fit_data(estimator, X, y, sample_weight):
    """``(X, y, sample_weight)`` validated for ``estimator.fit``; sets ``n_features_in_``.

    NumPy and SciPy input go through scikit-learn's ``validate_data`` (float32
    and float64 kept, CSR accepted, C-contiguous); a Dask ``X`` is checked
    lazily and stays where its chunks are
    (:func:`~skdigit.linear_model._layout_dask.check_fit_input`). ``y`` must
    hold classification targets.
    """
    if is_dask_array(X):
        from ._layout_dask import check_fit_input

        X, y, sample_weight = check_fit_input(estimator, X, y, sample_weight)
    else:
        X, y = validate_data(
            estimator, X, y, accept_sparse="csr", dtype=[np.float64, np.float32],
            order="C", accept_large_sparse=True,
        )
    check_classification_targets(y)
    return X, y, sample_weight


def _weight_sum(sample_weight, X):
    """The sum of the sample weights as given (``n_samples`` for None)."""
    if sample_weight is None:
        return float(X.shape[0])
    return float(np.asarray(sample_weight, dtype=np.float64).sum())


def check_primal(dual):
    """Raise ``ValueError`` for ``dual=True``, which no skdigit solver has."""
    if dual:
        raise ValueError(
            "dual=True asks for the dual formulation, which only scikit-learn's "
            "liblinear solver has (L2 penalty, n_features > n_samples). skdigit "
            "solves the primal problem, which has the same optimum: leave dual=False."
        )


class DigitLogisticClassifier(
    DocLinkMixin, CallbackSupportMixin, LinearClassifierMixin, SparseCoefMixin, BaseEstimator
):
    r"""Logistic regression with scikit-learn's objective and fused numba kernels.

    Multinomial logistic regression when there are more than two classes,
    binary (binomial) logistic regression when there are two, with the L2, L1
    or elastic-net penalty or none. The objective is the one of
    :class:`sklearn.linear_model.LogisticRegression` at the same ``C`` and
    ``l1_ratio``, so both reach the same coefficients; skdigit gets there
    faster, by computing the loss and its gradient in one parallel pass over
    the data (dense or CSR, float32 or float64, never copied to float64) and by
    solvers made for this problem.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet", None}, default="deprecated"
        Deprecated in scikit-learn 1.8 and kept with its meaning and its
        deprecation warnings: leave it unset and use ``l1_ratio`` and ``C``
        (``l1_ratio=0`` for ``"l2"``, ``1`` for ``"l1"``, between for
        ``"elasticnet"``, ``C=np.inf`` for ``None``).
    C : float or None, default=1.0
        Inverse of the regularization strength, in (0, inf]. Larger values fit
        the training data more closely; ``C=np.inf`` fits the unpenalized model
        (which may not converge on separable data). ``None`` (with ``alpha``),
        as scikit-learn 1.10 allows to silence its deprecation of ``C``.
    l1_ratio : float, default=0.0
        The elastic-net mixing parameter, in [0, 1]: 0 is the L2 penalty
        :math:`\tfrac12 \|W\|_F^2`, 1 the L1 penalty :math:`\|W\|_1` (many
        weights exactly zero), between a mix of both. ``None`` is deprecated
        (read as 0), as in scikit-learn.
    fit_intercept : bool, default=True
        Whether to fit a (non-penalized) intercept per class.
    tol : float, default=1e-4
        Stop when the largest entry of the minimum-norm subgradient of the
        objective divided by ``C * sum(sample_weight)`` is at most ``tol``. For
        a smooth penalty that is the largest absolute entry of the gradient
        (scikit-learn's ``lbfgs`` criterion); with an L1 term, a weight's entry is
        the distance of minus its gradient to the subdifferential of the
        penalty (zero at the optimum), on the same scale.
    max_iter : int, default=100
        Maximum number of solver iterations; ``n_iter_`` never exceeds it.
        ``max_iter=0`` returns the starting coefficients (zeros, or the previous
        ones under ``warm_start``).
    class_weight : dict or "balanced", default=None
        Weights ``{class_label: weight}`` multiplying each sample's weight;
        ``"balanced"`` uses ``n_samples / (n_classes * np.bincount(y))``.
    warm_start : bool, default=False
        When ``True``, ``fit`` starts from the previous solution if the classes
        and the number of features are unchanged; otherwise from zero.
    verbose : int, default=0
        Print the solver's iteration (of ``max_iter``), the objective and the
        optimality against ``tol`` to standard output: at 1 the first and
        every 10th iteration, and at least one line a second; at 2 or more,
        every iteration.
    solver : str, default="auto"
        The algorithm: ``"auto"``, ``"lbfgs"``, ``"preconditioned-lbfgs"``,
        ``"proximal-qn"``, or a scikit-learn name (below). Every solver stops
        on the ``tol`` rule above, at ``max_iter``, or when no further decrease
        is representable (one iteration decreases the objective by less than
        ``64 * eps`` relatively, or no acceptable step is found). Whenever
        ``tol`` was not reached, ``fit`` raises a
        :class:`~sklearn.exceptions.ConvergenceWarning` that says why the
        solver stopped and what to do.

        - ``"lbfgs"``: scipy's L-BFGS-B on the coefficients, as scikit-learn's
          ``lbfgs``. Smooth penalties only (``l1_ratio=0`` or ``C=np.inf``).
        - ``"preconditioned-lbfgs"``: L-BFGS on whitened coefficients
          ``[W, b] M^{1/2}``, where ``M`` is the data's weighted second-moment
          matrix (times a constant curvature, plus the L2 term). It costs one
          Gram matrix of size ``n_features + 1`` and needs several times fewer
          iterations on digits. Above 2048 features of dense data it keeps
          only that matrix's 32 largest eigenpairs, estimated from 4,096 rows
          drawn at random (a randomized Nystrom preconditioner, Frangella,
          Tropp & Udell 2023): its cost no longer grows with
          ``n_features**3``. Smooth penalties only.
        - ``"proximal-qn"``: a proximal quasi-Newton method for the L1 and
          elastic-net penalties (any penalty, in fact): a limited-memory BFGS
          model of the smooth part in the same whitening metric, minimized
          with the L1 term by coordinate descent (exact zeros), and a
          backtracking line search (Lee, Sun & Saunders 2014).
        - ``"auto"``: the rule of
          ``skdigit.linear_model._solvers.select_solver``: the proximal solver
          for an L1 term (whitening by the Gram matrix where it pays, by its
          diagonal on wide data); ``"preconditioned-lbfgs"`` for at most 2048
          features (for two classes, with at least 20 samples per feature;
          for more, above 512 features, at least one sample per feature) and
          a Gram matrix that fits in memory, and with its low-rank metric on
          dense data of more than 4096 features with at least as many rows
          (kernel features); ``"lbfgs"`` otherwise.
          ``solver_`` says which ran. An explicit ``"preconditioned-lbfgs"``
          or ``"newton-cholesky"`` whose Gram matrix cannot fit raises
          ``MemoryError`` before allocating.
        - scikit-learn's names, for code ported from ``LogisticRegression``,
          each mapped to the skdigit solver for the same problem (every one
          minimizes the same objective): ``"newton-cg"``, ``"sag"`` and
          ``"saga"`` run ``"auto"``; ``"newton-cholesky"`` runs
          ``"preconditioned-lbfgs"`` (the proximal solver with an L1 term);
          scikit-learn 1.10's ``"newton-cd"`` and ``"newton-cd-gram"`` run
          ``"proximal-qn"``. ``"liblinear"`` (penalized intercept, one-vs-rest)
          raises ``ValueError``. ``solver_`` says which ran.

        Whatever the solver, sparse ``X`` runs the CSR kernel as it is; dense
        ``X`` is copied once to a compact CSR form when that takes at most half
        of its bytes (digit images: about 0.3x), and runs the dense kernel
        otherwise; both in ``X``'s own dtype (float32 stays float32).
    n_jobs : int, default=None
        Number of threads of the loss-gradient kernel, counted from numba's
        current thread count (``numba.get_num_threads()``, which joblib limits
        in its workers): ``None`` and ``-1`` use all of them, ``-2`` all but one.
        Never more than the CPUs available to the process (a larger value is
        lowered to that). For a fixed value the results are bit-for-bit
        reproducible.
    alpha : float, default=None
        scikit-learn 1.10's spelling of the regularization strength, for code
        written for it: ``C = 1 / (alpha * sum(sample_weight))`` (the sum of
        the sample weights as given, ``n_samples`` without them; class weights
        not included), so that ``alpha`` is the strength of the penalty on the
        mean loss, as in :class:`~sklearn.linear_model.SGDClassifier`.
        ``alpha=0`` is no penalty. ``None`` uses ``C``; setting both ``alpha``
        and a ``C`` other than its default raises ``ValueError``. No warning
        for ``C``: scikit-learn 1.9 has none.
    dual : bool, default=False
        scikit-learn's dual formulation, which only its ``liblinear`` solver
        has (L2 penalty). skdigit solves the primal problem, whose optimum is
        the same: ``False`` is the only value; ``True`` raises ``ValueError``.
    intercept_scaling : float, default=1
        Accepted for scikit-learn's signature, without effect: it matters in
        scikit-learn only for ``liblinear``, which penalizes the intercept as a
        synthetic feature of this value; skdigit never penalizes the intercept.
        Must be positive.
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn's signature, without effect: every skdigit
        solver is deterministic (scikit-learn uses it only to shuffle the data
        in ``sag``, ``saga`` and ``liblinear``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights; one row when there are two classes (for ``classes_[1]``). In
        the dtype of ``X`` (float32 or float64), as scikit-learn 1.9; a
        ``scipy.sparse`` matrix after :meth:`sparsify`.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``), in the dtype of ``X``.
    n_iter_ : ndarray of shape (1,)
        Number of solver iterations.
    solver_ : str
        The solver that ran (what ``solver="auto"`` resolved to).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The reference implementation of
        the same objective.
    skdigit.PixelNormalizer : Scale pixel intensities 0-255 to [0, 1] first.
    skdigit.Deskew : Moment-based deskewing, a cheap accuracy gain on digits.

    Notes
    -----
    With sample weights :math:`s_i`, labels :math:`y_i`, rows :math:`x_i`, the
    weights :math:`W` (one row :math:`w_k` per class), the intercepts :math:`b`
    and :math:`\rho` = ``l1_ratio``, the problem solved is

    .. math::

        \min_{W, b} \; C \sum_i s_i \Big(\log \sum_k e^{w_k^\top x_i + b_k}
        - (w_{y_i}^\top x_i + b_{y_i})\Big) + \rho \|W\|_1
        + \tfrac{1 - \rho}{2} \|W\|_F^2

    (with one weight vector and :math:`\log(1 + e^{z}) - y z` for two classes;
    no penalty at ``C=np.inf``). Internally it is divided by :math:`C \sum_i
    s_i`, as scikit-learn does, and minimized with L-BFGS [1]_, preconditioned
    by the data's second moments (chapter 5.1 of [1]_; the Kronecker form of
    the Hessian bound of [3]_). ``class_weight`` multiplies :math:`s_i`.

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
       Springer, 2006, chapters 5.1 and 7.2.
    .. [2] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based
       learning applied to document recognition", Proc. IEEE 86(11), 1998.
    .. [3] D. Böhning, "Multinomial logistic regression algorithm", Ann. Inst.
       Statist. Math. 44(1), 1992.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import DigitLogisticClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DigitLogisticClassifier(C=0.1, max_iter=500).fit(X / 16, y)
    >>> clf.coef_.shape
    (10, 64)
    >>> round(clf.score(X / 16, y), 2)
    0.96
    >>> clf.predict_proba(X[:1] / 16).shape
    (1, 10)
    """

    _parameter_constraints: dict = {
        "penalty": [
            StrOptions({"l1", "l2", "elasticnet"}),
            None,
            Hidden(StrOptions({"deprecated"})),
        ],
        "C": [Interval(Real, 0, None, closed="right"), None],
        "alpha": [Interval(Real, 0, None, closed="left"), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "solver": [StrOptions(SOLVER_NAMES)],
        "n_jobs": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Integral, None, -1, closed="right"),
            None,
        ],
        "dual": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        warm_start=False,
        verbose=0,
        solver="auto",
        n_jobs=None,
        dual=False,
        intercept_scaling=1,
        random_state=None,
        alpha=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.verbose = verbose
        self.solver = solver
        self.n_jobs = n_jobs
        self.dual = dual
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.alpha = alpha

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to the training data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, e.g. pixel intensities scaled to [0, 1]. float32 and
            float64 are used as they are (no float64 copy of float32 data);
            other dtypes are converted to float64; sparse input is used as CSR.
            A Dask array stays where its chunks are: the kernels run on them
            (see the user guide's "Dask" page).
        y : array-like of shape (n_samples,)
            Class labels; at least two distinct values. NumPy or Dask.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample; ``None`` means all ones.

        Returns
        -------
        self : DigitLogisticClassifier
            The fitted estimator.

        Raises
        ------
        ValueError
            If ``y`` holds a single class, if ``X`` holds NaN or infinity, if the
            sample weights sum to zero, if the solver cannot handle the penalty,
            for ``dual=True``, or if the parameters are invalid.
        """
        check_primal(self.dual)
        check_solver_name(self.solver)
        check_c_alpha(self.C, self.alpha)
        C = 1.0 if self.C is None else self.C
        C, l1_ratio = resolve_regularization(self.penalty, C, self.l1_ratio)
        X, y, sample_weight = check_fit_data(self, X, y, sample_weight)
        if self.alpha is not None and not np.isinf(C):  # not penalty=None
            C = float(c_from_alpha(self.alpha, _weight_sum(sample_weight, X)))
        classes, y_idx = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "DigitLogisticClassifier needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes[0]!r}. "
                "Check y, or use skdigit.TargetBinarizer for a one-digit detector."
            )
        sample_weight = effective_sample_weight(
            sample_weight, X, y, classes, y_idx, self.class_weight
        )
        n_threads = resolve_n_threads(self.n_jobs)
        objective = LogisticObjective(
            make_layout(X, n_threads=n_threads), y_idx, sample_weight, classes.shape[0],
            fit_intercept=self.fit_intercept,
            penalty=make_penalty(C, l1_ratio, sample_weight.sum()),
            n_threads=n_threads,
        )
        solver = resolve_solver(self.solver, objective)
        SOLVERS[solver].check(objective)
        params0 = self._initial_params(objective, classes)
        self.classes_ = classes
        callbacks = FitCallbacks(
            self, X, y, sample_weight, max_iter=self.max_iter,
            attributes=lambda params: self._unpack(objective, params, X.dtype),
        )
        callbacks.begin(params0)
        with parallel_kernel_lock():
            result = SOLVERS[solver].solve(
                objective, params0, tol=self.tol, max_iter=self.max_iter,
                verbose=self.verbose, callback=callbacks, copy=False,
            )
        self.solver_ = solver
        if not result.converged:
            warn_not_converged([(None, result)], max_iter=self.max_iter, tol=self.tol,
                               solver=self.solver)
        for name, value in self._unpack(objective, result.params, X.dtype).items():
            setattr(self, name, value)
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        callbacks.close()
        return self

    @staticmethod
    def _unpack(objective, params, dtype):
        """``coef_`` and ``intercept_`` (copies, in ``dtype``) from flat ``params``."""
        W, b = objective.coef.unpack(params)
        return {"coef_": W.astype(dtype), "intercept_": b.astype(dtype)}

    def _initial_params(self, objective, classes):
        """Zeros, or the previous solution under ``warm_start`` when it fits."""
        coef = getattr(self, "coef_", None)
        reusable = (
            self.warm_start
            and coef is not None
            and np.array_equal(getattr(self, "classes_", None), classes)
            and coef.shape == (objective.coef.n_rows_w, objective.coef.n_features)
        )
        if reusable:
            coef = coef.toarray() if hasattr(coef, "toarray") else coef
            return objective.coef.pack(coef, self.intercept_)
        return objective.coef.zeros()

    @lazy_on_dask
    def decision_function(self, X):
        """Logits: the signed distance of each sample to each class's hyperplane.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, scaled as the training data was.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``X @ coef_.T + intercept_``; one column (raveled) for two classes,
            positive for ``classes_[1]``. A lazy Dask array for a Dask ``X``.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )
        # Cast the (small) coefficients to X's dtype rather than X to float64.
        coef = self.coef_.astype(X.dtype, copy=False)
        intercept = self.intercept_.astype(X.dtype, copy=False)
        scores = safe_sparse_dot(X, coef.T, dense_output=True) + intercept
        return scores.ravel() if scores.shape[1] == 1 else scores

    @lazy_on_dask
    def predict_proba(self, X):
        """Class probabilities (softmax of the logits; sigmoid for two classes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, scaled as the training data was.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``. A lazy
            Dask array for a Dask ``X``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = expit(scores)
            return np.column_stack([1.0 - p1, p1])
        return softmax(scores, axis=1)

    @lazy_on_dask
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed without underflow.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, scaled as the training data was.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class, in the order of ``classes_``. A lazy
            Dask array for a Dask ``X``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return log_softmax(scores, axis=1)

    @lazy_on_dask
    def predict(self, X):
        """Class labels: the class of the largest logit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, scaled as the training data was.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels out of ``classes_``. A lazy Dask array for a Dask ``X``.
        """
        return super().predict(X)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of :meth:`predict` on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            A lazy 0-d Dask array for a Dask ``X`` (``float(score)`` computes it).
        """
        if is_dask_array(X):
            from ._layout_dask import score

            return score(self, X, y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
