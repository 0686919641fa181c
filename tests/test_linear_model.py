"""DigitLogisticClassifier: same optimum as scikit-learn, and the estimator API."""

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from _sklearn_versions import needs_sklearn
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV
from skdigit.linear_model import _loss, logistic_regression_path


def _assert_same_model(ours, theirs, rtol=1e-4):
    scale = np.abs(theirs.coef_).max()
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(
        ours.intercept_, theirs.intercept_, rtol=rtol, atol=rtol * scale
    )


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("C", [0.05, 2.0])
def test_same_optimum_as_sklearn(digits, binary, weighted, C):
    X, y = digits
    if binary:
        y = (y == 2).astype(int)
    sw = np.random.default_rng(0).integers(0, 4, len(y)) if weighted else None
    ours = DigitLogisticClassifier(C=C, tol=1e-10, max_iter=10_000)
    theirs = LogisticRegression(C=C, tol=1e-10, max_iter=10_000)
    ours.fit(X, y, sample_weight=sw)
    theirs.fit(X, y, sample_weight=sw)
    assert ours.coef_.shape == theirs.coef_.shape == ((1, 64) if binary else (10, 64))
    _assert_same_model(ours, theirs)
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5
    )


def test_same_optimum_as_sklearn_without_intercept_or_penalty():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, flip_y=0.2,
        random_state=0,
    )
    for fit_intercept in (True, False):
        ours = DigitLogisticClassifier(
            C=np.inf, fit_intercept=fit_intercept, tol=1e-10, max_iter=10_000
        ).fit(X, y)
        theirs = LogisticRegression(
            C=np.inf, fit_intercept=fit_intercept, tol=1e-10, max_iter=10_000
        ).fit(X, y)
        _assert_same_model(ours, theirs)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 1: 0.5}])
def test_class_weight_matches_sklearn(digits, class_weight):
    X, y = digits
    y = (y == 0).astype(int)  # imbalanced: 10% positives
    ours = DigitLogisticClassifier(class_weight=class_weight, tol=1e-10, max_iter=5000)
    theirs = LogisticRegression(class_weight=class_weight, tol=1e-10, max_iter=5000)
    _assert_same_model(ours.fit(X, y), theirs.fit(X, y))


@pytest.mark.parametrize(
    "weight, match",
    [(np.nan, r"class_weight\[3\] is nan"), (-1.0, r"class_weight\[3\] is -1.0"),
     (np.inf, r"class_weight\[3\] is inf")],
)
@pytest.mark.parametrize("cv", [False, True])
def test_class_weight_refuses_nan_and_negative_values(digits, weight, match, cv):
    # issue 28: NaN was reported as weights that "sum to zero", a negative
    # weight was fitted (a loss maximized for that class)
    from skdigit import DigitLogisticClassifierCV

    X, y = digits
    class_weight = {k: 1.0 for k in range(10)} | {3: weight}
    est = (DigitLogisticClassifierCV(Cs=[1.0], cv=2) if cv else DigitLogisticClassifier())
    with pytest.raises(ValueError, match=match + ": each class weight must be a finite number >= 0"):
        est.set_params(class_weight=class_weight).fit(X[:200], y[:200])


def test_class_weight_equals_sample_weight(digits):
    X, y = digits
    weights = {k: 1.0 + k for k in range(10)}
    a = DigitLogisticClassifier(class_weight=weights, tol=1e-10, max_iter=5000).fit(X, y)
    b = DigitLogisticClassifier(tol=1e-10, max_iter=5000).fit(
        X, y, sample_weight=np.array([weights[k] for k in y])
    )
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-9)


def test_integer_weights_equal_repeated_rows(digits):
    X, y = digits
    X, y = X[:400], y[:400]
    sw = np.random.default_rng(3).integers(0, 3, len(y))
    a = DigitLogisticClassifier(tol=1e-10, max_iter=5000).fit(X, y, sample_weight=sw)
    b = DigitLogisticClassifier(tol=1e-10, max_iter=5000).fit(
        np.repeat(X, sw, axis=0), np.repeat(y, sw)
    )
    # L-BFGS also stops on a relative decrease of 64 * eps, hence 1e-5, not 1e-10
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-5, atol=1e-5)
    unweighted = DigitLogisticClassifier(tol=1e-10, max_iter=5000).fit(X, y)
    assert np.abs(unweighted.coef_ - a.coef_).max() > 1e-2


@pytest.mark.parametrize("binary", [False, True])
def test_csr_float32_float64_reach_same_model(digits, binary):
    X, y = digits
    if binary:
        y = (y == 2).astype(int)
    ref = DigitLogisticClassifier(tol=1e-8, max_iter=5000).fit(X, y)
    for X_other in (sparse.csr_matrix(X), X.astype(np.float32),
                    sparse.csr_matrix(X.astype(np.float32))):
        other = DigitLogisticClassifier(tol=1e-8, max_iter=5000).fit(X_other, y)
        np.testing.assert_allclose(other.coef_, ref.coef_, rtol=1e-4, atol=1e-4)
        assert np.mean(other.predict(X_other) == ref.predict(X)) > 0.995


def _record_objective_inputs(monkeypatch):
    """The list, filled during the test, of the data layouts each objective is built on."""
    seen = []
    original = _loss.LogisticObjective.__init__

    def spy(self, layout, *args, **kwargs):
        seen.append(layout)
        original(self, layout, *args, **kwargs)

    monkeypatch.setattr(_loss.LogisticObjective, "__init__", spy)
    return seen


@pytest.mark.parametrize("as_csr", [False, True])
def test_float32_input_is_not_copied_to_float64(digits, monkeypatch, as_csr):
    X, y = digits
    X32 = X.astype(np.float32)
    if as_csr:
        X32 = sparse.csr_matrix(X32)
    seen = _record_objective_inputs(monkeypatch)
    with pytest.warns(ConvergenceWarning):
        DigitLogisticClassifier(max_iter=5).fit(X32, y)
    (layout,) = seen
    X_used = layout.X
    assert X_used.dtype == np.float32
    if as_csr:
        assert np.shares_memory(X_used.data, X32.data)
    else:
        assert np.shares_memory(X_used, X32)


def test_read_only_memmap_input(digits, tmp_path):
    X, y = digits
    filename = tmp_path / "X.joblib"
    joblib.dump(X, filename)
    X_mm = joblib.load(filename, mmap_mode="r")
    assert not X_mm.flags.writeable
    a = DigitLogisticClassifier(max_iter=300).fit(X_mm, y)
    b = DigitLogisticClassifier(max_iter=300).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.predict(X_mm), b.predict(X))


def test_probabilities_and_predictions_agree(digits):
    X, y = digits
    for labels in (y, np.where(y == 2, "two", "other")):
        clf = DigitLogisticClassifier(max_iter=500).fit(X, labels)
        proba = clf.predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), atol=1e-10)
        np.testing.assert_array_equal(
            clf.predict(X), clf.classes_[np.argmax(proba, axis=1)]
        )
        assert clf.score(X, labels) > 0.95


def test_predict_log_proba_does_not_underflow(digits):
    X, y = digits
    clf = DigitLogisticClassifier(C=1e4, max_iter=2000).fit(X, (y == 1).astype(int))
    log_proba = clf.predict_log_proba(X * 50)  # extreme logits
    assert np.all(np.isfinite(log_proba))


def test_convergence_warning_when_max_iter_is_reached(digits):
    X, y = digits
    # scikit-learn's phrase, which people filter on, and what to do
    with pytest.warns(ConvergenceWarning, match="failed to converge") as record:
        clf = DigitLogisticClassifier(max_iter=3).fit(X, y)
    assert clf.n_iter_[0] == 3
    assert "max_iter" in str(record[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*failed to converge")
        DigitLogisticClassifier(max_iter=3).fit(X, y)


@pytest.mark.parametrize(
    "solver, l1_ratio, sklearn_filter",
    [
        # scikit-learn's lbfgs: skdigit's default and both L-BFGS solvers
        ("auto", 0.0, "lbfgs failed to converge"),
        ("lbfgs", 0.0, "lbfgs failed to converge"),
        ("preconditioned-lbfgs", 0.0, "lbfgs failed to converge"),
        # a scikit-learn name that skdigit runs as its own solver: its phrase
        ("newton-cg", 0.0, "newton-cg failed to converge"),
        ("saga", 0.5, "The max_iter was reached which means the coef_ did not converge"),
        ("sag", 0.0, ".*The max_iter was reached which means the coef_ did not converge"),
    ],
)
@pytest.mark.parametrize("cv", [False, True])
def test_convergence_warning_obeys_filters_written_for_sklearn(digits, solver, l1_ratio,
                                                                sklearn_filter, cv):
    """A warnings filter written for LogisticRegression's message silences ours.

    ``warnings.filterwarnings(message=...)`` matches the start of the
    message: ours began "preconditioned-lbfgs failed ..." (a fit) or "the fit
    at C=0.1 failed ..." (a path, the CV), which a filter for scikit-learn's
    "lbfgs failed to converge" let through.
    """
    X, y = digits
    X, y = X[:300], y[:300]
    if cv:
        est = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=2, max_iter=3, solver=solver,
                                        l1_ratios=[l1_ratio])
    else:
        est = DigitLogisticClassifier(max_iter=3, solver=solver, l1_ratio=l1_ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=sklearn_filter, category=ConvergenceWarning)
        est.fit(X, y)
    # and it still says why it stopped, what ran, what to do, and where to read more
    with pytest.warns(ConvergenceWarning) as record:
        clone(est).fit(X, y)
    message = str(record[0].message)
    assert "max_iter=3 reached" in message and "Increase the number of iterations" in message
    ran = "proximal-qn" if l1_ratio else "lbfgs"
    assert ran in message and "#convergence-and-warnings" in message


def test_no_warning_when_converged(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        DigitLogisticClassifier(C=0.1, max_iter=1000).fit(X, y)


def test_warm_start_resumes_from_previous_solution(digits):
    X, y = digits
    cold = DigitLogisticClassifier(C=0.5, tol=1e-6, max_iter=1000).fit(X, y)
    warm = DigitLogisticClassifier(C=0.5, tol=1e-6, max_iter=1000, warm_start=True)
    warm.fit(X, y)
    first_iters = warm.n_iter_[0]
    # refitting from the optimum: converged at once, and it stays there
    warm.fit(X, y)
    assert warm.n_iter_[0] <= 2 < first_iters
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=1e-3, atol=1e-4)
    warm.set_params(C=0.6).fit(X, y)
    assert warm.n_iter_[0] < first_iters
    # a different set of classes starts from zero instead of failing
    warm.fit(X, (y == 3).astype(int))
    assert warm.coef_.shape == (1, 64)


def test_fixed_n_jobs_is_reproducible(digits):
    X, y = digits
    a = DigitLogisticClassifier(n_jobs=2, max_iter=200).fit(X, y)
    b = DigitLogisticClassifier(n_jobs=2, max_iter=200).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    c = DigitLogisticClassifier(n_jobs=1, max_iter=200).fit(X, y)
    np.testing.assert_allclose(c.coef_, a.coef_, rtol=1e-3, atol=1e-4)


def test_single_class_error_is_clear(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="only one class"):
        DigitLogisticClassifier().fit(X, np.zeros(len(X)))


def test_zero_total_weight_is_an_error(digits):
    X, y = digits
    # scikit-learn's own check of sample_weight says so since 1.7, ours before
    with pytest.raises(ValueError, match="non-zero|sum to zero"):
        DigitLogisticClassifier().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="sum to zero"):
        DigitLogisticClassifier(class_weight={k: 0.0 for k in range(10)}).fit(X, y)


@pytest.mark.parametrize(
    "params", [{"C": 0}, {"C": -1.0}, {"penalty": "l3"}, {"solver": "sgd"},
               {"l1_ratio": 1.5}, {"l1_ratio": -0.1}, {"max_iter": -1},
               {"max_iter": 1.5}, {"tol": -1e-3}, {"n_jobs": 0}]
)
def test_invalid_parameters_are_rejected(digits, params):
    X, y = digits
    with pytest.raises(InvalidParameterError):
        DigitLogisticClassifier(**params).fit(X, y)


def test_dataframe_feature_names_are_recorded(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    clf = DigitLogisticClassifier(max_iter=300).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, df.columns)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(clf.predict(df), clf.predict(X))


def test_pickle_and_joblib_round_trip(digits, tmp_path):
    X, y = digits
    clf = DigitLogisticClassifier(max_iter=300).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    joblib.dump(clf, tmp_path / "m.joblib")
    restored = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


def test_in_pipeline_gridsearch_and_cross_val_score():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(MinMaxScaler(), DigitLogisticClassifier(max_iter=300))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.9
    search = GridSearchCV(
        pipe, {"digitlogisticclassifier__C": [0.01, 1.0]}, cv=3, n_jobs=2
    ).fit(X, y)
    assert search.best_params_["digitlogisticclassifier__C"] == 1.0
    assert clone(search.best_estimator_).get_params()["digitlogisticclassifier__C"] == 1.0


@pytest.mark.parametrize("deskew", [True, False])
def test_default_pipeline_has_no_float64_copy(deskew, monkeypatch):
    """uint8 images reach the classifier's kernels as float32, never float64."""
    from skdigit import make_digit_pipeline

    X, y = load_digits(return_X_y=True)
    X8 = np.round(X * (255 / 16)).astype(np.uint8)
    seen = _record_objective_inputs(monkeypatch)
    make_digit_pipeline(deskew=deskew, max_iter=50).fit(X8, y)
    (layout,) = seen
    assert layout.dtype == np.float32 and not sparse.issparse(layout.X)
    assert layout.X.dtype == np.float32


# --- scikit-learn 1.9's API: l1_ratio, C=np.inf, the deprecated penalty -------


def test_c_inf_is_no_penalty_and_matches_penalty_none(digits):
    X, y = digits
    X, y = X[:300], (y[:300] > 4).astype(int)
    ours = DigitLogisticClassifier(C=np.inf, tol=1e-8, max_iter=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # may be separable
        ours.fit(X, y)
        with pytest.warns(FutureWarning, match="'penalty' was deprecated in version 1.8"):
            old = DigitLogisticClassifier(penalty=None, tol=1e-8, max_iter=5000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, old.coef_, rtol=1e-6, atol=1e-8)
    # no penalty: a larger C than any finite one fits the training data best
    finite = DigitLogisticClassifier(C=100.0, tol=1e-8, max_iter=5000).fit(X, y)
    assert np.abs(ours.coef_).max() > np.abs(finite.coef_).max()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"penalty": "l2"}, "'penalty' was deprecated in version 1.8"),
        ({"penalty": None, "C": 0.5}, "will ignore the C and l1_ratio"),
        ({"l1_ratio": None}, "'l1_ratio=None' was deprecated in version 1.8"),
        ({"penalty": "l2", "l1_ratio": 0.5}, "Inconsistent values: penalty=l2"),
    ],
)
@needs_sklearn("1.8", "the deprecation of penalty, whose warnings these are compared with,")
def test_deprecated_regularization_parameters_warn_like_sklearn(digits, params, message):
    X, y = digits
    X, y = X[:200], y[:200]
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        DigitLogisticClassifier(max_iter=300, **params).fit(X, y)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        LogisticRegression(max_iter=300, **params).fit(X, y)

    def messages(record):
        return [
            (w.category, str(w.message)) for w in record
            if not issubclass(w.category, ConvergenceWarning)
        ]

    assert any(message in m for _, m in messages(ours))
    assert messages(ours) == messages(theirs)


def test_penalty_l2_means_l1_ratio_zero(digits):
    X, y = digits
    new = DigitLogisticClassifier(C=0.3, max_iter=500).fit(X, y)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        old = DigitLogisticClassifier(penalty="l2", C=0.3, max_iter=500).fit(X, y)
    np.testing.assert_array_equal(new.coef_, old.coef_)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_ratio_is_accepted_and_fits(digits, l1_ratio):
    """l1_ratio > 0 is a valid parameter; it fits once a proximal solver is wired.

    Until then it must fail with a clear ValueError (not a TypeError on
    l1_ratio, nor a traceback from inside the solvers), saying what to do.
    """
    X, y = digits
    clf = DigitLogisticClassifier(C=0.1, l1_ratio=l1_ratio, max_iter=500)
    assert clf.get_params()["l1_ratio"] == l1_ratio
    clf.fit(X, y)  # fails visibly while no L1 solver is registered
    assert (clf.coef_ == 0).mean() > 0.2
    assert clf.score(X, y) > 0.9


def test_l1_ratio_with_a_smooth_solver_is_a_clear_error(digits):
    X, y = digits
    with pytest.raises(ValueError, match="handles only smooth penalties"):
        DigitLogisticClassifier(l1_ratio=0.5, solver="lbfgs").fit(X, y)


# --- dtypes -----------------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("as_csr", [False, True])
def test_float32_in_float32_out(digits, binary, as_csr):
    X, y = digits
    if binary:
        y = (y == 2).astype(int)
    X32 = X.astype(np.float32)
    X_in = sparse.csr_matrix(X32) if as_csr else X32
    clf = DigitLogisticClassifier(max_iter=300).fit(X_in, y)
    assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
    assert clf.decision_function(X_in).dtype == np.float32
    assert clf.predict_proba(X_in).dtype == np.float32
    assert clf.predict_log_proba(X_in).dtype == np.float32
    ref = DigitLogisticClassifier(max_iter=300).fit(X, y)
    assert ref.coef_.dtype == np.float64 and ref.predict_proba(X).dtype == np.float64
    np.testing.assert_allclose(clf.predict_proba(X_in), ref.predict_proba(X), atol=1e-4)


# --- max_iter=0 and warm start ----------------------------------------------


def test_max_iter_zero_returns_the_starting_coefficients(digits):
    X, y = digits
    with pytest.warns(ConvergenceWarning, match="failed to converge"):
        clf = DigitLogisticClassifier(max_iter=0).fit(X, y)
    assert clf.n_iter_[0] == 0
    np.testing.assert_array_equal(clf.coef_, 0.0)
    np.testing.assert_array_equal(clf.intercept_, 0.0)
    np.testing.assert_allclose(clf.predict_proba(X), 0.1)
    previous = DigitLogisticClassifier(max_iter=50, warm_start=True).fit(X, y)
    coef, intercept = previous.coef_.copy(), previous.intercept_.copy()
    with pytest.warns(ConvergenceWarning):
        previous.set_params(max_iter=0).fit(X, y)
    assert previous.n_iter_[0] == 0
    np.testing.assert_array_equal(previous.coef_, coef)
    np.testing.assert_array_equal(previous.intercept_, intercept)


def test_warm_start_from_sparsified_coefficients(digits):
    X, y = digits
    clf = DigitLogisticClassifier(C=0.5, tol=1e-6, max_iter=1000, warm_start=True)
    clf.fit(X, y)
    first = clf.coef_.copy()
    clf.sparsify()
    clf.fit(X, y)
    assert clf.n_iter_[0] <= 2 and isinstance(clf.coef_, np.ndarray)
    np.testing.assert_allclose(clf.coef_, first, rtol=1e-3, atol=1e-4)


# --- sparsify / densify -----------------------------------------------------


@pytest.mark.parametrize("binary", [False, True])
def test_sparsify_densify_and_predict_with_sparse_coef(digits, binary):
    X, y = digits
    if binary:
        y = (y == 2).astype(int)
    clf = DigitLogisticClassifier(max_iter=300).fit(X, y)
    dense_coef = clf.coef_.copy()
    expected = clf.predict_proba(X), clf.decision_function(X), clf.predict(X)
    assert clf.sparsify() is clf and sparse.issparse(clf.coef_)
    for X_in in (X, sparse.csr_matrix(X)):
        np.testing.assert_allclose(clf.predict_proba(X_in), expected[0], rtol=1e-12)
        np.testing.assert_allclose(clf.decision_function(X_in), expected[1], rtol=1e-10,
                                   atol=1e-12)
        np.testing.assert_array_equal(clf.predict(X_in), expected[2])
    assert clf.densify() is clf and isinstance(clf.coef_, np.ndarray)
    np.testing.assert_array_equal(clf.coef_, dense_coef)


# --- scikit-learn's callbacks (sklearn.callback, 1.9) -------------------------


def test_progress_bar_callback(digits, capsys):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    X, y = digits
    plain = DigitLogisticClassifier(max_iter=20, tol=1e-3).fit(X, y)
    clf = DigitLogisticClassifier(max_iter=20, tol=1e-3)
    assert clf.set_callbacks(callback.ProgressBar()) is clf
    clf.fit(X, y)
    np.testing.assert_array_equal(clf.coef_, plain.coef_)  # callbacks change nothing
    assert "DigitLogisticClassifier" in capsys.readouterr().out


def test_scoring_monitor_gets_one_task_per_iteration(digits):
    callback = pytest.importorskip("sklearn.callback")
    X, y = digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    with pytest.warns(ConvergenceWarning):
        clf = DigitLogisticClassifier(max_iter=6).set_callbacks(monitor).fit(X, y)
    rows = monitor.get_logs().data
    iterations = [row for row in rows if row["task_name"] != "fit"]
    assert len(iterations) == clf.n_iter_[0] == 6
    assert [row["task_id"] for row in iterations] == list(range(6))
    (root,) = [row for row in rows if row["task_name"] == "fit"]
    assert root["estimator_name"] == "DigitLogisticClassifier"
    # each iteration is scored with the coefficients it reached: the last is the fit's
    assert iterations[-1]["accuracy"] == pytest.approx(clf.score(X, y))
    assert root["accuracy"] == pytest.approx(clf.score(X, y))
    assert iterations[0]["accuracy"] < iterations[-1]["accuracy"]


def test_without_sklearn_callback_nothing_breaks():
    """On a scikit-learn without ``sklearn.callback`` (< 1.9), fitting works.

    Simulated in a fresh interpreter where importing ``sklearn.callback`` fails.
    """
    code = """
import sys
# scikit-learn itself imports sklearn.callback (1.9): load what skdigit needs of
# it first, then make any further "from sklearn.callback import ..." fail
import sklearn.base, sklearn.datasets, sklearn.linear_model, sklearn.metrics
import sklearn.model_selection, sklearn.pipeline, sklearn.preprocessing
sys.modules["sklearn.callback"] = None
import numpy as np
from sklearn.datasets import load_digits
from skdigit import DigitLogisticClassifier
X, y = load_digits(return_X_y=True)
clf = DigitLogisticClassifier(max_iter=200).fit(X / 16, y)
assert clf.score(X / 16, y) > 0.95, clf.score(X / 16, y)
assert not hasattr(clf, "set_callbacks")
from skdigit.linear_model import _callbacks
assert _callbacks.CallbackSupportMixin.__module__ == _callbacks.__name__  # the stand-in
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize(
    "params",
    [{"l1_ratio": 1.0, "C": 0.5}, {"l1_ratio": 0.5, "C": 0.5},
     {"C": np.inf, "solver": "proximal-qn"}, {"C": np.inf, "solver": "lbfgs"},
     {"C": 0.5, "solver": "proximal-qn"}],
)
def test_multinomial_coefficients_are_centred(params):
    # scikit-learn's representation: intercepts summing to zero, and without
    # penalty weights summing to zero over the classes (issue 24: the
    # proximal solver returned another point of the same optimum)
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # C=inf on separable data
        clf = DigitLogisticClassifier(max_iter=30, **params).fit(X, y)
    scale = np.abs(clf.intercept_).max()
    assert abs(clf.intercept_.sum()) <= 1e-10 * max(scale, 1.0)
    if np.isinf(clf.C) or params.get("l1_ratio", 0) == 0:
        np.testing.assert_allclose(
            clf.coef_.sum(axis=0), 0.0, atol=1e-10 * max(np.abs(clf.coef_).max(), 1.0)
        )


@pytest.mark.parametrize(
    "params", [{"solver": "lbfgs"}, {"solver": "preconditioned-lbfgs"},
               {"solver": "proximal-qn"}, {"l1_ratio": 0.5}],
)
def test_convergence_warning_when_it_stops_above_tol(params):
    # issue 24: L-BFGS stopping on its relative decrease (rounding dominates)
    # above tol returned without a word; the proximal solver's warning said
    # "Increase max_iter" after 50 of 10000 iterations
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    with pytest.warns(ConvergenceWarning, match="failed to converge") as record:
        clf = DigitLogisticClassifier(tol=1e-15, max_iter=10000, **params).fit(X, y)
    assert clf.n_iter_[0] < 10000
    message = str(record[0].message)
    assert "no further decrease is representable" in message
    assert "> tol=1e-15" in message and "Increase the number of iterations" not in message
    assert "https://" in message and "convergence" in message


def test_convergence_warning_links_to_the_docs(digits):
    X, y = digits
    with pytest.warns(ConvergenceWarning, match="failed to converge") as record:
        DigitLogisticClassifier(max_iter=2).fit(X, y)
    message = str(record[0].message)
    assert "max_iter=2 reached" in message
    assert "Increase the number of iterations (max_iter=2)" in message
    from skdigit.linear_model._convergence import CONVERGENCE_DOCS

    assert message.endswith(f"See {CONVERGENCE_DOCS}")
    with pytest.warns(ConvergenceWarning, match=r"^lbfgs failed to converge after 2 "
                      r"iteration\(s\) at C=0\.1 \(preconditioned-lbfgs stopped"):
        logistic_regression_path(X[:300], y[:300], Cs=[0.1], max_iter=2)
