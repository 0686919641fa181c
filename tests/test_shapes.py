"""Data of any shape: no fit needs memory or time out of proportion to the data.

The Gram metric (an ``(n_features + 1)``-square matrix and its
eigendecomposition) is built only where it pays; wide data (few rows, many
features, dense or CSR) runs on a metric that scales (the diagonal one for the
proximal solver, none for L2), the moments do not overflow, and an explicit
solver that needs a Gram matrix that cannot fit says so before allocating.
Objectives are compared with scikit-learn's.
"""

import time
import types
import warnings

import numpy as np
import pytest
from _sklearn_versions import reference_logistic
from scipy import sparse

from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV
from skdigit.linear_model import _layouts, _metric
from skdigit.linear_model._cd_kernels import cd_model_diagonal
from skdigit.linear_model._cd_reference import cd_model_reference, model_matrix
from skdigit.linear_model._layouts import make_layout
from skdigit.linear_model._loss import LogisticObjective
from skdigit.linear_model._penalties import make_penalty
from skdigit.linear_model._solvers import select_solver


@pytest.fixture
def no_gram(monkeypatch):
    """Make any build of the second-moment (Gram) matrix fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the (n_features + 1)-square Gram matrix was built")

    monkeypatch.setattr(_layouts, "_moments", refuse)


def _objective_value(clf, X, y, C, l1_ratio, sample_weight=None):
    """scikit-learn's objective ``C sum_i s_i loss_i + l1 ||W||_1 + l2/2 ||W||^2``."""
    from sklearn.metrics import log_loss

    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    proba = clf.predict_proba(X)
    W = clf.coef_
    return (
        C * log_loss(y, proba, sample_weight=sw, normalize=False, labels=clf.classes_)
        + l1_ratio * np.abs(W).sum() + (1 - l1_ratio) / 2 * (W**2).sum()
    )


def _wide(n_samples, n_features, n_classes, *, dtype=np.float64, csr=False, seed=0):
    """Text-like or wide dense data whose first features carry the labels."""
    rng = np.random.default_rng(seed)
    if csr:
        X = sparse.random(n_samples, n_features, density=20 / n_features, format="csr",
                          random_state=seed, dtype=dtype)
    else:
        X = rng.standard_normal((n_samples, n_features)).astype(dtype)
    signal = np.asarray(X[:, :n_classes].todense() if csr else X[:, :n_classes])
    y = np.argmax(signal + 0.3 * rng.standard_normal(signal.shape), axis=1)
    return X, y


def test_l1_on_wide_dense_float32_fits_quickly_without_gram(no_gram):
    """200 x 20,000 dense float32 with L1: killed after 180 s before (a
    20,001-square Gram matrix and its eigendecomposition); now the diagonal
    metric, in seconds."""
    X, y = _wide(200, 20_000, 3, dtype=np.float32)
    DigitLogisticClassifier(C=0.1, l1_ratio=1.0, max_iter=1).fit(X[:20], y[:20])  # compile
    start = time.perf_counter()
    clf = DigitLogisticClassifier(C=0.1, l1_ratio=1.0).fit(X, y)
    assert time.perf_counter() - start < 60
    assert clf.solver_ == "proximal-qn"
    assert 0 < np.count_nonzero(clf.coef_) < clf.coef_.size // 10


def test_l1_on_wide_sparse_data_builds_no_gram(no_gram):
    """CSR with 100,000 columns: a 74.5 GiB allocation before."""
    X, y = _wide(300, 100_000, 2, csr=True)
    clf = DigitLogisticClassifier(C=1.0, l1_ratio=1.0).fit(X, y)
    assert clf.coef_.shape == (1, 100_000)
    assert np.count_nonzero(clf.coef_) > 0


@pytest.mark.parametrize("l1_ratios", [[0.0], [0.5]])
def test_cv_on_wide_data_builds_no_gram(no_gram, l1_ratios):
    """CV (Cs=2, cv=2) on 200 x 10,000 took 169 s and 3.4 GB before: it built
    the Gram matrix whatever the solvers needed."""
    X, y = _wide(200, 10_000, 2)
    start = time.perf_counter()
    clf = DigitLogisticClassifierCV(Cs=2, cv=2, l1_ratios=l1_ratios).fit(X, y)
    assert time.perf_counter() - start < 60
    assert clf.coef_.shape == (1, 10_000)


@pytest.mark.parametrize("csr", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_diagonal_metric_reaches_sklearn_objective(no_gram, csr, l1_ratio):
    """On wide data the proximal solver with the diagonal metric stops at an
    objective no higher than saga's (to saga's own tolerance)."""
    X, y = _wide(60, 800, 3, csr=csr)
    X_before = X.copy()
    C = 0.5
    ours = DigitLogisticClassifier(C=C, l1_ratio=l1_ratio, tol=1e-8, max_iter=5000).fit(X, y)
    assert ours.solver_ == "proximal-qn"
    # the column moments never write into X
    assert (abs(X - X_before)).max() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = reference_logistic(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-6, max_iter=3000
        ).fit(X, y)
    mine, saga = _objective_value(ours, X, y, C, l1_ratio), _objective_value(
        theirs, X, y, C, l1_ratio
    )
    assert mine <= saga * (1 + 1e-6)


def test_l2_on_wide_data_matches_sklearn_lbfgs(no_gram):
    X, y = _wide(60, 3_000, 3)
    ours = DigitLogisticClassifier(C=1.0, tol=1e-8).fit(X, y)
    assert ours.solver_ == "lbfgs"
    theirs = reference_logistic(C=1.0, solver="lbfgs", tol=1e-10, max_iter=10_000).fit(X, y)
    assert _objective_value(ours, X, y, 1.0, 0.0) <= _objective_value(
        theirs, X, y, 1.0, 0.0
    ) * (1 + 1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_huge_features_fit_as_sklearn(dtype, l1_ratio):
    """Features of magnitude 1e20 overflowed the float32 moments (1e40) and
    the eigendecomposition failed with ``LinAlgError``."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 5))
    y = (X[:, 0] + 0.5 * rng.standard_normal(300) > 0).astype(int)
    X = (X * 1e20).astype(dtype)
    ours = DigitLogisticClassifier(C=1.0, l1_ratio=l1_ratio).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = reference_logistic(
            C=1.0, l1_ratio=l1_ratio, solver="saga" if l1_ratio else "lbfgs",
            tol=1e-8, max_iter=10_000,
        ).fit(X.astype(np.float64), y)
    X64 = X.astype(np.float64)
    rtol = 1e-6 if dtype == np.float32 else 1e-8  # float32 data: float32 coef_
    assert _objective_value(ours, X64, y, 1.0, l1_ratio) <= _objective_value(
        theirs, X64, y, 1.0, l1_ratio
    ) * (1 + rtol)


def test_huge_sample_weights_fit():
    """Sample weights of 1e300 overflowed the float32 weights of the moments."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 5))
    y = (X[:, 0] + 0.5 * rng.standard_normal(300) > 0).astype(int)
    sw = np.full(300, 1e300)
    ours = DigitLogisticClassifier(C=1.0).fit(X, y, sample_weight=sw)
    theirs = reference_logistic(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y, sample_weight=sw)
    assert np.isfinite(ours.coef_).all()
    assert _objective_value(ours, X, y, 1.0, 0.0, sw) <= _objective_value(
        theirs, X, y, 1.0, 0.0, sw
    ) * (1 + 1e-6)


@pytest.mark.parametrize("scale", [1e20, 1e-20, 1.0])
@pytest.mark.parametrize("csr", [False, True])
def test_moments_are_float64_accurate_at_any_scale(scale, csr):
    """The Gram matrix and its diagonal, against float64 NumPy, whatever the
    features' magnitude (float32 data) and the weights'."""
    rng = np.random.default_rng(1)
    X = (rng.standard_normal((50, 4)) * (rng.random((50, 4)) < 0.6) * scale).astype(np.float32)
    X = sparse.csr_matrix(X) if csr else X
    sw = rng.random(50) * 1e300
    objective = LogisticObjective(
        make_layout(X), np.arange(50) % 2, sw, 2, fit_intercept=True,
        penalty=make_penalty(1.0, 0.0, sw.sum()), n_threads=1,
    )
    Xa = np.column_stack([np.asarray(X.todense() if csr else X, dtype=np.float64), np.ones(50)])
    w = sw / sw.sum()
    expected = (Xa * w[:, None]).T @ Xa
    np.testing.assert_allclose(objective.column_moments(), np.diag(expected), rtol=1e-12)
    np.testing.assert_allclose(objective.gram(), expected, rtol=1e-5, atol=0)


@pytest.mark.parametrize("solver", ["preconditioned-lbfgs", "newton-cholesky"])
def test_explicit_gram_solver_that_cannot_fit_says_so_before_allocating(
    monkeypatch, no_gram, solver
):
    monkeypatch.setattr(_metric, "available_memory", lambda: 2**20)  # 1 MiB
    X, y = _wide(30, 1_000, 3)
    with pytest.raises(MemoryError, match=r"Gram matrix.*solver='auto'"):
        DigitLogisticClassifier(solver=solver).fit(X, y)
    # auto fits the same data in what is available
    assert DigitLogisticClassifier().fit(X, y).solver_ == "lbfgs"


def test_auto_avoids_a_gram_matrix_that_does_not_fit(monkeypatch, no_gram):
    monkeypatch.setattr(_metric, "available_memory", lambda: 2**20)
    X, y = _wide(600, 300, 3)
    assert DigitLogisticClassifier().fit(X, y).solver_ == "lbfgs"
    clf = DigitLogisticClassifier(l1_ratio=1.0, C=0.1).fit(X, y)
    assert clf.solver_ == "proximal-qn"


def _shaped(n_samples, n_features, n_classes, l1_ratio):
    """An objective whose layout reports ``(n_samples, n_features)`` (no data held)."""
    y = np.arange(4) % n_classes
    objective = LogisticObjective(
        make_layout(np.zeros((4, 2))), y, np.ones(4), n_classes, fit_intercept=True,
        penalty=make_penalty(1.0, l1_ratio, 4.0), n_threads=1,
    )
    # dense data held in memory, of that shape
    objective.layout = types.SimpleNamespace(shape=(n_samples, n_features),
                                             n_features=n_features, can_sample_rows=True)
    return objective


@pytest.mark.parametrize(
    "shape, n_classes, l2_solver, l1_metric",
    [
        # MNIST's shapes keep their fast paths
        ((60_000, 784), 10, "preconditioned-lbfgs", "gram"),
        ((60_000, 784), 2, "preconditioned-lbfgs", "gram"),
        ((60_000, 3_969), 10, "lbfgs", "gram"),
        ((60_000, 3_969), 2, "lbfgs", "gram"),
        # wide data: no Gram matrix
        ((200, 20_000), 3, "lbfgs", "diagonal"),
        ((2_000, 100_000), 2, "lbfgs", "diagonal"),
        ((20_000, 100_000), 20, "lbfgs", "diagonal"),
        ((200, 10_000), 2, "lbfgs", "diagonal"),
        ((1_000, 2_000), 10, "lbfgs", "diagonal"),
        ((200, 400), 10, "preconditioned-lbfgs", "gram"),
        # kernel features: L2 whitens by the Gram matrix's largest eigenpairs
        ((60_000, 16_000), 10, "preconditioned-lbfgs", "diagonal"),
        ((60_000, 16_000), 2, "preconditioned-lbfgs", "diagonal"),
    ],
)
def test_the_metric_chosen_by_shape(shape, n_classes, l2_solver, l1_metric):
    assert select_solver(_shaped(*shape, n_classes, 0.0)) == l2_solver
    l1 = _shaped(*shape, n_classes, 1.0)
    assert select_solver(l1) == "proximal-qn"
    assert l1.metric_kind() == l1_metric


@pytest.mark.parametrize("m", [0, 3])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_diagonal_kernel_matches_reference(m, fit_intercept):
    """:func:`cd_model_diagonal` against the NumPy twin with ``np.diag(M)``."""
    from test_cd_kernels import _model

    rng = np.random.default_rng(m + 10 * fit_intercept)
    K, p = 3, 6
    q = p + int(fit_intercept)
    M_full, gamma, U_t, QU_t = _model(rng, K, q, m)
    M = np.diag(M_full).copy()
    # a diagonal B0 keeps the compact update positive definite enough here
    W = rng.standard_normal((K, q)) * (rng.random((K, q)) < 0.5)
    G = rng.standard_normal((K, q))
    coords = np.sort(rng.choice(K * q, size=K * q - 4, replace=False)).astype(np.int64)
    B = model_matrix(np.diag(M), gamma, U_t, QU_t, K)
    expected = cd_model_reference(
        np.zeros((K, q)), W, G, np.diag(M), gamma, U_t, QU_t, 0.3, p, coords, 3
    )
    D, DM, r = np.zeros((K, q)), np.zeros((K, q)), np.zeros(U_t.shape[1])
    n_sweeps = cd_model_diagonal(  # the factors on the working set's rows only
        D, DM, r, W, G, M, gamma, U_t[coords], QU_t[coords], np.diag(B)[coords], 0.3, p,
        coords, 3, 0.0,
    )
    assert n_sweeps == 3
    np.testing.assert_allclose(D, expected, rtol=1e-12, atol=1e-12)
    flat = np.zeros(K * q, dtype=bool)
    flat[coords] = True
    np.testing.assert_allclose(DM.ravel()[flat], (D * M).ravel()[flat], rtol=1e-12)
    np.testing.assert_allclose(r, QU_t.T @ D.ravel(), rtol=1e-10, atol=1e-12)


def test_dask_wide_l1_uses_the_column_moments_of_the_chunks(no_gram):
    """A Dask array of wide data: the diagonal metric from the chunks' column
    moments, the same coefficients as on the NumPy array."""
    da = pytest.importorskip("dask.array")
    X, y = _wide(120, 1_000, 2)
    ours = DigitLogisticClassifier(C=0.5, l1_ratio=1.0, tol=1e-8, max_iter=1000)
    on_numpy = ours.fit(X, y).coef_.copy()
    on_dask = ours.fit(da.from_array(X, chunks=(40, 1_000)), y).coef_
    np.testing.assert_allclose(on_dask, on_numpy, rtol=1e-5, atol=1e-8)


def test_wide_proximal_memory_is_bounded_and_still_reaches_saga(no_gram, monkeypatch):
    """With a diagonal metric the kept curvature pairs are bounded in bytes
    (:data:`WIDE_PAIRS_BYTES`, at least 3 pairs): at the floor the solver still
    reaches saga's objective."""
    from skdigit.linear_model import _solver_prox

    sizes = []

    class Recording(_solver_prox._SparseMemory):
        def __init__(self, size, M):
            sizes.append(size)
            super().__init__(size, M)

    monkeypatch.setattr(_solver_prox, "_SparseMemory", Recording)
    monkeypatch.setattr(_solver_prox, "WIDE_PAIRS_BYTES", 1)
    X, y = _wide(60, 800, 3)
    C = 0.5
    ours = DigitLogisticClassifier(C=C, l1_ratio=1.0, tol=1e-8, max_iter=5000).fit(X, y)
    assert sizes == [3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = reference_logistic(C=C, l1_ratio=1.0, solver="saga", tol=1e-6,
                                    max_iter=3000).fit(X, y)
    assert (_objective_value(ours, X, y, C, 1.0)
            <= _objective_value(theirs, X, y, C, 1.0) * (1 + 1e-6))
    monkeypatch.setattr(_solver_prox, "WIDE_PAIRS_BYTES", 40 * 2**20)
    DigitLogisticClassifier(C=C, l1_ratio=1.0, max_iter=3).fit(X, y)
    assert sizes[-1] == _solver_prox.MEMORY


def test_no_callback_no_copy_of_the_coefficients_per_iteration(monkeypatch):
    """Without a callback asking for ``fitted_estimator`` the fit copies the
    coefficients once (the fitted attributes), not twice an iteration: on
    100,000 features and 20 classes each copy is 16 MB."""
    calls = []
    unpack = DigitLogisticClassifier._unpack

    def counting(objective, params, dtype):
        calls.append(1)
        return unpack(objective, params, dtype)

    monkeypatch.setattr(DigitLogisticClassifier, "_unpack", staticmethod(counting))
    X, y = _wide(60, 400, 3, csr=True)
    clf = DigitLogisticClassifier(C=1.0, l1_ratio=1.0, tol=1e-8, max_iter=20).fit(X, y)
    assert clf.n_iter_[0] > 2
    assert len(calls) == 1


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_wide_proximal_fit_holds_few_weight_sized_arrays(l1_ratio):
    """The proximal solver on wide data with many classes holds few arrays of
    the weights' size at its peak: the current rows, gradient and step, one
    reused trial point and its gradient, the kernel's transposed weights and
    its accumulator (one row chunk), besides the kept gradient changes. It
    held 19 (on 100,000 features and 20 classes each is 16 MB)."""
    import tracemalloc

    from skdigit.linear_model import _solver_prox

    n_classes, n_features = 20, 20_000
    X = sparse.random(300, n_features, density=30 / n_features, format="csr",
                      random_state=0)
    y = np.arange(300) % n_classes
    params = dict(C=1.0, l1_ratio=l1_ratio, tol=1e-10, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        DigitLogisticClassifier(max_iter=2, **params).fit(X, y)  # compiled outside
        tracemalloc.start()
        try:
            clf = DigitLogisticClassifier(max_iter=15, **params).fit(X, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert clf.solver_ == "proximal-qn" and clf.n_iter_[0] == 15
    weights = n_classes * (n_features + 1) * 8
    pairs = min(_solver_prox.MEMORY,
                max(3, _solver_prox.WIDE_PAIRS_BYTES // (weights // 2))) * weights / 2
    assert (peak - pairs) / weights < 9.0
