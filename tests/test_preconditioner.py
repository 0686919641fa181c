"""The whitening change of variables is exact, and its Gram matrix is the reference one."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_digits

from skdigit.linear_model._loss import LogisticObjective
from skdigit.linear_model._preconditioner import Preconditioner, weighted_gram


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _reference_gram(X, sample_weight, fit_intercept):
    Xt = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)
    if fit_intercept:
        Xt = np.hstack([Xt, np.ones((Xt.shape[0], 1))])
    return (Xt * sample_weight[:, None]).T @ Xt / sample_weight.sum()


@pytest.mark.parametrize("as_csr", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("n_threads", [1, 3])
def test_weighted_gram_matches_numpy(digits, as_csr, fit_intercept, n_threads):
    X, _ = digits
    sw = np.random.default_rng(0).uniform(0, 3, X.shape[0])
    X_in = sparse.csr_matrix(X) if as_csr else X
    # small chunks: several per thread, and a ragged last one
    gram = weighted_gram(X_in, sw, fit_intercept, n_threads=n_threads, chunk_rows=100)
    expected = _reference_gram(X, sw, fit_intercept)
    assert gram.shape == expected.shape
    np.testing.assert_allclose(gram, gram.T, rtol=1e-6, atol=1e-7)
    # computed in float32
    np.testing.assert_allclose(gram, expected, rtol=1e-5, atol=1e-6)
    again = weighted_gram(X_in, sw, fit_intercept, n_threads=n_threads, chunk_rows=100)
    np.testing.assert_array_equal(gram, again)


def _objective(X, y, n_classes, fit_intercept, l2):
    sw = np.random.default_rng(1).uniform(0.5, 2, X.shape[0])
    return LogisticObjective(
        X, y, sw, n_classes, fit_intercept=fit_intercept, l2_reg_strength=l2,
        n_threads=1,
    )


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_change_of_variables_is_exact(digits, binary, fit_intercept):
    X, y = digits
    if binary:
        y = (y == 2).astype(int)
    objective = _objective(X, y, 2 if binary else 10, fit_intercept, 1e-3)
    pre = Preconditioner(objective)
    rng = np.random.default_rng(2)
    params = rng.normal(size=objective.n_params)
    u = pre.from_params(params)
    assert u.shape == params.shape
    np.testing.assert_allclose(pre.to_params(u), params, rtol=1e-9, atol=1e-9)
    # the whitening is not the identity: raw pixels are far from isotropic
    assert np.abs(u - params).max() > 0.1

    # chain rule: the gradient in u is that of u -> objective(to_params(u))
    _, grad = objective.loss_gradient(pre.to_params(u))
    grad_u = pre.gradient(grad)
    direction = rng.normal(size=u.shape)
    eps = 1e-6
    f_plus = objective.loss(pre.to_params(u + eps * direction))
    f_minus = objective.loss(pre.to_params(u - eps * direction))
    np.testing.assert_allclose(
        (f_plus - f_minus) / (2 * eps), grad_u @ direction, rtol=1e-6
    )


def test_whitened_problem_is_well_conditioned(digits):
    """In u, the Gram matrix of the data is (close to) a multiple of the identity."""
    X, y = digits
    objective = _objective(X, y, 10, True, 1e-4)
    pre = Preconditioner(objective, curvature=1.0)
    gram = _reference_gram(X, objective.sample_weight, True)
    M = gram + 1e-4 * np.diag(np.r_[np.ones(64), 0.0])
    # A row of u maps to a row of [W, b] by right-multiplication with
    # M^{-1/2}: read that matrix off the first class (flat layout: W (10, 64)
    # raveled, then b (10,)).
    first_class = list(range(64)) + [640]
    basis = np.eye(objective.n_params)
    P = np.stack([pre.to_params(basis[i])[first_class] for i in first_class])
    whitened = P @ M @ P.T
    np.testing.assert_allclose(whitened, np.eye(65), atol=1e-4)
    assert np.linalg.cond(M) > 1e4


def test_singular_directions_are_left_alone():
    """Always-zero pixels without L2: the preconditioner stays finite and exact."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(200, 6))
    X[:, 2] = 0.0
    X[:, 4] = X[:, 0] + X[:, 1]  # collinear
    y = rng.integers(0, 3, 200)
    objective = LogisticObjective(
        X, y, np.ones(200), 3, fit_intercept=True, l2_reg_strength=0.0,
        n_threads=1,
    )
    pre = Preconditioner(objective)
    params = rng.normal(size=objective.n_params)
    assert np.all(np.isfinite(pre.from_params(params)))
    np.testing.assert_allclose(pre.to_params(pre.from_params(params)), params,
                               rtol=1e-9, atol=1e-9)
    # The gradient has no component on the zero pixel; the step L-BFGS takes
    # along it in u, mapped back, moves that pixel's weights by nothing.
    _, grad = objective.loss_gradient(params)
    assert np.all(grad[:18].reshape(3, 6)[:, 2] == 0.0)
    step = pre.to_params(pre.gradient(grad))
    assert np.all(np.isfinite(step))
    assert np.abs(step[:18].reshape(3, 6)[:, 2]).max() < 1e-12 * np.abs(step).max()
