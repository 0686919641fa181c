"""The fitted attributes of :class:`~skdigit.DigitLogisticClassifierCV` in scikit-learn's legacy layout.

skdigit computes the modern layout of scikit-learn 1.9's
``LogisticRegressionCV(use_legacy_attributes=False)`` (the default of
scikit-learn 1.10): arrays indexed ``[fold, l1_ratio, C, ...]`` and floats
``C_``, ``l1_ratio_``. ``use_legacy_attributes=True`` gives the layout that
scikit-learn 1.9 still has by default, for code written against it:

- ``scores_``: a dict ``{class: ndarray of shape (n_folds, n_cs, n_l1_ratios)}``,
  the same array for every class (only ``classes_[1]`` for two classes);
- ``coefs_paths_``: a dict ``{class: ndarray of shape (n_folds, n_cs,
  n_l1_ratios, n_dof)}``, each class its own row of the multinomial
  coefficients (for two classes, ``classes_[1]``: the one weight vector);
- ``n_iter_``: shape ``(1, n_folds, n_cs, n_l1_ratios)``;
- ``C_``, ``l1_ratio_``: arrays of shape ``(n_classes,)`` (``(1,)`` for two
  classes), the chosen value repeated.

With the default ``l1_ratios="auto"`` (scikit-learn 1.9's default is
``None``) and with ``l1_ratios=None`` (deprecated in scikit-learn 1.8), the
``l1_ratios`` axis is dropped from these arrays, ``l1_ratios_`` is ``[None]``
and ``l1_ratio_`` holds None after a refit (0.0 without one), as there: 1.9's
``coefs_paths_[c][fold, i_C, :-1]`` is then one fold's weights at one ``C``.
"""

import numpy as np

__all__ = ["to_legacy_attributes"]


def to_legacy_attributes(estimator, *, l1_ratios_given, refit):
    """Rewrite ``estimator``'s fitted CV attributes in the legacy layout, in place.

    Parameters
    ----------
    estimator : DigitLogisticClassifierCV
        Fitted, with the modern attributes.
    l1_ratios_given : bool
        False when the user passed ``l1_ratios=None``: the ``l1_ratios`` axis
        is then dropped, as scikit-learn does.
    """
    classes = estimator.classes_
    binary = len(classes) == 2
    keys = classes[1:] if binary else classes
    # modern: (n_folds, n_l1, n_cs, ...) -> legacy: (n_folds, n_cs, n_l1, ...)
    scores = np.swapaxes(estimator.scores_, 1, 2)
    paths = np.swapaxes(estimator.coefs_paths_, 1, 2)  # (folds, cs, l1, rows, dof)
    n_iter = np.swapaxes(estimator.n_iter_, 1, 2)[None]
    if not l1_ratios_given:
        scores, paths, n_iter = scores[:, :, 0], paths[:, :, 0], n_iter[:, :, :, 0]
        estimator.l1_ratios_ = np.array([None], dtype=object)
        l1_ratio = None if refit else 0.0
    else:
        l1_ratio = estimator.l1_ratio_
    estimator.scores_ = {k: scores.copy() for k in keys}
    estimator.coefs_paths_ = {k: paths[..., r, :].copy() for r, k in enumerate(keys)}
    estimator.n_iter_ = n_iter
    n = len(keys)
    estimator.C_ = np.full(n, estimator.C_)
    estimator.l1_ratio_ = np.full(n, l1_ratio, dtype=object if l1_ratio is None else float)
