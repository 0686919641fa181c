"""scikit-learn's LogisticRegression tests, pointed at DigitLogisticClassifier.

Adapted from scikit-learn's sklearn/linear_model/tests/test_logistic.py
(scikit-learn 1.9.1), BSD-3-Clause, Copyright (c) the scikit-learn developers.
Only the cases that apply to what skdigit claims are ported: the lbfgs-type
solvers, L1 and elastic-net, ``C=np.inf``, dtypes, sample and class weights,
warm start, ``max_iter=0``, sparse input, ``sparsify``, probabilities, input
errors, multinomial against binary, and the callback API; then
``LogisticRegressionCV``'s and the path's tests, pointed at
DigitLogisticClassifierCV and logistic_regression_path (folds with classes
missing, scorers, refit, the layouts of ``coefs_paths_`` and ``scores_``, class
weights, sparse input, elastic-net grids against ``GridSearchCV``, metadata
routing; the list of what is ported and what is not, with the reasons, heads
that part). Where scikit-learn compares two of its solvers, we compare ours
with scikit-learn's.
"""

import inspect
import warnings

import numpy as np
import pytest
from _sklearn_versions import reference_logistic
from numpy.testing import assert_allclose, assert_array_almost_equal, assert_array_equal
from scipy import sparse
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import brier_score_loss, get_scorer, log_loss
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import LabelEncoder, scale

from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV
from skdigit.linear_model import logistic_regression_path
from skdigit.linear_model._solvers import SOLVERS

SMOOTH_SOLVERS = sorted(n for n, s in SOLVERS.items() if s.needs_smooth_penalty)
LR = DigitLogisticClassifier

X = [[-1, 0], [0, 1], [1, 1]]
Y1 = [0, 1, 1]
Y2 = [2, 1, 0]
iris = load_iris()


def check_predictions(clf, X, y):
    """Check that the model is able to fit the classification data."""
    n_samples = len(y)
    classes = np.unique(y)
    predicted = clf.fit(X, y).predict(X)
    assert_array_equal(clf.classes_, classes)
    assert predicted.shape == (n_samples,)
    assert_array_equal(predicted, y)
    probabilities = clf.predict_proba(X)
    assert probabilities.shape == (n_samples, classes.shape[0])
    assert_allclose(probabilities.sum(axis=1), np.ones(n_samples))
    assert_array_equal(probabilities.argmax(axis=1), y)


@pytest.mark.parametrize("as_csr", [False, True])
@pytest.mark.parametrize("params", [{}, {"C": 100}, {"fit_intercept": False}])
def test_predict_2_and_3_classes(as_csr, params):
    X_in = sparse.csr_matrix(X) if as_csr else X
    check_predictions(LR(**params), X_in, Y1)
    check_predictions(LR(**params), X_in, Y2)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_predict_iris(solver):
    # multinomial on iris, with string labels (after earlier scikit-learn
    # versions' test_predict_iris; not in 1.9.1)
    n_samples = iris.data.shape[0]
    target = iris.target_names[iris.target]
    clf = LR(C=len(iris.data), solver=solver, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # unscaled iris
        clf.fit(iris.data, target)
    assert_array_equal(np.unique(target), clf.classes_)
    assert np.mean(clf.predict(iris.data) == target) > 0.95
    probabilities = clf.predict_proba(iris.data)
    assert_allclose(probabilities.sum(axis=1), np.ones(n_samples))
    assert np.mean(iris.target_names[probabilities.argmax(axis=1)] == target) > 0.95


@pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_logistic_glmnet(solver):
    """L2 against glmnet (reference values computed in R by scikit-learn)."""
    X_ = np.array([[-4, -3, -2, -1, 0, 1, 2, 3, 4], [0, 0, 1, 0, 1, 1, 1, 0, 0]]).T
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1])
    glm = LR(C=1 / 1 / y.shape[0], fit_intercept=True, tol=1e-8, max_iter=300,
             solver=solver)
    glm.fit(X_, y)
    assert_allclose(glm.intercept_, 0.89230405539, rtol=1e-5)
    assert_allclose(glm.coef_, [[0.44464569182, 0.01457563448]], rtol=1e-5)
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    glm.fit(X_, y)
    assert_allclose(
        glm.intercept_, [-0.12004759652, 2.251747383e-01, -0.1051271418], rtol=1e-5
    )
    assert_allclose(
        glm.coef_,
        [[-0.38023389305, -0.01226499932], [-8.164030176e-05, 4.734548012e-02],
         [0.3803155334, -0.0350804808]],
        rtol=1e-5, atol=1e-8,
    )


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_logistic_regression_solver_class_weights(solver):
    """class_weight {0: 1, 1: 2} equals sample weights 2 on class 1."""
    X_, y = make_classification(n_samples=300, n_features=5, n_informative=3,
                                n_classes=2, random_state=0)
    sample_weight = y + 1
    kw = dict(solver=solver, max_iter=1000, tol=1e-10)
    clf_sw = LR(**kw).fit(X_, y, sample_weight=sample_weight)
    clf_cw = LR(class_weight={0: 1, 1: 2}, **kw).fit(X_, y)
    assert_allclose(clf_sw.coef_, clf_cw.coef_, rtol=1e-6, atol=1e-8)


def test_elasticnet_l1_ratio_err_helpful():
    model = LR(penalty="elasticnet", l1_ratio=None)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        with pytest.raises(ValueError, match=r".*l1_ratio.*"):
            model.fit(np.array([[1, 2], [3, 4]]), np.array([0, 1]))


def test_sparsify():
    X_ = scale(iris.data)
    target = iris.target_names[iris.target]
    clf = LR().fit(X_, target)
    pred_d_d = clf.decision_function(X_)
    clf.sparsify()
    assert sparse.issparse(clf.coef_)
    pred_s_d = clf.decision_function(X_)
    sp_data = sparse.coo_matrix(X_)
    pred_s_s = clf.decision_function(sp_data)
    clf.densify()
    pred_d_s = clf.decision_function(sp_data)
    assert_array_almost_equal(pred_d_d, pred_s_d)
    assert_array_almost_equal(pred_d_d, pred_s_s)
    assert_array_almost_equal(pred_d_d, pred_d_s)


def test_inconsistent_input():
    rng = np.random.RandomState(0)
    X_ = rng.random_sample((5, 10))
    y_ = np.ones(X_.shape[0])
    y_[0] = 0
    clf = LR()
    with pytest.raises(ValueError, match="Found input variables with inconsistent number"):
        clf.fit(X, y_[:-1])
    with pytest.raises(ValueError, match="X has 12 features, but"):
        clf.fit(X_, y_).predict(rng.random_sample((3, 12)))


def test_write_parameters():
    clf = LR().fit(X, Y1)
    clf.coef_[:] = 0
    clf.intercept_[:] = 0
    assert_array_almost_equal(clf.decision_function(X), 0)


def test_nan():
    Xnan = np.array(X, dtype=np.float64)
    Xnan[0, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN."):
        LR().fit(Xnan, Y1)


def test_multinomial_logistic_regression_string_inputs():
    n_samples, n_features, n_classes = 50, 5, 3
    X_ref, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_classes=n_classes,
        n_informative=3, random_state=0,
    )
    y_str = np.array(["bar", "baz", "foo"])[y]
    y_str_cw = np.array(["bar", "baz", "foo"])[y]
    lr = LR().fit(X_ref, y)
    lr_str = LR().fit(X_ref, y_str)
    expected = sorted(np.unique(y_str))
    assert sorted(np.unique(lr_str.predict(X_ref))) == expected
    assert_allclose(lr.coef_, lr_str.coef_)
    lr_cw = LR(class_weight={"bar": 1, "baz": 2, "foo": 0}).fit(X_ref, y_str_cw)
    assert sorted(np.unique(lr_cw.predict(X_ref))) == ["bar", "baz"]


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("as_csr", [False, True])
def test_logistic_regression_solvers(solver, n_classes, as_csr):
    """Ours reaches scikit-learn lbfgs's coefficients (test_logistic_regression_solvers*)."""
    X_, y = make_classification(
        n_samples=200, n_features=10, n_informative=6, n_classes=n_classes,
        random_state=0,
    )
    params = dict(fit_intercept=False, tol=1e-10, max_iter=10_000)
    theirs = LogisticRegression(**params).fit(X_, y)
    ours = LR(solver=solver, **params).fit(sparse.csr_matrix(X_) if as_csr else X_, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_logistic_regression_solvers_multiclass_unpenalized(solver, fit_intercept):
    """C=np.inf: ours and scikit-learn's reach the same (unique) unpenalized optimum."""
    rng = np.random.RandomState(0)
    n_samples, n_features, n_classes = 100, 4, 3
    X_ = rng.normal(size=(n_samples, n_features))
    coef = rng.uniform(size=(n_classes, n_features))
    proba = np.exp(X_ @ coef.T)
    proba /= proba.sum(axis=1, keepdims=True)
    y = (proba.cumsum(axis=1) > rng.uniform(size=(n_samples, 1))).argmax(axis=1)
    params = dict(C=np.inf, fit_intercept=fit_intercept, tol=1e-10, max_iter=10_000)
    theirs = LogisticRegression(**params).fit(X_, y)
    ours = LR(solver=solver, **params).fit(X_, y)
    # the multinomial is identifiable only up to a constant per feature: compare
    # the probabilities, and coefficients centred over classes
    assert_allclose(ours.predict_proba(X_), theirs.predict_proba(X_), rtol=1e-6, atol=1e-8)
    assert_allclose(ours.coef_ - ours.coef_.mean(axis=0),
                    theirs.coef_ - theirs.coef_.mean(axis=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_logistic_regression_sample_weights(solver):
    """Integer sample weights equal repeated rows."""
    X_, y = make_classification(
        n_samples=600, n_features=5, n_informative=3, n_classes=2, n_redundant=0,
        random_state=0,
    )
    rng = np.random.RandomState(0)
    sw = np.ones(y.shape[0])
    sw[:200] = rng.randint(0, 5, size=200)
    X_rep = np.repeat(X_, sw.astype(int), axis=0)
    y_rep = np.repeat(y, sw.astype(int), axis=0)
    params = dict(solver=solver, fit_intercept=False, max_iter=1000, tol=1e-8)
    weighted = LR(**params).fit(X_, y, sample_weight=sw)
    repeated = LR(**params).fit(X_rep, y_rep)
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-5, atol=1e-6)
    # sample_weight=None and ones, and class_weight "balanced" against weights
    a = LR(**params).fit(X_, y)
    b = LR(**params).fit(X_, y, sample_weight=np.ones(y.shape[0]))
    assert_allclose(a.coef_, b.coef_, rtol=1e-6)
    class_weight = {0: 0.5, 1: 2.0}
    a = LR(class_weight=class_weight, **params).fit(X_, y)
    b = LR(**params).fit(X_, y, sample_weight=np.where(y == 0, 0.5, 2.0))
    assert_allclose(a.coef_, b.coef_, rtol=1e-6)


@pytest.mark.parametrize("as_csr", [False, True])
def test_logistic_regression_class_weights(as_csr):
    X_iris = scale(iris.data)
    X_ = X_iris[45:, :]
    y = iris.target[45:]
    X_in = sparse.csr_matrix(X_) if as_csr else X_
    classes = np.unique(y)
    weights = len(y) / (len(classes) * np.bincount(y)[classes])
    class_weight_dict = dict(zip(classes, weights))
    for solver in SMOOTH_SOLVERS:
        params = dict(solver=solver, max_iter=2000)
        clf1 = LR(class_weight="balanced", **params).fit(X_in, y)
        clf2 = LR(class_weight=class_weight_dict, **params).fit(X_in, y)
        assert len(clf1.classes_) == 3
        assert_allclose(clf1.coef_, clf2.coef_, rtol=1e-4)
        sw = np.ones(X_.shape[0])
        for c in clf1.classes_:
            sw[y == c] *= class_weight_dict[c]
        clf3 = LR(**params).fit(X_in, y, sample_weight=sw)
        assert_allclose(clf3.coef_, clf2.coef_, rtol=1e-4)


@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 10.0, 2: 1.0}, "balanced"])
def test_sample_weight_not_modified(class_weight):
    X_, y = load_iris(return_X_y=True)
    W = np.ones(len(X_))
    W[: len(X_) // 2] = 2
    expected = W.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LR(class_weight=class_weight, max_iter=200).fit(X_, y, sample_weight=W)
    assert_allclose(expected, W)


@pytest.mark.parametrize("seed", [0, 1])
def test_logreg_predict_proba_multinomial(seed):
    X_, y = make_classification(
        n_samples=10, n_features=20, random_state=seed, n_classes=3, n_informative=10
    )
    clf_multi = LR().fit(X_, y)
    clf_multi_loss = log_loss(y, clf_multi.predict_proba(X_))
    clf_ovr = OneVsRestClassifier(LR()).fit(X_, y)
    assert log_loss(y, clf_ovr.predict_proba(X_)) > clf_multi_loss
    clf_wrong_loss = log_loss(y, clf_multi._predict_proba_lr(X_))
    assert clf_wrong_loss > clf_multi_loss
    # and log_proba is the log of proba
    assert_allclose(clf_multi.predict_log_proba(X_), np.log(clf_multi.predict_proba(X_)),
                    rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("max_iter", np.arange(1, 5))
def test_max_iter(max_iter, solver):
    X_, y_bin = iris.data, iris.target.copy()
    y_bin[y_bin == 2] = 0
    lr = LR(max_iter=max_iter, tol=1e-15, solver=solver)
    # scikit-learn's phrase for its lbfgs, whichever of our L-BFGS solvers ran
    with pytest.warns(ConvergenceWarning, match="^lbfgs failed to converge"):
        lr.fit(X_, y_bin)
    assert lr.n_iter_[0] == max_iter


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_n_iter(solver):
    X_, y = scale(iris.data), iris.target
    y_bin = y.copy()
    y_bin[y_bin == 2] = 0
    clf = LR(tol=1e-2, C=1.0, solver=solver).fit(X_, y_bin)
    assert clf.n_iter_.shape == (1,)
    clf = LR(tol=1e-2, C=1.0, solver=solver).fit(X_, y)
    assert clf.n_iter_.shape == (1,)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("warm_start", (True, False))
@pytest.mark.parametrize("fit_intercept", (True, False))
def test_warm_start(solver, warm_start, fit_intercept):
    X_, y = iris.data, iris.target
    clf = LR(tol=1e-4, warm_start=warm_start, solver=solver, fit_intercept=fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_, y)
        coef_1 = clf.coef_
        clf.max_iter = 1
        clf.fit(X_, y)
    cum_diff = np.sum(np.abs(coef_1 - clf.coef_))
    if warm_start:
        assert 2.0 > cum_diff
    else:
        assert cum_diff > 2.0


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_dtype_match(solver, fit_intercept):
    X_32 = np.array(X).astype(np.float32)
    y_32 = np.array(Y1).astype(np.float32)
    X_64 = np.array(X).astype(np.float64)
    y_64 = np.array(Y1).astype(np.float64)
    X_sparse_32 = sparse.csr_matrix(X, dtype=np.float32)
    X_sparse_64 = sparse.csr_matrix(X, dtype=np.float64)
    templ = LR(solver=solver, tol=5e-4, fit_intercept=fit_intercept)
    lr_32 = clone(templ).fit(X_32, y_32)
    assert lr_32.coef_.dtype == np.float32
    lr_32_sparse = clone(templ).fit(X_sparse_32, y_32)
    assert lr_32_sparse.coef_.dtype == np.float32
    lr_64 = clone(templ).fit(X_64, y_64)
    assert lr_64.coef_.dtype == np.float64
    lr_64_sparse = clone(templ).fit(X_sparse_64, y_64)
    assert lr_64_sparse.coef_.dtype == np.float64
    # solver_tol bounds the norm of the loss gradient (scikit-learn's bound)
    atol = 2 * 1.72 * 5e-4
    assert_allclose(lr_32.coef_, lr_64.coef_.astype(np.float32), atol=atol)
    assert_allclose(lr_32.coef_, lr_32_sparse.coef_, atol=atol)
    assert_allclose(lr_64.coef_, lr_64_sparse.coef_, atol=atol)


@pytest.mark.parametrize("seed", [0, 1])
def test_warm_start_converge_LR(seed):
    rng = np.random.RandomState(seed)
    X_ = np.concatenate((rng.randn(100, 2) + [1, 1], rng.randn(100, 2)))
    y = np.array([1] * 100 + [-1] * 100)
    lr_no_ws = LR(warm_start=False, tol=1e-6)
    lr_ws = LR(warm_start=True, tol=1e-6)
    lr_no_ws_loss = log_loss(y, lr_no_ws.fit(X_, y).predict_proba(X_))
    for _ in range(5):
        lr_ws.fit(X_, y)
    assert_allclose(lr_no_ws_loss, log_loss(y, lr_ws.predict_proba(X_)), rtol=1e-5)


def test_penalty_none():
    X_, y = make_classification(n_samples=1000, n_redundant=0, random_state=0)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        with pytest.warns(UserWarning, match="Setting penalty=None will ignore the C"):
            LR(penalty=None, C=4).fit(X_, y)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        pred_none = LR(penalty=None, max_iter=300).fit(X_, y).predict(X_)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        pred_l2_C_inf = LR(penalty="l2", C=np.inf, max_iter=300).fit(X_, y).predict(X_)
    assert_array_equal(pred_none, pred_l2_C_inf)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_c_inf_no_warning(solver):
    X_, y = make_classification(n_samples=100, n_redundant=0, random_state=42)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        LR(C=np.inf, solver=solver).fit(X_, y)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_multinomial_identifiability_on_iris(solver, fit_intercept):
    """At the L2-penalized optimum, the coefficients sum to zero over classes."""
    target = iris.target_names[iris.target]
    clf = LR(C=len(iris.data), solver=solver, fit_intercept=fit_intercept)
    clf.fit(scale(iris.data), target)
    assert_allclose(clf.coef_.sum(axis=0), 0, atol=1e-10)
    if fit_intercept:
        assert clf.intercept_.sum(axis=0) == pytest.approx(0, abs=1e-11)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_large_sparse_matrix(solver):
    """int64 indices are accepted (skdigit's CSR kernels read them as they are)."""
    X_ = sparse.random(20, 10, density=0.5, format="csr", random_state=42)
    X_.indices = X_.indices.astype("int64")
    X_.indptr = X_.indptr.astype("int64")
    y = np.random.RandomState(42).randint(2, size=X_.shape[0])
    clf = LR(solver=solver).fit(X_, y)
    ref = LR(solver=solver).fit(X_.toarray(), y)
    assert_allclose(clf.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_zero_max_iter(solver):
    X_, y = load_iris(return_X_y=True)
    y = y == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LR(solver=solver, max_iter=0).fit(X_, y)
    assert clf.n_iter_ == 0
    # unlike scikit-learn's lbfgs, no coefficient has moved yet
    assert_allclose(clf.coef_, np.zeros_like(clf.coef_))
    assert_allclose(clf.decision_function(X_), np.full(X_.shape[0], clf.intercept_))
    assert_allclose(clf.predict_proba(X_), np.full((X_.shape[0], 2), 0.5))
    assert clf.score(X_, y) < 0.7


def test_penalty_deprecated():
    X_, y = make_classification(n_classes=2, n_samples=20, n_informative=6)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        LR(penalty="l2").fit(X_, y)


def test_l1_ratio_None_deprecated():
    X_, y = make_classification(n_classes=2, n_samples=20, n_informative=6)
    with pytest.warns(FutureWarning, match="'l1_ratio=None' was deprecated"):
        LR(l1_ratio=None).fit(X_, y)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 0.0), ("l2", 1.0)])
def test_lr_penalty_l1ratio_incompatible(penalty, l1_ratio):
    X_, y = make_classification(n_samples=20)
    msg = f"Inconsistent values: penalty={penalty} with l1_ratio={l1_ratio}"
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        with pytest.warns(UserWarning, match=msg):
            LR(penalty=penalty, l1_ratio=l1_ratio).fit(X_, y)


# --- L1 and elastic-net: these fit once a proximal solver is in SOLVERS -----


def test_l1_ratio_non_elasticnet():
    msg = r"l1_ratio parameter is only used when penalty is 'elasticnet'\. Got \(penalty=l1\)"
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        with pytest.warns(UserWarning, match="Inconsistent values: penalty=l1"):
            with pytest.warns(UserWarning, match=msg):
                LR(penalty="l1", l1_ratio=0.5).fit(X, Y1)


def test_logreg_l1():
    """Ours against scikit-learn's saga at a tight tol; dense equals sparse."""
    rng = np.random.RandomState(0)
    n_samples = 100
    X_, y = make_classification(n_samples=n_samples, n_features=20, random_state=0)
    X_noise = rng.normal(size=(n_samples, 3))
    X_constant = np.ones(shape=(n_samples, 2))
    X_ = np.concatenate((X_, X_noise, X_constant), axis=1)
    params = dict(l1_ratio=1, C=1.0, fit_intercept=False, max_iter=10000, tol=1e-10)
    saga = reference_logistic(solver="saga", random_state=0, **params).fit(X_, y)
    ours = LR(**params).fit(X_, y)
    # The two constant columns are the same column: the L1 optimum fixes only
    # the sum of their weights (scikit-learn's test compares at atol=0.3).
    assert_allclose(ours.coef_[:, :-2], saga.coef_[:, :-2], rtol=1e-3, atol=1e-4)
    assert_allclose(ours.coef_[:, -2:].sum(), saga.coef_[:, -2:].sum(), rtol=1e-4)
    assert np.sign(ours.coef_[0, -2]) == np.sign(ours.coef_[0, -1])
    ours_sp = LR(**params).fit(sparse.csr_matrix(X_), y)
    assert_allclose(ours_sp.coef_, ours.coef_, rtol=1e-6, atol=1e-8)


def test_elastic_net_coeffs():
    X_, y = make_classification(random_state=0)
    coeffs = [LR(C=2.0, l1_ratio=r, tol=1e-6, max_iter=500).fit(X_, y).coef_
              for r in (0.5, 1, 0)]
    enet, l1, l2 = coeffs
    assert not np.allclose(enet, l1, rtol=0, atol=1e-3)
    assert not np.allclose(enet, l2, rtol=0, atol=1e-3)
    assert not np.allclose(l2, l1, rtol=0, atol=1e-3)


@pytest.mark.parametrize("C", [0.001, 1, 1e3])
@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 1), ("l2", 0)])
def test_elastic_net_l1_l2_equivalence(C, penalty, l1_ratio):
    X_, y = make_classification(random_state=0)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        enet = LR(penalty="elasticnet", C=C, l1_ratio=l1_ratio, tol=1e-8).fit(X_, y)
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        expected = LR(penalty=penalty, C=C, tol=1e-8).fit(X_, y)
    assert_array_almost_equal(enet.coef_, expected.coef_)


@pytest.mark.parametrize("C", [0.01, 1.0])
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
def test_LogisticRegression_elastic_net_objective(C, l1_ratio):
    """Ours at the elastic-net objective: lower than the L2 fit, no higher than saga's."""
    X_, y = make_classification(
        n_samples=1000, n_classes=2, n_features=20, n_informative=10, n_redundant=0,
        n_repeated=0, random_state=0,
    )
    X_ = scale(X_)

    def enet_objective(lr):
        coef = lr.coef_.ravel().astype(np.float64)
        obj = C * log_loss(y, lr.predict_proba(X_))
        obj += l1_ratio * np.sum(np.abs(coef))
        return obj + (1.0 - l1_ratio) * 0.5 * np.dot(coef, coef)

    ours = LR(l1_ratio=l1_ratio, C=C, fit_intercept=False, tol=1e-8).fit(X_, y)
    l2 = LR(l1_ratio=0, C=C, fit_intercept=False).fit(X_, y)
    saga = LogisticRegression(l1_ratio=l1_ratio, C=C, solver="saga", fit_intercept=False,
                              tol=1e-8, max_iter=10_000, random_state=0).fit(X_, y)
    assert enet_objective(ours) < enet_objective(l2)
    assert enet_objective(ours) <= enet_objective(saga) * (1 + 1e-8)


# --- callbacks (sklearn.callback, scikit-learn 1.9) ------------------------


@pytest.mark.parametrize("max_iter", [0, 2, 1000])
def test_logistic_regression_callback_support(max_iter):
    utils = pytest.importorskip("sklearn.callback.tests._utils")
    X_, y = make_classification(n_features=4, random_state=0)
    cb = utils.RecordingCallback()
    lr = LR(max_iter=max_iter).set_callbacks(cb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=0 and 2
        lr.fit(X_, y)
    assert cb.count_hooks("setup") == 1
    assert cb.count_hooks("teardown") == 1
    # 1 root for fit + one task per iteration + 1 empty task. scikit-learn counts
    # max(n_iter_, 1) iterations because its lbfgs moves the coefficients even at
    # max_iter=0; ours runs no iteration there (n_iter_ == 0, coef_ unchanged),
    # so the root and the empty task are all there is.
    assert cb.count_hooks("on_fit_task_begin") == 1 + lr.n_iter_[0] + 1
    assert cb.count_hooks("on_fit_task_end") == 1 + lr.n_iter_[0] + 1


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_logistic_regression_callback_fitted_estimator(n_classes, fit_intercept):
    """The estimator a callback sees at iteration i is the fit with max_iter=i."""
    utils = pytest.importorskip("sklearn.callback.tests._utils")
    X_, y = make_classification(
        n_features=4, n_informative=4, n_redundant=0, n_classes=n_classes, random_state=0
    )
    cb = utils.RecordingCallback()
    params = {"fit_intercept": fit_intercept}
    lr = LR(**params).set_callbacks(cb).fit(X_, y)
    n_iter = lr.n_iter_[0]

    def records(name):
        return [r for r in cb.record
                if r["name"] == name and "iter" in r["context"].task_name]

    iter_begins, iter_ends = records("on_fit_task_begin"), records("on_fit_task_end")
    assert len(iter_begins) == len(iter_ends) == n_iter + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i, (begin, end) in enumerate(zip(iter_begins, iter_ends)):
            assert begin["context"].task_id == i and end["context"].task_id == i
            if i > 0:
                est = begin["kwargs"]["fitted_estimator"]
                expected = LR(**params, max_iter=i).fit(X_, y)
                assert_allclose(est.coef_, expected.coef_)
                assert_allclose(est.intercept_, expected.intercept_)
            if i < n_iter:
                est = end["kwargs"]["fitted_estimator"]
                expected = LR(**params, max_iter=i + 1).fit(X_, y)
                assert_allclose(est.coef_, expected.coef_)
                assert_array_equal(est.predict(X_), expected.predict(X_))
            else:
                assert end["kwargs"]["fitted_estimator"] is None  # the empty task


# --- LogisticRegressionCV and the path, pointed at DigitLogisticClassifierCV ---
#
# Ported: test_consistency_path, test_logistic_regression_path_convergence_fail
# (our message), test_logistic_cv, test_logistic_cv_refit_false_non_elasticnet,
# test_logistic_cv_mock_scorer, test_logistic_cv_multinomial_score (through the
# estimator: scikit-learn calls its private _log_reg_scoring_path),
# test_multinomial_logistic_regression_string_inputs (CV part),
# test_multinomial_cv_iris (the layout), test_logistic_cv_folds_with_classes_missing,
# test_logistic_cv_sparse, test_logistic_regressioncv_class_weights (against
# scikit-learn's lbfgs), test_logistic_regression_cv_refit,
# test_LogisticRegressionCV_GridSearchCV_elastic_net,
# test_LogisticRegressionCV_no_refit, test_LogisticRegressionCV_elasticnet_attribute_shapes,
# test_scores_attribute_layout_elasticnet, test_LogisticRegressionCV_on_folds,
# test_elastic_net_versus_sgd (with alpha, scikit-learn 1.10's spelling),
# test_logistic_regression_path_coefs_multinomial,
# test_logistic_regression_path_init_coefs,
# test_lr_cv_scores_differ_when_sample_weight_is_requested,
# test_lr_cv_scores_without_enabling_metadata_routing,
# test_passing_params_without_enabling_metadata_routing.
#
# Not ported, and why:
# - test_liblinear_dual_random_state: liblinear and dual=True, refused here
#   (random_state has no effect on deterministic solvers).
# - test_logisticregressioncv_warns_with_use_legacy_attributes,
#   test_l1_ratio_None_deprecated's default-l1_ratios warning, and
#   test_get_default_scorer's FutureWarning on scoring: skdigit's defaults are
#   already scikit-learn 1.10's (use_legacy_attributes=False, l1_ratios trying
#   (0.0,); with use_legacy_attributes=True, 1.9's default layout);
#   its default scoring stays accuracy, without the warning that 1.9 gives
#   about 1.11 (named difference). l1_ratios=None itself warns as in 1.9.
# - the sag/saga/newton-cg comparisons between scikit-learn's solvers: our
#   solvers are compared with scikit-learn's instead; the array API tests:
#   skdigit takes NumPy, SciPy sparse and Dask input.
# - test_warm_start_newton_solver: scikit-learn's Newton solvers keep no
#   memory, so two one-iteration warm-started fits equal one two-iteration
#   fit; their names map to our quasi-Newton solvers, whose memory a warm
#   start does not carry over (a named difference).
# - test_logisticregression_warns_with_n_jobs, test_lr_scoring_warns: the 1.9
#   FutureWarnings on n_jobs (ours sets the kernels' threads) and on the
#   default scoring (ours stays accuracy) are not given.
# - test_newton_cholesky_fallback_to_lbfgs, test_check_solver_option and the
#   liblinear tests: scikit-learn's solver internals and messages.
# - test_elastic_net_vs_l1_l2: a statistical property of one data set at
#   tol=1e-2, which depends on where each optimizer stops.

LRCV = DigitLogisticClassifierCV


def test_consistency_path():
    rng = np.random.RandomState(0)
    X_ = np.concatenate((rng.randn(100, 2) + [1, 1], rng.randn(100, 2)))
    y = [1] * 100 + [-1] * 100
    Cs = np.logspace(0, 4, 10)
    for fit_intercept in (False, True):
        coefs, Cs_out, _ = logistic_regression_path(
            X_, y, Cs=Cs, fit_intercept=fit_intercept, tol=1e-7, max_iter=1000
        )
        for i, C in enumerate(Cs_out):
            lr = LR(C=C, fit_intercept=fit_intercept, tol=1e-7, max_iter=1000).fit(X_, y)
            expected = np.r_[lr.coef_.ravel(), lr.intercept_] if fit_intercept else lr.coef_.ravel()
            assert_array_almost_equal(coefs[i].ravel(), expected, decimal=4)


def test_logistic_regression_path_convergence_fail():
    rng = np.random.RandomState(0)
    X_ = np.concatenate((rng.randn(100, 2) + [1, 1], rng.randn(100, 2)))
    y = [1] * 100 + [-1] * 100
    with pytest.warns(ConvergenceWarning) as record:
        logistic_regression_path(X_, y, Cs=[1e3], tol=0.0, max_iter=1)
    assert len(record) == 1
    message = record[0].message.args[0]
    # ours: what stopped it, what to do, scaling, and our solver docs
    assert "lbfgs failed to converge after 1 iteration(s) at C=1000" in message
    assert "Increase the number of iterations" in message and "scale the features" in message
    assert "classifier.html#convergence-and-warnings" in message


@pytest.mark.parametrize("use_legacy_attributes", [True, False])
def test_logistic_cv(use_legacy_attributes):
    n_samples, n_features, n_cv = 50, 5, 3
    rng = np.random.RandomState(0)
    X_ref = rng.randn(n_samples, n_features)
    y = np.sign(X_ref.dot(5 * rng.randn(n_features)))
    X_ref -= X_ref.mean()
    X_ref /= X_ref.std()
    lr_cv = LRCV(Cs=[1.0], l1_ratios=(0.0,), fit_intercept=False, random_state=0, cv=n_cv,
                 scoring="neg_log_loss", use_legacy_attributes=use_legacy_attributes,
                 tol=1e-8)
    lr_cv.fit(X_ref, y)
    lr = LR(C=1.0, fit_intercept=False, random_state=0, tol=1e-8).fit(X_ref, y)
    assert_array_almost_equal(lr.coef_, lr_cv.coef_)
    assert lr_cv.coef_.shape == (1, n_features)
    assert_array_equal(lr_cv.classes_, [-1, 1])
    assert lr_cv.Cs_.shape == (1,) and lr_cv.l1_ratios_.shape == (1,)
    if use_legacy_attributes:
        coefs_paths = np.asarray(list(lr_cv.coefs_paths_.values()))
        assert coefs_paths.shape == (1, n_cv, 1, 1, n_features)
        assert np.asarray(list(lr_cv.scores_.values())).shape == (1, n_cv, 1, 1)
    else:
        assert lr_cv.coefs_paths_.shape == (n_cv, 1, 1, 1, n_features)
        assert isinstance(lr_cv.C_, float) and isinstance(lr_cv.l1_ratio_, float)
        assert lr_cv.scores_.shape == (n_cv, 1, 1)


def test_logistic_cv_refit_false_non_elasticnet():
    X_, y = make_classification(random_state=0)
    lr_cv = LRCV(l1_ratios=[0.0], refit=False, random_state=0).fit(X_, y)
    assert lr_cv.l1_ratio_ == 0.0


def test_logistic_cv_mock_scorer():
    class MockScorer:
        def __init__(self):
            self.calls = 0
            self.scores = [0.1, 0.4, 0.8, 0.5]

        def __call__(self, model, X, y, sample_weight=None):
            score = self.scores[self.calls % len(self.scores)]
            self.calls += 1
            return score

    mock_scorer = MockScorer()
    Cs = [1, 2, 3, 4]
    lr = LRCV(Cs=Cs, scoring=mock_scorer, cv=2)
    X_, y = make_classification(random_state=0)
    lr.fit(X_, y)
    assert lr.C_ == Cs[2]  # the highest score, 0.8
    assert mock_scorer.calls == 2 * len(Cs)
    mock_scorer.calls = 0
    assert lr.score(X_, lr.predict(X_)) == mock_scorer.scores[0]
    assert mock_scorer.calls == 1


@pytest.mark.parametrize(
    "scoring", ["accuracy", "precision_macro", "precision_weighted", "f1_macro",
                "f1_weighted", "neg_log_loss", "recall_macro", "recall_weighted"],
)
def test_logistic_cv_multinomial_score(scoring):
    X_, y = make_classification(n_samples=100, random_state=42, n_classes=3, n_informative=6)
    train, test = np.arange(80), np.arange(80, 100)
    lr = LR(C=1.0, tol=1e-10, max_iter=1000).fit(X_[train], y[train])
    cv = LRCV(Cs=[1.0], cv=[(train, test)], scoring=scoring, tol=1e-10, max_iter=1000)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*failed to converge")
        cv.fit(X_, y)
    scorer = get_scorer(scoring)
    assert_array_almost_equal(cv.scores_[0, 0, 0], scorer(lr, X_[test], y[test]))


def test_multinomial_cv_string_inputs():
    X_ref, y = make_classification(n_samples=50, n_features=5, n_classes=3, n_informative=3,
                                   random_state=0)
    y_str = LabelEncoder().fit(["bar", "baz", "foo"]).inverse_transform(y)
    y = np.array(y) - 1
    lr_cv = LRCV(Cs=3, scoring="neg_log_loss").fit(X_ref, y)
    lr_cv_str = LRCV(Cs=3, scoring="neg_log_loss").fit(X_ref, y_str)
    assert_allclose(lr_cv.coef_, lr_cv_str.coef_)
    assert_allclose(lr_cv.predict_proba(X_ref), lr_cv_str.predict_proba(X_ref))
    assert sorted(lr_cv_str.classes_) == ["bar", "baz", "foo"]
    lr_cv_str = LRCV(Cs=[1, 2, 10], scoring="neg_log_loss").fit(X_ref, y_str)
    assert sorted(np.unique(lr_cv_str.predict(X_ref))) == ["bar", "baz", "foo"]


def test_multinomial_cv_iris_layout():
    X_, y = iris.data, iris.target
    n_features = X_.shape[1]
    folds = list(StratifiedKFold(2).split(X_, y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # unscaled iris, small C
        clf = LRCV(cv=folds, use_legacy_attributes=True, scoring="neg_log_loss").fit(X_, y)
    assert clf.coef_.shape == (3, n_features)
    assert_array_equal(clf.classes_, [0, 1, 2])
    # the default l1_ratios: scikit-learn 1.9's legacy layout of its default,
    # without the l1_ratios axis
    coefs_paths = np.asarray(list(clf.coefs_paths_.values()))
    assert coefs_paths.shape == (3, 2, 10, n_features + 1)
    assert clf.Cs_.shape == (10,)
    assert np.asarray(list(clf.scores_.values())).shape == (3, 2, 10)


@pytest.mark.parametrize("enable_metadata_routing", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_logistic_cv_folds_with_classes_missing(enable_metadata_routing, n_classes):
    """Folds whose validation rows hold one class, its training rows the others."""
    if n_classes == 3 and "labels" not in inspect.signature(brier_score_loss).parameters:
        pytest.skip("multiclass Brier score is in scikit-learn >= 1.7")
    with config_context(enable_metadata_routing=enable_metadata_routing):
        y = np.array(["a", "a", "b", "b", "c", "c"])[: 2 * n_classes]
        X_ = np.arange(2 * n_classes)[:, None]
        cv = KFold(n_splits=n_classes)
        for train, test in cv.split(X_, y):
            assert len(np.unique(y[train])) == n_classes - 1
            assert len(np.unique(y[test])) == 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # C=1e6 on 4 points
            clf = LRCV(cv=cv, scoring="neg_brier_score", Cs=np.logspace(-6, 6, 5)).fit(X_, y)
        # the class of a fold's validation rows is never in its training rows:
        # the most uniform probabilities (the smallest C) score best
        assert clf.C_ == 1e-6
        if n_classes == 3:  # scikit-learn's multiclass Brier score is up to 2
            assert np.all(-clf.scores_ > 0.7 * 2)
            assert np.min(-clf.scores_) < 0.8 * 2
        for i, (train, test) in enumerate(cv.split(X_, y)):
            clf2 = LR(C=clf.C_).fit(X_, y)
            clf2.coef_ = clf.coefs_paths_[i, 0, 0, :, :-1]
            clf2.intercept_ = clf.coefs_paths_[i, 0, 0, :, -1]
            proba = clf2.predict_proba(X_[test])
            if n_classes == 2:
                bs = brier_score_loss(y[test], proba[:, 1], pos_label="b")
            else:
                bs = brier_score_loss(y[test], proba, labels=["a", "b", "c"])
            assert_allclose(-clf.scores_[i, 0, 0], bs)


def test_logistic_cv_sparse():
    X_, y = make_classification(n_samples=100, n_features=5, random_state=0)
    X_[X_ < 0.0] = 0.0
    params = dict(Cs=[1e-1, 1, 1e1], max_iter=10_000, tol=1e-7, scoring="neg_log_loss")
    clf = LRCV(**params).fit(X_, y)
    clfs = LRCV(**params).fit(sparse.csr_matrix(X_), y)
    assert_allclose(clfs.coef_, clf.coef_, rtol=1e-5)
    assert_allclose(clfs.intercept_, clf.intercept_, rtol=1e-5)
    assert clfs.C_ == clf.C_


@pytest.mark.parametrize("weight", [{0: 0.1, 1: 0.2}, {0: 0.1, 1: 0.2, 2: 0.5}])
@pytest.mark.parametrize("class_weight", ["weight", "balanced"])
def test_logistic_regressioncv_class_weights(weight, class_weight):
    n_classes = len(weight)
    class_weight = weight if class_weight == "weight" else class_weight
    X_, y = make_classification(n_samples=30, n_features=3, n_repeated=0, n_informative=3,
                                n_redundant=0, n_classes=n_classes, random_state=0)
    folds = list(StratifiedKFold(5).split(X_, y))
    ours = LRCV(Cs=1, fit_intercept=False, class_weight=class_weight, tol=1e-8, cv=folds,
                scoring="neg_log_loss").fit(X_, y)
    # the refit at the chosen C is scikit-learn's fit there
    ref = reference_logistic(C=ours.C_, fit_intercept=False, class_weight=class_weight,
                             tol=1e-10, max_iter=1000).fit(X_, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("l1_ratio", [1, 0])
def test_logistic_regression_cv_refit(l1_ratio):
    X_, y = make_classification(n_samples=100, n_features=20, random_state=0)
    common = dict(max_iter=10000, tol=1e-9)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*failed to converge")  # tol at rounding
        lr_cv = LRCV(Cs=[1.0], l1_ratios=(l1_ratio,), scoring="neg_log_loss", **common).fit(X_, y)
        lr = LR(C=1.0, l1_ratio=l1_ratio, **common).fit(X_, y)
    assert_allclose(lr_cv.coef_, lr.coef_, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_LogisticRegressionCV_GridSearchCV_elastic_net(n_classes):
    X_, y = make_classification(n_samples=100, n_classes=n_classes, n_informative=3,
                                random_state=0)
    cv = StratifiedKFold(5)
    l1_ratios = np.linspace(0, 1, 3)
    Cs = np.logspace(-4, 4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # C=1e4
        lrcv = LRCV(l1_ratios=l1_ratios, Cs=Cs, cv=cv, tol=1e-6, max_iter=500,
                    scoring="neg_log_loss").fit(X_, y)
        gs = GridSearchCV(LR(tol=1e-6, max_iter=500), {"C": Cs, "l1_ratio": l1_ratios},
                          cv=cv, scoring="neg_log_loss").fit(X_, y)
    assert gs.best_params_["l1_ratio"] == lrcv.l1_ratio_
    assert gs.best_params_["C"] == lrcv.C_
    # the same scores where the fits converge (C=1e4 stops at max_iter, from
    # different starting points: the fold's path, zeros)
    converged = np.repeat(Cs < 1e4, len(l1_ratios))
    assert_allclose(lrcv.scores_.mean(axis=0).T.ravel()[converged],
                    gs.cv_results_["mean_test_score"][converged], rtol=1e-3)


@pytest.mark.parametrize("l1_ratios", ((0,), np.linspace(0, 1, 2)))
@pytest.mark.parametrize("n_classes", (2, 3))
def test_LogisticRegressionCV_no_refit(l1_ratios, n_classes):
    n_features = 20
    X_, y = make_classification(n_samples=200, n_classes=n_classes, n_informative=n_classes,
                                n_features=n_features, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lrcv = LRCV(Cs=np.logspace(-4, 4, 3), l1_ratios=l1_ratios, tol=1e-2, refit=False,
                    scoring="neg_log_loss", use_legacy_attributes=True).fit(X_, y)
    n_rows = 1 if n_classes == 2 else n_classes
    assert lrcv.C_.shape == lrcv.l1_ratio_.shape == (n_rows,)
    assert lrcv.coef_.shape == (n_rows, n_features)
    assert_allclose(lrcv.C_, lrcv.C_[0])


@pytest.mark.parametrize("n_classes", (2, 3))
def test_LogisticRegressionCV_elasticnet_attribute_shapes(n_classes):
    n_features = 20
    X_, y = make_classification(n_samples=200, n_classes=n_classes, n_informative=n_classes,
                                n_features=n_features, random_state=0)
    Cs, l1_ratios = np.logspace(-4, 4, 3), np.linspace(0, 1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lrcv = LRCV(Cs=Cs, l1_ratios=l1_ratios, cv=2, tol=1e-2, scoring="neg_log_loss",
                    use_legacy_attributes=True).fit(X_, y)
    n_rows = 1 if n_classes == 2 else n_classes
    coefs_paths = np.asarray(list(lrcv.coefs_paths_.values()))
    assert coefs_paths.shape == (n_rows, 2, Cs.size, l1_ratios.size, n_features + 1)
    assert np.asarray(list(lrcv.scores_.values())).shape == (n_rows, 2, Cs.size, l1_ratios.size)
    assert lrcv.n_iter_.shape == (1, 2, Cs.size, l1_ratios.size)
    assert_allclose(lrcv.C_, lrcv.C_[0])
    assert_allclose(lrcv.l1_ratio_, lrcv.l1_ratio_[0])


def test_scores_attribute_layout_elasticnet():
    """scores_[fold, l1_ratio, C] (modern) and [fold, C, l1_ratio] (legacy)."""
    X_, y = make_classification(n_samples=300, random_state=0)
    cv = StratifiedKFold(n_splits=3)
    l1_ratios, Cs = [0.1, 0.9], [0.1, 1, 10]
    modern = LRCV(Cs=Cs, l1_ratios=l1_ratios, cv=cv, tol=1e-6, max_iter=500,
                  scoring="neg_log_loss").fit(X_, y)
    legacy = LRCV(Cs=Cs, l1_ratios=l1_ratios, cv=cv, tol=1e-6, max_iter=500,
                  scoring="neg_log_loss", use_legacy_attributes=True).fit(X_, y)
    avg_legacy = np.mean(legacy.scores_[1], axis=0)  # (n_cs, n_l1)
    avg_modern = modern.scores_.mean(axis=0)  # (n_l1, n_cs)
    for i, C in enumerate(Cs):
        for j, l1_ratio in enumerate(l1_ratios):
            lr = LR(C=C, l1_ratio=l1_ratio, tol=1e-6, max_iter=500)
            avg_score_lr = cross_val_score(lr, X_, y, cv=cv, scoring="neg_log_loss").mean()
            assert avg_legacy[i, j] == pytest.approx(avg_score_lr, rel=1e-4)
            assert avg_modern[j, i] == pytest.approx(avg_score_lr, rel=1e-4)


def test_LogisticRegressionCV_on_folds():
    X_, y = iris.data, iris.target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # unscaled iris
        lrcv = LRCV(tol=1e-8, max_iter=1000, use_legacy_attributes=True,
                    scoring="neg_log_loss").fit(X_, y)
    folds = list(StratifiedKFold(5).split(X_, y))
    for idx_fold, idx_C in [[0, 0], [0, 1], [3, 6]]:
        train = folds[idx_fold][0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            lr = LR(C=lrcv.Cs_[idx_C], tol=1e-8, max_iter=1000).fit(X_[train], y[train])
        for cl in np.unique(y):
            assert_allclose(lrcv.coefs_paths_[cl][idx_fold, idx_C, :-1], lr.coef_[cl],
                            rtol=1e-3, atol=1e-5)
            assert_allclose(lrcv.coefs_paths_[cl][idx_fold, idx_C, -1], lr.intercept_[cl],
                            rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("C", np.logspace(-3, 2, 4))
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
def test_elastic_net_versus_sgd(C, l1_ratio):
    # scikit-learn 1.10's alpha: the same model as SGDClassifier's alpha
    n_samples = 500
    X_, y = make_classification(n_samples=n_samples, n_classes=2, n_features=5,
                                n_informative=5, n_redundant=0, n_repeated=0, random_state=0)
    X_ = scale(X_)
    alpha = 1.0 / C / n_samples
    sgd = SGDClassifier(penalty="elasticnet", l1_ratio=l1_ratio, random_state=0,
                        fit_intercept=False, tol=None, max_iter=2000, alpha=alpha,
                        loss="log_loss").fit(X_, y)
    log = LR(l1_ratio=l1_ratio, fit_intercept=False, tol=1e-5, max_iter=1000,
             alpha=alpha).fit(X_, y)
    assert_allclose(sgd.coef_, log.coef_, atol=0.35)
    as_c = LR(l1_ratio=l1_ratio, fit_intercept=False, tol=1e-5, max_iter=1000, C=C).fit(X_, y)
    assert_allclose(log.coef_, as_c.coef_, rtol=1e-12)


def test_logistic_regression_path_coefs_multinomial():
    X_, y = make_classification(n_samples=200, n_classes=3, n_informative=2, n_redundant=0,
                                n_clusters_per_class=1, random_state=0, n_features=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        coefs, _, _ = logistic_regression_path(X_, y, l1_ratio=1.0, Cs=[0.00001, 1, 10000])
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        with pytest.raises(AssertionError):
            assert_array_almost_equal(coefs[a], coefs[b], decimal=1)


def test_logistic_regression_path_init_coefs():
    X_, y = make_classification(n_samples=200, n_classes=3, n_informative=2, n_redundant=0,
                                n_clusters_per_class=1, random_state=0, n_features=2)
    logistic_regression_path(X_, y, coef=np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"shape \(3, 3\); expected \(3, 2\)"):
        logistic_regression_path(X_, y, coef=np.ones((3, 3)), fit_intercept=False)
    X_, y = make_classification(n_samples=200, n_classes=2, n_informative=1, n_redundant=0,
                                n_clusters_per_class=1, random_state=0, n_features=2)
    for coef in (np.ones(3), np.ones((1, 3))):
        logistic_regression_path(X_, y, coef=coef)
    with pytest.raises(ValueError, match=r"shape \(1, 4\); expected"):
        logistic_regression_path(X_, y, coef=np.ones(4))


def _requests_sample_weight_by_default():
    return "sample_weight" in get_scorer("accuracy").get_metadata_routing().score.requests


def test_lr_cv_scores_differ_when_sample_weight_is_requested():
    rng = np.random.RandomState(0)
    X_, y = make_classification(n_samples=2000, random_state=rng)
    X_t, y_t = make_classification(n_samples=2000, random_state=rng)
    sample_weight = np.ones(len(y))
    sample_weight[: len(y) // 2] = 2
    kwargs = {"sample_weight": sample_weight}
    with config_context(enable_metadata_routing=True):
        scorer1 = get_scorer("accuracy").set_score_request(sample_weight=False)
        lr_cv1 = LRCV(scoring=scorer1, tol=3e-6, use_legacy_attributes=True)
        lr_cv1.set_fit_request(sample_weight=True).fit(X_, y, **kwargs)
        scorer2 = get_scorer("accuracy").set_score_request(sample_weight=True)
        lr_cv2 = LRCV(scoring=scorer2, tol=3e-6, use_legacy_attributes=True)
        lr_cv2.set_fit_request(sample_weight=True).fit(X_, y, **kwargs)
        assert not np.allclose(lr_cv1.scores_[1], lr_cv2.scores_[1])
        # sample_weight cannot be passed to lr_cv1.score: its scorer does not request it
        with pytest.raises(TypeError, match=r"DigitLogisticClassifierCV.score got unexpected"):
            lr_cv1.score(X_t, y_t, **kwargs)
        score_1 = lr_cv1.score(X_t, y_t)
        score_2 = lr_cv2.score(X_t, y_t, **kwargs)
    assert not np.allclose(score_1, score_2)


def test_lr_cv_scores_without_enabling_metadata_routing():
    rng = np.random.RandomState(10)
    X_, y = make_classification(n_samples=10, random_state=rng)
    X_t, y_t = make_classification(n_samples=10, random_state=rng)
    sample_weight = np.ones(len(y))
    sample_weight[: len(y) // 2] = 2
    kwargs = {"sample_weight": sample_weight}
    with config_context(enable_metadata_routing=False):
        lr_cv1 = LRCV(scoring=get_scorer("accuracy")).fit(X_, y, **kwargs)
        score_1 = lr_cv1.score(X_t, y_t, **kwargs)
    with config_context(enable_metadata_routing=True):
        scorer2 = get_scorer("accuracy").set_score_request(sample_weight=True)
        lr_cv2 = LRCV(scoring=scorer2).set_fit_request(sample_weight=True)
        lr_cv2.fit(X_, y, **kwargs)
        score_2 = lr_cv2.score(X_t, y_t, **kwargs)
    assert_allclose(lr_cv1.scores_, lr_cv2.scores_)
    assert_allclose(score_1, score_2)


def test_passing_params_without_enabling_metadata_routing():
    X_, y = make_classification(n_samples=10, random_state=0)
    lr_cv = LRCV(scoring="neg_log_loss")
    msg = "is only supported if enable_metadata_routing=True"
    with config_context(enable_metadata_routing=False):
        with pytest.raises(ValueError, match=msg):
            lr_cv.fit(X_, y, extra_param=1.0)
        with pytest.raises(ValueError, match=msg):
            lr_cv.fit(X_, y).score(X_, y, extra_param=1.0)
