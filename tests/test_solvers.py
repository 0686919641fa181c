"""Every solver reaches scikit-learn's optimum, stops honestly, and "auto" is documented."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skdigit import DigitLogisticClassifier
from skdigit.linear_model._loss import LogisticObjective
from skdigit.linear_model._solvers import SOLVERS, SolverResult, select_solver

SOLVER_NAMES = sorted(SOLVERS) + ["auto"]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.fixture(scope="module")
def sklearn_models(digits):
    X, y = digits
    sw = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    out = {}
    for binary in (False, True):
        yy = (y == 2).astype(int) if binary else y
        for weighted in (False, True):
            out[binary, weighted] = LogisticRegression(
                C=0.5, tol=1e-10, max_iter=10_000
            ).fit(X, yy, sample_weight=sw if weighted else None)
    return out, sw


def _digits_objective(X, y, n_classes=10, n_features=None, n_threads=1):
    """The mean-scaled objective at C=1 (``X`` of zeros when ``n_features``)."""
    if n_features is not None:
        X = np.zeros((len(y), n_features))
    return LogisticObjective(
        X, y, np.ones(len(y)), n_classes, fit_intercept=True,
        l2_reg_strength=1.0 / len(y), n_threads=n_threads,
    )


@pytest.mark.parametrize("solver", SOLVER_NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("as_csr", [False, True])
@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_solver_reaches_sklearn_optimum(
    digits, sklearn_models, solver, dtype, as_csr, binary, weighted
):
    X, y = digits
    models, sw = sklearn_models
    theirs = models[binary, weighted]
    if binary:
        y = (y == 2).astype(int)
    X = X.astype(dtype)
    if as_csr:
        X = sparse.csr_matrix(X)
    ours = DigitLogisticClassifier(
        C=0.5, tol=1e-10, max_iter=10_000, solver=solver
    ).fit(X, y, sample_weight=sw if weighted else None)
    assert ours.solver_ in SOLVERS
    scale = np.abs(theirs.coef_).max()
    # float32 data is rounded to 24 bits: the optimum moves by about that much
    rtol = 1e-4 if dtype == np.float64 else 3e-4
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(
        ours.intercept_, theirs.intercept_, rtol=rtol, atol=rtol * scale
    )


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_solver_stops_on_gradient_tolerance(digits, solver):
    X, y = digits
    objective = _digits_objective(X, y, n_threads=2)
    result = SOLVERS[solver](
        objective, np.zeros(objective.n_params), tol=1e-5, max_iter=10_000
    )
    assert isinstance(result, SolverResult)
    assert result.converged
    loss, grad = objective.loss_gradient(result.params)
    assert loss == pytest.approx(result.objective, rel=1e-12)
    # the documented criterion: max |gradient| <= tol, or no representable progress
    assert np.abs(grad).max() <= 1e-5 or "RELATIVE REDUCTION" in result.message


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_solver_reports_max_iter_as_not_converged(digits, solver):
    X, y = digits
    objective = _digits_objective(X, y)
    result = SOLVERS[solver](
        objective, np.zeros(objective.n_params), tol=1e-12, max_iter=4
    )
    assert not result.converged and result.n_iter == 4


def test_auto_is_the_default_and_resolves_to_a_solver(digits):
    X, y = digits
    clf = DigitLogisticClassifier(max_iter=500)
    assert clf.get_params()["solver"] == "auto"
    clf.fit(X, y)
    objective = LogisticObjective(
        X, y, np.ones(len(y)), 10, fit_intercept=True, l2_reg_strength=1.0,
        n_threads=1,
    )
    assert clf.solver_ == select_solver(objective)
    explicit = DigitLogisticClassifier(max_iter=500, solver=clf.solver_).fit(X, y)
    np.testing.assert_array_equal(clf.coef_, explicit.coef_)


def test_auto_solver_docstring_states_rule_and_criterion():
    doc = DigitLogisticClassifier.__doc__
    assert '"auto"' in doc and "select_solver" in doc
    for name in SOLVERS:
        assert f'``"{name}"``' in doc
        assert "tol" in SOLVERS[name].__doc__


def test_preconditioning_cuts_iterations(digits):
    X, y = digits
    objective = _digits_objective(X, y)
    plain = SOLVERS["lbfgs"](objective, np.zeros(objective.n_params), tol=1e-5,
                             max_iter=10_000)
    pre = SOLVERS["preconditioned-lbfgs"](
        objective, np.zeros(objective.n_params), tol=1e-5, max_iter=10_000
    )
    assert plain.converged and pre.converged
    assert pre.n_iter * 2 < plain.n_iter
    # both within tol of the same optimum
    assert pre.objective == pytest.approx(plain.objective, rel=1e-6)


def test_preconditioned_start_at_optimum_takes_no_iteration(digits):
    X, y = digits
    objective = _digits_objective(X, y)
    solve = SOLVERS["preconditioned-lbfgs"]
    first = solve(objective, np.zeros(objective.n_params), tol=1e-6, max_iter=10_000)
    again = solve(objective, first.params, tol=1e-6, max_iter=10_000)
    assert again.converged and again.n_iter == 0
    np.testing.assert_allclose(again.params, first.params, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "n_classes, n_features, expected",
    [
        (10, 784, "preconditioned-lbfgs"),
        (10, 2048, "preconditioned-lbfgs"),
        (10, 2049, "lbfgs"),
        (3, 64, "preconditioned-lbfgs"),
        (2, 256, "preconditioned-lbfgs"),
        (2, 257, "lbfgs"),
        (2, 784, "lbfgs"),
    ],
)
def test_auto_rule(n_classes, n_features, expected):
    y = np.arange(20) % n_classes
    objective = _digits_objective(None, y, n_classes, n_features)
    assert select_solver(objective) == expected
