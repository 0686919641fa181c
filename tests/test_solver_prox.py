"""The proximal quasi-Newton solver reaches saga's L1 / elastic-net optimum and stops honestly."""

import functools
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skdigit.linear_model._loss import LogisticObjective
from skdigit.linear_model._solver_prox import (
    min_norm_subgradient,
    minimize_proximal_qn,
)
from skdigit.linear_model._solvers import minimize_preconditioned_lbfgs

C = 0.1


@functools.cache
def _digits():
    X, y = load_digits(return_X_y=True)
    sw = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    return X / 16.0, y, sw


def _problem(X, y, sw, n_classes, *, fit_intercept, l1_ratio, C=C):
    """The mean-scaled objective of scikit-learn's ``C`` and ``l1_ratio`` and its
    L1 strength: ``l1 = l1_ratio / (C S)``, ``l2 = (1 - l1_ratio) / (C S)``."""
    S = float(sw.sum())
    objective = LogisticObjective(
        X, y, sw, n_classes, fit_intercept=fit_intercept,
        l2_reg_strength=(1.0 - l1_ratio) / (C * S), n_threads=1,
    )
    return objective, l1_ratio / (C * S)


def _value(objective, l1, params):
    W, _ = objective.unpack(params)
    return objective.loss_gradient(params)[0] + l1 * float(np.abs(W).sum())


@functools.cache
def _saga(binary, l1_ratio, fit_intercept):
    X, y, sw = _digits()
    yy = (y == 2).astype(int) if binary else y
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # saga must have converged
        return LogisticRegression(
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
    objective, l1 = _problem(
        X, y, sw, 2 if binary else 10, fit_intercept=fit_intercept,
        l1_ratio=l1_ratio,
    )
    res = minimize_proximal_qn(
        objective, np.zeros(objective.n_params), tol=1e-7, max_iter=2000, l1=l1
    )
    assert res.converged, res.message
    W, b = objective.unpack(res.params)
    their_params = objective.pack(
        theirs.coef_, theirs.intercept_ if fit_intercept else np.zeros(len(W))
    )
    ours, saga = res.objective, _value(objective, l1, their_params)
    assert ours == pytest.approx(_value(objective, l1, res.params), rel=1e-12)
    assert ours <= saga + 1e-12 * abs(saga)
    assert np.linalg.norm(W - theirs.coef_) <= 1e-3 * np.linalg.norm(theirs.coef_)
    if fit_intercept:
        np.testing.assert_allclose(b, theirs.intercept_, rtol=1e-3, atol=1e-4)
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
    objective, l1 = _problem(
        X, y, sw, 2 if binary else 10, fit_intercept=True, l1_ratio=l1_ratio
    )
    seen = []
    tol = 1e-5
    res = minimize_proximal_qn(
        objective, np.zeros(objective.n_params), tol=tol, max_iter=500, l1=l1,
        callback=lambda it, params: seen.append(params.copy()),
    )
    assert res.converged

    def violation(params):
        grad = objective.loss_gradient(params)[1]
        W, _ = objective.unpack(params)
        G_W, g_b = objective.unpack(grad)
        return max(
            np.abs(min_norm_subgradient(W, G_W, l1)).max(), np.abs(g_b).max()
        )

    assert violation(res.params) <= tol
    # the callback sees every iteration but the last (the solver stops first)
    assert len(seen) == res.n_iter - 1
    assert violation(seen[-1]) > tol


def test_min_norm_subgradient_definition():
    W = np.array([[0.0, 0.0, 0.0, 1.5, -2.0]])
    G = np.array([[0.3, -0.7, 1.2, 0.1, 0.1]])
    l1 = 0.5
    # zero: distance of -g to [-l1, l1]; non-zero: g + l1 sign(w)
    expected = np.array([[0.0, -0.2, 0.7, 0.6, -0.4]])
    np.testing.assert_allclose(min_norm_subgradient(W, G, l1), expected)


def test_without_l1_matches_the_l2_solver():
    """``l1 = 0`` (pure L2) is the smooth problem the L-BFGS solver solves."""
    X, y, sw = _digits()
    objective, _ = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=0.0, C=1.0)
    ours = minimize_proximal_qn(
        objective, np.zeros(objective.n_params), tol=1e-8, max_iter=1000, l1=0.0
    )
    ref = minimize_preconditioned_lbfgs(
        objective, np.zeros(objective.n_params), tol=1e-8, max_iter=1000
    )
    assert ours.converged
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("as_csr", [False, True])
def test_float32_and_csr_reach_the_float64_optimum(as_csr):
    X, y, sw = _digits()
    objective, l1 = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=1.0)
    ref = minimize_proximal_qn(
        objective, np.zeros(objective.n_params), tol=1e-8, max_iter=1000, l1=l1
    )
    X32 = X.astype(np.float32)
    X32 = sparse.csr_matrix(X32) if as_csr else X32
    objective32, _ = _problem(X32, y, sw, 10, fit_intercept=True, l1_ratio=1.0)
    res = minimize_proximal_qn(
        objective32, np.zeros(objective.n_params), tol=1e-6, max_iter=1000, l1=l1
    )
    assert res.converged
    assert np.linalg.norm(res.params - ref.params) <= 1e-3 * np.linalg.norm(ref.params)


def test_max_iter_callback_and_optimal_start():
    X, y, sw = _digits()
    objective, l1 = _problem(X, y, sw, 10, fit_intercept=True, l1_ratio=1.0)
    x0 = np.zeros(objective.n_params)
    res = minimize_proximal_qn(objective, x0, tol=1e-10, max_iter=3, l1=l1)
    assert (res.n_iter, res.converged) == (3, False)
    res = minimize_proximal_qn(objective, x0, tol=1e-10, max_iter=0, l1=l1)
    assert res.n_iter == 0 and not res.converged
    np.testing.assert_array_equal(res.params, x0)
    calls = []
    res = minimize_proximal_qn(
        objective, x0, tol=1e-10, max_iter=100, l1=l1,
        callback=lambda it, params: calls.append(it) or it == 4,
    )
    assert calls == [1, 2, 3, 4] and res.n_iter == 4 and not res.converged
    # a strong enough L1 term makes zero optimal (with the intercepts fitted)
    solved = minimize_proximal_qn(objective, x0, tol=1e-9, max_iter=200, l1=10.0)
    assert solved.converged and np.all(objective.unpack(solved.params)[0] == 0)
    again = minimize_proximal_qn(
        objective, solved.params, tol=1e-9, max_iter=200, l1=10.0
    )
    assert again.n_iter == 0 and again.converged
