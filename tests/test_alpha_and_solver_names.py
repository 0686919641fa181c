"""scikit-learn 1.10's spellings, ahead of its release (issue 24, section 2).

The names pinned here are those of scikit-learn's changelog fragments for 1.10
(``doc/whats_new/upcoming_changes/sklearn.linear_model/``): ``C`` and ``Cs``
deprecated in favour of ``alpha`` and ``alphas`` with
``C = 1 / (alpha * sum(sample_weight))``, ``C=None`` / ``Cs=None`` to silence
that deprecation, the attributes ``alpha_`` and ``alphas_``, and the solvers
``"newton-cd"`` and ``"newton-cd-gram"``. skdigit follows the installed
scikit-learn's deprecations: with 1.9 no warning for ``C``.
"""

import warnings

import numpy as np
import pytest
from _sklearn_versions import needs_sklearn
from scipy.special import expit
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV

TIGHT = dict(tol=1e-9, max_iter=3000)


@pytest.fixture(scope="module")
def data():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    sw = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    return X, y, sw


def _fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*failed to converge")  # tol at rounding
        return est.fit(*args, **kwargs)


def test_alpha_is_the_strength_on_the_mean_loss(data):
    # alpha as SGDClassifier(loss="log_loss", alpha=a) means it: the gradient of
    # sum_i s_i loss_i / sum_i s_i + alpha / 2 ||w||^2 vanishes at the fit
    X, y, sw = data
    y = (y == 3).astype(float)
    alpha = 0.01
    clf = _fit(DigitLogisticClassifier(alpha=alpha, **TIGHT), X, y, sample_weight=sw)
    residual = sw * (expit(X @ clf.coef_[0] + clf.intercept_[0]) - y) / sw.sum()
    np.testing.assert_allclose(X.T @ residual + alpha * clf.coef_[0], 0.0, atol=1e-7)
    assert abs(residual.sum()) < 1e-7


def test_alpha_equals_c_with_sample_weights(data):
    X, y, sw = data
    for alpha in (1e-3, 0.1):
        ours = _fit(DigitLogisticClassifier(alpha=alpha, **TIGHT), X, y, sample_weight=sw)
        as_c = _fit(DigitLogisticClassifier(C=1 / (alpha * sw.sum()), **TIGHT), X, y,
                    sample_weight=sw)
        np.testing.assert_array_equal(ours.coef_, as_c.coef_)
        unweighted = _fit(DigitLogisticClassifier(alpha=alpha, C=None, **TIGHT), X, y)
        as_c = _fit(DigitLogisticClassifier(C=1 / (alpha * len(y)), **TIGHT), X, y)
        np.testing.assert_array_equal(unweighted.coef_, as_c.coef_)
    # alpha=0: no penalty
    free = _fit(DigitLogisticClassifier(alpha=0.0, max_iter=20), X, y)
    inf = _fit(DigitLogisticClassifier(C=np.inf, max_iter=20), X, y)
    np.testing.assert_array_equal(free.coef_, inf.coef_)


def test_c_and_alpha_together_are_an_error_and_c_does_not_warn(data):
    X, y, _ = data
    with pytest.raises(ValueError, match=r"Both C=0\.5 and alpha=0\.1 are set"):
        DigitLogisticClassifier(C=0.5, alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match=r"Both Cs=\[0\.5\] and alphas=\[0\.1\] are set"):
        DigitLogisticClassifierCV(Cs=[0.5], alphas=[0.1]).fit(X, y)
    with warnings.catch_warnings():
        # scikit-learn 1.9 does not deprecate C: neither does skdigit on it
        warnings.simplefilter("error")
        DigitLogisticClassifier(C=0.5, max_iter=500).fit(X, y)
        DigitLogisticClassifier(C=None, max_iter=500).fit(X, y)  # C=None alone: C=1
        DigitLogisticClassifierCV(Cs=[0.5], cv=2, max_iter=500).fit(X, y)


def test_cv_alphas_equal_cs_and_give_alpha_attributes(data):
    X, y, sw = data
    alphas = np.array([1e-3, 1e-2, 0.1])
    ours = DigitLogisticClassifierCV(alphas=alphas, Cs=None, cv=3).fit(X, y, sample_weight=sw)
    as_cs = DigitLogisticClassifierCV(Cs=1 / (alphas * sw.sum()), cv=3).fit(
        X, y, sample_weight=sw
    )
    np.testing.assert_array_equal(ours.coef_, as_cs.coef_)
    np.testing.assert_array_equal(ours.scores_, as_cs.scores_)
    np.testing.assert_allclose(ours.alphas_, alphas[::-1])  # in the order of Cs_
    np.testing.assert_allclose(ours.alphas_, 1 / (ours.Cs_ * sw.sum()))
    assert ours.alpha_ == pytest.approx(1 / (ours.C_ * sw.sum()))
    np.testing.assert_allclose(min(abs(alphas - ours.alpha_)), 0.0, atol=1e-15)
    # Cs given: the alpha attributes too
    assert as_cs.alpha_ == pytest.approx(1 / (as_cs.C_ * sw.sum()))
    # an int: scikit-learn 1.10's grid from 1e-7 to 1e2
    grid = DigitLogisticClassifierCV(alphas=4, cv=2, max_iter=300).fit(X, y).alphas_
    np.testing.assert_allclose(grid, np.logspace(-7, 2, 4)[::-1])


@pytest.mark.parametrize("alphas, match", [([-1.0], r"in \[0, inf\)"), ([np.nan], r"in \[0, inf\)"),
                                           ([], "non-empty")])
def test_cv_validates_alphas(data, alphas, match):
    X, y, _ = data
    with pytest.raises(ValueError, match=match):
        DigitLogisticClassifierCV(alphas=alphas).fit(X, y)


@pytest.mark.parametrize(
    "solver, l1_ratio, expected",
    [("lbfgs", 0.0, "lbfgs"), ("newton-cholesky", 0.0, "preconditioned-lbfgs"),
     ("newton-cholesky", 1.0, "proximal-qn"), ("newton-cg", 0.0, "preconditioned-lbfgs"),
     ("sag", 0.0, "preconditioned-lbfgs"), ("saga", 0.5, "proximal-qn"),
     ("newton-cd", 0.5, "proximal-qn"), ("newton-cd-gram", 1.0, "proximal-qn")],
)
def test_sklearn_solver_names_map_to_the_same_problem(data, solver, l1_ratio, expected):
    X, y, _ = data
    clf = _fit(DigitLogisticClassifier(solver=solver, l1_ratio=l1_ratio, max_iter=500), X, y)
    assert clf.solver_ == expected
    ref = _fit(DigitLogisticClassifier(solver=expected, l1_ratio=l1_ratio, max_iter=500), X, y)
    np.testing.assert_array_equal(clf.coef_, ref.coef_)
    cv = _fit(DigitLogisticClassifierCV(solver=solver, l1_ratios=[l1_ratio], Cs=[1.0], cv=2,
                                        max_iter=500), X, y)
    assert cv.solver_ == expected


def test_liblinear_is_refused_with_the_reason(data):
    X, y, _ = data
    for est in (DigitLogisticClassifier(solver="liblinear"),
                DigitLogisticClassifierCV(solver="liblinear")):
        with pytest.raises(ValueError, match="solver='liblinear' fits another problem"):
            est.fit(X, y)


@needs_sklearn("1.10", "LogisticRegression(alpha=...)")
def test_alpha_matches_sklearn(data):
    X, y, sw = data
    theirs = LogisticRegression(alpha=0.01, C=None, tol=1e-9, max_iter=3000).fit(
        X, y, sample_weight=sw
    )
    ours = _fit(DigitLogisticClassifier(alpha=0.01, C=None, **TIGHT), X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-5)
