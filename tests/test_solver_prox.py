"""The proximal quasi-Newton solver reaches saga's L1 / elastic-net optimum and stops honestly."""

import functools
import warnings

import numpy as np
import pytest
from _sklearn_versions import reference_logistic
from scipy import sparse
from sklearn.datasets import load_digits

from skdigit.linear_model._layouts import make_layout
from skdigit.linear_model._loss import LogisticObjective
from skdigit.linear_model._penalties import make_penalty
from skdigit.linear_model._solvers import SOLVERS
from skdigit.utils._threads import single_threaded_blas

SOLVER = SOLVERS["proximal-qn"]

C = 0.1


@functools.cache
def _digits():
    X, y = load_digits(return_X_y=True)
    sw = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    return X / 16.0, y, sw


def _problem(X, y, sw, n_classes, *, fit_intercept, l1_ratio, C=C):
    """The mean-scaled objective of scikit-learn's ``C`` and ``l1_ratio``."""
    return LogisticObjective(
        make_layout(X), y, sw, n_classes, fit_intercept=fit_intercept,
        penalty=make_penalty(C, l1_ratio, float(sw.sum())), n_threads=1,
    )


def _solve(objective, x0=None, **kwargs):
    """Run the solver as the estimator does (BLAS on one thread)."""
    x0 = np.zeros(objective.n_params) if x0 is None else x0
    with single_threaded_blas():
        return SOLVER.solve(objective, x0, **kwargs)


@functools.cache
def _saga(binary, l1_ratio, fit_intercept):
    X, y, sw = _digits()
    yy = (y == 2).astype(int) if binary else y
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # saga must have converged
        return reference_logistic(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-7, max_iter=10_000,
            fit_intercept=fit_intercept,
        ).fit(X, yy, sample_weight=sw)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("binary", [False, True])
def test_reaches_saga_optimum(binary, l1_ratio, fit_intercept):
    X, y, sw = _digits()
    theirs = _saga(binary, l1_ratio, fit_intercept)
    if binary:
        y = (y == 2).astype(int)
    objective = _problem(
        X, y, sw, 2 if binary else 10, fit_intercept=fit_intercept,
        l1_ratio=l1_ratio,
    )
    res = _solve(objective, tol=1e-8, max_iter=2000)
    assert res.converged, res.message
    W, b = objective.coef.unpack(res.params)
    their_params = objective.coef.pack(theirs.coef_, theirs.intercept_)
    ours, saga = objective.value(res.params), objective.value(their_params)
    assert ours <= saga + 1e-12 * abs(saga)
    assert np.linalg.norm(W - theirs.coef_) <= 1e-3 * np.linalg.norm(theirs.coef_)
    if fit_intercept:
        # softmax is unchanged by a common shift of the intercepts, and the
        # intercepts are not penalized: only their differences are determined
        theirs_b = theirs.intercept_
        if not binary:
            b, theirs_b = b - b.mean(), theirs_b - theirs_b.mean()
        np.testing.assert_allclose(b, theirs_b, rtol=1e-3, atol=1e-4)
    # exact zeros, the same ones as saga's wherever saga's weight is not tiny
    assert np.mean(W == 0) > 0.3
    clear = np.abs(theirs.coef_) > 1e-3 * np.abs(theirs.coef_).max()
    assert not np.any((W == 0) & clear)
    assert np.mean((W == 0) == (theirs.coef_ == 0)) > 0.97


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_stops_on_min_norm_subgradient(binary, l1_ratio):
    """``converged`` means the documented rule holds at the returned point, and
    the rule is tight: the point before the last one violates it."""
    X, y, sw = _digits()
    if binary:
        y = (y == 2).astype(int)
    objective = _problem(
        X, y, sw, 2 if binary else 10, fit_intercept=True, l1_ratio=l1_ratio
    )
    seen = []
    tol = 1e-5
    res = _solve(
        objective, tol=tol, max_iter=500,
        callback=lambda it, params: seen.append(params.copy()),
    )
    assert res.converged

    def violation(params):
        W, _ = objective.coef.unpack(params)
        G_W, g_b = objective.coef.unpack(objective.loss_gradient(params)[1])
        # by hand: a zero weight violates by max(|g| - l1, 0), others |g + l1 sign w|
        l1 = objective.penalty.l1
        at_zero = np.maximum(np.abs(G_W) - l1, 0.0)
        elsewhere = np.abs(G_W + l1 * np.sign(W))
        return max(np.where(W == 0, at_zero, elsewhere).max(), np.abs(g_b).max())

    assert violation(res.params) <= tol
    # the callback sees every iteration, the last one included (returned in
    # scikit-learn's representation: the multinomial intercepts centred)
    assert len(seen) == res.n_iter
    np.testing.assert_array_equal(objective.centred(seen[-1]), res.params)
    assert violation(seen[-2]) > tol
    # zeros are exact and there are many
    assert np.mean(objective.coef.unpack(res.params)[0] == 0) > 0.2


def test_without_l1_matches_the_l2_solver():
    """``l1 = 0`` (pure L2) is the smooth problem the L-BFGS solver solves."""
    X, y, sw = _digits()
    objective = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=0.0)
    ours = _solve(objective, tol=1e-8, max_iter=1000)
    with single_threaded_blas():
        ref = SOLVERS["preconditioned-lbfgs"].solve(
            objective, np.zeros(objective.n_params), tol=1e-8, max_iter=1000
        )
    assert ours.converged and ref.converged
    # multinomial intercepts are fixed only up to a common shift (the objective
    # is flat along it): compare them centred
    (W, b), (W_ref, b_ref) = objective.coef.unpack(ours.params), objective.coef.unpack(ref.params)
    np.testing.assert_allclose(W, W_ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b - b.mean(), b_ref - b_ref.mean(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("as_csr", [False, True])
def test_float32_and_csr_reach_the_float64_optimum(as_csr):
    X, y, sw = _digits()
    objective = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=1.0)
    ref = _solve(objective, tol=1e-8, max_iter=1000)
    X32 = X.astype(np.float32)
    X32 = sparse.csr_matrix(X32) if as_csr else X32
    objective32 = _problem(X32, y, sw, 10, fit_intercept=True, l1_ratio=1.0)
    res = _solve(objective32, tol=1e-6, max_iter=1000)
    assert res.converged
    assert np.linalg.norm(res.params - ref.params) <= 1e-3 * np.linalg.norm(ref.params)


def test_max_iter_callback_and_optimal_start():
    X, y, sw = _digits()
    objective = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=1.0)
    res = _solve(objective, tol=1e-10, max_iter=3)
    assert (res.n_iter, res.converged) == (3, False)
    res = _solve(objective, tol=1e-10, max_iter=0)
    assert res.n_iter == 0 and not res.converged
    np.testing.assert_array_equal(res.params, np.zeros(objective.n_params))
    calls = []
    res = _solve(
        objective, tol=1e-10, max_iter=100,
        callback=lambda it, params: calls.append(it) or it == 4,
    )
    assert calls == [1, 2, 3, 4] and res.n_iter == 4
    # a strong enough L1 term makes zero weights optimal (intercepts fitted)
    strong = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=1.0, C=1e-4)
    solved = _solve(strong, tol=1e-9, max_iter=200)
    assert solved.converged and np.all(strong.coef.unpack(solved.params)[0] == 0)
    again = _solve(strong, solved.params, tol=1e-9, max_iter=200)
    assert again.n_iter == 0 and again.converged


def test_refuses_nothing_and_is_what_auto_picks_for_l1():
    X, y, sw = _digits()
    from skdigit.linear_model._solvers import select_solver

    for l1_ratio in (1.0, 0.5):
        objective = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=l1_ratio)
        SOLVER.check(objective)
        assert select_solver(objective) == "proximal-qn"


def _face_problem(seed, m=3, K=3, p=7, fit_intercept=True):
    """A random L1 model (its matrix from the kernel tests' genuine compact
    BFGS update) and the exact solution of coordinate descent on it."""
    from test_cd_kernels import _model

    from skdigit.linear_model._cd_kernels import cd_model
    from skdigit.linear_model._cd_reference import model_matrix

    rng = np.random.default_rng(seed)
    q = p + int(fit_intercept)
    M, gamma, U_t, QU_t = _model(rng, K, q, m)
    # Q^-1 = the middle matrix: QU_t = U_t Q^T, so Q = lstsq(U_t, QU_t)^T
    middle = np.linalg.inv(np.linalg.lstsq(U_t, QU_t, rcond=None)[0].T) if m else np.zeros((0, 0))
    B = model_matrix(M, gamma, U_t, QU_t, K)
    W = rng.standard_normal((K, q)) * (rng.random((K, q)) < 0.5)
    G = rng.standard_normal((K, q))
    l1 = 0.4
    coords = np.arange(K * q, dtype=np.int64)
    D = np.zeros((K, q))
    cd_model(D, np.zeros((K, q)), np.zeros(U_t.shape[1]), W, G, M, gamma, U_t, QU_t,
             np.diag(B).copy(), l1, p, coords, 100_000, 1e-15)
    return dict(M=M, gamma=gamma, U=U_t, QU=QU_t, middle=middle, B=B, W=W, G=G, l1=l1,
                p=p, coords=coords), D


def _face_newton(pb, D, factors=None):
    from skdigit.linear_model._solver_prox import face_newton

    D = D.copy()
    DM = D @ pb["M"]
    r = pb["QU"].T @ D.ravel()
    accepted = face_newton(D, DM, r, pb["W"], pb["G"], pb["M"], pb["gamma"], pb["U"],
                           pb["QU"], pb["middle"], pb["l1"], pb["p"], pb["coords"],
                           {} if factors is None else factors)
    return accepted, D, DM, r


@pytest.mark.parametrize("m", [0, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_face_newton_solves_the_model_on_its_face(m, fit_intercept):
    """From a point with the optimum's signs, one step lands on the minimizer of
    the L1 model (the low-rank part through Woodbury), and the maintained
    products are those of the new step."""
    pb, optimum = _face_problem(m + 2 * fit_intercept, m=m, fit_intercept=fit_intercept)
    x_opt = pb["W"] + optimum
    penalized = np.arange(x_opt.shape[1]) < pb["p"]
    assert np.any((x_opt == 0) & penalized) and np.any((x_opt != 0) & penalized)
    rng = np.random.default_rng(0)
    # same signs, same zeros, other values
    start = optimum + np.where(x_opt != 0, 0.05 * np.abs(x_opt) * rng.random(x_opt.shape), 0)
    accepted, D, DM, r = _face_newton(pb, start)
    assert accepted
    np.testing.assert_allclose(D, optimum, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(DM, D @ pb["M"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r, pb["QU"].T @ D.ravel(), rtol=1e-10, atol=1e-12)


def test_face_newton_never_raises_the_model_and_caches_factors():
    """From points with wrong signs the step is taken only when it lowers the
    model (coordinates it would flip are set to zero); the factors it keeps
    give the same step when the non-zero set repeats."""
    from skdigit.linear_model._cd_reference import model_value

    pb, optimum = _face_problem(5)
    rng = np.random.default_rng(1)
    taken = 0
    for _ in range(20):
        start = optimum + 0.5 * rng.standard_normal(optimum.shape)
        before = model_value(start, pb["W"], pb["G"], pb["B"], pb["l1"], pb["p"])
        factors = {}
        accepted, D, _, _ = _face_newton(pb, start, factors)
        after = model_value(D, pb["W"], pb["G"], pb["B"], pb["l1"], pb["p"])
        if accepted:
            taken += 1
            assert after < before
            assert set(factors) == {0, 1, 2}
            again = _face_newton(pb, start, factors)  # every factor from the cache
            np.testing.assert_array_equal(again[1], D)
        else:
            np.testing.assert_array_equal(D, start)
    assert taken >= 10


def test_face_newton_diagonal_metric_is_the_dense_one():
    """With a diagonal metric (given as its diagonal, as the solver does on wide
    data) the step is the one of the same metric as a matrix, and no dense
    block nor factor is formed."""
    from skdigit.linear_model._cd_kernels import cd_model
    from skdigit.linear_model._cd_reference import model_matrix
    from skdigit.linear_model._solver_prox import _SparseMemory, face_newton

    rng = np.random.default_rng(2)
    K, p, q, gamma, l1 = 3, 7, 8, 1.7, 0.4
    diagonal = 0.5 + rng.random(q)
    memory = _SparseMemory(3, diagonal)
    H = rng.standard_normal((K * q, K * q))
    H = H @ H.T / (K * q) + np.eye(K * q)
    for _ in range(3):  # genuine pairs y = H s: the model stays positive definite
        s = rng.standard_normal(K * q) * (rng.random(K * q) < 0.5)
        assert memory.push(s, H @ s)
    U, QU, middle = memory.factors(gamma, K * q)
    B = model_matrix(np.diag(diagonal), gamma, U, QU, K)
    W = rng.standard_normal((K, q)) * (rng.random((K, q)) < 0.5)
    G = rng.standard_normal((K, q))
    coords = np.arange(K * q, dtype=np.int64)
    optimum = np.zeros((K, q))
    cd_model(optimum, np.zeros((K, q)), np.zeros(U.shape[1]), W, G, np.diag(diagonal), gamma,
             U, QU, np.diag(B).copy(), l1, p, coords, 100_000, 1e-15)
    x_opt = W + optimum
    start = optimum + np.where(x_opt != 0, 0.05 * np.abs(x_opt) * rng.random(x_opt.shape), 0)
    results = []
    for M in (np.diag(diagonal), diagonal):
        D = start.copy()
        DM = D * diagonal
        r = QU.T @ D.ravel()
        factors = {}
        accepted = face_newton(D, DM, r, W, G, M, gamma, U, QU, middle, l1, p, coords, factors)
        results.append((accepted, D, DM, r, factors))
    (ok_dense, *dense, _), (ok_diag, *diag, factors) = results
    assert ok_dense and ok_diag and factors == {}
    np.testing.assert_allclose(diag[0], optimum, rtol=1e-9, atol=1e-10)
    for a, b in zip(dense, diag):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_sparse_memory_has_the_dense_memory_factors():
    """The diagonal metric's memory (each ``s`` on its support, ``s M`` not
    kept) gives the factors of the dense memory, whole and on a working set,
    as pairs are pushed past its size."""
    from skdigit.linear_model._solver_prox import _Memory, _SparseMemory

    rng = np.random.default_rng(0)
    n, size = 40, 3
    M = np.tile(0.5 + rng.random(10), 4)  # the diagonal of one class's metric, tiled
    dense, sparse_memory = _Memory(size, np.diag(M[:10])), _SparseMemory(size, M[:10])
    for push in range(5):
        s = rng.standard_normal(n) * (rng.random(n) < 0.3)
        # (y in float32: what the diagonal metric's memory keeps)
        y = (s * M + 0.1 * rng.standard_normal(n)).astype(np.float32).astype(np.float64)
        for memory in (dense, sparse_memory):
            memory.push(s.reshape(4, 10), y.reshape(4, 10))
        for coords in (None, np.sort(rng.choice(n, 15, replace=False))):
            for a, b in zip(dense.factors(1.7, n, coords), sparse_memory.factors(1.7, n, coords)):
                np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)
    assert len(sparse_memory) == size


def test_sparse_memory_skips_a_pair_without_curvature_once_rounded():
    from skdigit.linear_model._solver_prox import _SparseMemory

    memory = _SparseMemory(3, np.ones(4))
    assert not memory.push(np.array([1.0, 0, 0, 0]), np.array([1e-12, 1.0, 0, 0]))
    assert len(memory) == 0
    assert memory.push(np.array([1.0, 0, 0, 0]), np.array([0.5, 1.0, 0, 0]))
    assert len(memory) == 1

