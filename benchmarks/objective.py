"""The one objective every model in the benchmarks is judged by.

scikit-learn's ``LogisticRegression`` objective, divided by ``C * n_samples``
and computed in float64 from a fitted model's ``coef_`` and ``intercept_``:

.. math::

    \\frac{1}{C n} \\Big( C \\sum_i \\ell_i
    + \\rho \\|W\\|_1 + \\frac{1 - \\rho}{2} \\|W\\|_F^2 \\Big)

with ``rho = l1_ratio`` (0: L2, scikit-learn's default; 1: L1) and the
intercept unpenalized. ``l_i`` is the binomial log-loss when ``coef`` has one
row (scikit-learn's binary layout) and the multinomial one otherwise. Only
NumPy and SciPy: the test compares it with scikit-learn's ``LinearModelLoss``.
"""

import numpy as np
from scipy import sparse
from scipy.special import logsumexp


def model_objective(model, X, y, C, l1_ratio=0.0):
    """:func:`objective` of a fitted model (anything with ``coef_`` and ``intercept_``)."""
    return objective(X, y, model.coef_, model.intercept_, C, l1_ratio=l1_ratio)


def objective(X, y, coef, intercept, C, *, l1_ratio=0.0):
    """Penalized log-loss over ``C * n_samples``, float64.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The features the model was fitted on (any float dtype; computed in float64).
    y : array-like of shape (n_samples,)
        Labels; their sorted unique values are the classes, in the order of
        ``coef`` rows (scikit-learn's ``classes_``). Binary: the larger label is 1.
    coef : array-like of shape (n_classes, n_features), (1, n_features) or (n_features,)
        One row (or a vector): the binomial model; ``n_classes`` rows: multinomial.
    intercept : float or array-like of shape (n_rows,)
    C : float
        Inverse regularization strength, > 0.
    l1_ratio : float, default=0.0
        Share of the L1 penalty: ``l1_ratio * ||W||_1 + (1 - l1_ratio) / 2 * ||W||_F^2``.

    Returns
    -------
    float
    """
    W = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    b = np.broadcast_to(np.asarray(intercept, dtype=np.float64).ravel(), (W.shape[0],))
    X = X.astype(np.float64) if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    classes, y_idx = np.unique(np.asarray(y), return_inverse=True)
    n = X.shape[0]
    Z = np.asarray(X @ W.T) + b  # (n, n_rows)
    if W.shape[0] == 1:
        z = Z[:, 0]
        loss = np.logaddexp(0.0, z) - (y_idx == len(classes) - 1) * z
    elif W.shape[0] == len(classes):
        loss = logsumexp(Z, axis=1) - Z[np.arange(n), y_idx]
    else:
        raise ValueError(
            f"coef has {W.shape[0]} rows for {len(classes)} classes: expected 1 "
            "(binomial) or one per class (multinomial).")
    penalty = l1_ratio * np.abs(W).sum() + (1.0 - l1_ratio) / 2.0 * np.square(W).sum()
    return float((C * loss.sum() + penalty) / (C * n))
