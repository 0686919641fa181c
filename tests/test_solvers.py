"""Every smooth solver reaches scikit-learn's optimum, stops honestly, refuses L1."""

import re

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from skdigit import DigitLogisticClassifier
from skdigit.linear_model._layouts import DenseLayout
from skdigit.linear_model._penalties import L1, ElasticNet, make_penalty
from skdigit.linear_model._solvers import SOLVERS, SolverResult, select_solver
from skdigit.utils import single_threaded_blas

SMOOTH_SOLVERS = sorted(name for name, s in SOLVERS.items() if s.needs_smooth_penalty)


@pytest.fixture(autouse=True)
def _blas_at_one_thread():
    """Solvers are called as the estimator calls them: BLAS held at one thread.

    (Without it OpenBLAS threads spin on L-BFGS-B's small vector work: several
    times slower on a loaded machine.)
    """
    with single_threaded_blas():
        yield


@pytest.fixture(params=["scipy", "numpy"])
def lbfgs_implementation(request, monkeypatch):
    """Run the L-BFGS solvers on scipy's L-BFGS-B, then on the NumPy twin.

    The NumPy L-BFGS (:mod:`skdigit.linear_model._lbfgs`) runs only from
    100,000 variables on; the threshold is lowered so that these small
    problems check its stopping, callbacks and progress printing as well.
    """
    from skdigit.linear_model import _solvers

    if request.param == "numpy":
        monkeypatch.setattr(_solvers, "_NUMPY_LBFGS_MIN_PARAMS", 0)
    return request.param


@pytest.fixture(scope="module")
def subset(digits):
    """600 of the digits: enough for the solvers' paths, cheap on a shared machine."""
    X, y = digits
    return X[:600], y[:600]


@pytest.fixture(scope="module")
def sklearn_models(subset):
    X, y = subset
    sw = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    out = {}
    for binary in (False, True):
        yy = (y == 2).astype(int) if binary else y
        for weighted in (False, True):
            out[binary, weighted] = LogisticRegression(
                C=0.5, tol=1e-10, max_iter=10_000
            ).fit(X, yy, sample_weight=sw if weighted else None)
    return out, sw


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(
    "dtype, as_csr, weighted",
    [(np.float64, False, True), (np.float32, True, False)],
    ids=["float64-dense-weighted", "float32-csr"],
)
def test_solver_reaches_sklearn_optimum(
    subset, make_objective, sklearn_models, solver, binary, dtype, as_csr, weighted,
    lbfgs_implementation,
):
    X, y = subset
    models, sw = sklearn_models
    theirs = models[binary, weighted]
    if binary:
        y = (y == 2).astype(int)
    X = X.astype(dtype)
    if as_csr:
        X = sparse.csr_matrix(X)
    sw = sw if weighted else np.ones(len(y))
    objective = make_objective(
        X, y, sample_weight=sw, penalty=make_penalty(0.5, 0.0, sw.sum()), n_threads=2
    )
    result = SOLVERS[solver].solve(
        objective, objective.coef.zeros(), tol=1e-10, max_iter=10_000
    )
    assert isinstance(result, SolverResult)
    assert 0 < result.n_iter <= 10_000
    W, b = objective.coef.unpack(result.params)
    scale = np.abs(theirs.coef_).max()
    # float32 data is rounded to 24 bits: the optimum moves by about that much
    rtol = 1e-4 if dtype == np.float64 else 3e-4
    np.testing.assert_allclose(W, theirs.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(b, theirs.intercept_, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_solver_stops_on_the_documented_criterion(
    subset, make_objective, solver, lbfgs_implementation,
):
    X, y = subset
    objective = make_objective(X, y, n_threads=2)
    result = SOLVERS[solver].solve(objective, objective.coef.zeros(), tol=1e-5,
                                   max_iter=10_000)
    assert result.converged
    _, grad = objective.loss_gradient(result.params)
    # max |gradient| <= tol, or no representable progress
    assert (
        objective.optimality(result.params, grad) <= 1e-5
        or "RELATIVE REDUCTION" in result.message
    )


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("penalty", [L1(0.01), ElasticNet(0.01, 0.5)], ids=repr)
def test_smooth_solver_refuses_l1_with_a_clear_error(digits, make_objective, solver,
                                                     penalty):
    X, y = digits
    objective = make_objective(X[:100], y[:100], penalty=penalty)
    with pytest.raises(ValueError, match=f"solver={solver!r} handles only smooth"):
        SOLVERS[solver].solve(objective, objective.coef.zeros(), tol=1e-4, max_iter=10)
    with pytest.raises(ValueError, match="l1_ratio > 0"):
        SOLVERS[solver].check(objective)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_max_iter_zero_returns_the_start(subset, make_objective, solver, lbfgs_implementation):
    X, y = subset
    objective = make_objective(X, y)
    start = np.random.default_rng(0).normal(size=objective.n_params)
    calls = []
    result = SOLVERS[solver].solve(objective, start, tol=1e-4, max_iter=0,
                                   callback=lambda *a: calls.append(a))
    assert result.n_iter == 0 and not result.converged and not calls
    np.testing.assert_array_equal(result.params, start)
    assert result.params is not start  # a copy


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("max_iter", [1, 4])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])  # float32: two phases
def test_n_iter_never_exceeds_max_iter(
    subset, make_objective, solver, max_iter, dtype, lbfgs_implementation,
):
    X, y = subset
    objective = make_objective(X.astype(dtype), y)
    seen = []
    result = SOLVERS[solver].solve(
        objective, objective.coef.zeros(), tol=1e-12, max_iter=max_iter,
        callback=lambda n_iter, params: seen.append(n_iter),
    )
    assert result.n_iter == max_iter and not result.converged
    assert seen == list(range(1, max_iter + 1))


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_callback_can_stop_the_solver(subset, make_objective, solver, dtype, lbfgs_implementation):
    X, y = subset
    objective = make_objective(X.astype(dtype), y)
    seen = []

    def callback(n_iter, params):
        seen.append(params.copy())
        return n_iter == 3

    result = SOLVERS[solver].solve(objective, objective.coef.zeros(), tol=1e-12,
                                   max_iter=100, callback=callback)
    assert result.n_iter == 3 and len(seen) == 3
    assert "callback" in result.message
    # the callback sees coefficients, not the whitened variables (returned in
    # scikit-learn's representation of the multinomial model)
    np.testing.assert_allclose(result.params, objective.centred(seen[-1]), rtol=1e-12)


@pytest.mark.parametrize("solver", SMOOTH_SOLVERS)
def test_float32_dense_runs_fast_then_at_full_precision(subset, make_objective, solver,
                                                        monkeypatch):
    X, y = subset
    X32 = X.astype(np.float32)
    objective = make_objective(X32, y, n_threads=2)
    assert objective.layout.name == "dense"
    products = []
    sums = DenseLayout.loss_gradient_sums

    def recording(layout, *args):
        products.append(layout.products_dtype)
        return sums(layout, *args)

    monkeypatch.setattr(DenseLayout, "loss_gradient_sums", recording)
    result = SOLVERS[solver].solve(objective, objective.coef.zeros(), tol=1e-9,
                                   max_iter=10_000)
    # float32 products first, then float64 ones to the end: the test of tol and
    # the last iterations are at full precision
    switch = products.index(np.float64)
    assert switch > 10 and set(products[switch:]) == {np.dtype(np.float64)}
    _, grad = objective.loss_gradient(result.params)
    # the documented criterion, as for float64 data: converged exactly when it
    # holds; otherwise float64's rounding stopped it (no iteration limit)
    optimality = objective.optimality(result.params, grad)
    assert result.converged == (optimality <= 1e-9)
    assert result.converged or (
        "no further decrease is representable" in result.message
        and result.n_iter < 10_000 and result.optimality == pytest.approx(optimality)
    )
    # the optimum of the float64 products alone
    monkeypatch.setattr(DenseLayout, "reduced_precision", lambda layout: None)
    products.clear()
    alone = SOLVERS[solver].solve(objective, objective.coef.zeros(), tol=1e-9,
                                  max_iter=10_000)
    assert set(products) == {np.dtype(np.float64)}
    # the same optimum, to float64's resolution of the objective (the weights
    # themselves are loosely determined in this flat problem)
    np.testing.assert_allclose(objective.value(result.params),
                               objective.value(alone.params), rtol=1e-11)


def test_verbose_prints_progress(subset, make_objective, capsys, lbfgs_implementation):
    X, y = subset
    objective = make_objective(X, y)
    SOLVERS["lbfgs"].solve(objective, objective.coef.zeros(), tol=1e-12, max_iter=3,
                           verbose=2)
    out = capsys.readouterr().out
    assert out.count("[lbfgs] iteration") == 3 and "objective" in out


def test_preconditioning_cuts_iterations(subset, make_objective):
    X, y = subset
    objective = make_objective(X, y)
    plain = SOLVERS["lbfgs"].solve(objective, objective.coef.zeros(), tol=1e-5,
                                   max_iter=10_000)
    pre = SOLVERS["preconditioned-lbfgs"].solve(
        objective, objective.coef.zeros(), tol=1e-5, max_iter=10_000
    )
    assert plain.converged and pre.converged
    assert pre.n_iter * 2 < plain.n_iter
    # both within tol of the same optimum: by strong convexity (modulus l2), each
    # value is within ||gradient||^2 / (2 l2) of the minimum
    gaps = [
        np.sum(objective.loss_gradient(r.params)[1] ** 2) / (2 * objective.penalty.l2)
        for r in (plain, pre)
    ]
    assert abs(objective.value(pre.params) - objective.value(plain.params)) <= max(gaps)


def test_start_at_optimum_takes_no_iteration(subset, make_objective, lbfgs_implementation):
    X, y = subset
    objective = make_objective(X, y)
    solver = SOLVERS["preconditioned-lbfgs"]
    first = solver.solve(objective, objective.coef.zeros(), tol=1e-6, max_iter=10_000)
    again = solver.solve(objective, first.params, tol=1e-6, max_iter=10_000)
    assert again.converged and again.n_iter == 0
    # the start itself, not the start mapped to the whitened variables and back
    # (a regularization path that stays put between two C keeps its norm)
    np.testing.assert_array_equal(again.params, objective.centred(first.params))


@pytest.mark.parametrize(
    "n_classes, n_samples, n_features, expected",
    [
        (10, 784, 784, "preconditioned-lbfgs"),
        (10, 2048, 2048, "preconditioned-lbfgs"),
        (10, 4096, 2049, "lbfgs"),
        # dense kernel features: the low-rank metric
        (10, 4097, 4097, "preconditioned-lbfgs"),
        (2, 4097, 4097, "preconditioned-lbfgs"),
        (10, 4096, 4096, "lbfgs"),
        (10, 4097, 4098, "lbfgs"),
        (10, 20, 512, "preconditioned-lbfgs"),
        # wide data: the Gram matrix would cost more than the fit
        (10, 20, 513, "lbfgs"),
        (10, 783, 784, "lbfgs"),
        (3, 20, 64, "preconditioned-lbfgs"),
        (2, 20 * 50, 50, "preconditioned-lbfgs"),
        (2, 20 * 50 - 1, 50, "lbfgs"),
        (2, 20, 784, "lbfgs"),
    ],
)
def test_select_solver_rule(make_objective, n_classes, n_samples, n_features, expected):
    y = np.arange(n_samples) % n_classes
    objective = make_objective(np.zeros((n_samples, n_features)), y)
    assert select_solver(objective) == expected


def test_select_solver_keeps_plain_lbfgs_on_wide_sparse_data(make_objective):
    y = np.arange(4097) % 10
    objective = make_objective(sparse.csr_matrix((4097, 4097)), y)
    assert select_solver(objective) == "lbfgs"


def test_select_solver_for_l1_picks_the_proximal_solver(make_objective):
    y = np.arange(20) % 3
    objective = make_objective(np.zeros((20, 8)), y, penalty=L1(0.1))
    assert not SOLVERS[select_solver(objective)].needs_smooth_penalty


def test_auto_resolves_to_the_rule(digits, make_objective):
    X, y = digits
    clf = DigitLogisticClassifier(max_iter=500)
    assert clf.get_params()["solver"] == "auto"
    clf.fit(X, y)
    assert clf.solver_ == select_solver(make_objective(X, y))
    explicit = DigitLogisticClassifier(max_iter=500, solver=clf.solver_).fit(X, y)
    np.testing.assert_array_equal(clf.coef_, explicit.coef_)


def test_auto_solver_docstring_states_rule_and_criterion():
    doc = DigitLogisticClassifier.__doc__
    assert '"auto"' in doc and "select_solver" in doc
    for name in SMOOTH_SOLVERS:
        assert f'``"{name}"``' in doc
        assert "tol" in type(SOLVERS[name]).__doc__


@pytest.fixture(scope="module")
def wide_correlated():
    """Dense float32 data of 2,100 features spanned by 30 directions of decaying scale."""
    rng = np.random.default_rng(0)
    n, d = 2500, 2100
    X = (rng.normal(size=(n, 30)) * np.logspace(0, -1.5, 30)) @ rng.normal(size=(30, d))
    X = (X + 0.05 * rng.normal(size=(n, d))).astype(np.float32)
    y = (X[:, :5] @ rng.normal(size=5) > 0).astype(int) + (X[:, 5:10] @ rng.normal(size=5) > 0)
    return X, y


def test_preconditioned_lbfgs_on_wide_data_whitens_by_a_low_rank_metric(
    wide_correlated, make_objective, monkeypatch
):
    """Above 2048 features no Gram matrix is built, and the fit needs far fewer iterations."""
    from skdigit.linear_model import _metric

    # as if the (n_features + 1)-square Gram matrix could not fit in memory
    monkeypatch.setattr(_metric, "available_memory", lambda: 2**20)
    X, y = wide_correlated
    objective = make_objective(X, y)
    solver = SOLVERS["preconditioned-lbfgs"]
    solver.check(objective)  # no MemoryError
    ours = solver.solve(objective, objective.coef.zeros(), tol=1e-4, max_iter=300)
    assert not objective.has_gram()
    assert ours.converged and ours.n_iter < 100
    plain = SOLVERS["lbfgs"].solve(objective, objective.coef.zeros(), tol=1e-4, max_iter=300)
    assert not plain.converged  # 1,462 iterations to tol=1e-4
    assert objective.value(ours.params) < objective.value(plain.params)
    # seeded: the same fit twice
    again = solver.solve(make_objective(X, y), objective.coef.zeros(), tol=1e-4, max_iter=300)
    np.testing.assert_array_equal(again.params, ours.params)


@pytest.mark.parametrize("wide", [True, False])
def test_verbose_announces_the_preconditioner_before_building_it(
    wide, wide_correlated, subset, make_objective, capsys
):
    """Building a preconditioner takes seconds on wide data: a verbose fit says
    so before and after, once per objective (a path reuses it silently)."""
    X, y = wide_correlated if wide else subset
    objective = make_objective(X, y)
    solver = SOLVERS["preconditioned-lbfgs"]
    solver.solve(objective, objective.coef.zeros(), tol=1e-12, max_iter=1, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[preconditioned-lbfgs] preconditioner: ")
    assert ("largest eigenpairs" in lines[0]) == wide
    assert re.fullmatch(r"\[preconditioned-lbfgs\] preconditioner ready \(\d+\.\d s\)",
                        lines[1])
    assert lines[2].startswith("[preconditioned-lbfgs] iteration    1")
    solver.solve(objective, objective.coef.zeros(), tol=1e-12, max_iter=1, verbose=1)
    assert "preconditioner" not in capsys.readouterr().out
    solver.solve(make_objective(X, y), objective.coef.zeros(), tol=1e-12, max_iter=1)
    assert capsys.readouterr().out == ""


def test_preconditioned_lbfgs_on_wide_sparse_data_still_needs_the_gram_matrix(
    wide_correlated, make_objective, monkeypatch
):
    from skdigit.linear_model import _metric

    monkeypatch.setattr(_metric, "available_memory", lambda: 2**20)
    X, y = wide_correlated
    objective = make_objective(sparse.csr_matrix(X), y)
    with pytest.raises(MemoryError, match="Gram matrix"):
        SOLVERS["preconditioned-lbfgs"].check(objective)
