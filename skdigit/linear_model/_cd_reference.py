"""Plain NumPy twin of :mod:`skdigit.linear_model._cd_kernels`.

Slow (it forms the whole model matrix ``B``), but each line is the textbook
formula: the tests compare the numba kernel with it.
"""

import numpy as np


def model_matrix(M, gamma, U_t, QU_t, n_rows_w):
    """The dense ``B = gamma * (I_K (x) M) - U^T Q U`` of the model, from
    ``U_t = U.T`` and ``QU_t = (Q @ U).T``."""
    return gamma * np.kron(np.eye(n_rows_w), M) - U_t @ QU_t.T


def model_value(D, W, G, B, l1, n_penalized):
    """``<G, D> + 1/2 vec(D)^T B vec(D) + l1 ||W + D||_1`` (penalized columns)."""
    d = D.ravel()
    return (
        float(G.ravel() @ d) + 0.5 * float(d @ B @ d)
        + l1 * float(np.abs((W + D)[:, :n_penalized]).sum())
    )


def cd_model_reference(
    D, W, G, M, gamma, U_t, QU_t, l1, n_penalized, coords, n_sweeps
):
    """``n_sweeps`` full sweeps of cyclic coordinate descent on the model.

    Each coordinate is set to the exact minimizer of the model along it (a
    soft-threshold for penalized weights, a Newton step for intercepts).

    Returns
    -------
    D : ndarray of shape (K, n_cols)
        The step after the sweeps (a new array).
    """
    K, n_cols = D.shape
    B = model_matrix(M, gamma, U_t, QU_t, K)
    d = D.ravel().copy()
    w = W.ravel()
    g = G.ravel()
    for _ in range(n_sweeps):
        for i in coords:
            h = B[i, i]
            a = g[i] + B[i] @ d
            if i % n_cols < n_penalized:
                z = w[i] + d[i] - a / h
                new = np.sign(z) * max(abs(z) - l1 / h, 0.0)
                d[i] = new - w[i]
            else:
                d[i] -= a / h
    return d.reshape(K, n_cols)
