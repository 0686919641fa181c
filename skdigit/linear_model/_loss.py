r"""The logistic objective in coefficient space: data layout + penalty + coefficients.

:class:`LogisticObjective` puts together the parts of the core:

- a data layout (:mod:`._layouts`), which sums the pointwise log-losses and
  their gradients over the rows with a fused kernel;
- a penalty (:mod:`._penalties`) on the weights;
- the coefficient layout (:mod:`._coef`): one flat float64 vector ``[W.ravel(),
  b]``, intercepts last.

Conventions, stated once. With sample weights :math:`s_i`, :math:`S = \sum_i s_i`
and the pointwise log-loss :math:`\ell_i` (scikit-learn's ``HalfMultinomialLoss``,
or ``HalfBinomialLoss`` for two classes, one weight vector),

.. math::

    F(W, b) = \frac{1}{S} \sum_i s_i \ell_i(W, b)
              + \lambda_1 \|W\|_1 + \frac{\lambda_2}{2} \|W\|_F^2 .

With :math:`\lambda_1 = \rho / (C S)` and :math:`\lambda_2 = (1 - \rho) / (C S)`
this is scikit-learn's ``LogisticRegression`` objective ``C * sum_i s_i loss_i
+ rho ||W||_1 + (1 - rho) / 2 ||W||^2`` divided by ``C S``: same minimizer, and
``tol`` has scikit-learn's meaning (a bound on the gradient of this
mean-scaled objective).

The smooth part (data term and L2 term) is what :meth:`loss_gradient` returns,
with the signature ``scipy.optimize.minimize(..., jac=True)`` expects; the L1
term is left to solvers that handle it (through the penalty's proximal
operator), and :meth:`value` gives the whole objective.
"""

import copy

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

from ._coef import CoefLayout
from ._metric import gram_pays
from ._preconditioner import LOW_RANK, LOW_RANK_ROWS, gram_eigh, gram_low_rank

__all__ = ["LogisticObjective", "check_class_weight_dict", "effective_sample_weight"]


def effective_sample_weight(sample_weight, X, y, classes, y_idx, class_weight):
    """float64 sample weights times the class weights, checked to have a positive sum.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative; None means all ones.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        The labels (for ``"balanced"``).
    classes : ndarray of shape (n_classes,)
    y_idx : ndarray of shape (n_samples,)
        Class indices of ``y`` in ``classes``.
    class_weight : dict, "balanced" or None

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,)
        A new array.

    Raises
    ------
    ValueError
        If a sample weight or a class weight is negative or not finite (NaN), or
        if the weights sum to zero.
    """
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=np.float64, copy=True, ensure_non_negative=True
    )
    if isinstance(class_weight, dict):
        check_class_weight_dict(class_weight)
    if class_weight is not None:
        sample_weight *= compute_class_weight(class_weight, classes=classes, y=y)[y_idx]
    if not sample_weight.sum() > 0:
        raise ValueError(
            "The sample weights (times class_weight) sum to zero: no sample "
            "would count. Give some samples a positive weight."
        )
    return sample_weight


def check_class_weight_dict(class_weight):
    """Raise ``ValueError`` unless every value of ``class_weight`` is a finite number >= 0.

    A NaN weight would make the weights' sum NaN (reported as "sum to zero"),
    a negative one a loss to maximize for that class: both are refused here,
    naming the class.

    Examples
    --------
    >>> from skdigit.linear_model._loss import check_class_weight_dict
    >>> check_class_weight_dict({0: 1.0, 1: 2.5})
    >>> check_class_weight_dict({0: float("nan")})
    Traceback (most recent call last):
    ...
    ValueError: class_weight[0] is nan: each class weight must be a finite number >= 0...
    """
    for label, weight in class_weight.items():
        try:
            value = float(weight)
        except (TypeError, ValueError):
            raise ValueError(
                f"class_weight[{label!r}] is {weight!r}: each class weight must be a "
                "finite number >= 0."
            ) from None
        if not np.isfinite(value) or value < 0:
            raise ValueError(
                f"class_weight[{label!r}] is {value!r}: each class weight must be a "
                "finite number >= 0 (0 leaves the class out of the loss; use larger "
                "weights for the classes that matter more, or class_weight='balanced')."
            )


class LogisticObjective:
    """Penalized, weighted mean log-loss of a linear model, and its gradient.

    Parameters
    ----------
    layout : DenseLayout, CSRLayout or PackedCSRLayout
        The training data (:func:`~skdigit.linear_model._layouts.make_layout`).
    y : ndarray of shape (n_samples,)
        Class indices ``0 .. n_classes - 1``.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights with a positive sum.
    n_classes : int
        Two gives the binomial loss (one weight vector), more the multinomial.
    fit_intercept : bool
    penalty : Penalty
        On the weights (:mod:`skdigit.linear_model._penalties`).
    n_threads : int
        Row chunks the kernel processes in parallel; results are deterministic
        for a given value.

    Attributes
    ----------
    coef : CoefLayout
        Shapes and packing of the flat parameter vector.
    binary : bool
        Whether the loss is binomial.
    sw_sum : float
        ``S``, the sum of the sample weights.
    """

    def __init__(
        self, layout, y, sample_weight, n_classes, *, fit_intercept, penalty, n_threads
    ):
        self.layout = layout
        self.y = np.ascontiguousarray(y, dtype=np.int64)
        self.sample_weight = np.ascontiguousarray(sample_weight, dtype=np.float64)
        self.binary = n_classes == 2
        self.coef = CoefLayout(1 if self.binary else n_classes, layout.n_features, fit_intercept)
        self.penalty = penalty
        self.n_threads = max(1, int(n_threads))
        self.sw_sum = float(self.sample_weight.sum())
        self._gram = None
        self._gram_eigh = None
        self._gram_low_rank = None
        self._column_diagonal = None

    @property
    def n_params(self):
        """Length of the flat parameter vector."""
        return self.coef.n_params

    def data_loss_gradient(self, params, out=None):
        """Mean log-loss and its gradient in ``[W, b]`` (no penalty).

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        out : ndarray of shape (n_params,), default=None
            Where to write the gradient (float64, C-contiguous); ``grad_W``
            and ``grad_b`` are then its views.

        Returns
        -------
        loss : float
        grad_W : ndarray of shape (n_rows_w, n_features)
        grad_b : ndarray of shape (n_rows_w,)
        """
        params = np.asarray(params, dtype=np.float64)
        W, b = self.coef.unpack(params)
        if out is None:
            grad_W, grad_b = np.empty_like(W), np.empty(self.coef.n_rows_w)
        else:
            grad_W, grad_b = self.coef.unpack(out)  # (grad_b new without intercept)
        loss_sum = self.layout.loss_gradient_sums(
            self.y, self.sample_weight, np.ascontiguousarray(W), np.ascontiguousarray(b),
            grad_W, grad_b, self.binary, self.n_threads,
        )
        scale = 1.0 / self.sw_sum
        grad_W *= scale
        grad_b *= scale
        return loss_sum * scale, grad_W, grad_b

    def loss_gradient(self, params):
        """Value and gradient of the smooth part (data term + L2 term) at ``params``.

        The kernel writes the gradient into the flat vector returned (no
        second array of its size).

        Returns
        -------
        loss : float
        gradient : ndarray of shape (n_params,)
        """
        gradient = np.empty(self.coef.n_params)
        loss, grad_W, _ = self.data_loss_gradient(params, out=gradient)
        value = 0.0
        if self.penalty.l2:  # (no array of zeros for an L1 penalty)
            W, _ = self.coef.unpack(np.asarray(params, dtype=np.float64))
            value = self.penalty.add_smooth_gradient(W, grad_W)
        return loss + value, gradient

    def reduced_precision(self):
        """This objective on the layout's float32-accurate variant, or None.

        The same problem, evaluated faster with its rounding at float32's
        level (:meth:`DenseLayout.reduced_precision`): for the iterations far
        from the optimum, where that rounding is far below the gradient.
        """
        layout = self.layout.reduced_precision()
        if layout is None:
            return None
        fast = copy.copy(self)  # shares y, the weights, the penalty, the moments
        fast.layout = layout
        return fast

    def value(self, params):
        """The whole objective (with the L1 term) at ``params``."""
        loss, _, _ = self.data_loss_gradient(params)
        W, _ = self.coef.unpack(np.asarray(params, dtype=np.float64))
        return loss + self.penalty.value(W)

    def centred(self, params):
        """``params`` in scikit-learn's representation of the multinomial model.

        The multinomial loss does not change when the same vector is added to
        every class's intercept, or to every class's weights: the minimum is a
        line of equivalent points. scikit-learn reports the one whose
        intercepts sum to zero and, without penalty, whose weights sum to zero
        over the classes. Centring the intercepts leaves the objective as it
        is; centring the weights too, without an L1 term (with an L2 term it
        lowers the penalty, the optimum being centred). With an L1 term only
        the intercepts are centred. A copy; unchanged for two classes (one
        weight vector).
        """
        params = np.array(params, dtype=np.float64)
        if self.binary:
            return params
        W, b = self.coef.unpack(params)  # views into params
        if self.coef.fit_intercept:
            b -= b.mean()
        if self.penalty.l1 == 0:
            W -= W.mean(axis=0)
        return params

    def optimality(self, params, gradient):
        """Largest entry of the minimum-norm subgradient: 0 exactly at the optimum.

        ``gradient`` is the gradient of the smooth part at ``params``
        (:meth:`loss_gradient`). For a smooth penalty this is ``max |gradient|``,
        scikit-learn's ``lbfgs`` criterion; with an L1 term, each weight's entry
        is the distance of minus its gradient to the subdifferential (see
        :meth:`Penalty.subdiff_distance`), on the same scale.
        """
        W, _ = self.coef.unpack(np.asarray(params, dtype=np.float64))
        grad_W, grad_b = self.coef.unpack(gradient)
        # by blocks of rows: the subgradient's temporaries are a block's size,
        # not several arrays of the weights' size (wide data, many classes)
        rows = max(1, (1 << 16) // max(1, W.shape[1]))
        worst = max(
            (float(np.max(np.abs(self.penalty.subdiff_distance(W[k:k + rows],
                                                                 grad_W[k:k + rows]))))
             for k in range(0, W.shape[0], rows) if W.shape[1]),
            default=0.0,
        )
        if self.coef.fit_intercept:
            worst = max(worst, float(np.max(np.abs(grad_b), initial=0.0)))
        return worst

    def share_moments(self, other):
        """Use ``other``'s second moments (those it has computed) as this one's.

        The solvers use the moments only as a metric (the preconditioner, the
        proximal model's initial matrix), which changes the path to the
        optimum, not the optimum; the folds of a cross-validation share those of
        all the data, computed once, rather than compute their own.
        """
        self._gram = None
        self._gram_eigh = other._gram_eigh if other._gram_eigh is not None else None
        self._gram_low_rank = other._gram_low_rank
        self._column_diagonal = other._column_diagonal

    def has_gram(self):
        """Whether the Gram matrix (or its eigendecomposition) is already at hand."""
        return self._gram is not None or self._gram_eigh is not None

    def has_gram_low_rank(self):
        """Whether :meth:`gram_low_rank` has already been computed."""
        return self._gram_low_rank is not None

    def metric_kind(self):
        """The metric the proximal solver whitens by: ``"gram"`` or ``"diagonal"``.

        ``"gram"`` when the Gram matrix is at hand or pays for itself on this
        shape (:func:`~._metric.gram_pays`), else ``"diagonal"``.
        """
        if self.has_gram():
            return "gram"
        n_samples, n_features = self.layout.shape
        return "gram" if gram_pays(n_samples, n_features) else "diagonal"

    def _moment_weights(self):
        """The sample weights divided by a power of two near the largest.

        The moments are used normalized by the weights' sum, so the scale
        cancels; at most 1, the weights keep the sums from overflowing
        (weights of 1e300 would).
        """
        largest = float(self.sample_weight.max(initial=0.0))
        if not 2.0**-500 < largest < 2.0**500:
            return self.sample_weight / 2.0 ** np.ceil(np.log2(largest))
        return self.sample_weight

    def column_moments(self):
        """The diagonal of :meth:`gram`, computed once: ``O(n_features)`` memory.

        Returns
        -------
        diagonal : ndarray of shape (n_dof,)
            ``sum_i s_i x~_ij**2 / S``, accumulated in float64.
        """
        if self._column_diagonal is None:
            if self.has_gram():
                eigenvalues, V = self.gram_eigh()
                self._column_diagonal = np.einsum("ij,j,ij->i", V, eigenvalues, V)
            else:
                moments = self.layout.column_moments(self._moment_weights())
                self._column_diagonal = moments.diagonal(self.coef.fit_intercept)
        return self._column_diagonal

    def gram(self):
        """Normalized weighted second-moment matrix of ``[x, 1]``.

        Returns
        -------
        gram : ndarray of shape (n_dof, n_dof)
            ``sum_i s_i x~_i x~_i^T / S`` with ``x~ = [x, 1]`` (``[x]`` without
            intercept). Call with BLAS held at one thread. Once
            :meth:`gram_eigh` has run, rebuilt from it. Accumulated from
            weights scaled to at most 1 and, where a float32 product could
            overflow, from columns scaled by powers of two
            (:meth:`DenseLayout.moments`).
        """
        if self._gram is not None:
            return self._gram
        if self._gram_eigh is not None:
            eigenvalues, V = self._gram_eigh
            return (V * eigenvalues) @ V.T
        moments = self.layout.moments(self._moment_weights(), n_threads=self.n_threads)
        self._gram = moments.gram(self.coef.fit_intercept)
        return self._gram

    def gram_low_rank(self, rank=LOW_RANK, n_rows=LOW_RANK_ROWS):
        """The largest eigenpairs of :meth:`gram`, estimated from a sample of rows; computed once.

        ``n_rows`` rows drawn at random (seed 0; all rows when there are
        fewer), each scaled by the square root of its sample weight over the
        drawn rows' sum, ``[x, 1]`` with an intercept: ``rows.T @ rows``
        estimates the Gram matrix without forming it. Its ``rank`` largest
        eigenpairs come from a randomized SVD of those rows
        (:func:`~._preconditioner.gram_low_rank`): ``n_rows * n_features``
        floats in ``X``'s dtype and ``O(n_rows * n_features * rank)`` time,
        whatever ``n_samples``. Needs a layout that gathers rows in memory
        (``layout.can_sample_rows``).

        Returns
        -------
        low_rank : tuple
            ``(eigenvalues, eigenvectors, rest)``, as
            :func:`~._preconditioner.gram_low_rank` returns.
        """
        if self._gram_low_rank is None:
            n_samples = self.layout.n_samples
            rng = np.random.default_rng(0)
            if n_samples > n_rows:
                indices = np.sort(rng.choice(n_samples, size=n_rows, replace=False))
            else:
                indices = np.arange(n_samples)
            rows = self.layout.sample_rows(indices)
            weights = self.sample_weight[indices]
            total = weights.sum()  # 0 when every drawn row has weight 0: M = l2 * I
            scale = np.sqrt(weights / total if total > 0 else weights).astype(rows.dtype)
            rows *= scale[:, None]
            if self.coef.fit_intercept:
                rows = np.hstack([rows, scale[:, None]])
            # Rows far from 1 in size (features of 1e30) are scaled by a power
            # of two, exactly, so that the SVD's products stay in range.
            peak = float(np.abs(rows).max(initial=0.0))
            shift = 0.0 if peak == 0.0 else float(np.round(np.log2(peak)))
            if abs(shift) > 40:
                rows *= rows.dtype.type(2.0**-shift)
            rank = max(1, min(rank, min(rows.shape) - 1))
            eigenvalues, eigenvectors, rest = gram_low_rank(rows, rank)
            if abs(shift) > 40:
                eigenvalues, rest = eigenvalues * 4.0**shift, rest * 4.0**shift
            self._gram_low_rank = eigenvalues, eigenvectors, rest
        return self._gram_low_rank

    def gram_eigh(self):
        """Eigendecomposition of :meth:`gram`, computed once: ``(eigenvalues, eigenvectors)``.

        Only the eigendecomposition is kept (the Gram matrix's memory is
        reused for it), since the solvers need no more.
        """
        if self._gram_eigh is None:
            gram = self.gram()
            self._gram = None
            self._gram_eigh = gram_eigh(gram, overwrite=True)
        return self._gram_eigh
