"""The coefficient layout: how ``[W, b]`` is shaped, packed and unpacked.

Every part of the core (objective, preconditioner, solvers, estimator) sees the
coefficients as one flat float64 vector, laid out here once:

- ``W``, the weights, of shape ``(n_rows_w, n_features)`` in C order, then
- ``b``, the intercepts, of shape ``(n_rows_w,)``, when ``fit_intercept``.

``n_rows_w`` is the number of classes for the multinomial loss and 1 for the
binomial loss (two classes), as in scikit-learn's ``LinearModelLoss``
("intercept stored last"). The *rows* view ``[W | b]`` of shape
``(n_rows_w, n_features + fit_intercept)`` is what the preconditioner and the
second-moment matrix of ``[x, 1]`` act on.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CoefLayout:
    """Shapes and packing of the coefficients ``[W, b]`` of a linear model.

    Parameters
    ----------
    n_rows_w : int
        Rows of ``W``: the number of classes, or 1 for the binomial loss.
    n_features : int
        Columns of ``W``.
    fit_intercept : bool
        Whether the flat vector ends with the intercepts.
    """

    n_rows_w: int
    n_features: int
    fit_intercept: bool

    @property
    def n_weights(self):
        """Number of weights (entries of ``W``)."""
        return self.n_rows_w * self.n_features

    @property
    def n_params(self):
        """Length of the flat vector."""
        return self.n_rows_w * (self.n_features + int(self.fit_intercept))

    @property
    def n_dof(self):
        """Columns of the rows view: ``n_features + fit_intercept``."""
        return self.n_features + int(self.fit_intercept)

    def zeros(self):
        """A flat vector of zeros."""
        return np.zeros(self.n_params)

    def unpack(self, params):
        """Views ``(W, b)`` of a flat vector (``b`` is zeros without intercept)."""
        W = params[: self.n_weights].reshape(self.n_rows_w, self.n_features)
        b = params[self.n_weights :] if self.fit_intercept else np.zeros(self.n_rows_w)
        return W, b

    def pack(self, W, b):
        """Flat float64 vector from ``W`` and ``b`` (``b`` ignored without intercept)."""
        params = np.empty(self.n_params)
        params[: self.n_weights] = np.asarray(W, dtype=np.float64).ravel()
        if self.fit_intercept:
            params[self.n_weights :] = np.asarray(b, dtype=np.float64).ravel()
        return params

    def as_rows(self, params):
        """The rows ``[W | b]``, shape ``(n_rows_w, n_dof)``, of a flat vector (a copy)."""
        W, b = self.unpack(params)
        if not self.fit_intercept:
            return W.copy()
        return np.hstack([W, b[:, None]])

    def as_flat(self, rows):
        """Inverse of :meth:`as_rows`."""
        if not self.fit_intercept:
            return np.ascontiguousarray(rows, dtype=np.float64).ravel()
        return self.pack(rows[:, :-1], rows[:, -1])

    def weight_mask(self):
        """Boolean mask of the flat vector: True for weights, False for intercepts."""
        mask = np.zeros(self.n_params, dtype=bool)
        mask[: self.n_weights] = True
        return mask
