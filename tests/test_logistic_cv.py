"""DigitLogisticClassifierCV and logistic_regression_path: the path, the choice, the refit."""

import warnings

import numpy as np
import pytest
import sklearn
from _sklearn_versions import SKLEARN_VERSION, needs_sklearn
from sklearn.datasets import load_iris
from sklearn.exceptions import UndefinedMetricWarning, UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    get_scorer,
    log_loss,
    make_scorer,
    roc_auc_score,
)
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.fixes import parse_version

from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV, PixelNormalizer
from skdigit.linear_model import logistic_regression_path


@pytest.fixture(scope="module")
def digits_cv(digits):
    X, y = digits  # the shared fixture: load_digits scaled to [0, 1]
    return X[:600], y[:600]


def test_path_equals_independent_fits(digits_cv):
    X, y = digits_cv
    Cs = [0.01, 0.1, 1.0]
    coefs, Cs_out, n_iter = logistic_regression_path(X, y, Cs=Cs[::-1], tol=1e-8, max_iter=1000)
    np.testing.assert_array_equal(Cs_out, Cs)  # sorted: strongest penalty first
    assert coefs.shape == (3, 10, 65) and n_iter.shape == (3,)
    for k, C in enumerate(Cs):
        ref = DigitLogisticClassifier(C=C, tol=1e-8, max_iter=1000).fit(X, y)
        # equal to the solvers' accuracy at this tol (flat directions included)
        np.testing.assert_allclose(coefs[k, :, :-1], ref.coef_, rtol=1e-3, atol=1e-3)
        np.testing.assert_allclose(coefs[k, :, -1], ref.intercept_, rtol=1e-3, atol=1e-3)


def test_path_warm_starts_save_iterations(digits_cv):
    X, y = digits_cv
    Cs = np.logspace(-2, 1, 8)
    _, _, n_iter = logistic_regression_path(X, y, Cs=Cs, tol=1e-6, max_iter=1000)
    cold = [
        DigitLogisticClassifier(C=C, tol=1e-6, max_iter=1000).fit(X, y).n_iter_[0]
        for C in Cs
    ]
    assert n_iter.sum() < sum(cold)


def test_path_binary_shapes_and_default_grid(digits_cv):
    X, y = digits_cv
    coefs, Cs, _ = logistic_regression_path(X, y == 3, Cs=4, fit_intercept=False)
    assert coefs.shape == (4, 1, 64)
    np.testing.assert_allclose(Cs, np.logspace(-4, 4, 4))


@needs_sklearn("1.8", "LogisticRegressionCV(use_legacy_attributes=False)")
def test_cv_matches_logistic_regression_cv(digits_cv):
    X, y = digits_cv
    Cs = [0.03, 0.3, 3.0]
    cv = StratifiedKFold(3)
    ours = DigitLogisticClassifierCV(Cs=Cs, cv=cv, tol=1e-8, max_iter=2000).fit(X, y)
    theirs = LogisticRegressionCV(
        Cs=Cs, cv=cv, l1_ratios=(0.0,), scoring="accuracy", tol=1e-8, max_iter=2000,
        use_legacy_attributes=False,
    ).fit(X, y)
    assert ours.C_ == theirs.C_
    np.testing.assert_allclose(ours.scores_, theirs.scores_, atol=0.01)
    assert ours.scores_.shape == (3, 1, 3)
    assert ours.coefs_paths_.shape == theirs.coefs_paths_.shape == (3, 1, 3, 10, 65)
    assert ours.n_iter_.shape == (3, 1, 3)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-3, atol=1e-4)


def test_cv_scores_are_validation_scores_of_the_path(digits_cv):
    X, y = digits_cv
    folds = list(StratifiedKFold(3).split(X, y))
    clf = DigitLogisticClassifierCV(
        Cs=[0.1, 1.0], cv=folds, scoring="neg_log_loss", tol=1e-8, max_iter=2000
    ).fit(X, y)
    train, test = folds[1]
    model = DigitLogisticClassifier(C=1.0, tol=1e-8, max_iter=2000).fit(X[train], y[train])
    expected = -log_loss(y[test], model.predict_proba(X[test]), labels=clf.classes_)
    assert clf.scores_[1, 0, 1] == pytest.approx(expected, rel=1e-3)
    W = clf.coefs_paths_[1, 0, 1]
    np.testing.assert_allclose(W[:, :-1], model.coef_, rtol=1e-3, atol=1e-4)


def test_cv_folds_do_not_start_from_the_held_out_rows():
    # Each validation fold holds the one class its training rows lack
    # (scikit-learn's test_logistic_cv_folds_with_classes_missing). A fold fit
    # started from the solution on all the data keeps, in the directions its
    # own rows leave flat, what the held-out rows taught: at C=1e6 the fold
    # fitted without class "a" predicted "a" on its validation rows with
    # certainty (a log loss of 0, and C_=1e6 chosen). (The log loss, not
    # scikit-learn's Brier score: its multiclass form is in scikit-learn >= 1.7.)
    y = np.array(["a", "a", "b", "b", "c", "c"])
    X = np.arange(6.0)[:, None]
    folds = list(KFold(n_splits=3).split(X, y))
    clf = DigitLogisticClassifierCV(
        cv=folds, scoring="neg_log_loss", Cs=np.logspace(-6, 6, 5)
    ).fit(X, y)
    # a class never seen in training is never predicted well: every score is
    # at best that of uniform probabilities, log(3)
    assert np.all(-clf.scores_ >= np.log(3) - 1e-6)
    assert clf.C_ == 1e-6  # the most uniform probabilities score best
    for k, (train, test) in enumerate(folds):
        W = clf.coefs_paths_[k, 0, -1]
        scores = X[test] @ W[:, :-1].T + W[:, -1]
        # the held-out class is never the most likely on its validation rows
        held_out = list(clf.classes_).index(y[test][0])
        assert np.all(scores.argmax(axis=1) != held_out)


def test_cv_uses_sample_weight_in_scoring(digits_cv):
    X, y = digits_cv
    sw = np.where(y == 1, 5.0, 1.0)
    folds = list(StratifiedKFold(3).split(X, y))
    clf = DigitLogisticClassifierCV(Cs=[0.1], cv=folds).fit(X, y, sample_weight=sw)
    train, test = folds[0]
    model = DigitLogisticClassifier(C=0.1).fit(X[train], y[train], sample_weight=sw[train])
    expected = accuracy_score(y[test], model.predict(X[test]), sample_weight=sw[test])
    assert clf.scores_[0, 0, 0] == pytest.approx(expected)


def _count_full_data_fits(monkeypatch, n_samples):
    """Patch PathFitter.fit to record the C of each fit on all ``n_samples`` rows."""
    from skdigit.linear_model import _path

    fits, fit = [], _path.PathFitter.fit

    def counting(self, C, *args, **kwargs):
        if self.objective.layout.shape[0] == n_samples:
            fits.append(C)
        return fit(self, C, *args, **kwargs)

    monkeypatch.setattr(_path.PathFitter, "fit", counting)
    return fits


def test_cv_refit_runs_the_full_data_path_only_up_to_the_chosen_c(digits_cv, monkeypatch):
    # The refit is the last point of the path on all the data up to C_: the
    # fits at weaker penalties (often the slowest) are never used, and with
    # refit=False no fit on all the data is. A scorer that prefers the
    # smallest weights chooses the strongest penalty.
    X, y = digits_cv
    fits = _count_full_data_fits(monkeypatch, X.shape[0])

    def smallest_weights(est, X, y):
        return -np.abs(est.coef_).sum()

    Cs = [0.01, 0.1, 1.0]
    clf = DigitLogisticClassifierCV(Cs=Cs, cv=3, scoring=smallest_weights).fit(X, y)
    assert clf.C_ == 0.01 and fits == [0.01]
    single = DigitLogisticClassifier(C=0.01).fit(X, y)
    np.testing.assert_allclose(clf.coef_, single.coef_, rtol=1e-6, atol=1e-8)
    assert clf.refit_n_iter_ == single.n_iter_[0]
    fits.clear()
    DigitLogisticClassifierCV(Cs=Cs, cv=3, refit=False).fit(X, y)
    assert fits == []


def test_cv_refit_false_averages_the_folds(digits_cv):
    X, y = digits_cv
    clf = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=3, refit=False).fit(X, y == 7)
    best = clf.scores_[:, 0, :].argmax(axis=1)
    np.testing.assert_allclose(
        clf.coef_[0], np.mean([clf.coefs_paths_[f, 0, b, 0, :-1] for f, b in enumerate(best)], axis=0),
        rtol=1e-6,
    )
    assert clf.C_ == pytest.approx(np.mean(np.asarray([0.1, 1.0])[best]))
    assert clf.refit_n_iter_ == 0


def test_cv_in_a_pipeline_and_parallel_folds(digits_cv):
    X, y = digits_cv
    pipe = make_pipeline(PixelNormalizer(max_value=1.0), DigitLogisticClassifierCV(Cs=3, cv=3))
    assert pipe.fit(X, y).score(X, y) > 0.9
    serial = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=3).fit(X, y)
    parallel = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(serial.scores_, parallel.scores_, atol=1e-12)


def test_cv_float32_and_bad_l1_ratios(digits_cv):
    X, y = digits_cv
    clf = DigitLogisticClassifierCV(Cs=[1.0], cv=3).fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
    with pytest.raises(ValueError, match=r"l1_ratios must be values in \[0, 1\]"):
        DigitLogisticClassifierCV(l1_ratios=[1.5]).fit(X, y)


def test_cv_refit_equals_a_plain_fit_at_the_chosen_c(digits_cv):
    X, y = digits_cv
    clf = DigitLogisticClassifierCV(Cs=[0.05, 0.5], cv=3, tol=1e-8, max_iter=2000).fit(X, y)
    ref = LogisticRegression(C=clf.C_, tol=1e-8, max_iter=2000).fit(X, y)
    np.testing.assert_allclose(clf.coef_, ref.coef_, rtol=1e-3, atol=1e-4)


def test_cv_inside_make_digit_pipeline(digits_cv):
    from skdigit import make_digit_pipeline

    X, y = digits_cv
    X = X * 255  # pixel intensities 0-255, as the pipeline expects
    pipe = make_digit_pipeline(cv=3, Cs=[0.03, 0.3]).fit(X, y)
    assert isinstance(pipe[-1], DigitLogisticClassifierCV)
    assert pipe[-1].C_ in (0.03, 0.3) and pipe.score(X, y) > 0.9
    with pytest.raises(ValueError, match="either C .* or cv"):
        make_digit_pipeline(C=1.0, cv=3)


# Metadata routing (issue 24): the splitter, the scorer and the fit as consumers.


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _writers(y):
    """Groups as writers: 12 of them, each writing digits of every class."""
    return np.arange(len(y)) % 12


def test_cv_routes_groups_to_the_splitter_in_a_pipeline(digits_cv, routing):
    X, y = digits_cv
    groups = _writers(y)
    pipe = make_pipeline(
        PixelNormalizer(max_value=1.0),
        DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=GroupKFold(3), scoring="accuracy"),
    )
    pipe.fit(X, y, groups=groups)
    # the same folds, given explicitly: GroupKFold did split by groups
    folds = list(GroupKFold(3).split(X, y, groups))
    ref = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=folds, scoring="accuracy").fit(X, y)
    np.testing.assert_allclose(pipe[-1].scores_, ref.scores_)


def test_cv_routes_groups_in_nested_cross_validate(digits_cv, routing):
    X, y = digits_cv
    groups = np.arange(len(y)) % 20
    inner = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=GroupKFold(3))
    result = cross_validate(inner, X, y, cv=GroupKFold(2), params={"groups": groups})
    assert np.all(np.isfinite(result["test_score"])) and result["test_score"].min() > 0.8


def test_cv_routed_sample_weight_follows_the_scorer_request(digits_cv, routing):
    X, y = digits_cv
    sw = np.where(y == 1, 5.0, 1.0)
    folds = list(StratifiedKFold(3).split(X, y))
    # not requested: scikit-learn's error, not a silently weighted score
    # (scikit-learn's scorers declare sample_weight since 1.7 or so; before,
    # an unset request routes nothing to them)
    clf = DigitLogisticClassifierCV(Cs=[0.1], cv=folds).set_fit_request(sample_weight=True)
    if "sample_weight" in get_scorer("accuracy").get_metadata_routing().score.requests:
        with pytest.raises(UnsetMetadataPassedError):
            clf.fit(X, y, sample_weight=sw)
    scores = {}
    for request in (False, True):
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=request)
        clf = DigitLogisticClassifierCV(Cs=[0.1], cv=folds, scoring=scorer)
        scores[request] = clf.set_fit_request(sample_weight=True).fit(
            X, y, sample_weight=sw
        ).scores_[0, 0, 0]
    train, test = folds[0]
    model = DigitLogisticClassifier(C=0.1).fit(X[train], y[train], sample_weight=sw[train])
    assert scores[False] == pytest.approx(accuracy_score(y[test], model.predict(X[test])))
    assert scores[True] == pytest.approx(
        accuracy_score(y[test], model.predict(X[test]), sample_weight=sw[test])
    )
    assert scores[True] != scores[False]


def test_cv_router_lists_splitter_scorer_and_fit(routing):
    router = DigitLogisticClassifierCV(cv=GroupKFold(3)).get_metadata_routing()
    assert router.consumes("fit", ["groups"]) == {"groups"}
    scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
    router = DigitLogisticClassifierCV(scoring=scorer).get_metadata_routing()
    assert router.consumes("fit", ["sample_weight"]) == {"sample_weight"}
    assert router.consumes("score", ["sample_weight"]) == {"sample_weight"}


@pytest.mark.parametrize("routed", [False, True])
def test_cv_fit_refuses_unknown_keywords(digits_cv, routed):
    X, y = digits_cv
    w = np.ones(len(y))
    with sklearn.config_context(enable_metadata_routing=routed):
        with pytest.raises((TypeError, ValueError), match="sample_weights"):
            DigitLogisticClassifierCV(Cs=[0.1], cv=3).fit(X, y, sample_weights=w)


@pytest.mark.parametrize(
    "scoring, binary",
    [("neg_log_loss", False), ("roc_auc_ovr", False), ("neg_log_loss", True),
     ("neg_brier_score", True)],
)
def test_cv_scorers_needing_every_class_when_a_fold_lacks_one(digits_cv, scoring, binary):
    X, y = digits_cv
    y = np.where(y == 0, "zero", "other") if binary else y
    order = np.argsort(y == y[0], kind="stable")  # the class of y[0] last
    X, y = X[order], y[order]
    n = len(y)
    absent = y == y[-1]
    # the validation rows of the first fold hold no sample of y[-1]'s class
    test = np.flatnonzero(~absent)[: n // 4]
    train = np.setdiff1d(np.arange(n), test)
    folds = [(train, test), (test, train)]
    clf = DigitLogisticClassifierCV(
        Cs=[0.1, 1.0], cv=folds, scoring=scoring, tol=1e-8, max_iter=2000
    )
    with warnings.catch_warnings():
        # one-vs-rest AUC of the absent class is undefined (NaN), as in scikit-learn
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        clf.fit(X, y)
    assert np.all(np.isfinite(clf.scores_[1]))
    # the score of the first fold is the metric with every class given
    model = DigitLogisticClassifier(C=1.0, tol=1e-8, max_iter=2000).fit(X[train], y[train])
    proba = model.predict_proba(X[test])
    if scoring == "neg_log_loss":
        expected = -log_loss(y[test], proba, labels=clf.classes_)
    elif scoring == "roc_auc_ovr":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            expected = roc_auc_score(y[test], proba, multi_class="ovr", labels=clf.classes_)
    else:
        expected = -brier_score_loss(y[test], proba[:, 1], pos_label=clf.classes_[1])
    np.testing.assert_allclose(clf.scores_[0, 0, 1], expected, rtol=1e-3, equal_nan=True)


@pytest.mark.parametrize(
    "Cs, match",
    [([0.1, -1.0], r"in \(0, inf\]"), ([np.nan], r"in \(0, inf\]"), ([0.0, 1.0], r"in \(0, inf\]"),
     ([], "non-empty")],
)
def test_cv_validates_the_values_of_cs(digits_cv, Cs, match):
    X, y = digits_cv
    with pytest.raises(ValueError, match=match):
        DigitLogisticClassifierCV(Cs=Cs, cv=3).fit(X, y)
    with pytest.raises(ValueError, match=match):
        logistic_regression_path(X, y, Cs=Cs)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=0
def test_path_checks_its_starting_point(digits_cv):
    # issue 24: a (3, 3) start where (3, 2) is expected was accepted, a 1-D one
    # (which scikit-learn accepts for two classes) raised IndexError, and
    # max_iter=0 showed a broadcast error
    X, y = digits_cv
    X, y3 = X[:90, :2], y[:90] % 3
    with pytest.raises(ValueError, match=r"shape \(3, 4\); expected \(3, 3\) or \(3, 2\)"):
        logistic_regression_path(X, y3, Cs=[1.0], coef=np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"shape \(2, 3\); expected"):
        logistic_regression_path(X, y3, Cs=[1.0], coef=np.zeros((2, 3)), max_iter=0)
    with pytest.raises(ValueError, match=r"expected \(3, 2\):"):
        logistic_regression_path(X, y3, Cs=[1.0], coef=np.zeros((3, 3)), fit_intercept=False)
    with pytest.raises(ValueError, match="NaN or infinity"):
        logistic_regression_path(X, y3, Cs=[1.0], coef=np.full((3, 3), np.nan))
    # two classes: 1-D, with or without the intercept, is the one weight vector
    y2 = y3 == 1
    start = np.array([0.5, -0.25, 0.125])
    coefs, _, n_iter = logistic_regression_path(X, y2, Cs=[1.0], coef=start, max_iter=0)
    np.testing.assert_array_equal(coefs[0], start[None, :])
    assert n_iter[0] == 0
    coefs, _, _ = logistic_regression_path(X, y2, Cs=[1.0], coef=start[:2], max_iter=0)
    np.testing.assert_array_equal(coefs[0], [[0.5, -0.25, 0.0]])
    # W alone, the intercepts from zero
    coefs, _, _ = logistic_regression_path(X, y3, Cs=[1.0], coef=np.ones((3, 2)), max_iter=0)
    np.testing.assert_array_equal(coefs[0], np.c_[np.ones((3, 2)), np.zeros(3)])


# scikit-learn 1.9's constructor arguments (issue 24)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # unscaled iris
def test_sklearn_docstring_examples_run_with_only_the_class_name_changed():
    X, y = load_iris(return_X_y=True)
    clf = DigitLogisticClassifier(random_state=0).fit(X, y)
    assert clf.predict(X[:2, :]).tolist() == [0, 0]
    assert clf.predict_proba(X[:2, :]).shape == (2, 3)
    assert clf.score(X, y) > 0.95
    cv = DigitLogisticClassifierCV(
        cv=5, random_state=0, use_legacy_attributes=False, l1_ratios=(0,),
        scoring="neg_log_loss",
    ).fit(X, y)
    assert cv.predict(X[:2, :]).tolist() == [0, 0]
    assert cv.predict_proba(X[:2, :]).shape == (2, 3)
    assert -0.06 < cv.score(X, y) < -0.03  # scikit-learn's example: -0.041...
    # and with scikit-learn 1.10's alpha in place of C (C=1: alpha = 1 / n_samples)
    with_alpha = DigitLogisticClassifier(random_state=0, alpha=1 / len(y)).fit(X, y)
    np.testing.assert_allclose(with_alpha.coef_, clf.coef_, rtol=1e-10)
    cv_alpha = DigitLogisticClassifierCV(
        cv=5, random_state=0, l1_ratios=(0,), scoring="neg_log_loss",
        alphas=1 / (cv.Cs_ * len(y)),
    ).fit(X, y)
    assert cv_alpha.C_ == pytest.approx(cv.C_) and cv_alpha.alpha_ == pytest.approx(cv.alpha_)


@pytest.mark.parametrize("Estimator", [DigitLogisticClassifier, DigitLogisticClassifierCV])
def test_dual_intercept_scaling_random_state(digits_cv, Estimator):
    X, y = digits_cv
    X, y = X[:200], y[:200]
    params = {"Cs": [1.0], "cv": 3} if Estimator is DigitLogisticClassifierCV else {}
    base = Estimator(**params).fit(X, y)
    # accepted, and without effect on deterministic solvers that never
    # penalize the intercept
    same = Estimator(random_state=0, intercept_scaling=5.0, **params).fit(X, y)
    np.testing.assert_array_equal(same.coef_, base.coef_)
    with pytest.raises(ValueError, match="dual=True asks for the dual formulation.*dual=False"):
        Estimator(dual=True, **params).fit(X, y)
    with pytest.raises(InvalidParameterError, match="intercept_scaling"):
        Estimator(intercept_scaling=0, **params).fit(X, y)
    with pytest.raises(InvalidParameterError, match="random_state"):
        Estimator(random_state="zero", **params).fit(X, y)


@pytest.mark.parametrize(
    "penalty, l1_ratios, expected",
    [("l2", (0.0,), [0.0]), ("l1", (0.0,), [1.0]), ("elasticnet", (0.2, 0.8), [0.2, 0.8])],
)
def test_cv_penalty_is_deprecated_with_its_meaning(digits_cv, penalty, l1_ratios, expected):
    X, y = digits_cv
    clf = DigitLogisticClassifierCV(Cs=[1.0], cv=2, penalty=penalty, l1_ratios=l1_ratios)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated in version 1.8"):
        clf.fit(X[:200], y[:200] == 3)
    np.testing.assert_array_equal(clf.l1_ratios_, expected)
    with pytest.raises(InvalidParameterError, match="penalty"):
        DigitLogisticClassifierCV(penalty=None).fit(X[:200], y[:200])


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("l1_ratios", [(0.0, 0.5), None])
def test_cv_legacy_attributes(digits_cv, binary, l1_ratios):
    X, y = digits_cv
    X, y = X[:300], (y[:300] == 3) if binary else y[:300]
    params = dict(Cs=[0.1, 1.0, 10.0], cv=3, l1_ratios=l1_ratios, tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # l1_ratios=None is deprecated
        modern = DigitLogisticClassifierCV(**params).fit(X, y)
        legacy = DigitLogisticClassifierCV(use_legacy_attributes=True, **params).fit(X, y)
    np.testing.assert_array_equal(legacy.coef_, modern.coef_)
    keys = modern.classes_[1:] if binary else modern.classes_
    assert list(legacy.scores_) == list(keys) == list(legacy.coefs_paths_)
    n_l1 = 2 if l1_ratios else 1
    for row, key in enumerate(keys):
        # [fold, C, l1_ratio] in place of [fold, l1_ratio, C]
        scores = np.swapaxes(modern.scores_, 1, 2)
        paths = np.swapaxes(modern.coefs_paths_[..., row, :], 1, 2)
        if l1_ratios is None:
            scores, paths = scores[..., 0], paths[:, :, 0]
        np.testing.assert_array_equal(legacy.scores_[key], scores)
        np.testing.assert_array_equal(legacy.coefs_paths_[key], paths)
    expected_iter = (1, 3, 3, n_l1) if l1_ratios else (1, 3, 3)
    assert legacy.n_iter_.shape == expected_iter
    assert legacy.C_.shape == (len(keys),) and np.all(legacy.C_ == modern.C_)
    if l1_ratios is None:
        assert legacy.l1_ratios_.tolist() == [None]
        assert legacy.l1_ratio_.tolist() == [None] * len(keys)
    else:
        assert np.all(legacy.l1_ratio_ == modern.l1_ratio_)


@needs_sklearn("1.8", "LogisticRegressionCV(use_legacy_attributes=True)")
def test_cv_legacy_attributes_match_sklearn(digits_cv):
    X, y = digits_cv
    X, y = X[:300], y[:300] % 3
    params = dict(Cs=[0.1, 1.0], cv=StratifiedKFold(3), l1_ratios=(0.0,), tol=1e-8,
                  max_iter=2000, use_legacy_attributes=True)
    ours = DigitLogisticClassifierCV(**params).fit(X, y)
    theirs = LogisticRegressionCV(scoring="accuracy", **params).fit(X, y)
    for key in theirs.scores_:
        assert ours.scores_[key].shape == theirs.scores_[key].shape
        np.testing.assert_allclose(ours.scores_[key], theirs.scores_[key], atol=0.01)
        assert ours.coefs_paths_[key].shape == theirs.coefs_paths_[key].shape
        np.testing.assert_allclose(
            ours.coefs_paths_[key], theirs.coefs_paths_[key], rtol=1e-3, atol=1e-3
        )
    assert ours.n_iter_.shape == theirs.n_iter_.shape
    assert ours.C_.shape == theirs.C_.shape and ours.l1_ratio_.shape == theirs.l1_ratio_.shape


def test_cv_on_a_dataframe_scores_without_feature_name_warnings(digits_cv):
    pd = pytest.importorskip("pandas")
    X, y = digits_cv
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "X does not have valid feature names"
        clf = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=3).fit(frame, y)
        clf.predict(frame)
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)


def _layout(value):
    """The structure of a fitted CV attribute: its type, keys, shape, and dtype kind."""
    if isinstance(value, dict):
        return ("dict", [k.item() for k in value], [_layout(v) for v in value.values()])
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.kind)
    return (type(value).__name__,)


_DEFAULT = object()  # leave l1_ratios at the class's default


@pytest.mark.skipif(
    not (parse_version("1.9") <= SKLEARN_VERSION < parse_version("1.10")),
    reason="scikit-learn 1.9's defaults (l1_ratios None, legacy layout) are the reference",
)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize("use_legacy_attributes", [True, False])
@pytest.mark.parametrize(
    "l1_ratios, penalty",
    [(_DEFAULT, None), (None, None), ((0.0,), None), (np.array([0.0, 1.0]), None),
     (_DEFAULT, "l1"), (None, "l2")],
    ids=["default", "None", "(0,)", "[0,1]", "default-penalty-l1", "None-penalty-l2"],
)
def test_cv_attribute_layouts_are_sklearn_19s(l1_ratios, penalty, use_legacy_attributes,
                                               refit, n_classes):
    """Every fitted CV attribute has the structure scikit-learn 1.9 gives it.

    Run side by side with the installed ``LogisticRegressionCV`` in the same
    configuration: with the default ``l1_ratios`` (``None`` in 1.9) the legacy
    arrays have no ``l1_ratios`` axis, ``l1_ratios_`` is ``[None]`` and the
    refit's ``l1_ratio_`` an array of None; an explicit ``l1_ratios`` keeps
    the axis. (A 1.9-style slice ``coefs_paths_[c][fold, i_C, :-1]`` on the
    default layout used to select the empty ``l1_ratios`` axis.)
    """
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = y if n_classes == 3 else (y == 1).astype(int)
    params = dict(Cs=[0.1, 1.0, 10.0], cv=3, refit=refit, tol=1e-3, max_iter=300,
                  scoring="neg_log_loss", use_legacy_attributes=use_legacy_attributes)
    if l1_ratios is not _DEFAULT:
        params["l1_ratios"] = l1_ratios
    if penalty is not None:
        params["penalty"] = penalty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 1.9's FutureWarnings, ConvergenceWarnings
        solver = "saga" if l1_ratios is not _DEFAULT and np.any(np.asarray(l1_ratios)) \
            or penalty == "l1" else "lbfgs"
        theirs = LogisticRegressionCV(solver=solver, **params).fit(X, y)
        ours = DigitLogisticClassifierCV(**params).fit(X, y)
    for name in ("coefs_paths_", "scores_", "n_iter_", "C_", "l1_ratio_", "l1_ratios_"):
        if name == "l1_ratios_" and l1_ratios is _DEFAULT and not use_legacy_attributes:
            continue
        assert _layout(getattr(ours, name)) == _layout(getattr(theirs, name)), name
    if l1_ratios is _DEFAULT and not use_legacy_attributes:
        # the modern layout's default is scikit-learn 1.10's l1_ratios=(0.0,)
        # (1.9's None gives [None]): the values tried
        assert ours.l1_ratios_.tolist() == [1.0 if penalty == "l1" else 0.0]
        return
    if use_legacy_attributes and l1_ratios is _DEFAULT:
        # 1.9's slice of one fold's path at one C: every class's weights and intercept
        key = list(theirs.coefs_paths_)[0]
        assert ours.coefs_paths_[key][0, 1, :-1].shape == (X.shape[1],)
    assert [v is None for v in np.ravel(ours.l1_ratio_)] == [
        v is None for v in np.ravel(theirs.l1_ratio_)
    ]
    assert [v is None for v in ours.l1_ratios_] == [v is None for v in theirs.l1_ratios_]


@pytest.mark.parametrize("l1_ratios", [(0.0,), (0.0, 0.5)])
def test_cv_choice_does_not_depend_on_the_shared_metric(digits_cv, monkeypatch, l1_ratios):
    """The folds' metric, computed once on all the rows, changes no score nor the choice.

    The second moments of the features (the preconditioner of the L-BFGS
    solver, the proximal solver's metric) are computed on every row, the
    validation rows included, and shared by the folds. They are a change of
    variables: the path to a fold's optimum changes, not the optimum, and
    ``tol`` is tested in the original coefficients. The same CV with each
    fold computing its own metric from its training rows only gives the same
    scores (to the solvers' accuracy at this ``tol``) and the same ``C_``.
    """
    from skdigit.linear_model._loss import LogisticObjective

    X, y = digits_cv
    X, y = X[:400], y[:400]
    params = dict(Cs=[0.01, 0.1, 1.0, 10.0], l1_ratios=l1_ratios, cv=3, tol=1e-7,
                  max_iter=5000, scoring="neg_log_loss")
    shared = DigitLogisticClassifierCV(**params).fit(X, y)
    computed = []
    real_gram_eigh = LogisticObjective.gram_eigh

    def gram_eigh(self):
        if self._gram_eigh is None:
            computed.append(self.layout.shape[0])
        return real_gram_eigh(self)

    # each fold's objective keeps none of the full data's moments: it
    # computes its own, from its training rows, when a solver asks
    monkeypatch.setattr(LogisticObjective, "share_moments", lambda self, other: None)
    monkeypatch.setattr(LogisticObjective, "gram_eigh", gram_eigh)
    per_fold = DigitLogisticClassifierCV(**params).fit(X, y)
    assert sorted(set(computed)) == [266, 267, 400]  # the folds' training rows, all rows
    np.testing.assert_allclose(per_fold.scores_, shared.scores_, rtol=0, atol=1e-5)
    assert (per_fold.C_, per_fold.l1_ratio_) == (shared.C_, shared.l1_ratio_)
    np.testing.assert_allclose(per_fold.coef_, shared.coef_)
