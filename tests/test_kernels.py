"""The numba kernels against their NumPy reference, and gradients by finite differences."""

import numpy as np
import pytest
from scipy import optimize, sparse

from skdigit.linear_model._kernels import (
    logistic_loss_gradient_csr,
    logistic_loss_gradient_dense,
)
from skdigit.linear_model._kernels_reference import logistic_loss_gradient_reference
from skdigit.linear_model._loss import LogisticObjective


def _problem(binary, dtype, n_samples=257, n_features=23, n_classes=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n_samples, n_features)).astype(dtype)
    X[X < 0.6] = 0  # digit-like sparsity
    n_rows_w = 1 if binary else n_classes
    y = rng.integers(0, 2 if binary else n_classes, n_samples)
    sw = rng.random(n_samples) * 2
    W = rng.normal(size=(n_rows_w, n_features))
    b = rng.normal(size=n_rows_w)
    return X, y, sw, W, b


def _run_kernel(layout, X, y, sw, W, b, binary, n_chunks):
    grad_b = np.empty(W.shape[0])
    if layout == "dense":
        grad_W = np.empty_like(W)
        loss = logistic_loss_gradient_dense(
            X, y, sw, W, b, grad_W, grad_b, binary, n_chunks
        )
        return loss, grad_W, grad_b
    Xs = sparse.csr_matrix(X)
    grad_WT = np.empty((W.shape[1], W.shape[0]))
    loss = logistic_loss_gradient_csr(
        Xs.data, Xs.indices, Xs.indptr, y, sw, np.ascontiguousarray(W.T), b,
        grad_WT, grad_b, binary, n_chunks,
    )
    return loss, grad_WT.T, grad_b


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("n_chunks", [1, 3])
def test_kernel_matches_reference(layout, dtype, binary, n_chunks):
    X, y, sw, W, b = _problem(binary, dtype)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, binary)
    got = _run_kernel(layout, X, y, sw, W, b, binary, n_chunks)
    # both accumulate in float64 from the same (float32 or float64) inputs
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-10, atol=1e-12)


def test_kernel_is_stable_for_huge_logits():
    X, y, sw, W, b = _problem(False, np.float64)
    W *= 1e4  # logits of order 1e4: a naive exp overflows
    loss, grad_W, _ = _run_kernel("dense", X, y, sw, W, b, False, 2)
    assert np.isfinite(loss) and np.all(np.isfinite(grad_W))
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    np.testing.assert_allclose(loss, expected[0], rtol=1e-10)


@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_kernel_is_deterministic_for_fixed_chunks(layout):
    X, y, sw, W, b = _problem(False, np.float32, n_samples=2000)
    first = _run_kernel(layout, X, y, sw, W, b, False, 4)
    again = _run_kernel(layout, X, y, sw, W, b, False, 4)
    assert first[0] == again[0]
    np.testing.assert_array_equal(first[1], again[1])


def test_kernel_reads_read_only_input_without_writing():
    X, y, sw, W, b = _problem(False, np.float64)
    X_before = X.copy()
    X.setflags(write=False)
    y.setflags(write=False)
    loss, grad_W, _ = _run_kernel("dense", X, y, sw, W, b, False, 2)
    np.testing.assert_array_equal(X, X_before)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    np.testing.assert_allclose(grad_W, expected[1], rtol=1e-10, atol=1e-12)


def test_csr_kernel_accepts_int64_indices():
    X, y, sw, W, b = _problem(True, np.float64)
    Xs = sparse.csr_matrix(X)
    Xs.indices = Xs.indices.astype(np.int64)
    Xs.indptr = Xs.indptr.astype(np.int64)
    grad_WT = np.empty((W.shape[1], 1))
    grad_b = np.empty(1)
    loss = logistic_loss_gradient_csr(
        Xs.data, Xs.indices, Xs.indptr, y, sw, np.ascontiguousarray(W.T), b,
        grad_WT, grad_b, True, 2,
    )
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, True)
    np.testing.assert_allclose(loss, expected[0], rtol=1e-12)
    np.testing.assert_allclose(grad_WT.T, expected[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("as_csr", [False, True])
def test_objective_gradient_by_finite_differences(dtype, n_classes, fit_intercept, as_csr):
    X, y, sw, _, _ = _problem(n_classes == 2, dtype, n_classes=n_classes, seed=1)
    if as_csr:
        X = sparse.csr_matrix(X)
    objective = LogisticObjective(
        X, y, sw, n_classes, fit_intercept=fit_intercept, l2_reg_strength=0.3,
        n_threads=2,
    )
    params = np.random.default_rng(2).normal(size=objective.n_params)
    err = optimize.check_grad(
        objective.loss, lambda p: objective.loss_gradient(p)[1], params, epsilon=1e-6
    )
    scale = np.linalg.norm(objective.loss_gradient(params)[1])
    assert err < 1e-5 * max(scale, 1.0)


def test_objective_includes_l2_on_weights_only():
    X, y, sw, W, b = _problem(False, np.float64)
    objective = LogisticObjective(
        X, y, sw, 5, fit_intercept=True, l2_reg_strength=0.7, n_threads=1
    )
    params = objective.pack(W, b)
    loss, grad = objective.loss_gradient(params)
    ref_loss, ref_gW, ref_gb = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    S = sw.sum()
    np.testing.assert_allclose(loss, ref_loss / S + 0.35 * np.sum(W**2), rtol=1e-12)
    gW, gb = objective.unpack(grad)
    np.testing.assert_allclose(gW, ref_gW / S + 0.7 * W, rtol=1e-10)
    np.testing.assert_allclose(gb, ref_gb / S, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("n_samples", [1, 7, 8, 9, 16, 61])
@pytest.mark.parametrize("n_chunks", [1, 2, 5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_row_blocks_and_tails_match_reference(n_samples, n_chunks, dtype):
    # full blocks of 8 rows take the register-blocked path, the rest the tail path
    X, y, sw, W, b = _problem(False, dtype, n_samples=n_samples, n_features=37)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    got = _run_kernel("dense", X, y, sw, W, b, False, n_chunks)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-10, atol=1e-12)

