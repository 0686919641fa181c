"""The whitening change of variables is exact; apply / apply_inverse are M and M^-1."""

import numpy as np
import pytest

from skdigit.linear_model._penalties import L2, NoPenalty
from skdigit.linear_model._preconditioner import LowRankPreconditioner, Preconditioner


def _objective(make_objective, X, y, fit_intercept, l2, n_classes=None):
    sw = np.random.default_rng(1).uniform(0.5, 2, X.shape[0])
    return make_objective(
        X, y, sample_weight=sw, penalty=L2(l2) if l2 else NoPenalty(),
        fit_intercept=fit_intercept, n_classes=n_classes,
    )


def _preconditioner(objective, **kwargs):
    return Preconditioner(
        objective.gram(), objective.coef, l2=objective.penalty.curvature, **kwargs
    )


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_change_of_variables_is_exact(digits, make_objective, binary, fit_intercept):
    X, y = digits
    if binary:
        y = (y == 2).astype(int)
    objective = _objective(make_objective, X, y, fit_intercept, 1e-3)
    gram_before = objective.gram().copy()
    pre = _preconditioner(objective)
    np.testing.assert_array_equal(objective.gram(), gram_before)  # gram not modified
    rng = np.random.default_rng(2)
    params = rng.normal(size=objective.n_params)
    u = pre.from_params(params)
    assert u.shape == params.shape and pre.n_params == objective.n_params
    np.testing.assert_allclose(pre.to_params(u), params, rtol=1e-9, atol=1e-9)
    # the whitening is not the identity: raw pixels are far from isotropic
    assert np.abs(u - params).max() > 0.1

    # chain rule: the gradient in u is that of u -> objective(to_params(u))
    _, grad = objective.loss_gradient(pre.to_params(u))
    grad_u = pre.gradient(grad)
    direction = rng.normal(size=u.shape)
    eps = 1e-6
    f_plus = objective.loss_gradient(pre.to_params(u + eps * direction))[0]
    f_minus = objective.loss_gradient(pre.to_params(u - eps * direction))[0]
    np.testing.assert_allclose((f_plus - f_minus) / (2 * eps), grad_u @ direction, rtol=1e-6)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_apply_and_apply_inverse_are_M_and_its_inverse(digits, make_objective, fit_intercept):
    X, y = digits
    objective = _objective(make_objective, X, y, fit_intercept, 1e-2)
    curvature = 0.05
    pre = _preconditioner(objective, curvature=curvature)
    n_dof = objective.coef.n_dof
    M = curvature * objective.gram()
    M += 1e-2 * np.eye(n_dof)  # the L2 term, on the whole diagonal (the intercept's too)
    # the float32-accumulated gram is symmetric up to rounding; eigh reads its
    # lower triangle
    M = np.tril(M) + np.tril(M, -1).T
    rng = np.random.default_rng(3)
    flat = rng.normal(size=objective.n_params)
    rows = objective.coef.as_rows(flat)
    assert rows.shape == (10, n_dof)
    np.testing.assert_allclose(objective.coef.as_rows(pre.apply(flat)), rows @ M,
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        objective.coef.as_rows(pre.apply_inverse(flat)), rows @ np.linalg.inv(M),
        rtol=1e-7, atol=1e-8,
    )
    np.testing.assert_allclose(pre.apply(pre.apply_inverse(flat)), flat, rtol=1e-9, atol=1e-9)


def test_whitened_problem_is_well_conditioned(digits, make_objective):
    """In u, the Gram matrix of the data is (close to) a multiple of the identity."""
    X, y = digits
    objective = _objective(make_objective, X, y, True, 1e-4)
    pre = _preconditioner(objective, curvature=1.0)
    M = objective.gram() + 1e-4 * np.eye(65)
    # A row of u maps to a row of [W, b] by right-multiplication with
    # M^{-1/2}: read that matrix off the first class (flat layout: W (10, 64)
    # raveled, then b (10,)).
    first_class = list(range(64)) + [640]
    basis = np.eye(objective.n_params)
    P = np.stack([pre.to_params(basis[i])[first_class] for i in first_class])
    np.testing.assert_allclose(P @ M @ P.T, np.eye(65), atol=1e-4)
    assert np.linalg.cond(M) > 1e4


def test_singular_directions_are_left_alone(make_objective):
    """Always-zero pixels without L2: the preconditioner stays finite and exact."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(200, 6))
    X[:, 2] = 0.0
    X[:, 4] = X[:, 0] + X[:, 1]  # collinear
    y = rng.integers(0, 3, 200)
    objective = make_objective(X, y, penalty=NoPenalty())
    pre = _preconditioner(objective)
    params = rng.normal(size=objective.n_params)
    assert np.all(np.isfinite(pre.from_params(params)))
    assert np.all(np.isfinite(pre.apply_inverse(params)))
    np.testing.assert_allclose(pre.to_params(pre.from_params(params)), params,
                               rtol=1e-9, atol=1e-9)
    # The gradient has no component on the zero pixel; the step L-BFGS takes
    # along it in u, mapped back, moves that pixel's weights by nothing.
    _, grad = objective.loss_gradient(params)
    assert np.all(grad[:18].reshape(3, 6)[:, 2] == 0.0)
    step = pre.to_params(pre.gradient(grad))
    assert np.all(np.isfinite(step))
    assert np.abs(step[:18].reshape(3, 6)[:, 2]).max() < 1e-12 * np.abs(step).max()


def _low_rank(objective, **kwargs):
    return LowRankPreconditioner(
        objective.gram_low_rank(), objective.coef, l2=objective.penalty.curvature, **kwargs
    )


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_low_rank_estimate_is_the_weighted_gram_when_every_row_is_drawn(
    digits, make_objective, fit_intercept
):
    X, y = digits
    objective = _objective(make_objective, X, y, fit_intercept, 1e-3)
    eigenvalues, eigenvectors, rest = objective.gram_low_rank(rank=8, n_rows=len(X))
    rows = np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X
    weights = objective.sample_weight / objective.sample_weight.sum()
    exact = np.linalg.eigvalsh((rows * weights[:, None]).T @ rows)[::-1]
    # a randomized SVD with two power iterations: within 0.1% here
    np.testing.assert_allclose(eigenvalues, exact[:8], rtol=1e-3)
    np.testing.assert_allclose(rest, exact[8], rtol=1e-2)
    n_dof = objective.coef.n_dof
    assert eigenvectors.shape == (n_dof, 8)
    np.testing.assert_allclose(eigenvectors.T @ eigenvectors, np.eye(8), atol=1e-10)
    # computed once: the same arrays on the next call, whatever its arguments
    assert objective.gram_low_rank(rank=2)[1] is eigenvectors


def test_low_rank_estimate_of_a_sample_is_close_and_repeatable(make_objective):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6000, 40)) @ rng.normal(size=(40, 40))
    y = rng.integers(0, 3, 6000)
    values = [make_objective(X, y).gram_low_rank(rank=4, n_rows=2000) for _ in range(2)]
    np.testing.assert_array_equal(values[0][0], values[1][0])  # seeded
    exact = np.linalg.eigvalsh(make_objective(X, y).gram())[::-1]
    np.testing.assert_allclose(values[0][0], exact[:4], rtol=0.15)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_low_rank_with_every_eigenpair_is_the_whole_preconditioner(
    digits, make_objective, fit_intercept
):
    X, y = digits
    objective = _objective(make_objective, X, y, fit_intercept, 1e-3)
    n_dof = objective.coef.n_dof
    objective.gram_low_rank(rank=n_dof - 1, n_rows=len(X))
    low, whole = _low_rank(objective), _preconditioner(objective)
    flat = np.random.default_rng(3).normal(size=objective.n_params)
    for method in ("to_params", "from_params", "gradient", "apply", "apply_inverse"):
        # the whole preconditioner's Gram matrix is accumulated in float32:
        # agreement to 1e-6 of the largest entry
        expected = getattr(whole, method)(flat)
        np.testing.assert_allclose(getattr(low, method)(flat), expected, rtol=1e-3,
                                   atol=1e-6 * np.abs(expected).max(), err_msg=method)


@pytest.mark.parametrize("binary", [False, True])
def test_low_rank_change_of_variables_is_exact(digits, make_objective, binary):
    X, y = digits
    if binary:
        y = (y == 2).astype(int)
    objective = _objective(make_objective, X, y, True, 1e-3)
    pre = _low_rank(objective)
    assert pre.basis.shape == (objective.coef.n_dof, 32)
    rng = np.random.default_rng(2)
    params = rng.normal(size=objective.n_params)
    u = pre.from_params(params)
    np.testing.assert_allclose(pre.to_params(u), params, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(pre.apply(pre.apply_inverse(params)), params,
                               rtol=1e-9, atol=1e-9)
    assert np.abs(u - params).max() > 0.1
    _, grad = objective.loss_gradient(pre.to_params(u))
    direction = rng.normal(size=u.shape)
    eps = 1e-6
    f_plus = objective.loss_gradient(pre.to_params(u + eps * direction))[0]
    f_minus = objective.loss_gradient(pre.to_params(u - eps * direction))[0]
    np.testing.assert_allclose((f_plus - f_minus) / (2 * eps), pre.gradient(grad) @ direction,
                               rtol=1e-6)


def test_low_rank_leaves_singular_directions_alone(make_objective):
    """Data of rank 3 without L2: every other direction keeps a finite scale."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(300, 3)) @ rng.uniform(size=(3, 12))
    y = rng.integers(0, 3, 300)
    objective = make_objective(X, y, penalty=NoPenalty(), fit_intercept=False)
    objective.gram_low_rank(rank=5, n_rows=300)
    pre = _low_rank(objective)
    params = rng.normal(size=objective.n_params)
    assert np.all(np.isfinite(pre.from_params(params)))
    assert np.all(np.isfinite(pre.apply_inverse(params)))
    np.testing.assert_allclose(pre.to_params(pre.from_params(params)), params,
                               rtol=1e-9, atol=1e-9)


def test_low_rank_estimate_of_huge_features_stays_finite(make_objective):
    """Features of 1e30 in float32: the sampled rows are scaled by a power of two."""
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(500, 20)) * 1e30).astype(np.float32)
    y = rng.integers(0, 3, 500)
    objective = make_objective(X, y, fit_intercept=False)
    eigenvalues, eigenvectors, rest = objective.gram_low_rank(rank=4, n_rows=500)
    assert np.all(np.isfinite(eigenvalues)) and np.isfinite(rest)
    exact = np.linalg.eigvalsh(X.astype(np.float64).T @ X.astype(np.float64) / 500)[::-1]
    # a flat spectrum, the randomized SVD's hardest case: the scale is what counts
    np.testing.assert_allclose(eigenvalues, exact[:4], rtol=0.1)
