"""DigitLogisticClassifierCV: C and l1_ratio chosen by cross-validation along warm-started paths."""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import _fit_context, clone
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import metadata_routing
from sklearn.utils._param_validation import Hidden, Interval, StrOptions

from ..utils import parallel_kernel_lock, resolve_n_threads, single_threaded_blas
from ._layouts import is_dask_array
from ._cv_routing import (
    cv_metadata_router,
    fold_score_params,
    get_cv_scorer,
    route_fit_params,
    route_score_params,
    scorer_with_labels,
)
from ._cv_attributes import to_legacy_attributes
from ._logistic import DigitLogisticClassifier, _weight_sum, check_fit_data, check_primal
from ._loss import effective_sample_weight
from ._path import (
    PathFitter,
    alpha_grid,
    c_grid,
    check_alphas,
    check_cs,
    warn_path_not_converged,
)
from ._penalties import check_c_alpha, resolve_cv_regularization
from ._solvers import SOLVER_NAMES, check_solver_name

__all__ = ["DigitLogisticClassifierCV"]


def _take(X, rows):
    """Rows of ``X`` (dense, C-contiguous copy; or CSR)."""
    part = X[rows]
    return part if hasattr(part, "tocsr") else np.ascontiguousarray(part)


def _training_rows(X, y_idx, sample_weight, train):
    """``(X, y_idx, sample_weight)`` of a fold's training set.

    A Dask ``X`` stays whole where its chunks are: the held-out rows get
    weight 0 instead (the same objective, since the penalty is scaled by the
    total weight), so no row moves between workers.
    """
    if is_dask_array(X):
        weights = np.zeros_like(sample_weight)
        weights[train] = sample_weight[train]
        return X, y_idx, weights
    return _take(X, train), y_idx[train], sample_weight[train]


def _fold_paths(X, y_idx, sample_weight, train, test, n_classes, Cs, l1_ratios, *,
                fit_intercept, solver, tol, max_iter, n_threads, scorer, score_params,
                template, classes, moments_from):
    """One fold: a warm-started path per ``l1_ratio``, scored on the held-out rows.

    ``score_params`` are the scorer's metadata for all the rows (routed, or
    the user's ``sample_weight``); the fold's held-out rows are taken here.
    Returns ``(params, scores, n_iter, not_converged)`` with shapes
    ``(n_l1, n_cs, n_params)``, ``(n_l1, n_cs)``, ``(n_l1, n_cs)``.
    Each fit starts from the fold's own previous solution, never from one
    on all the data: that would carry what the held-out rows taught into
    the directions the training rows leave flat (a class the fold lacks,
    separable data at a weak penalty), and the validation scores with it.
    """
    fitter = PathFitter(
        *_training_rows(X, y_idx, sample_weight, train), n_classes,
        fit_intercept=fit_intercept, solver=solver, n_threads=n_threads,
        moments_from=moments_from,
    )
    X_test = X[test] if is_dask_array(X) else _take(X, test)
    y_test = classes[y_idx[test]]
    score_params = fold_score_params(X, score_params, test)
    params = np.empty((len(l1_ratios), len(Cs), fitter.coef.n_params))
    scores = np.empty((len(l1_ratios), len(Cs)))
    n_iter = np.zeros((len(l1_ratios), len(Cs)), dtype=np.int32)
    not_converged = []
    for r, l1_ratio in enumerate(l1_ratios):
        params[r], n_iter[r], missed = fitter.path(Cs, l1_ratio, tol=tol, max_iter=max_iter)
        not_converged += missed
        for c in range(len(Cs)):
            W, b = fitter.coef.unpack(params[r, c])
            model = _with_coef(template, W, b, X.dtype)
            scores[r, c] = scorer(model, X_test, y_test, **score_params)
    return params, scores, n_iter, not_converged


def _to_alpha(C, weight_sum):
    """``1 / (C * weight_sum)``: 0 for ``C=inf``."""
    with np.errstate(divide="ignore"):
        return 1.0 / (np.asarray(C, dtype=float) * weight_sum)


def _with_coef(template, W, b, dtype):
    """A fitted copy of ``template`` with these coefficients."""
    model = clone(template)
    for name in ("classes_", "n_features_in_", "feature_names_in_"):
        if hasattr(template, name):
            setattr(model, name, getattr(template, name))
    model.coef_ = W.astype(dtype)
    model.intercept_ = b.astype(dtype)
    return model


class DigitLogisticClassifierCV(DigitLogisticClassifier):
    r"""Logistic regression with ``C`` (and ``l1_ratio``) chosen by cross-validation.

    On each fold and for each ``l1_ratio``, a regularization path: the fits
    along the grid of ``C`` values, from the strongest regularization to the
    weakest, with the fold's packed data built once, each fit warm-started
    from the fold's previous one only (never from a solution that saw the
    fold's validation rows, which would leak them into its scores). The
    second moments of the features, the
    solvers' metric (the preconditioner), are computed once on all the rows
    and shared by every fit, the folds' included: they see a fold's
    validation rows but no label (but through ``class_weight="balanced"``,
    computed on all the labels as in scikit-learn), and are a change of
    variables, which changes the path to each optimum but not the optimum
    (``tol`` is tested in the original coefficients), so the scores and the
    choice are those of folds with their own metric, within ``tol``. The best
    ``(C, l1_ratio)`` by mean validation score is then refitted on all the
    data along the same warm-started path, from the strongest regularization
    up to the chosen ``C`` (the refit is its last point; no fit at a weaker
    penalty runs). The API is that of
    scikit-learn 1.9's :class:`~sklearn.linear_model.LogisticRegressionCV` in
    its modern form (``use_legacy_attributes=False``).

    Parameters
    ----------
    Cs : int, array-like of shape (n_cs,) or None, default=10
        The ``C`` values (inverse regularization strengths), each in (0, inf].
        An int gives ``np.logspace(-4, 4, Cs)`` when every ``l1_ratio`` is 0, as
        scikit-learn; with an L1 term, ``Cs`` values over four decades upward
        from the largest ``C`` at which every weight is zero (computed on all
        the data, for the largest ``l1_ratio``), as glmnet. ``None`` (with
        ``alphas``), as scikit-learn 1.10 allows.
    alphas : int, array-like of shape (n_alphas,) or None, default=None
        scikit-learn 1.10's spelling of the grid: penalty strengths on the
        mean loss, each at least 0 (0 is no penalty), tried as
        ``Cs = 1 / (alphas * sum(sample_weight))`` with the sample weights of
        all the data as given (``n_samples`` without them): the same fits as
        those ``Cs``. An int gives ``np.logspace(-7, 2, alphas)`` when every
        ``l1_ratio`` is 0 (scikit-learn 1.10's grid), otherwise the glmnet grid
        above. ``None`` uses ``Cs``; setting both ``alphas`` and a ``Cs`` other
        than its default raises ``ValueError``.
    l1_ratios : array-like of shape (n_l1_ratios,) or "auto", default="auto"
        Elastic-net mixing parameters to try, each in [0, 1]. ``"auto"`` is
        ``(0.0,)``, scikit-learn 1.10's default (``(1.0,)`` with the
        deprecated ``penalty="l1"``), and with ``use_legacy_attributes=True``
        gives the layout of scikit-learn 1.9's default, ``None``: legacy
        arrays without the ``l1_ratios`` axis. ``None`` is deprecated, as in
        scikit-learn 1.8 (read as ``"auto"``, with 1.9's warning, and
        ``l1_ratios_`` is ``[None]``).
    fit_intercept : bool, default=True
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None is 5-fold; an int is the number of
        (stratified) folds.
    scoring : str or callable, default=None
        The validation score (a scorer name or ``scorer(estimator, X, y)``);
        None is accuracy, as in scikit-learn 1.9 (whose ``LogisticRegressionCV``
        warns that its default becomes ``"neg_log_loss"`` in 1.11; skdigit
        keeps accuracy without that warning: set ``scoring`` to be explicit).
        Sample weights are used in scoring as in fitting (see ``fit``).
        Metrics that need every class get ``labels=classes_`` (and, for two
        classes, ``pos_label=classes_[1]``), so that a validation fold that
        lacks a class is scored.
    solver : str, default="auto"
        As in :class:`DigitLogisticClassifier`: ``"auto"``, ``"lbfgs"``,
        ``"preconditioned-lbfgs"``, ``"proximal-qn"``, or a scikit-learn name
        (``"newton-cholesky"``, ``"saga"``, ...), mapped to the skdigit solver
        for the same problem.
    tol : float, default=1e-4
        Stopping tolerance of every fit.
    max_iter : int, default=100
        Maximum solver iterations of every fit.
    class_weight : dict or "balanced", default=None
    n_jobs : int, default=None
        Folds run in parallel by joblib when ``n_jobs`` is not None (the kernels
        then share the cores between them); None runs them one after the other,
        each kernel on every core. Ignored for a Dask ``X``, whose folds run one
        after the other, each evaluation over all the chunks.
    verbose : int, default=0
        Passed to joblib.
    refit : bool, default=True
        Take the fit on all the data at the best ``(C, l1_ratio)``. If False, ``coef_``
        is the mean over folds of each fold's best solution, and ``C_`` and
        ``l1_ratio_`` the mean of the folds' best values.
    dual : bool, default=False
        As in :class:`DigitLogisticClassifier`: only ``False`` (the primal
        problem, the same optimum).
    penalty : {"l1", "l2", "elasticnet"}, default="deprecated"
        Deprecated in scikit-learn 1.8 and kept with its meaning and warnings:
        ``"l2"`` tries ``l1_ratios=(0,)``, ``"l1"`` tries ``(1,)``,
        ``"elasticnet"`` the ``l1_ratios`` given. Leave it unset.
    intercept_scaling : float, default=1.0
        Accepted without effect, as in :class:`DigitLogisticClassifier`.
    random_state : int, RandomState instance or None, default=None
        Accepted without effect: the solvers are deterministic. (The folds of
        a shuffling ``cv`` take their own ``random_state``.)
    use_legacy_attributes : bool, default=False
        ``False``: the attributes below, the layout of scikit-learn 1.9's
        ``LogisticRegressionCV(use_legacy_attributes=False)`` and the default
        from scikit-learn 1.10. ``True``: scikit-learn 1.9's legacy layout
        (``scores_`` and ``coefs_paths_`` dicts by class with the ``C`` axis
        before the ``l1_ratios`` axis, ``n_iter_`` of shape ``(1, n_folds, n_cs,
        n_l1_ratios)``, ``C_`` and ``l1_ratio_`` arrays; see
        ``skdigit.linear_model._cv_attributes``), with the shapes scikit-learn
        1.9 gives in the same configuration: with the default ``l1_ratios``
        (or ``None``) the ``l1_ratios`` axis is dropped (``coefs_paths_[c]`` of
        shape ``(n_folds, n_cs, n_dof)``, ``n_iter_`` ``(1, n_folds, n_cs)``),
        ``l1_ratios_`` is ``[None]`` and, after a refit, so is every entry of
        ``l1_ratio_``; an explicit ``l1_ratios`` keeps the axis.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        In the dtype of ``X``.
    intercept_ : ndarray of shape (1,) or (n_classes,)
    C_ : float
        The chosen ``C``.
    alpha_ : float
        The chosen ``C`` as scikit-learn 1.10's ``alpha``:
        ``1 / (C_ * sum(sample_weight))``.
    l1_ratio_ : float
        The chosen ``l1_ratio``.
    Cs_ : ndarray of shape (n_cs,)
        The grid of ``C``, ascending.
    alphas_ : ndarray of shape (n_cs,)
        The grid as ``alpha`` values, ``1 / (Cs_ * sum(sample_weight))``, in the
        order of ``Cs_`` (descending).
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        The ``l1_ratio`` values tried; ``[None]`` for ``l1_ratios=None``, and
        for the default with ``use_legacy_attributes=True`` (scikit-learn
        1.9's values).
    scores_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        Validation scores.
    coefs_paths_ : ndarray of shape (n_folds, n_l1_ratios, n_cs, n_rows_w, n_dof)
        Coefficients ``[W | b]`` along each fold's paths; ``n_rows_w`` is 1 for
        two classes, ``n_dof = n_features + fit_intercept``.
    n_iter_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        Solver iterations of each fit (the refit's are in ``refit_n_iter_``).
    refit_n_iter_ : int
        Solver iterations of the fit on all the data at the chosen point
        (0 when ``refit=False``).
    solver_ : str
        The solver of the refit (or of the folds' fits).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    See Also
    --------
    skdigit.DigitLogisticClassifier : One fit at a given ``C``.
    skdigit.linear_model.logistic_regression_path : The path on its own.
    sklearn.linear_model.LogisticRegressionCV : scikit-learn's equivalent.

    References
    ----------
    .. [1] J. Friedman, T. Hastie and R. Tibshirani, "Regularization paths for
       generalized linear models via coordinate descent", J. Stat. Softw.
       33(1), 2010.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import DigitLogisticClassifierCV
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DigitLogisticClassifierCV(Cs=[0.01, 0.1, 1.0], cv=3).fit(X / 16, y)
    >>> clf.scores_.shape
    (3, 1, 3)
    >>> float(clf.C_) in (0.01, 0.1, 1.0)
    True
    """

    # score's sample_weight goes to the scorer, which requests it (or not):
    # the estimator itself does not consume it, as in LogisticRegressionCV
    __metadata_request__score = {"sample_weight": metadata_routing.UNUSED}

    _parameter_constraints: dict = {
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "l1_ratios": ["array-like", StrOptions({"auto"}), None],
        "fit_intercept": ["boolean"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "solver": [StrOptions(SOLVER_NAMES)],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "refit": ["boolean"],
        "dual": ["boolean"],
        "penalty": [
            StrOptions({"l1", "l2", "elasticnet"}),
            Hidden(StrOptions({"deprecated"})),
        ],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "use_legacy_attributes": ["boolean"],
    }

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios="auto",
        fit_intercept=True,
        cv=None,
        scoring=None,
        solver="auto",
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        dual=False,
        penalty="deprecated",
        intercept_scaling=1.0,
        random_state=None,
        use_legacy_attributes=False,
        alphas=None,
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.dual = dual
        self.penalty = penalty
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes
        self.alphas = alphas

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the paths, choose ``(C, l1_ratio)``, refit.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data, e.g. pixel intensities scaled to [0, 1]. A Dask
            array stays where its chunks are (see :ref:`dask`): each fold
            fits on all the rows, its held-out ones with weight 0, and
            scores them lazily.
        y : array-like of shape (n_samples,)
            Class labels; at least two distinct values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in every fit; without metadata routing, in
            the validation scores too (as given: without ``class_weight``).
            With metadata routing, the scores are weighted as the scorer
            requests (scikit-learn's ``UnsetMetadataPassedError`` when it
            has not said).
        **params : dict
            ``groups`` for a group-aware ``cv`` (such as
            :class:`~sklearn.model_selection.GroupKFold`: the writers of the
            digits). With ``sklearn.set_config(enable_metadata_routing=True)``,
            any metadata the splitter or the scorer requests
            (:meth:`get_metadata_routing`).

        Returns
        -------
        self : DigitLogisticClassifierCV

        Raises
        ------
        ValueError
            If ``y`` has a single class, an ``l1_ratio`` lies outside [0, 1], a
            value of ``Cs`` is not in (0, inf], the inputs are invalid, or
            (without metadata routing) a keyword other than ``groups`` is
            passed.
        TypeError
            With metadata routing, for metadata that nothing requested.
        """
        check_c_alpha(self.Cs, self.alphas, c_name="Cs", alpha_name="alphas", c_default=10)
        if self.alphas is None:
            check_cs(10 if self.Cs is None else self.Cs)
        else:
            check_alphas(self.alphas)
        sample_weight_given = sample_weight
        routed = route_fit_params(self, sample_weight, params)
        check_primal(self.dual)
        check_solver_name(self.solver)
        l1_ratios, l1_ratios_given = resolve_cv_regularization(self.penalty, self.l1_ratios)
        X, y, sample_weight = check_fit_data(self, X, y, sample_weight)
        classes, y_idx = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "DigitLogisticClassifierCV needs samples of at least 2 classes in "
                f"the data, but the data contains only one class: {classes[0]!r}."
            )
        sample_weight = effective_sample_weight(
            sample_weight, X, y, classes, y_idx, self.class_weight
        )
        n_classes = classes.shape[0]
        cv = check_cv(self.cv, y, classifier=True)
        folds = list(cv.split(X, y, **routed.splitter.split))
        # Dask parallelizes each evaluation over the chunks itself: folds in turn
        parallel = self.n_jobs is not None and not is_dask_array(X)
        n_threads = resolve_n_threads(None)
        if parallel:
            n_threads = max(1, n_threads // max(1, min(len(folds), abs(self.n_jobs))))
        full = PathFitter(
            X, y_idx, sample_weight, n_classes, fit_intercept=self.fit_intercept,
            solver=self.solver, n_threads=resolve_n_threads(None),
        )
        weight_sum = _weight_sum(sample_weight_given, X)
        if self.alphas is None:
            Cs = c_grid(10 if self.Cs is None else self.Cs, l1_ratios, full)
        else:
            Cs = alpha_grid(self.alphas, l1_ratios, full, weight_sum)
        with single_threaded_blas(), parallel_kernel_lock():
            # once, shared by every fold's solvers; none where they need none
            full.prepare_moments(Cs, l1_ratios)
        template = self._template(classes, X)
        scorer = scorer_with_labels(get_cv_scorer(template, self.scoring), classes)
        jobs = (
            delayed(_fold_paths)(
                X, y_idx, sample_weight, train, test, n_classes, Cs, l1_ratios,
                fit_intercept=self.fit_intercept, solver=self.solver, tol=self.tol,
                max_iter=self.max_iter, n_threads=n_threads, scorer=scorer,
                score_params=routed.scorer.score, template=template, classes=classes,
                moments_from=full.objective,
            )
            for train, test in folds
        )
        if parallel:
            out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(jobs)
        else:
            out = [job[0](*job[1], **job[2]) for job in jobs]
        paths = np.stack([o[0] for o in out])  # (n_folds, n_l1, n_cs, n_params)
        self.scores_ = np.stack([o[1] for o in out])
        self.n_iter_ = np.stack([o[2] for o in out])
        not_converged = [stop for o in out for stop in o[3]]
        self.Cs_, self.l1_ratios_ = Cs, l1_ratios
        self.coefs_paths_ = np.stack(
            [[[full.coef.as_rows(p) for p in row] for row in fold] for fold in paths]
        )
        self.classes_ = classes
        best_r, best_c = np.unravel_index(
            np.argmax(self.scores_.mean(axis=0)), self.scores_.shape[1:]
        )
        if self.refit:
            self.C_, self.l1_ratio_ = float(Cs[best_c]), float(l1_ratios[best_r])
            # The path on all the data, for the chosen l1_ratio and up to the
            # chosen C only: its last point is the refit (the fits at weaker
            # penalties, often the slowest, would not be used).
            path, path_n_iter, missed = full.path(
                Cs[:best_c + 1], l1_ratios[best_r], tol=self.tol, max_iter=self.max_iter
            )
            final = path[best_c]
            self.refit_n_iter_ = int(path_n_iter[best_c])
            not_converged += [(C, r) for C, r in missed if C == self.C_]
            self.solver_ = full.solver_for(self.C_, self.l1_ratio_)
        else:
            per_fold = [np.unravel_index(np.argmax(s), s.shape) for s in self.scores_]
            self.C_ = float(np.mean([Cs[c] for _, c in per_fold]))
            self.l1_ratio_ = float(np.mean([l1_ratios[r] for r, _ in per_fold]))
            final = np.mean([paths[f, r, c] for f, (r, c) in enumerate(per_fold)], axis=0)
            self.refit_n_iter_ = 0
            self.solver_ = full.solver_for(self.C_, self.l1_ratio_)
        warn_path_not_converged(not_converged, max_iter=self.max_iter, tol=self.tol,
                                solver=self.solver)
        W, b = full.coef.unpack(final)
        self.coef_, self.intercept_ = W.astype(X.dtype), b.astype(X.dtype)
        self.alphas_ = _to_alpha(self.Cs_, weight_sum)
        self.alpha_ = float(_to_alpha(self.C_, weight_sum))
        if self.use_legacy_attributes:
            to_legacy_attributes(self, l1_ratios_given=l1_ratios_given, refit=self.refit)
        elif self.l1_ratios is None:
            self.l1_ratios_ = np.array([None], dtype=object)  # as scikit-learn 1.9
        return self

    def _template(self, classes, X):
        """An estimator carrying what scoring needs (classes, feature count).

        Without ``feature_names_in_``: the folds are scored on the validated
        arrays, which have no column names (a DataFrame's would make every
        score warn that X "does not have valid feature names").
        """
        template = DigitLogisticClassifier(fit_intercept=self.fit_intercept)
        template.classes_ = classes
        template.n_features_in_ = X.shape[1]
        return template

    def score(self, X, y, sample_weight=None, **params):
        """The ``scoring`` of the fitted model on ``(X, y)`` (accuracy by default).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **params : dict
            With metadata routing, metadata the scorer requests.

        Returns
        -------
        score : float
        """
        scorer = get_cv_scorer(self, self.scoring)
        return scorer(self, X, y, **route_score_params(self, sample_weight, params))

    def get_metadata_routing(self):
        """How ``fit`` and ``score`` route metadata (scikit-learn's metadata routing).

        ``fit`` routes to the splitter (``cv``'s ``split``: ``groups``), to the
        scorer (its ``score``: ``sample_weight`` or what else it requests)
        and takes ``sample_weight`` itself for the fits; ``score`` routes to
        the scorer. As :class:`sklearn.linear_model.LogisticRegressionCV`.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter

        Examples
        --------
        >>> import sklearn
        >>> from sklearn.model_selection import GroupKFold
        >>> from skdigit import DigitLogisticClassifierCV
        >>> with sklearn.config_context(enable_metadata_routing=True):
        ...     router = DigitLogisticClassifierCV(cv=GroupKFold(3)).get_metadata_routing()
        ...     sorted(router.consumes("fit", ["groups", "sample_weight"]))
        ['groups']
        """
        return cv_metadata_router(self, get_cv_scorer(self, self.scoring))
