"""A fixed preconditioner for L-BFGS: whiten the weights by the data's second moments.

The Hessian of the mean-scaled multinomial objective of
:mod:`skdigit.linear_model._loss` is

    H = 1/S sum_i s_i (diag(p_i) - p_i p_i^T) (x) x~_i x~_i^T + l2 * I,

with ``x~_i = [x_i, 1]`` (the 1 when an intercept is fitted) and ``p_i`` the
predicted probabilities. Its data part is the weighted second-moment matrix
``A = 1/S sum_i s_i x~_i x~_i^T`` of the rows, weighted by the curvature of the
log-loss. :class:`Preconditioner` replaces that curvature by one constant ``c``
and keeps the rest exactly:

    M = c * A + l2 * I    (no ``l2`` on the intercept)

The same ``M`` serves every class (and the binomial loss), so it costs one
``(n_features + 1)``-square Gram matrix and one symmetric eigendecomposition.
L-BFGS then runs on ``u = W~ M^{1/2}`` (``W~ = [W, b]``, one row per class)
instead of ``W~``: in ``u`` the objective is close to isotropic (raw pixels
are not: a pixel at the border of the image is almost always 0, one at the
centre almost never), and L-BFGS needs 5 to 6 times fewer iterations on MNIST.
``c`` only sets how much the ``l2`` term counts against the data in ``M``;
measured on MNIST (raw and deskewed, C from 0.01 to 100, ten classes and
"is it a 2"), any value from 0.001 to 0.1 works about as well, and the default
:data:`CURVATURE` = 0.01 is in the middle.

This is a change of variables, not an approximation of the problem: the
objective and its minimizer are unchanged, and the solver checks convergence on
the gradient in the original coefficients.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import linalg, sparse

CURVATURE = 0.01
# Directions in which M is numerically singular (eigenvalue below this fraction
# of the largest) are left unscaled, as if their eigenvalue were the largest:
# without an l2 term M is singular when some pixel is always 0 or pixels are
# collinear. The gradient is 0 along those directions, so the minimizer found
# is the same; scaling them up would only amplify rounding errors into them
# (and move the solution off the minimum-norm one that plain L-BFGS, like
# scikit-learn, finds from zero).
_EIGENVALUE_FLOOR = 1e-6
# Rows per BLAS call: about 1 MB of float32 per chunk (334 rows of 784 pixels),
# so that the copies (densified, weighted) stay small next to X.
_GRAM_CHUNK_ELEMENTS = 2**18


def _accumulate_moments(X, sample_weight, start, stop, chunk_rows, second, first):
    """Add ``sum_i s_i x_i x_i^T`` to ``second`` and ``sum_i s_i x_i`` to ``first``
    over rows ``start:stop`` (float32 products, float64 sums)."""
    for lo in range(start, stop, chunk_rows):
        hi = min(stop, lo + chunk_rows)
        chunk = X[lo:hi]
        chunk = chunk.toarray() if sparse.issparse(chunk) else chunk
        chunk = np.asarray(chunk, dtype=np.float32)
        weights = sample_weight[lo:hi].astype(np.float32)
        # (OpenBLAS's gemm measured faster here than its syrk, which would
        # compute only one triangle.)
        second += (chunk * weights[:, None]).T @ chunk
        first += weights @ chunk


def weighted_gram(X, sample_weight, fit_intercept, *, n_threads=1, chunk_rows=None):
    """Weighted second-moment matrix of the rows of ``X`` (with a column of ones).

    Computed in float32 by BLAS on chunks of rows (dense, or densified from
    CSR), accumulated in float64: no copy of ``X`` larger than one chunk per
    thread. The rows are split into ``n_threads`` contiguous parts computed by
    Python threads (BLAS releases the GIL) and summed in order, so the result is
    deterministic for a given ``n_threads``. Call it with BLAS held at one
    thread: OpenBLAS's own threads spin after a call and would slow the
    kernels that run next.

    Parameters
    ----------
    X : {ndarray, csr_matrix} of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,)
        Non-negative, with a positive sum.
    fit_intercept : bool
        Whether to append a column of ones to ``X``.
    n_threads : int, default=1
    chunk_rows : int, default=None
        Rows per BLAS product; by default about 1 MB of float32 per chunk.

    Returns
    -------
    gram : ndarray of shape (n_features + fit_intercept, n_features + fit_intercept)
        ``sum_i s_i x~_i x~_i^T / sum_i s_i``, float64. Symmetric up to
        rounding: BLAS rounds the two triangles differently (``eigh`` reads
        one).
    """
    n_samples, n_features = X.shape
    if chunk_rows is None:
        chunk_rows = max(64, _GRAM_CHUNK_ELEMENTS // n_features)
    n_parts = max(1, min(n_threads, n_samples // chunk_rows))
    bounds = np.linspace(0, n_samples, n_parts + 1).astype(int)
    dim = n_features + int(fit_intercept)
    # The first part accumulates straight into the result, the others into
    # their own buffers: the memory is the result plus one buffer per extra
    # thread (5 MB each for 784 pixels), next to an X of tens of MB.
    gram = np.zeros((dim, dim))
    first = np.zeros(n_features)
    parts = [(gram[:n_features, :n_features], first)] + [
        (np.zeros((n_features, n_features)), np.zeros(n_features))
        for _ in range(n_parts - 1)
    ]
    jobs = [
        (X, sample_weight, bounds[p], bounds[p + 1], chunk_rows, *parts[p])
        for p in range(n_parts)
    ]
    if n_parts == 1:
        _accumulate_moments(*jobs[0])
    else:
        with ThreadPoolExecutor(n_parts) as pool:
            list(pool.map(lambda job: _accumulate_moments(*job), jobs))
    for second_p, first_p in parts[1:]:
        gram[:n_features, :n_features] += second_p
        first += first_p
    del parts, jobs
    if fit_intercept:
        gram[n_features, :n_features] = first
        gram[:n_features, n_features] = first
        gram[n_features, n_features] = sample_weight.sum()
    gram /= sample_weight.sum()
    return gram


class Preconditioner:
    """Change of variables ``u = [W, b] M^{1/2}`` for a :class:`LogisticObjective`.

    Parameters
    ----------
    objective : LogisticObjective
        The objective whose data, sample weights and ``l2_reg_strength`` define
        ``M = curvature * A + l2_reg_strength * I`` (see the module docstring).
    curvature : float, default=CURVATURE
        The constant standing in for the curvature of the log-loss.
    n_threads : int, default=1
        Threads computing the Gram matrix (see :func:`weighted_gram`).

    Attributes
    ----------
    n_params : int
        Length of a flat parameter vector, in either variables.
    """

    def __init__(self, objective, *, curvature=CURVATURE, n_threads=1):
        self.n_rows_w = objective.n_rows_w
        self.n_features = objective.n_features
        self.fit_intercept = objective.fit_intercept
        self.n_params = objective.n_params
        M = weighted_gram(
            objective.X, objective.sample_weight, objective.fit_intercept,
            n_threads=n_threads,
        )
        M *= curvature
        weights = np.arange(self.n_features)
        M[weights, weights] += objective.l2_reg_strength
        eigenvalues, eigenvectors = linalg.eigh(
            M, driver="evd", overwrite_a=True, check_finite=False
        )
        del M
        largest = max(eigenvalues[-1], np.finfo(float).tiny)
        eigenvalues = np.where(
            eigenvalues < _EIGENVALUE_FLOOR * largest, largest, eigenvalues
        )
        # M^{a} = V diag(eigenvalues^a) V^T is applied as two products with V
        # rather than formed: only V is kept (memory counts next to a small X).
        self._basis = eigenvectors
        self._root = np.sqrt(eigenvalues)

    def _as_rows(self, flat):
        """``(n_rows_w, n_features + fit_intercept)`` view of flat ``[W.ravel(), b]``."""
        n_w = self.n_rows_w * self.n_features
        W = flat[:n_w].reshape(self.n_rows_w, self.n_features)
        if not self.fit_intercept:
            return W
        return np.hstack([W, flat[n_w:, None]])

    def _as_flat(self, rows):
        if not self.fit_intercept:
            return rows.ravel()
        return np.concatenate([rows[:, :-1].ravel(), rows[:, -1]])

    def _power(self, flat, exponent):
        """Rows of ``flat`` times ``M^{exponent / 2}`` (``exponent`` is 1 or -1)."""
        V = self._basis
        scale = self._root if exponent > 0 else 1.0 / self._root
        return self._as_flat(((self._as_rows(flat) @ V) * scale) @ V.T)

    def to_params(self, u):
        """Flat coefficients ``[W.ravel(), b]`` from preconditioned variables ``u``."""
        return self._power(u, -1)

    def from_params(self, params):
        """Preconditioned variables ``u`` from flat coefficients (inverse of :meth:`to_params`)."""
        return self._power(params, 1)

    def gradient(self, grad_params):
        """Gradient in ``u`` from the gradient in the coefficients (chain rule)."""
        return self._power(grad_params, -1)
