"""Data layouts: each against dense and NumPy, and sums that add across row chunks."""

import sys

import numpy as np
import pytest
from scipy import sparse

from skdigit.linear_model import _layouts
from skdigit.linear_model._kernels_csr import pack_dense_csr
from skdigit.linear_model._kernels_reference import logistic_loss_gradient_reference
from skdigit.linear_model._layouts import (
    CSRLayout,
    DenseLayout,
    Moments,
    PackedCSRLayout,
    make_layout,
)

LAYOUTS = ["dense", "csr", "packed-csr"]


def _layout(name, X):
    if name == "dense":
        return DenseLayout(np.ascontiguousarray(X))
    if name == "csr":
        return CSRLayout(sparse.csr_matrix(X))
    return PackedCSRLayout(X, pack_dense_csr(X))


def _problem(binary, dtype, n_samples=301, n_features=19, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n_samples, n_features)).astype(dtype)
    X[X < 0.7] = 0
    X[5] = 0  # an empty row
    n_rows_w = 1 if binary else n_classes
    y = rng.integers(0, 2 if binary else n_classes, n_samples)
    sw = rng.uniform(0, 2, n_samples)
    W = rng.normal(size=(n_rows_w, n_features))
    b = rng.normal(size=n_rows_w)
    return X, y, sw, W, b


def _sums(layout, y, sw, W, b, binary, n_threads):
    grad_W = np.full_like(W, np.nan)
    grad_b = np.full(W.shape[0], np.nan)
    loss = layout.loss_gradient_sums(y, sw, W, b, grad_W, grad_b, binary, n_threads)
    return loss, grad_W, grad_b


def _assert_sums_close(got, expected):
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("n_threads", [1, 3])
def test_layout_sums_match_dense_and_reference(name, dtype, binary, n_threads):
    X, y, sw, W, b = _problem(binary, dtype)
    layout = _layout(name, X)
    assert layout.shape == X.shape and layout.dtype == dtype
    assert layout.n_samples, layout.n_features == X.shape
    got = _sums(layout, y, sw, W, b, binary, n_threads)
    _assert_sums_close(got, _sums(DenseLayout(X), y, sw, W, b, binary, 1))
    _assert_sums_close(got, logistic_loss_gradient_reference(X, y, sw, W, b, binary))


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("n_threads", [1, 3])
def test_reduced_precision_is_float32_accurate(binary, n_threads):
    X, y, sw, W, b = _problem(binary, np.float32, n_samples=1000)
    fast = DenseLayout(X).reduced_precision()
    assert fast.products_dtype == np.float32 and fast.X is X  # no copy
    got = _sums(fast, y, sw, W, b, binary, n_threads)
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, binary)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6)
    for k in (1, 2):
        scale = np.abs(expected[k]).max()
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-6 * scale)
    # only float32 dense data has it: the others are already exact in float64
    assert DenseLayout(X.astype(np.float64)).reduced_precision() is None
    for name in ("csr", "packed-csr"):
        assert _layout(name, X).reduced_precision() is None


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("binary", [False, True])
def test_loss_gradient_sums_add_across_row_chunks(name, binary):
    X, y, sw, W, b = _problem(binary, np.float64)
    half = 140
    whole = _sums(_layout(name, X), y, sw, W, b, binary, 2)
    first = _sums(_layout(name, X[:half]), y[:half], sw[:half], W, b, binary, 2)
    second = _sums(_layout(name, X[half:]), y[half:], sw[half:], W, b, binary, 2)
    _assert_sums_close([first[k] + second[k] for k in range(3)], whole)


def _reference_moments(X, sw):
    Xd = np.asarray(X, dtype=np.float64)
    return (Xd * sw[:, None]).T @ Xd, sw @ Xd, sw.sum()


@pytest.fixture
def small_moment_chunks(monkeypatch):
    """Chunks of 37 rows at 19 features: several chunks per thread, a ragged last one."""
    monkeypatch.setattr(_layouts, "_MOMENT_CHUNK_ELEMENTS", 19 * 37)
    monkeypatch.setattr(_layouts, "_MOMENT_MIN_ROWS", 37)


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_threads", [1, 3])
# non-negative weights take the symmetric product (syrk) of the block scaled by
# their square roots; a negative one, the general product of the weighted block
@pytest.mark.parametrize("negative", [False, True])
def test_moments_match_numpy(name, dtype, n_threads, negative, small_moment_chunks):
    X, _, sw, _, _ = _problem(False, dtype)
    if negative:
        sw[::7] *= -1
    moments = _layout(name, X).moments(sw, n_threads=n_threads)
    second, first, total = _reference_moments(X, sw)
    assert moments.second.dtype == np.float64 and moments.second.shape == (19, 19)
    # the products are float32 (BLAS), summed in float64
    np.testing.assert_allclose(moments.second, second, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(moments.first, first, rtol=1e-5, atol=1e-5)
    assert moments.total == pytest.approx(total, rel=1e-14)
    again = _layout(name, X).moments(sw, n_threads=n_threads)
    np.testing.assert_array_equal(moments.second, again.second)  # deterministic
    np.testing.assert_allclose(moments.second, moments.second.T, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", LAYOUTS)
def test_moments_add_across_row_chunks(name, small_moment_chunks):
    X, _, sw, _, _ = _problem(False, np.float64)
    half = 150
    whole = _layout(name, X).moments(sw, n_threads=2)
    parts = _layout(name, X[:half]).moments(sw[:half]) + _layout(name, X[half:]).moments(
        sw[half:], n_threads=3
    )
    assert isinstance(parts, Moments)
    np.testing.assert_allclose(parts.second, whole.second, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(parts.first, whole.first, rtol=1e-6, atol=1e-6)
    assert parts.total == pytest.approx(whole.total, rel=1e-14)


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_size_counts_the_arrays_it_holds(name):
    # what dask.sizeof reads: a Dask scheduler keeps tasks beside a chunk's
    # layout only if it knows the layout is big
    X, _, _, _, _ = _problem(False, np.float32)
    layout = _layout(name, X)
    held = sum(a.nbytes for a in getattr(layout, "csr", ()))
    held += 0 if name == "csr" else layout.X.nbytes  # a CSRLayout's csr is its X
    size = sys.getsizeof(layout)
    assert held <= size < held + 1024


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gram_is_normalized_second_moment_of_x_and_one(fit_intercept):
    X, _, sw, _, _ = _problem(False, np.float64)
    gram = DenseLayout(X).moments(sw).gram(fit_intercept)
    Xt = np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X
    expected = (Xt * sw[:, None]).T @ Xt / sw.sum()
    assert gram.shape == (19 + fit_intercept,) * 2
    np.testing.assert_allclose(gram, expected, rtol=1e-5, atol=1e-6)


def test_make_layout_picks_by_sparsity():
    X, *_ = _problem(False, np.float32)  # 30% non-zeros: the copy takes 60% of X
    assert isinstance(make_layout(X), DenseLayout)
    X[:, ::2] = 0  # about 15%: the copy takes 30%
    packed = make_layout(X, n_threads=2)
    assert isinstance(packed, PackedCSRLayout) and packed.X is X
    data, indices, indptr = packed.csr
    rebuilt = sparse.csr_matrix((data, indices.astype(np.int32), indptr), shape=X.shape)
    np.testing.assert_array_equal(rebuilt.toarray(), X)
    Xs = sparse.csr_matrix(X)
    layout = make_layout(Xs)
    assert isinstance(layout, CSRLayout) and layout.X is Xs  # used as given
    assert "shape=(301, 19)" in repr(layout)


def test_csr_layout_refuses_malformed_matrix():
    X, *_ = _problem(False, np.float64)
    Xs = sparse.csr_matrix(X)
    Xs.indices[2] = X.shape[1]  # past the last column
    with pytest.raises(ValueError, match="malformed CSR matrix"):
        CSRLayout(Xs)


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_dense_kernel_runs_its_parts_in_as_many_threads(n_threads, monkeypatch):
    # no numba team: the dense kernel's row parts run in Python threads, the
    # caller's among them, and their sums equal a single part's
    import threading

    from skdigit.linear_model import _kernels

    X, y, sw, W, b = _problem(False, np.float32, n_samples=600)
    threads, chunk = [], _kernels._dense_chunk

    def recording(*args):
        threads.append(threading.get_ident())
        return chunk(*args)

    monkeypatch.setattr(_kernels, "_dense_chunk", recording)
    got = _sums(DenseLayout(X), y, sw, W, b, False, n_threads)
    assert len(threads) == n_threads  # one call per part
    assert threading.get_ident() in threads  # the caller takes one
    assert len(set(threads)) >= min(n_threads, 2)  # and a pool thread the others
    _assert_sums_close(got, _sums(DenseLayout(X), y, sw, W, b, False, 1))


@pytest.mark.parametrize("name", ["csr", "packed-csr"])
def test_kernels_launch_as_many_threads_as_parts(name, monkeypatch):
    # numba launches its whole team for a parallel kernel; threads without a
    # part would spin beside the others (one Dask worker's kernel beside
    # another's on the same cores): the team is sized to n_threads, then restored
    import numba

    X, y, sw, W, b = _problem(False, np.float64)
    layout = _layout(name, X)
    seen = []
    monkeypatch.setattr(_layouts, "logistic_loss_gradient_csr",
                        lambda *args: seen.append(numba.get_num_threads()) or 0.0)
    before = numba.get_num_threads()
    for n_threads in (1, 2):
        _sums(layout, y, sw, W, b, False, n_threads)
    assert seen == [1, min(2, numba.config.NUMBA_NUM_THREADS)]
    assert numba.get_num_threads() == before


@pytest.mark.parametrize("name", ["csr", "packed-csr"])
def test_many_classes_on_wide_data_read_x_by_columns(name, monkeypatch):
    # more than 16 classes, fewer rows than features: the kernel by columns
    # on a CSC copy made once (and counted in the layout's size); the same sums
    X, y, sw, W, b = _problem(False, np.float64, n_samples=40, n_features=300,
                              n_classes=20)
    layout = _layout(name, X)
    size = layout.__sizeof__()
    calls = []
    kernel = _layouts.logistic_loss_gradient_by_columns
    monkeypatch.setattr(_layouts, "logistic_loss_gradient_by_columns",
                        lambda *args: calls.append(args[2]) or kernel(*args))
    expected = logistic_loss_gradient_reference(X, y, sw, W, b, False)
    for _ in range(2):
        _assert_sums_close(_sums(layout, y, sw, W, b, False, 2), expected)
    assert len(calls) == 2 and calls[0] is calls[1]  # one copy, made once
    assert calls[0].shape == (X.shape[1] + 1,)  # indptr over the columns
    assert layout.__sizeof__() > size
    # tall data of as many classes: by rows
    tall = _layout(name, np.ascontiguousarray(X[:, :30]))
    calls.clear()
    got = _sums(tall, y, sw, np.ascontiguousarray(W[:, :30]), b, False, 2)
    assert calls == []
    _assert_sums_close(got, logistic_loss_gradient_reference(
        X[:, :30], y, sw, W[:, :30], b, False))
