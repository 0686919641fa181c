"""The objective: gradient by finite differences, value with L1, optimality, gram."""

import numpy as np
import pytest
from scipy import optimize, sparse
from sklearn.linear_model import LogisticRegression

from skdigit.linear_model._kernels_reference import logistic_loss_gradient_reference
from skdigit.linear_model._penalties import L1, L2, ElasticNet, NoPenalty, make_penalty


def _problem(n_classes, dtype, seed=1, n_samples=257, n_features=23):
    rng = np.random.default_rng(seed)
    X = rng.random((n_samples, n_features)).astype(dtype)
    X[X < 0.6] = 0
    y = rng.integers(0, n_classes, n_samples)
    sw = rng.uniform(0, 2, n_samples)
    return X, y, sw


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("as_csr", [False, True])
@pytest.mark.parametrize("penalty", [L2(0.3), ElasticNet(0.2, 0.5)], ids=repr)
def test_loss_gradient_by_finite_differences(
    make_objective, dtype, n_classes, fit_intercept, as_csr, penalty
):
    X, y, sw = _problem(n_classes, dtype)
    if as_csr:
        X = sparse.csr_matrix(X)
    objective = make_objective(
        X, y, sample_weight=sw, penalty=penalty, fit_intercept=fit_intercept, n_threads=2
    )
    params = np.random.default_rng(2).normal(size=objective.n_params)
    err = optimize.check_grad(
        lambda p: objective.loss_gradient(p)[0],
        lambda p: objective.loss_gradient(p)[1], params, epsilon=1e-6,
    )
    scale = np.linalg.norm(objective.loss_gradient(params)[1])
    assert err < 1e-5 * max(scale, 1.0)


@pytest.mark.parametrize("penalty", [NoPenalty(), L2(0.7), L1(0.4), ElasticNet(0.6, 0.3)],
                         ids=repr)
def test_value_and_smooth_part_against_reference(make_objective, penalty):
    X, y, sw = _problem(5, np.float64)
    objective = make_objective(X, y, sample_weight=sw, penalty=penalty)
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(5, 23)), rng.normal(size=5)
    params = objective.coef.pack(W, b)
    ref_loss, ref_gW, ref_gb = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    S = sw.sum()
    loss, grad = objective.loss_gradient(params)
    # the smooth part: data term and the L2 term on the weights only
    np.testing.assert_allclose(loss, ref_loss / S + 0.5 * penalty.l2 * np.sum(W**2),
                               rtol=1e-12)
    gW, gb = objective.coef.unpack(grad)
    np.testing.assert_allclose(gW, ref_gW / S + penalty.l2 * W, rtol=1e-10)
    np.testing.assert_allclose(gb, ref_gb / S, rtol=1e-10, atol=1e-14)
    # the whole objective adds the L1 term
    np.testing.assert_allclose(
        objective.value(params), loss + penalty.l1 * np.abs(W).sum(), rtol=1e-12
    )


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_value_is_sklearns_objective_over_C_times_S(make_objective, l1_ratio):
    """``C * sum_i s_i loss_i + r ||W||_1 + (1 - r) / 2 ||W||^2`` divided by ``C * S``."""
    X, y, sw = _problem(2, np.float64)
    C = 0.3
    objective = make_objective(
        X, y, sample_weight=sw, penalty=make_penalty(C, l1_ratio, sw.sum())
    )
    rng = np.random.default_rng(4)
    W, b = rng.normal(size=(1, 23)), rng.normal(size=1)
    z = X @ W[0] + b[0]
    sklearn_objective = (
        C * np.sum(sw * (np.logaddexp(0, z) - y * z))
        + l1_ratio * np.abs(W).sum() + (1 - l1_ratio) / 2 * np.sum(W**2)
    )
    assert objective.value(objective.coef.pack(W, b)) * C * sw.sum() == pytest.approx(
        sklearn_objective, rel=1e-12
    )


@pytest.mark.parametrize("binary", [False, True])
def test_optimality_is_small_at_sklearns_optimum_only(digits, make_objective, binary):
    X, y = digits
    X, y = X[:500], y[:500]
    if binary:
        y = (y == 2).astype(int)
    theirs = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y)
    objective = make_objective(X, y)  # C=1 L2
    params = objective.coef.pack(theirs.coef_, theirs.intercept_)
    assert objective.optimality(params, objective.loss_gradient(params)[1]) < 1e-6
    zeros = objective.coef.zeros()
    _, grad0 = objective.loss_gradient(zeros)
    assert objective.optimality(zeros, grad0) == pytest.approx(np.abs(grad0).max())
    assert objective.optimality(zeros, grad0) > 1e-3


def test_optimality_with_l1_is_the_subdifferential_distance(make_objective):
    X, y, sw = _problem(3, np.float64)
    pen = L1(0.05)
    objective = make_objective(X, y, sample_weight=sw, penalty=pen)
    rng = np.random.default_rng(5)
    W = rng.normal(size=(3, 23)) * (rng.random((3, 23)) < 0.5)  # half exact zeros
    params = objective.coef.pack(W, rng.normal(size=3))
    _, grad = objective.loss_gradient(params)
    gW, gb = objective.coef.unpack(grad)
    expected = max(np.abs(pen.subdiff_distance(W, gW)).max(), np.abs(gb).max())
    assert objective.optimality(params, grad) == expected
    # without intercept, the intercept gradient does not count
    objective = make_objective(X, y, sample_weight=sw, penalty=pen, fit_intercept=False)
    params = objective.coef.pack(W, None)
    _, grad = objective.loss_gradient(params)
    gW, _ = objective.coef.unpack(grad)
    assert objective.optimality(params, grad) == np.abs(pen.subdiff_distance(W, gW)).max()


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gram_is_computed_once_from_the_moments(make_objective, fit_intercept):
    X, y, sw = _problem(3, np.float32)
    objective = make_objective(X, y, sample_weight=sw, fit_intercept=fit_intercept)
    gram = objective.gram()
    Xt = X.astype(np.float64)
    if fit_intercept:
        Xt = np.hstack([Xt, np.ones((len(y), 1))])
    np.testing.assert_allclose(gram, (Xt * sw[:, None]).T @ Xt / sw.sum(),
                               rtol=1e-5, atol=1e-6)
    assert objective.gram() is gram


def test_binary_objective_has_one_weight_vector(make_objective):
    X, y, sw = _problem(2, np.float64)
    objective = make_objective(X, y, sample_weight=sw)
    assert objective.binary and objective.coef.n_rows_w == 1
    assert objective.n_params == 24 and objective.sw_sum == pytest.approx(sw.sum())
