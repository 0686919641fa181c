"""A fixed preconditioner for L-BFGS: whiten the weights by the data's second moments.

The Hessian of the mean-scaled multinomial objective of
:mod:`skdigit.linear_model._loss` is

    H = 1/S sum_i s_i (diag(p_i) - p_i p_i^T) (x) x~_i x~_i^T + l2 * I,

with ``x~_i = [x_i, 1]`` (the 1 when an intercept is fitted) and ``p_i`` the
predicted probabilities. Its data part is the weighted second-moment matrix
``A = 1/S sum_i s_i x~_i x~_i^T`` of the rows, weighted by the curvature of the
log-loss. :class:`Preconditioner` replaces that curvature by one constant ``c``
and keeps the rest exactly:

    M = c * A + l2 * I

The same ``M`` serves every class (and the binomial loss), so it costs one
``(n_features + 1)``-square Gram matrix and one symmetric eigendecomposition.
L-BFGS then runs on ``u = W~ M^{1/2}`` (``W~ = [W, b]``, one row per class)
instead of ``W~``: in ``u`` the objective is close to isotropic (raw pixels
are not: a pixel at the border of the image is almost always 0, one at the
centre almost never), and L-BFGS needs several times fewer iterations on
digits. ``c`` only sets how much the ``l2`` term counts against the data in
``M``; on MNIST (raw and deskewed, C from 0.01 to 100, ten classes and "is it
a 2") values from 0.001 to 0.1 work about as well (``benchmarks/``), and the
default :data:`CURVATURE` = 0.01 is in the middle.

This is a change of variables, not an approximation of the problem: the
objective and its minimizer are unchanged, and the solver checks convergence on
the gradient in the original coefficients.

On wide data (thousands of features, such as kernel features of the
scattering transform) the Gram matrix costs ``n_samples * n_features**2`` and
its eigendecomposition ``n_features**3``: more than the whole fit.
:class:`LowRankPreconditioner` keeps only the ``k`` largest eigenpairs of
``A``, estimated by a randomized SVD (Halko, Martinsson and Tropp 2011) of a
few thousand rows drawn at random (:func:`gram_low_rank`), and treats every
other direction as if its eigenvalue were the ``(k+1)``-th: the randomized
Nystrom preconditioner of Frangella, Tropp and Udell (2023), here as a change
of variables for L-BFGS. It costs ``O(m * n_features * k)`` to build and
``O(n_features * k)`` memory. On the 60,000 x 15,969 kernel features of
``benchmarks/wide.py`` L-BFGS then needs 21 iterations to ``tol=1e-4``
instead of 48.
"""

import numpy as np
from scipy import linalg
from sklearn.utils.extmath import randomized_svd

__all__ = ["CURVATURE", "LOW_RANK", "LOW_RANK_ROWS", "LowRankPreconditioner",
           "Preconditioner", "gram_eigh", "gram_low_rank"]

CURVATURE = 0.01
# Directions in which M is numerically singular (eigenvalue below this fraction
# of the largest) are left unscaled, as if their eigenvalue were the largest:
# without an l2 term M is singular when some pixel is always 0 or pixels are
# collinear. The gradient is 0 along those directions, so the minimizer found
# is the same; scaling them up would only amplify rounding errors into them
# (and move the solution off the minimum-norm one that plain L-BFGS, like
# scikit-learn, finds from zero).
_EIGENVALUE_FLOOR = 1e-6
LOW_RANK = 32
"""Eigenpairs the low-rank preconditioner keeps (``k``). When it was chosen, on
60,000 standardized scattering coefficients, 32 to 128 needed about as many
iterations and 512 more: the estimated ``(k+1)``-th eigenvalue then
underestimates the curvature of the rest, and L-BFGS's steps there overshoot.
On the kernel features (those coefficients beside 12,000 random Fourier
features, 15,969 columns) 64 and 128 needed more iterations to reach
scikit-learn's objective than 32 (26 and 34 against 22), and a curvature
constant of 0.003 or 0.03 instead of :data:`CURVATURE` changed it by 1 to 3."""
LOW_RANK_ROWS = 4096
"""Rows drawn to estimate the eigenpairs (all of them when there are fewer)."""


def gram_low_rank(rows, rank, *, random_state=0):
    """The ``rank`` largest eigenpairs of ``rows.T @ rows`` and the next eigenvalue.

    Parameters
    ----------
    rows : ndarray of shape (n_rows, n_dof)
        Rows of ``[x, 1]`` scaled by the square root of their normalized
        weights, so that ``rows.T @ rows`` estimates the Gram matrix. Not
        modified.
    rank : int
        At most ``min(n_rows, n_dof) - 1``.
    random_state : int, default=0
        Seed of the randomized SVD: the same rows give the same result.

    Returns
    -------
    eigenvalues : ndarray of shape (rank,)
        Descending, float64.
    eigenvectors : ndarray of shape (n_dof, rank)
        float64, orthonormal columns.
    rest : float
        The ``(rank + 1)``-th eigenvalue, standing in for all the others.
    """
    _, singular, Vt = randomized_svd(rows, rank + 1, n_iter=2, random_state=random_state)
    squares = singular.astype(np.float64) ** 2
    return squares[:rank], np.ascontiguousarray(Vt[:rank].T, dtype=np.float64), float(squares[rank])


def gram_eigh(gram, *, overwrite=False):
    """Eigendecomposition ``(eigenvalues, eigenvectors)`` of a symmetric ``gram``.

    Eigenvalues ascending; LAPACK's divide-and-conquer driver. ``gram`` is
    not modified unless ``overwrite``.
    """
    return linalg.eigh(gram, driver="evd", overwrite_a=overwrite, check_finite=False)


class Preconditioner:
    """Change of variables ``u = [W, b] M^{1/2}``, with ``M = c * gram + l2 * I``.

    Parameters
    ----------
    gram : ndarray of shape (n_dof, n_dof) or tuple of ndarray
        The normalized second-moment matrix of ``[x, 1]``
        (:meth:`LogisticObjective.gram`), or its eigendecomposition
        ``(eigenvalues, eigenvectors)`` (:meth:`LogisticObjective.gram_eigh`:
        computed once and shared by every ``l2`` of a regularization path).
        Not modified.
    coef : CoefLayout
        The coefficient layout (``n_dof = n_features + fit_intercept``).
    l2 : float, default=0.0
        The curvature of the penalty (:attr:`Penalty.curvature`). It is added
        to the whole diagonal, the intercept's too: ``M`` keeps the
        eigenvectors of ``gram``, and the intercept's own curvature in ``M``
        (``c``, from the column of ones) dwarfs ``l2``.
    curvature : float, default=CURVATURE
        The constant standing in for the curvature of the log-loss.
    """

    def __init__(self, gram, coef, *, l2=0.0, curvature=CURVATURE):
        self.coef = coef
        if isinstance(gram, tuple):
            gram_eigenvalues, eigenvectors = gram
        else:
            gram_eigenvalues, eigenvectors = gram_eigh(gram)
        eigenvalues = curvature * gram_eigenvalues + l2
        largest = max(eigenvalues[-1], np.finfo(float).tiny)
        eigenvalues = np.where(
            eigenvalues < _EIGENVALUE_FLOOR * largest, largest, eigenvalues
        )
        # M^{a} = V diag(eigenvalues^a) V^T is applied as two products with V
        # rather than formed: only V is kept (memory counts next to a small X).
        self.basis = eigenvectors
        self.eigenvalues = eigenvalues
        self._root = np.sqrt(eigenvalues)

    @property
    def n_params(self):
        """Length of a flat parameter vector, in either variables."""
        return self.coef.n_params

    def _apply(self, flat, scale):
        """Rows of ``flat`` times ``V diag(scale) V^T``."""
        V = self.basis
        return self.coef.as_flat(((self.coef.as_rows(flat) @ V) * scale) @ V.T)

    def to_params(self, u):
        """Flat coefficients ``[W.ravel(), b]`` from preconditioned variables ``u``."""
        return self._apply(u, 1.0 / self._root)

    def from_params(self, params):
        """Preconditioned variables ``u`` from flat coefficients (inverse of :meth:`to_params`)."""
        return self._apply(params, self._root)

    def gradient(self, grad_params):
        """Gradient in ``u`` from the gradient in the coefficients (chain rule)."""
        return self._apply(grad_params, 1.0 / self._root)

    def apply_inverse(self, flat):
        """Rows of ``flat`` times ``M^{-1}``."""
        return self._apply(flat, 1.0 / self.eigenvalues)

    def apply(self, flat):
        """Rows of ``flat`` times ``M``."""
        return self._apply(flat, self.eigenvalues)


class LowRankPreconditioner:
    """Change of variables ``u = [W, b] M^{1/2}`` with a low-rank ``M`` (wide data).

    ``M = V diag(c * lambda + l2) V^T + (c * rest + l2) (I - V V^T)``: the
    ``k`` largest eigenpairs ``(lambda, V)`` of the Gram matrix, and its
    ``(k+1)``-th eigenvalue ``rest`` for every other direction (Frangella,
    Tropp and Udell 2023). ``M^a`` is applied with two products with ``V``
    of shape ``(n_dof, k)``, never formed. The interface of
    :class:`Preconditioner`.

    Parameters
    ----------
    low_rank : tuple
        ``(eigenvalues, eigenvectors, rest)`` of :func:`gram_low_rank`
        (:meth:`LogisticObjective.gram_low_rank`). Not modified.
    coef : CoefLayout
    l2 : float, default=0.0
    curvature : float, default=CURVATURE

    References
    ----------
    .. [1] Z. Frangella, J. A. Tropp and M. Udell, "Randomized Nystrom
       preconditioning", SIAM J. Matrix Anal. Appl. 44(2), 2023.
    .. [2] N. Halko, P. G. Martinsson and J. A. Tropp, "Finding structure with
       randomness", SIAM Review 53(2), 2011.
    """

    def __init__(self, low_rank, coef, *, l2=0.0, curvature=CURVATURE):
        gram_eigenvalues, eigenvectors, rest = low_rank
        self.coef = coef
        values = curvature * np.append(gram_eigenvalues, rest) + l2
        largest = max(float(values.max(initial=0.0)), np.finfo(float).tiny)
        values = np.where(values < _EIGENVALUE_FLOOR * largest, largest, values)
        self.basis = eigenvectors
        self.eigenvalues = values[:-1]
        self.rest = float(values[-1])

    @property
    def n_params(self):
        """Length of a flat parameter vector, in either variables."""
        return self.coef.n_params

    def _apply(self, flat, power):
        """Rows of ``flat`` times ``M^power``."""
        V = self.basis
        rows = self.coef.as_rows(flat)
        rest = self.rest**power
        rows_in_basis = rows @ V
        rows *= rest
        rows += (rows_in_basis * (self.eigenvalues**power - rest)) @ V.T
        return self.coef.as_flat(rows)

    def to_params(self, u):
        """Flat coefficients ``[W.ravel(), b]`` from preconditioned variables ``u``."""
        return self._apply(u, -0.5)

    def from_params(self, params):
        """Preconditioned variables ``u`` from flat coefficients (inverse of :meth:`to_params`)."""
        return self._apply(params, 0.5)

    def gradient(self, grad_params):
        """Gradient in ``u`` from the gradient in the coefficients (chain rule)."""
        return self._apply(grad_params, -0.5)

    def apply_inverse(self, flat):
        """Rows of ``flat`` times ``M^{-1}``."""
        return self._apply(flat, -1.0)

    def apply(self, flat):
        """Rows of ``flat`` times ``M``."""
        return self._apply(flat, 1.0)
