"""The benchmarks' shared objective against scikit-learn's own loss and a direct sum."""

import sys
from pathlib import Path
import numpy as np
import pytest
from _sklearn_versions import reference_logistic
from scipy import sparse
from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss
from sklearn.linear_model._linear_loss import LinearModelLoss

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not installed

from benchmarks.objective import model_objective, objective


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.random((120, 6))
    y = rng.integers(0, 3, size=120)
    return X, y, rng


def _sklearn(X, y, coef, intercept, C):
    """scikit-learn's mean-scaled objective: mean loss + ||W||^2 / (2 C n)."""
    classes, y_idx = np.unique(y, return_inverse=True)
    if coef.shape[0] == 1:
        base, w = HalfBinomialLoss(), np.r_[coef.ravel(), intercept]
    else:
        base = HalfMultinomialLoss(n_classes=len(classes))
        w = np.hstack([coef, intercept[:, None]])
    lml = LinearModelLoss(base_loss=base, fit_intercept=True)
    return lml.loss(w, X, y_idx.astype(np.float64), None, 1.0 / (C * X.shape[0]))


@pytest.mark.parametrize("C", [0.1, 1.0, 7.0])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("as_sparse", [False, True])
def test_l2_objective_matches_linear_model_loss(problem, C, n_classes, as_sparse):
    X, y, rng = problem
    y = y % n_classes
    rows = 1 if n_classes == 2 else n_classes
    coef, intercept = rng.normal(size=(rows, 6)), rng.normal(size=rows)
    Xin = sparse.csr_matrix(X.astype(np.float32)) if as_sparse else X
    got = objective(Xin, y, coef, intercept, C)
    expected = _sklearn(X.astype(np.float32).astype(np.float64) if as_sparse else X,
                        y, coef, intercept, C)
    assert got == pytest.approx(expected, rel=1e-12)


def test_binary_vector_coef_and_scalar_intercept(problem):
    """glum and dask-ml give a (n_features,) coef and a float intercept."""
    X, y, rng = problem
    y2 = (y == 2).astype(int)
    coef, b = rng.normal(size=6), 0.3
    assert objective(X, y2, coef, b, 1.0) == pytest.approx(
        _sklearn(X, y2, coef[None, :], np.array([b]), 1.0), rel=1e-12)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_elastic_net_objective_is_the_direct_sum(problem, l1_ratio):
    X, y, rng = problem
    W, b, C = rng.normal(size=(3, 6)), rng.normal(size=3), 0.1
    Z = X @ W.T + b
    loss = np.log(np.exp(Z).sum(axis=1)) - Z[np.arange(len(y)), y]
    direct = (C * loss.sum() + l1_ratio * np.abs(W).sum()
              + (1 - l1_ratio) / 2 * (W ** 2).sum()) / (C * len(y))
    assert objective(X, y, W, b, C, l1_ratio=l1_ratio) == pytest.approx(direct, rel=1e-12)


def test_intercept_is_not_penalized(problem):
    X, y, rng = problem
    W = rng.normal(size=(3, 6))
    # shifting every class's intercept by the same amount leaves softmax, so the loss, alone
    assert objective(X, y, W, np.full(3, 50.0), 1.0) == pytest.approx(
        objective(X, y, W, np.zeros(3), 1.0), rel=1e-10)


def test_scikit_learn_solution_is_a_minimum(problem):
    """At scikit-learn's elastic-net optimum, any perturbation raises the objective."""
    X, y, rng = problem
    model = reference_logistic(solver="saga", l1_ratio=0.5, C=0.5, tol=1e-10,
                               max_iter=100_000).fit(X, y)
    best = model_objective(model, X, y, 0.5, l1_ratio=0.5)
    for _ in range(5):
        delta = 1e-3 * rng.normal(size=model.coef_.shape)
        assert objective(X, y, model.coef_ + delta, model.intercept_, 0.5,
                         l1_ratio=0.5) > best


def test_wrong_number_of_rows_is_an_error(problem):
    X, y, rng = problem
    with pytest.raises(ValueError, match="rows for 3 classes"):
        objective(X, y, rng.normal(size=(2, 6)), np.zeros(2), 1.0)
