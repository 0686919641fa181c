"""The numba kernels against their NumPy reference, and gradients by finite differences."""

import numpy as np
import pytest
from scipy import optimize, sparse

from skdigit.linear_model._kernels import logistic_loss_gradient_dense
from skdigit.linear_model._kernels_csr import (
    check_csr,
    logistic_loss_gradient_csr,
    pack_dense_csr,
    packed_csr_nbytes,
)
from skdigit.linear_model._kernels_reference import logistic_loss_gradient_reference
from skdigit.linear_model._loss import LogisticObjective

LAYOUTS = ["dense", "csr", "packed"]


def _problem(binary, dtype, n_samples=257, n_features=23, n_classes=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n_samples, n_features)).astype(dtype)
    X[X < 0.6] = 0  # digit-like sparsity
    if n_samples > 7:
        X[7] = 0  # an empty row
    n_rows_w = 1 if binary else n_classes
    y = rng.integers(0, 2 if binary else n_classes, n_samples)
    sw = rng.random(n_samples) * 2
    W = rng.normal(size=(n_rows_w, n_features))
    b = rng.normal(size=n_rows_w)
    return X, y, sw, W, b


def _run_kernel(layout, X, y, sw, W, b, binary, n_chunks):
    grad_W = np.empty_like(W)
    grad_b = np.empty(W.shape[0])
    if layout == "dense":
        loss = logistic_loss_gradient_dense(
            X, y, sw, W, b, grad_W, grad_b, binary, n_chunks
        )
        return loss, grad_W, grad_b
    if layout == "csr":
        Xs = sparse.csr_matrix(X)
        csr = Xs.data, Xs.indices, Xs.indptr
    else:
        csr = pack_dense_csr(X)
    loss = logistic_loss_gradient_csr(
        *csr, y, sw, W, b, grad_W, grad_b, binary, n_chunks
    )
    return loss, grad_W, grad_b


@pytest.mark.parametrize("layout", LAYOUTS)
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


# 3 and 8 classes fill one 8-lane vector; 9-10, 11-12 and 13-16 add a vector of
# 2, 4 or 8 lanes; 17 takes the scalar fallback.
@pytest.mark.parametrize("n_classes", [3, 8, 9, 10, 12, 16, 17])
@pytest.mark.parametrize("layout", ["csr", "packed"])
def test_csr_kernel_every_class_count(n_classes, layout):
    # more rows than one row block (128) per chunk, some classes unused
    X, y, sw, W, b = _problem(False, np.float64, n_samples=700, n_classes=n_classes)
    y = np.minimum(y, n_classes - 2)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    got = _run_kernel(layout, X, y, sw, W, b, False, 2)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_kernel_is_stable_for_huge_logits(layout):
    X, y, sw, W, b = _problem(False, np.float64)
    W *= 1e4  # logits of order 1e4: a naive exp overflows
    loss, grad_W, _ = _run_kernel(layout, X, y, sw, W, b, False, 2)
    assert np.isfinite(loss) and np.all(np.isfinite(grad_W))
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    np.testing.assert_allclose(loss, expected[0], rtol=1e-10)
    np.testing.assert_allclose(grad_W, expected[1], rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("layout", LAYOUTS)
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
    for layout in LAYOUTS:
        loss, grad_W, _ = _run_kernel(layout, X, y, sw, W, b, False, 2)
        np.testing.assert_array_equal(X, X_before)
        expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
        np.testing.assert_allclose(grad_W, expected[1], rtol=1e-10, atol=1e-12)


def test_csr_kernel_accepts_int64_indices():
    X, y, sw, W, b = _problem(True, np.float64)
    Xs = sparse.csr_matrix(X)
    grad_W = np.empty_like(W)
    grad_b = np.empty(1)
    loss = logistic_loss_gradient_csr(
        Xs.data, Xs.indices.astype(np.int64), Xs.indptr.astype(np.int64), y, sw,
        W, b, grad_W, grad_b, True, 2,
    )
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, True)
    np.testing.assert_allclose(loss, expected[0], rtol=1e-12)
    np.testing.assert_allclose(grad_W, expected[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pack_dense_csr_is_an_exact_compact_copy(dtype):
    X, *_ = _problem(False, dtype, n_samples=300)
    data, indices, indptr = pack_dense_csr(X)
    assert data.dtype == dtype and indices.dtype == np.uint16
    rebuilt = sparse.csr_matrix(
        (data, indices.astype(np.int32), indptr), shape=X.shape
    ).toarray()
    np.testing.assert_array_equal(rebuilt, X)
    assert packed_csr_nbytes(X) == data.nbytes + indices.nbytes + indptr.nbytes


def test_check_csr_refuses_malformed_matrices():
    X, *_ = _problem(False, np.float64)
    Xs = sparse.csr_matrix(X)
    check_csr(Xs)  # well-formed: no error
    bad = Xs.copy()
    bad.indices[3] = X.shape[1]  # a column index past the last column
    with pytest.raises(ValueError, match="malformed CSR matrix"):
        check_csr(bad)


def test_objective_picks_layout():
    X, y, sw, _, _ = _problem(False, np.float32, n_classes=4)
    kwargs = dict(fit_intercept=True, l2_reg_strength=0.01, n_threads=2)
    # 40% non-zeros: a float32 CSR copy would take 60% of X's bytes
    assert LogisticObjective(X, y, sw, 4, **kwargs).layout == "dense"
    X[:, ::2] = 0  # 20% non-zeros: the copy takes 30%
    assert LogisticObjective(X, y, sw, 4, **kwargs).layout == "packed-csr"
    assert LogisticObjective(sparse.csr_matrix(X), y, sw, 4, **kwargs).layout == "csr"
    params = np.random.default_rng(0).normal(size=4 * 24)
    results = [
        LogisticObjective(X_in, y, sw, 4, **kwargs).loss_gradient(params)
        for X_in in (X, sparse.csr_matrix(X))
    ]
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)


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

