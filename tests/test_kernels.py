"""The numba kernels against their NumPy reference (the objective is tested in test_loss.py)."""

import numpy as np
import pytest
from scipy import sparse

from skdigit.linear_model._kernels import logistic_loss_gradient_dense
from skdigit.linear_model._kernels_csr import (
    by_columns_pays,
    check_csr,
    logistic_loss_gradient_by_columns,
    logistic_loss_gradient_csr,
    _packed_nbytes,
    pack_dense_csr,
)
from skdigit.linear_model._kernels_reference import logistic_loss_gradient_reference

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
    grad_W = np.empty(W.shape)  # float64 sums, whatever the dtype of W
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


# CSR: 3 and 8 classes fill one 8-lane vector; 9-10, 11-12 and 13-16 add a
# vector of 2, 4 or 8 lanes; 17 takes the scalar fallback. Dense: the gradient
# loop takes the classes in pairs, an odd count leaves one.
@pytest.mark.parametrize("n_classes", [3, 8, 9, 10, 12, 16, 17])
@pytest.mark.parametrize("layout", ["csr", "packed", "dense"])
def test_csr_kernel_every_class_count(n_classes, layout):
    # more rows than one row block (128) per chunk, some classes unused
    X, y, sw, W, b = _problem(False, np.float64, n_samples=700, n_classes=n_classes)
    y = np.minimum(y, n_classes - 2)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    got = _run_kernel(layout, X, y, sw, W, b, False, 2)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n_classes", [17, 20])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_chunks", [1, 3])
def test_kernel_by_columns_matches_reference(n_classes, dtype, n_chunks):
    # wide data, more than 16 classes: X read by columns (CSC arrays); an
    # empty row, empty columns, a class without samples
    X, y, sw, W, b = _problem(False, dtype, n_samples=60, n_features=400,
                              n_classes=n_classes)
    X[:, 100:140] = 0
    y = np.minimum(y, n_classes - 2)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    Xc = sparse.csc_matrix(X)
    grad_W = np.full(W.shape, np.nan)
    grad_b = np.full(n_classes, np.nan)
    loss = logistic_loss_gradient_by_columns(
        Xc.data, Xc.indices, Xc.indptr, y, sw, W, b, grad_W, grad_b, n_chunks
    )
    np.testing.assert_allclose(loss, expected[0], rtol=1e-12)
    np.testing.assert_allclose(grad_W, expected[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_b, expected[2], rtol=1e-10, atol=1e-12)
    # huge logits: no overflow
    W *= 1e4
    loss = logistic_loss_gradient_by_columns(
        Xc.data, Xc.indices, Xc.indptr, y, sw, W, b, grad_W, grad_b, n_chunks
    )
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    np.testing.assert_allclose(loss, expected[0], rtol=1e-10)
    np.testing.assert_allclose(grad_W, expected[1], rtol=1e-8, atol=1e-8)


def test_by_columns_only_for_many_classes_on_wide_data():
    assert by_columns_pays(20_000, 100_000, 20, False)
    assert not by_columns_pays(100_000, 20_000, 20, False)  # tall: by rows
    assert not by_columns_pays(20_000, 100_000, 16, False)  # the SIMD kernel
    assert not by_columns_pays(20_000, 100_000, 1, True)


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
    nbytes = data.nbytes + indices.nbytes + indptr.nbytes
    assert _packed_nbytes(len(data), X) == nbytes
    # the size limit is decided on the same count: no copy above it
    assert pack_dense_csr(X, max_nbytes=nbytes - 1) is None
    assert pack_dense_csr(X, max_nbytes=nbytes) is not None


def test_check_csr_refuses_malformed_matrices():
    X, *_ = _problem(False, np.float64)
    Xs = sparse.csr_matrix(X)
    check_csr(Xs)  # well-formed: no error
    bad = Xs.copy()
    bad.indices[3] = X.shape[1]  # a column index past the last column
    with pytest.raises(ValueError, match="malformed CSR matrix"):
        check_csr(bad)


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



@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("n_samples", [61, 1000])
@pytest.mark.parametrize("n_chunks", [1, 3])
def test_dense_float32_products_match_reference_to_float32_rounding(binary, n_samples,
                                                                    n_chunks):
    # float32 W: the products run in float32 and are flushed into float64 every
    # _FLUSH_ROWS rows (1000 rows: many flushes and a ragged last group)
    X, y, sw, W, b = _problem(binary, np.float32, n_samples=n_samples, n_features=37)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, binary)
    W32 = W.astype(np.float32)
    got = _run_kernel("dense", X, y, sw, W32, b, binary, n_chunks)
    # exact products of the rounded weights, then float32 rounding of the sums
    exact = logistic_loss_gradient_reference(X, y, sw, W32.astype(np.float64), b, binary)
    np.testing.assert_allclose(got[0], exact[0], rtol=1e-6)
    for k in (1, 2):
        scale = np.abs(exact[k]).max()
        np.testing.assert_allclose(got[k], exact[k], rtol=1e-5, atol=1e-6 * scale)
    # and the rounding of W itself is no larger
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-5)
