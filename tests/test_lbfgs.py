"""The NumPy L-BFGS: scipy's L-BFGS-B's iterates without bounds, chosen for many variables."""

import warnings

import numpy as np
import pytest
from scipy import optimize, sparse
from sklearn.exceptions import ConvergenceWarning

from skdigit import DigitLogisticClassifier
from skdigit.linear_model import _solvers
from skdigit.linear_model._lbfgs import minimize_lbfgs

FTOL = 64 * np.finfo(float).eps


def _scipy(fun, x0, max_iter, callback=None):
    return optimize.minimize(
        fun, x0, jac=True, method="L-BFGS-B", callback=callback,
        options={"maxiter": max_iter, "gtol": 0.0, "ftol": FTOL, "maxls": 50},
    )


def _softmax_problem(digits):
    """Multinomial logistic loss with an L2 term on 300 digits: 650 variables."""
    X, y = digits
    X, y = X[:300], y[:300]
    n, p = X.shape
    Y = np.eye(10)[y]

    def fun(w):
        W = w.reshape(10, p + 1)
        Z = X @ W[:, :p].T + W[:, p]
        Z -= Z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(Z).sum(axis=1))
        R = (np.exp(Z - lse[:, None]) - Y) / n
        G = np.empty_like(W)
        G[:, :p] = R.T @ X + 1e-3 * W[:, :p]
        G[:, p] = R.sum(axis=0)
        return (lse - (Z * Y).sum(axis=1)).mean() + 5e-4 * (W[:, :p] ** 2).sum(), G.ravel()

    return fun, np.zeros(10 * (p + 1))


def _rosenbrock():
    return lambda x: (optimize.rosen(x), optimize.rosen_der(x)), np.full(8, -1.2)


def _ill_conditioned_quadratic():
    d = np.logspace(0, 4, 50)
    return lambda x: (0.5 * x @ (d * x) - x.sum(), d * x - 1.0), np.zeros(50)


PROBLEMS = {"softmax": _softmax_problem, "rosenbrock": _rosenbrock,
            "quadratic": _ill_conditioned_quadratic}


@pytest.mark.parametrize("name", PROBLEMS)
def test_same_iterates_and_optimum_as_scipy_lbfgsb(name, digits):
    fun, x0 = PROBLEMS[name](digits) if name == "softmax" else PROBLEMS[name]()
    # the same method: the same first iterations, to rounding
    for max_iter in (1, 5):
        theirs, ours = _scipy(fun, x0, max_iter), minimize_lbfgs(fun, x0, max_iter=max_iter)
        assert ours.nit == theirs.nit == max_iter and ours.nfev == theirs.nfev
        assert ours.status == theirs.status == 1 and ours.message == theirs.message
        np.testing.assert_allclose(ours.x, theirs.x, rtol=1e-9, atol=1e-12)
    # and the same optimum, both stopped by the relative decrease of f
    theirs, ours = _scipy(fun, x0, 10_000), minimize_lbfgs(fun, x0, max_iter=10_000)
    assert ours.status == theirs.status == 0 and ours.message == theirs.message
    assert "RELATIVE REDUCTION" in ours.message
    assert abs(ours.nit - theirs.nit) <= 0.2 * theirs.nit
    assert ours.fun == pytest.approx(theirs.fun, rel=1e-12, abs=1e-12)
    scale = np.abs(theirs.x).max()
    np.testing.assert_allclose(ours.x, theirs.x, rtol=1e-4, atol=1e-4 * scale)


def test_callback_gtol_and_a_failed_line_search():
    fun, x0 = _ill_conditioned_quadratic()
    seen = []

    def callback(intermediate):
        seen.append(intermediate.fun)
        if len(seen) == 3:
            raise StopIteration

    halted = minimize_lbfgs(fun, x0, max_iter=100, callback=callback)
    assert halted.nit == 3 and len(seen) == 3 and "CALLBACK" in halted.message
    assert not halted.success
    loose = minimize_lbfgs(fun, x0, max_iter=10_000, gtol=1e-3)
    assert loose.success and "PROJECTED GRADIENT" in loose.message
    assert np.max(np.abs(loose.jac)) <= 1e-3
    # a gradient that points uphill: no step decreases f along -g
    wrong = minimize_lbfgs(lambda x: (x @ x, -x - 1.0), np.ones(3), max_iter=10)
    assert wrong.status == 2 and wrong.nit == 0 and "ABNORMAL" in wrong.message
    np.testing.assert_array_equal(wrong.x, np.ones(3))


def test_numpy_lbfgs_is_chosen_for_many_variables():
    # issue 28's shape: 100,000 features, 20 classes
    assert _solvers.lbfgs_implementation(20 * 100_001) == "numpy"
    assert _solvers.lbfgs_implementation(_solvers._NUMPY_LBFGS_MIN_PARAMS) == "numpy"
    # MNIST's 10 x 785 coefficients: scipy's L-BFGS-B
    assert _solvers.lbfgs_implementation(7_850) == "scipy"


@pytest.fixture(scope="module")
def wide_csr():
    """300 x 40,000 sparse rows, 3 classes: 120,003 coefficients."""
    rng = np.random.default_rng(0)
    n, p = 300, 40_000
    X = sparse.random(n, p, density=0.005, format="csr", random_state=rng)
    y = np.asarray(X[:, :30] @ rng.normal(size=(30, 3))).argmax(axis=1)
    return X, y


def test_a_wide_fit_runs_the_numpy_lbfgs_to_the_same_optimum(wide_csr, monkeypatch):
    X, y = wide_csr
    scipy_fit = DigitLogisticClassifier(C=10.0, tol=1e-6, max_iter=1000)
    monkeypatch.setattr(_solvers, "_NUMPY_LBFGS_MIN_PARAMS", 10**9)
    theirs = scipy_fit.fit(X, y)
    W_theirs = theirs.coef_.copy()
    monkeypatch.undo()

    def no_scipy(*args, **kwargs):
        raise AssertionError("scipy's L-BFGS-B ran")

    monkeypatch.setattr(_solvers.optimize, "minimize", no_scipy)
    ours = DigitLogisticClassifier(C=10.0, tol=1e-6, max_iter=1000).fit(X, y)
    assert ours.solver_ == "lbfgs"
    np.testing.assert_allclose(ours.coef_, W_theirs, rtol=1e-3, atol=1e-3 * np.abs(W_theirs).max())
    # max_iter stops it as it stops scipy's, with the same warning
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 2 iteration"):
        short = DigitLogisticClassifier(C=10.0, tol=1e-6, max_iter=2).fit(X, y)
    assert short.n_iter_[0] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        DigitLogisticClassifier(C=10.0, tol=1e-3, max_iter=1000).fit(X, y)
