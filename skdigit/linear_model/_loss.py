"""The logistic objective in coefficient space.

:class:`LogisticObjective` lifts the fused kernels of
:mod:`skdigit.linear_model._kernels` (dense) and
:mod:`skdigit.linear_model._kernels_csr` (CSR), which know only raw logits, to
the parameters an optimizer sees. It fixes the conventions once:

- objective(w) = sum_i s_i * loss_i / S + l2_reg_strength / 2 * ||W||_F^2,
  with ``S = sum_i s_i``; the intercept is not penalized. With
  ``l2_reg_strength = 1 / (C * S)`` this is scikit-learn's
  ``LogisticRegression`` objective ``C * sum_i s_i loss_i + ||W||^2 / 2``
  divided by ``C * S``: same minimizer, and ``tol`` has the same meaning as in
  scikit-learn (a bound on the gradient of this mean-scaled objective).
- the parameters form one flat float64 vector: the weights ``W`` of shape
  ``(n_rows_w, n_features)`` in C order, then the intercepts ``b`` of shape
  ``(n_rows_w,)`` when ``fit_intercept``. ``n_rows_w`` is the number of
  classes for the multinomial loss and 1 for the binomial loss (two classes).

An instance binds the data once, so that ``loss_gradient`` has the signature
``scipy.optimize.minimize(..., jac=True)`` expects and costs one kernel call.
Binding picks the kernel (``layout``): the CSR kernel on a user's CSR matrix
(checked once, never copied), the CSR kernel on a compact CSR copy of a dense
``X`` when that copy takes at most half of ``X``'s bytes (digit images are
mostly zeros), the dense kernel otherwise.
"""

import numpy as np
from scipy import sparse

from ._kernels import logistic_loss_gradient_dense
from ._kernels_csr import check_csr, logistic_loss_gradient_csr, pack_dense_csr

# A dense X is copied to CSR (values in its dtype, uint16 column indices) when
# the copy takes at most this fraction of its bytes: below about 33% non-zeros
# for float32 and 40% for float64, which is also where the CSR kernel
# overtakes the dense one (measured on MNIST-like data). MNIST is 19% non-zeros.
_PACK_MAX_FRACTION = 0.5


class LogisticObjective:
    """Penalized, weighted mean log-loss of a linear model and its gradient.

    Parameters
    ----------
    X : {ndarray, csr_matrix} of shape (n_samples, n_features)
        float32 or float64; dense ``X`` must be C-contiguous. Never modified;
        a sparse enough dense ``X`` gets a compact CSR copy (see ``layout``).
    y : ndarray of shape (n_samples,)
        Class indices ``0 .. n_classes - 1``.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights with a positive sum (float64).
    n_classes : int
        Two gives the binomial loss (one weight vector), more the multinomial.
    fit_intercept : bool
    l2_reg_strength : float
        Coefficient of ``1/2 ||W||^2`` in the mean-scaled objective.
    n_threads : int
        Number of row chunks the kernel processes in parallel; results are
        deterministic for a given value.

    Attributes
    ----------
    layout : {"csr", "packed-csr", "dense"}
        The kernel's input: the user's CSR matrix, the compact CSR copy of a
        dense ``X``, or the dense ``X`` itself.
    """

    def __init__(
        self, X, y, sample_weight, n_classes, *, fit_intercept, l2_reg_strength,
        n_threads,
    ):
        self.X = X
        self.y = np.ascontiguousarray(y, dtype=np.int64)
        self.sample_weight = np.ascontiguousarray(sample_weight, dtype=np.float64)
        self.binary = n_classes == 2
        self.n_rows_w = 1 if self.binary else n_classes
        self.n_features = X.shape[1]
        self.fit_intercept = fit_intercept
        self.l2_reg_strength = l2_reg_strength
        self.n_threads = max(1, int(n_threads))
        self.sw_sum = float(self.sample_weight.sum())
        if sparse.issparse(X):
            check_csr(X)
            self.layout = "csr"
            self._csr = (X.data, X.indices, X.indptr)
        else:
            self._csr = pack_dense_csr(X, max_nbytes=_PACK_MAX_FRACTION * X.nbytes)
            self.layout = "dense" if self._csr is None else "packed-csr"

    @property
    def n_params(self):
        """Length of the flat parameter vector."""
        return self.n_rows_w * (self.n_features + int(self.fit_intercept))

    def unpack(self, params):
        """Views ``(W, b)`` of a flat parameter vector (``b`` is zeros without intercept)."""
        n_w = self.n_rows_w * self.n_features
        W = params[:n_w].reshape(self.n_rows_w, self.n_features)
        b = params[n_w:] if self.fit_intercept else np.zeros(self.n_rows_w)
        return W, b

    def pack(self, W, b):
        """Flat parameter vector from ``W`` and ``b`` (``b`` ignored without intercept)."""
        parts = [np.asarray(W, dtype=np.float64).ravel()]
        if self.fit_intercept:
            parts.append(np.asarray(b, dtype=np.float64).ravel())
        return np.concatenate(parts)

    def loss_gradient(self, params):
        """Objective value and gradient at ``params``.

        Returns
        -------
        loss : float
        gradient : ndarray of shape (n_params,)
        """
        params = np.asarray(params, dtype=np.float64)
        W, b = self.unpack(params)
        grad_W = np.empty_like(W)
        grad_b = np.empty(self.n_rows_w)
        if self._csr is not None:
            loss_sum = logistic_loss_gradient_csr(
                *self._csr, self.y, self.sample_weight, np.ascontiguousarray(W),
                np.ascontiguousarray(b), grad_W, grad_b, self.binary, self.n_threads,
            )
        else:
            loss_sum = logistic_loss_gradient_dense(
                self.X, self.y, self.sample_weight, np.ascontiguousarray(W), b,
                grad_W, grad_b, self.binary, self.n_threads,
            )
        scale = 1.0 / self.sw_sum
        l2 = self.l2_reg_strength
        loss = loss_sum * scale + 0.5 * l2 * float(np.vdot(W, W))
        grad_W *= scale
        grad_W += l2 * W
        if self.fit_intercept:
            return loss, np.concatenate([grad_W.ravel(), grad_b * scale])
        return loss, grad_W.ravel()

    def loss(self, params):
        """Objective value at ``params``."""
        return self.loss_gradient(params)[0]
