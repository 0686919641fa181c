"""The coordinate-descent kernel against its NumPy twin, and what it minimizes."""

import numpy as np
import pytest

from skdigit.linear_model._cd_kernels import MAX_BLOCK, cd_model
from skdigit.linear_model._cd_reference import (
    cd_model_reference,
    model_matrix,
    model_value,
)


def _model(rng, n_rows_w, n_cols, m):
    """A random positive definite model ``B = gamma (I (x) M) - U^T Q U``.

    The low-rank part comes from a genuine compact BFGS update of
    ``gamma * (I (x) M)`` by ``m`` pairs ``y = H s`` with ``H`` positive
    definite, so ``B`` stays positive definite.
    """
    X = rng.standard_normal((3 * n_cols, n_cols))
    M = X.T @ X / len(X) + 0.1 * np.eye(n_cols)
    gamma = 1.7
    n = n_rows_w * n_cols
    H = rng.standard_normal((n, n))
    H = H @ H.T / n + np.eye(n)
    B0 = gamma * np.kron(np.eye(n_rows_w), M)
    S = rng.standard_normal((m, n))
    Y = S @ H
    if m == 0:
        return M, gamma, np.zeros((n, 0)), np.zeros((n, 0))
    SY = S @ Y.T
    middle = np.block([
        [S @ B0 @ S.T, np.tril(SY, -1)],
        [np.tril(SY, -1).T, -np.diag(np.diag(SY))],
    ])
    U = np.vstack([S @ B0, Y])
    QU = np.linalg.solve(middle, U)
    return M, gamma, U.T.copy(), QU.T.copy()


@pytest.mark.parametrize("max_block", [MAX_BLOCK, 0])
@pytest.mark.parametrize("m", [0, 3])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_kernel_matches_reference(m, fit_intercept, max_block):
    """Both ways of updating ``D @ M`` (contiguous copies of the working-set
    blocks of ``M``, or whole rows of ``M`` when the copies would be too large)
    give the twin's step."""
    rng = np.random.default_rng(m + 10 * fit_intercept)
    K, p = 3, 6
    q = p + int(fit_intercept)
    M, gamma, U_t, QU_t = _model(rng, K, q, m)
    W = rng.standard_normal((K, q)) * (rng.random((K, q)) < 0.5)
    G = rng.standard_normal((K, q))
    coords = np.sort(rng.choice(K * q, size=K * q - 4, replace=False)).astype(np.int64)
    B = model_matrix(M, gamma, U_t, QU_t, K)
    expected = cd_model_reference(
        np.zeros((K, q)), W, G, M, gamma, U_t, QU_t, 0.3, p, coords, 3
    )
    D = np.zeros((K, q))
    DM = np.zeros((K, q))
    r = np.zeros(U_t.shape[1])
    n_sweeps = cd_model(
        D, DM, r, W, G, M, gamma, U_t, QU_t, np.diag(B).copy(), 0.3, p, coords, 3,
        0.0, max_block,
    )
    assert n_sweeps == 3
    np.testing.assert_allclose(D, expected, rtol=1e-12, atol=1e-12)
    # the maintained products are those of the final step, on the working set
    flat = np.zeros(K * q, dtype=bool)
    flat[coords] = True
    np.testing.assert_allclose(
        DM.ravel()[flat], (D @ M).ravel()[flat], rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(r, QU_t.T @ D.ravel(), rtol=1e-10, atol=1e-12)
    untouched = np.setdiff1d(np.arange(K * q), coords)
    assert np.all(D.ravel()[untouched] == 0)


def test_kernel_minimizes_model_with_exact_zeros():
    """Run to convergence, the step solves the L1-penalized model: the optimality
    conditions hold and penalized entries of ``W + D`` are exactly zero."""
    rng = np.random.default_rng(3)
    K, p = 2, 5
    q = p + 1
    M, gamma, U_t, QU_t = _model(rng, K, q, 2)
    B = model_matrix(M, gamma, U_t, QU_t, K)
    W = np.zeros((K, q))
    G = rng.standard_normal((K, q))
    l1 = 0.8
    coords = np.arange(K * q, dtype=np.int64)
    D = np.zeros((K, q))
    cd_model(
        D, np.zeros((K, q)), np.zeros(U_t.shape[1]), W, G, M, gamma, U_t, QU_t,
        np.diag(B).copy(), l1, p, coords, 10_000, 1e-14,
    )
    grad = G.ravel() + B @ D.ravel()
    x = (W + D).ravel()
    penalized = np.tile(np.arange(q) < p, K)
    nonzero = penalized & (x != 0)
    np.testing.assert_allclose(grad[nonzero], -l1 * np.sign(x[nonzero]), atol=1e-9)
    assert np.all(np.abs(grad[penalized & (x == 0)]) <= l1 + 1e-9)
    np.testing.assert_allclose(grad[~penalized], 0, atol=1e-9)
    assert np.any(penalized & (x == 0))  # l1 large enough to zero some entries
    # no coordinate move lowers the model
    base = model_value(D, W, G, B, l1, p)
    for i in range(K * q):
        for eps in (1e-4, -1e-4):
            moved = D.ravel().copy()
            moved[i] += eps
            assert model_value(moved.reshape(K, q), W, G, B, l1, p) >= base - 1e-12
