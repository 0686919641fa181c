r"""Penalties on the weights: none, L2, L1 and the elastic-net.

A penalty is the term added to the mean-scaled data term of
:class:`~skdigit.linear_model._loss.LogisticObjective`,

.. math::

    P(W) = \lambda_1 \|W\|_1 + \tfrac{\lambda_2}{2} \|W\|_F^2,

on the weights only (intercepts are never penalized). With scikit-learn's
parameters, ``C`` and ``l1_ratio``, and ``S`` the sum of the sample weights,
:math:`\lambda_1 = \text{l1\_ratio} / (C S)` and
:math:`\lambda_2 = (1 - \text{l1\_ratio}) / (C S)`: the objective is
scikit-learn's ``C * sum_i s_i loss_i + l1_ratio ||W||_1 + (1 - l1_ratio) / 2
||W||_F^2`` divided by ``C S``.

Each penalty knows what the other parts of the core ask of it:

- its value, and the value and gradient of its smooth part (the L2 term), which
  the smooth solvers add to the data term;
- the proximal operator of its non-smooth part (soft-thresholding, for
  proximal solvers);
- the distance of minus the gradient to its subdifferential (the stopping rule
  of every solver: zero exactly at the optimum);
- the curvature it adds to the preconditioner (``l2``);
- the L1 strength above which all weights are zero (for regularization-path
  grids: :meth:`Penalty.l1_max`).

References
----------
.. [1] N. Parikh and S. Boyd, "Proximal algorithms", Foundations and Trends in
   Optimization 1(3), 2014 (soft-thresholding, section 6.5.2).
.. [2] J. Friedman, T. Hastie and R. Tibshirani, "Regularization paths for
   generalized linear models via coordinate descent", J. Stat. Softw. 33(1),
   2010 (the strength at which the path starts).
"""

import warnings

import numpy as np

__all__ = [
    "L1",
    "L2",
    "ElasticNet",
    "NoPenalty",
    "Penalty",
    "c_from_alpha",
    "check_c_alpha",
    "make_penalty",
    "resolve_cv_regularization",
    "resolve_regularization",
]


class Penalty:
    r"""The penalty :math:`\lambda_1 \|W\|_1 + \frac{\lambda_2}{2}\|W\|_F^2`.

    Parameters
    ----------
    l1 : float, default=0.0
        :math:`\lambda_1 \ge 0`, the strength of the L1 term.
    l2 : float, default=0.0
        :math:`\lambda_2 \ge 0`, the strength of the squared L2 term.
    """

    name = "penalty"

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __repr__(self):
        return f"{type(self).__name__}(l1={self.l1:.6g}, l2={self.l2:.6g})"

    @property
    def is_smooth(self):
        """Whether the penalty is differentiable (no L1 term)."""
        return self.l1 == 0.0

    def value(self, W):
        """The penalty at the weights ``W`` (any shape)."""
        value = self.smooth_value_gradient(W)[0]
        if self.l1:
            value += self.l1 * float(np.abs(W).sum())
        return value

    def smooth_value_gradient(self, W):
        """Value and gradient of the smooth (L2) part at ``W``."""
        if not self.l2:
            return 0.0, np.zeros_like(W)
        return 0.5 * self.l2 * float(np.vdot(W, W)), self.l2 * W

    def add_smooth_gradient(self, W, grad_W):
        """Add the smooth (L2) part's gradient to ``grad_W`` in place; its value.

        The same sums as :meth:`smooth_value_gradient`, row by row: no
        temporary of ``W``'s size.
        """
        if not self.l2:
            return 0.0
        for w, g in zip(W, grad_W):
            g += self.l2 * w
        return 0.5 * self.l2 * float(np.vdot(W, W))

    def prox(self, W, step):
        """Proximal operator of ``step`` times the non-smooth (L1) part.

        Soft-thresholding: ``sign(W) * max(|W| - step * l1, 0)``, exactly 0 where
        ``|W| <= step * l1``.
        """
        if not self.l1:
            return np.array(W, dtype=np.float64)
        threshold = step * self.l1
        return np.sign(W) * np.maximum(np.abs(W) - threshold, 0.0)

    def subdiff_distance(self, W, grad_W):
        """Entries of the minimum-norm subgradient of (smooth part + penalty).

        ``grad_W`` is the gradient of the smooth part of the objective (data
        term plus the L2 term) in ``W``. Where ``W != 0`` the entry is
        ``grad_W + l1 * sign(W)``; where ``W == 0`` it is the distance of
        ``-grad_W`` to ``[-l1, l1]``, signed: ``sign(g) * max(|g| - l1, 0)``. All
        entries are zero exactly at the minimum; for a smooth penalty this is
        ``grad_W`` itself.
        """
        if not self.l1:
            return grad_W
        return np.where(
            W != 0,
            grad_W + self.l1 * np.sign(W),
            np.sign(grad_W) * np.maximum(np.abs(grad_W) - self.l1, 0.0),
        )

    @property
    def curvature(self):
        """The curvature this penalty adds to every weight (its ``l2``)."""
        return self.l2

    @staticmethod
    def l1_max(grad_W_at_zero):
        """The L1 strength at and above which ``W = 0`` is optimal.

        ``grad_W_at_zero`` is the gradient of the data term in ``W`` at ``W = 0``
        (with the intercepts at their optimum, if fitted): zero weights are
        optimal exactly when no entry of it exceeds the L1 strength.
        """
        return float(np.max(np.abs(grad_W_at_zero), initial=0.0))


class NoPenalty(Penalty):
    """No penalty (scikit-learn's ``C=np.inf``)."""

    name = "none"

    def __init__(self):
        super().__init__(0.0, 0.0)

    def __repr__(self):
        return "NoPenalty()"


class L2(Penalty):
    r"""The ridge penalty :math:`\frac{\lambda}{2}\|W\|_F^2`.

    Parameters
    ----------
    strength : float
        :math:`\lambda > 0`.
    """

    name = "l2"

    def __init__(self, strength):
        super().__init__(0.0, strength)


class L1(Penalty):
    r"""The lasso penalty :math:`\lambda \|W\|_1`.

    Parameters
    ----------
    strength : float
        :math:`\lambda > 0`.
    """

    name = "l1"

    def __init__(self, strength):
        super().__init__(strength, 0.0)


class ElasticNet(Penalty):
    r"""The elastic-net :math:`\lambda (\rho \|W\|_1 + \frac{1 - \rho}{2}\|W\|_F^2)`.

    Parameters
    ----------
    strength : float
        :math:`\lambda > 0`.
    l1_ratio : float
        :math:`\rho` in (0, 1).
    """

    name = "elasticnet"

    def __init__(self, strength, l1_ratio):
        super().__init__(strength * l1_ratio, strength * (1.0 - l1_ratio))
        self.strength = float(strength)
        self.l1_ratio = float(l1_ratio)


def make_penalty(C, l1_ratio, sw_sum):
    """The penalty of scikit-learn's ``(C, l1_ratio)`` in the mean-scaled objective.

    Parameters
    ----------
    C : float
        Inverse regularization strength, in (0, inf]; ``inf`` is no penalty.
    l1_ratio : float
        In [0, 1]: 0 is L2, 1 is L1, between is the elastic-net.
    sw_sum : float
        Sum of the sample weights, ``S``.

    Returns
    -------
    penalty : Penalty
        With strength ``1 / (C * S)``.

    Examples
    --------
    >>> from skdigit.linear_model._penalties import make_penalty
    >>> make_penalty(1.0, 0.0, 100.0)
    L2(l1=0, l2=0.01)
    >>> make_penalty(float("inf"), 0.5, 100.0)
    NoPenalty()
    """
    if np.isinf(C):
        return NoPenalty()
    strength = 1.0 / (C * sw_sum)
    if l1_ratio == 0:
        return L2(strength)
    if l1_ratio == 1:
        return L1(strength)
    return ElasticNet(strength, l1_ratio)


_PENALTY_DEPRECATION = (
    "'penalty' was deprecated in version 1.8 and will be removed in"
    " 1.10. To avoid this warning, leave 'penalty' set to its default"
    " value and use 'l1_ratio' or 'C' instead."
    " Use l1_ratio=0 instead of penalty='l2',"
    " l1_ratio=1 instead of penalty='l1',"
    " l1_ratio set to a float between 0 and 1 instead of"
    " penalty='elasticnet', and C=np.inf instead of penalty=None."
)


def resolve_regularization(penalty, C, l1_ratio):
    """The effective ``(C, l1_ratio)`` of scikit-learn 1.9's parameters, with its warnings.

    ``penalty`` is deprecated in scikit-learn 1.8 (removed in 1.10) in favour
    of ``l1_ratio`` and ``C=np.inf``; it is still accepted with its meaning and
    scikit-learn's messages, so that code written for ``LogisticRegression``
    behaves the same with skdigit.

    Parameters
    ----------
    penalty : {"deprecated", "l1", "l2", "elasticnet", None}
    C : float
    l1_ratio : float or None

    Returns
    -------
    C : float
        ``np.inf`` for no penalty.
    l1_ratio : float

    Raises
    ------
    ValueError
        If ``penalty="elasticnet"`` and ``l1_ratio`` is None.
    """

    if penalty == "deprecated":
        if l1_ratio is None:
            warnings.warn(
                "'l1_ratio=None' was deprecated in version 1.8 and will "
                "trigger an error in 1.10. Use 0<=l1_ratio<=1 instead.",
                FutureWarning,
            )
            l1_ratio = 0.0
        if np.isinf(C) and 0 < l1_ratio < 1:
            # scikit-learn reads C=np.inf as penalty=None, then warns as for it
            warnings.warn(
                "l1_ratio parameter is only used when penalty is "
                "'elasticnet'. Got (penalty=None)"
            )
        return C, float(l1_ratio)

    warnings.warn(_PENALTY_DEPRECATION, FutureWarning)
    if penalty == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(
            "l1_ratio parameter is only used when penalty is "
            f"'elasticnet'. Got (penalty={penalty})"
        )
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        warnings.warn(
            f"Inconsistent values: penalty={penalty} with "
            f"l1_ratio={l1_ratio}. penalty is deprecated. Please use "
            "l1_ratio only."
        )
    if penalty is None:
        if C != 1.0:
            warnings.warn("Setting penalty=None will ignore the C and l1_ratio parameters")
        return np.inf, 0.0
    return C, {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)


_CV_PENALTY_DEPRECATION = (
    "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To "
    "avoid this warning, leave 'penalty' set to its default value and use "
    "'l1_ratios' and 'Cs' instead: l1_ratios=(0,) instead of penalty='l2', "
    "l1_ratios=(1,) instead of penalty='l1', l1_ratios set to floats between 0 "
    "and 1 instead of penalty='elasticnet', and Cs=(np.inf,) instead of penalty=None."
)


def resolve_cv_regularization(penalty, l1_ratios):
    """The ``l1_ratios`` a CV fit tries, from scikit-learn 1.9's CV parameters.

    As :class:`sklearn.linear_model.LogisticRegressionCV` 1.9: ``penalty`` is
    deprecated (a ``FutureWarning``) and, when set, decides (``"l2"``: 0,
    ``"l1"``: 1, ``"elasticnet"``: the ``l1_ratios`` given);
    ``l1_ratios=None`` is deprecated too and means the penalty's value (0
    unless ``penalty="l1"``). ``"auto"``, skdigit's default, means the same
    as ``None`` without the warning: scikit-learn 1.10's ``(0.0,)``, or the
    penalty's value.

    Parameters
    ----------
    penalty : {"deprecated", "l1", "l2", "elasticnet"}
    l1_ratios : array-like, None or "auto"

    Returns
    -------
    l1_ratios : ndarray of shape (n_l1_ratios,)
    given : bool
        False for ``l1_ratios=None`` and ``"auto"`` (scikit-learn 1.9's
        default, ``None``: its legacy attributes then have no ``l1_ratios``
        axis).

    Raises
    ------
    ValueError
        If the ``l1_ratios`` to try are not numbers in [0, 1], or none.

    Examples
    --------
    >>> from skdigit.linear_model._penalties import resolve_cv_regularization
    >>> resolve_cv_regularization("deprecated", (0.0, 0.5))
    (array([0. , 0.5]), True)
    >>> resolve_cv_regularization("deprecated", "auto")
    (array([0.]), False)
    """
    default = isinstance(l1_ratios, str) and l1_ratios == "auto"
    given = l1_ratios is not None and not default
    if l1_ratios is None:
        warnings.warn(
            "'l1_ratios=None' was deprecated in version 1.8 and will trigger an "
            "error in 1.10. Use an array-like with values in [0, 1] instead.",
            FutureWarning,
        )
    if penalty != "deprecated":
        warnings.warn(_CV_PENALTY_DEPRECATION, FutureWarning)
        implied = {"l2": 0.0, "l1": 1.0}.get(penalty)
        if implied is not None:
            if given and np.any(np.asarray(l1_ratios, dtype=float) != implied):
                warnings.warn(
                    "l1_ratios parameter is only used when penalty is "
                    f"'elasticnet'. Got (penalty={penalty})"
                )
            return np.array([implied]), given
        if not given:
            raise ValueError(
                "l1_ratios must be an array-like of numbers between 0 and 1 when "
                f"penalty='elasticnet'; got l1_ratios={l1_ratios!r}."
            )
    elif not given:
        return np.array([0.0]), given
    try:
        values = np.asarray(l1_ratios, dtype=float).ravel()
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if values.size == 0 or not np.all((values >= 0) & (values <= 1)):
        raise ValueError(
            f"l1_ratios must be values in [0, 1]; got {list(np.ravel(l1_ratios))}. "
            "0 is the L2 penalty, 1 the L1 penalty, between the elastic-net."
        )
    return values, given


def c_from_alpha(alpha, sw_sum):
    r"""scikit-learn 1.10's ``alpha`` as ``C``: ``C = 1 / (alpha * sum(sample_weight))``.

    ``alpha`` is the strength of the penalty on the mean loss (as in
    :class:`~sklearn.linear_model.SGDClassifier` and the other linear models);
    ``alpha=0`` is no penalty (``C=np.inf``).

    Parameters
    ----------
    alpha : float or ndarray
        At least 0.
    sw_sum : float
        The sum of the sample weights as given (``n_samples`` without them;
        class weights not included).

    Examples
    --------
    >>> from skdigit.linear_model._penalties import c_from_alpha
    >>> float(c_from_alpha(0.01, 200.0))
    0.5
    >>> float(c_from_alpha(0.0, 200.0))
    inf
    """
    alpha = np.asarray(alpha, dtype=float)
    with np.errstate(divide="ignore"):
        return 1.0 / (alpha * sw_sum)


def check_c_alpha(C, alpha, *, c_name="C", alpha_name="alpha", c_default=1.0):
    """Raise ``ValueError`` when both ``C`` and ``alpha`` are set.

    ``C`` left at its default (or ``None``, scikit-learn 1.10's way to
    silence its deprecation) gives way to ``alpha``; with neither set, the
    default ``C`` holds.
    """
    c_set = C is not None and not (np.isscalar(C) and C == c_default)
    if alpha is not None and c_set:
        raise ValueError(
            f"Both {c_name}={C!r} and {alpha_name}={alpha!r} are set: they are two "
            f"spellings of one regularization ({c_name} = 1 / ({alpha_name} * "
            f"sum(sample_weight))). Set {alpha_name} and leave {c_name} at its "
            f"default (or None), or set {c_name} only."
        )
