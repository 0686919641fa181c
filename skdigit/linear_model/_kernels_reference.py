"""Plain NumPy references for the kernels of ``_kernels`` and ``_kernels_csr``.

Slow and memory-hungry (they form the ``(n_samples, n_rows_w)`` logits and
residuals), but written so that each line can be checked against the textbook
formulas. The tests compare every numba kernel against these.
"""

import numpy as np
from scipy import sparse
from scipy.special import expit, logsumexp


def logistic_loss_gradient_reference(X, y, sample_weight, W, b, binary):
    """Weighted log-loss sum and its gradient, computed with NumPy.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Class indices (``int``); for ``binary``, 1 marks the positive class.
    sample_weight : ndarray of shape (n_samples,)
    W : ndarray of shape (n_rows_w, n_features)
        ``n_rows_w`` is the number of classes, or 1 when ``binary``.
    b : ndarray of shape (n_rows_w,)
    binary : bool

    Returns
    -------
    loss : float
    grad_W : ndarray of shape (n_rows_w, n_features)
    grad_b : ndarray of shape (n_rows_w,)
    """
    X = X.astype(np.float64)
    Z = np.asarray(X @ W.T) + b
    rows = np.arange(X.shape[0])
    if binary:
        z = Z[:, 0]
        yf = (y == 1).astype(np.float64)
        loss = np.logaddexp(0.0, z) - yf * z
        residual = (expit(z) - yf)[:, None]
    else:
        lse = logsumexp(Z, axis=1)
        loss = lse - Z[rows, y]
        residual = np.exp(Z - lse[:, None])
        residual[rows, y] -= 1.0
    residual *= sample_weight[:, None]
    grad_W = residual.T @ X
    if sparse.issparse(grad_W):  # pragma: no cover - depends on scipy version
        grad_W = grad_W.toarray()
    return float(sample_weight @ loss), np.asarray(grad_W), residual.sum(axis=0)
