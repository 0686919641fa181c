"""Penalties: value, smooth gradient, prox and optimality; scikit-learn's parameters."""

import warnings

import numpy as np
import pytest
from _sklearn_versions import needs_sklearn
from scipy import optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skdigit.linear_model._penalties import (
    L1,
    L2,
    ElasticNet,
    NoPenalty,
    Penalty,
    make_penalty,
    resolve_regularization,
)

PENALTIES = [NoPenalty(), L2(0.3), L1(0.2), ElasticNet(0.4, 0.25)]


@pytest.mark.parametrize("penalty", PENALTIES, ids=repr)
def test_value_and_smooth_gradient(penalty):
    W = np.random.default_rng(0).normal(size=(3, 4))
    expected = penalty.l1 * np.abs(W).sum() + 0.5 * penalty.l2 * np.sum(W**2)
    assert penalty.value(W) == pytest.approx(expected, rel=1e-14)
    assert penalty.is_smooth == (penalty.l1 == 0)
    assert penalty.curvature == penalty.l2
    w = W.ravel()
    err = optimize.check_grad(
        lambda v: penalty.smooth_value_gradient(v)[0],
        lambda v: penalty.smooth_value_gradient(v)[1], w,
    )
    assert err < 1e-6
    assert penalty.smooth_value_gradient(w)[0] == pytest.approx(0.5 * penalty.l2 * w @ w)


def test_elastic_net_splits_strength():
    pen = ElasticNet(0.4, 0.25)
    assert (pen.l1, pen.l2) == pytest.approx((0.1, 0.3))


def _prox_by_scipy(v, step, l1):
    """argmin 1/(2 step) ||w - v||^2 + l1 ||w||_1, with w = p - n, p, n >= 0 (smooth)."""
    n = v.shape[0]

    def fun(z):
        w = z[:n] - z[n:]
        r = w - v
        value = r @ r / (2 * step) + l1 * z.sum()
        g = r / step
        return value, np.r_[g + l1, -g + l1]

    z0 = np.r_[np.maximum(v, 0), np.maximum(-v, 0)]
    res = optimize.minimize(
        fun, z0, jac=True, method="L-BFGS-B", bounds=[(0, None)] * (2 * n),
        options={"gtol": 1e-12, "ftol": 1e-15},
    )
    return res.x[:n] - res.x[n:]


@pytest.mark.parametrize("step", [0.1, 1.0, 3.0])
@pytest.mark.parametrize("penalty", [L1(0.5), ElasticNet(1.0, 0.5)], ids=repr)
def test_prox_minimizes_its_problem(penalty, step):
    v = np.random.default_rng(1).normal(size=12)
    got = penalty.prox(v, step)
    expected = _prox_by_scipy(v, step, penalty.l1)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # soft-thresholding gives exact zeros, where |v| <= step * l1
    small = np.abs(v) <= step * penalty.l1
    assert small.any() and np.all(got[small] == 0.0) and np.all(got[~small] != 0.0)

    def value(w):
        return (w - v) @ (w - v) / (2 * step) + penalty.l1 * np.abs(w).sum()

    assert value(got) <= value(expected) + 1e-12


def test_prox_of_smooth_penalty_is_identity():
    v = np.array([-1.0, 0.0, 2.5])
    for pen in (NoPenalty(), L2(3.0)):
        np.testing.assert_array_equal(pen.prox(v, 7.0), v)


def _lasso_problem():
    rng = np.random.default_rng(2)
    A = rng.normal(size=(30, 8))
    c = A[:, :3] @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.normal(size=30)
    return A, c


@pytest.mark.parametrize("penalty", [L1(3.0), ElasticNet(4.0, 0.5)], ids=repr)
def test_subdiff_distance_is_zero_exactly_at_the_optimum(penalty):
    """A small lasso-type problem solved by ISTA and by scipy (split variables)."""
    A, c = _lasso_problem()

    def smooth_grad(w):
        return A.T @ (A @ w - c) + penalty.smooth_value_gradient(w)[1]

    step = 1.0 / (np.linalg.norm(A, 2) ** 2 + penalty.l2)
    w = np.zeros(8)
    for _ in range(5000):
        w = penalty.prox(w - step * smooth_grad(w), step)
    assert np.abs(penalty.subdiff_distance(w, smooth_grad(w))).max() < 1e-9
    assert np.any(w == 0) and np.any(w != 0)  # a genuinely sparse optimum

    def total(w):
        return 0.5 * np.sum((A @ w - c) ** 2) + penalty.value(w)

    n = 8
    res = optimize.minimize(
        lambda z: total(z[:n] - z[n:]) - penalty.l1 * np.abs(z[:n] - z[n:]).sum()
        + penalty.l1 * z.sum(),
        np.zeros(2 * n), method="L-BFGS-B", bounds=[(0, None)] * (2 * n),
        options={"ftol": 1e-15, "gtol": 1e-10},
    )
    assert total(w) <= total(res.x[:n] - res.x[n:]) + 1e-8
    # away from the optimum it is not zero; the entries have the documented form
    w_bad = w + 0.1
    g = smooth_grad(w_bad)
    dist = penalty.subdiff_distance(w_bad, g)
    np.testing.assert_allclose(dist, g + penalty.l1 * np.sign(w_bad))
    g0 = np.array([0.5 * penalty.l1, -2.0 * penalty.l1, 3.0 * penalty.l1])
    np.testing.assert_allclose(
        penalty.subdiff_distance(np.zeros(3), g0), [0.0, -penalty.l1, 2 * penalty.l1]
    )


def test_subdiff_distance_of_smooth_penalty_is_the_gradient():
    g = np.array([0.3, -2.0])
    np.testing.assert_array_equal(L2(1.0).subdiff_distance(np.zeros(2), g), g)


@pytest.mark.parametrize("binary", [True, False])
def test_l1_max_is_where_zero_weights_become_optimal(digits, make_objective, binary):
    X, y = digits
    X, y = X[:300], y[:300]
    if binary:
        y = (y == 2).astype(int)
    objective = make_objective(X, y, penalty=NoPenalty())
    # intercepts at their optimum for W = 0: the log class frequencies
    freq = np.bincount(y) / len(y)
    b = np.log(freq[1] / freq[0]) if binary else np.log(freq)
    params = objective.coef.pack(np.zeros((objective.coef.n_rows_w, 64)), np.atleast_1d(b))
    _, grad_W, grad_b = objective.data_loss_gradient(params)
    assert np.abs(grad_b).max() < 1e-12
    l1_max = Penalty.l1_max(grad_W)
    assert l1_max > 0
    for scale, optimal in ((1.0, True), (1.01, True), (0.95, False)):
        pen = L1(scale * l1_max)
        worst = np.abs(pen.subdiff_distance(np.zeros_like(grad_W), grad_W)).max()
        assert (worst < 1e-12) == optimal


def test_make_penalty_strengths():
    assert isinstance(make_penalty(np.inf, 0.7, 10.0), NoPenalty)
    pen = make_penalty(2.0, 0.0, 50.0)
    assert isinstance(pen, L2) and (pen.l1, pen.l2) == (0.0, pytest.approx(0.01))
    pen = make_penalty(2.0, 1.0, 50.0)
    assert isinstance(pen, L1) and (pen.l1, pen.l2) == (pytest.approx(0.01), 0.0)
    pen = make_penalty(2.0, 0.25, 50.0)
    assert isinstance(pen, ElasticNet)
    assert (pen.l1, pen.l2) == pytest.approx((0.0025, 0.0075))


# (penalty, C, l1_ratio): every combination scikit-learn 1.9 treats specially
REGULARIZATION_CASES = [
    ("deprecated", 1.0, 0.0),
    ("deprecated", 0.5, 1.0),
    ("deprecated", 0.5, 0.3),
    ("deprecated", 0.5, None),
    ("deprecated", np.inf, 0.0),
    ("deprecated", np.inf, 0.5),
    ("l2", 0.5, 0.0),
    ("l2", 0.5, 0.5),
    ("l2", 0.5, None),
    ("l1", 0.5, 0.0),
    ("l1", 0.5, 1.0),
    ("elasticnet", 0.5, 0.4),
    (None, 1.0, 0.0),
    (None, 0.5, 0.0),
    (None, 1.0, 0.5),
]


def _warnings_of(func):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = func()
    seen = [
        (w.category, str(w.message)) for w in record
        if not issubclass(w.category, ConvergenceWarning)
    ]
    return out, seen


def _tiny_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=40) > 0).astype(int)
    return X, y


def _saga(**params):
    X, y = _tiny_problem()
    # a fixed random_state: saga visits the samples in a random order
    return LogisticRegression(solver="saga", tol=1e-10, max_iter=20000, random_state=0,
                              **params).fit(X, y)


@needs_sklearn("1.8", "the deprecation of penalty, whose warnings these are compared with,")
@pytest.mark.parametrize("penalty, C, l1_ratio", REGULARIZATION_CASES)
def test_resolve_regularization_matches_sklearn(penalty, C, l1_ratio):
    (C_eff, ratio_eff), ours = _warnings_of(
        lambda: resolve_regularization(penalty, C, l1_ratio)
    )
    theirs_model, theirs = _warnings_of(
        lambda: _saga(penalty=penalty, C=C, l1_ratio=l1_ratio)
    )
    assert ours == theirs  # same warnings, categories and messages, same order
    assert 0 <= ratio_eff <= 1
    # same meaning: scikit-learn fitted at the resolved (C, l1_ratio) without
    # the deprecated parameter reaches the same coefficients
    plain_model, plain = _warnings_of(lambda: _saga(C=C_eff, l1_ratio=ratio_eff))
    assert not [m for c, m in plain if c is FutureWarning]
    np.testing.assert_allclose(plain_model.coef_, theirs_model.coef_, rtol=1e-6, atol=1e-8)


@needs_sklearn("1.8", "the deprecation of penalty")
def test_elasticnet_without_l1_ratio_is_an_error_like_sklearn():
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        with pytest.raises(ValueError, match="l1_ratio must be specified"):
            resolve_regularization("elasticnet", 1.0, None)
    X, y = _tiny_problem()
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        with pytest.raises(ValueError, match="l1_ratio must be specified"):
            LogisticRegression(penalty="elasticnet", l1_ratio=None, solver="saga").fit(X, y)
