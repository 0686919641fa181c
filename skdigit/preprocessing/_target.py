"""Turn digit labels into a one-vs-rest binary target."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..utils import DocLinkMixin

__all__ = ["TargetBinarizer"]


class TargetBinarizer(
    DocLinkMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Encode labels as 1 for one chosen class and 0 for all the others.

    A target transformer with the API of
    :class:`sklearn.preprocessing.LabelBinarizer` (:meth:`fit` and
    :meth:`transform` take ``y``; ``classes_``; :meth:`inverse_transform`) for
    one-vs-rest detectors such as the classic "is this a 2?": ``transform(y)``
    is 1 where ``y == positive_label`` and 0 elsewhere, as a 1-D int64 array,
    which any binary classifier accepts.

    Parameters
    ----------
    positive_label : int, float or str, default=2
        The label, as it appears in ``y``, of the class encoded as 1. It must be
        among the labels seen by :meth:`fit` (with the same type: ``2`` does
        not match the string ``"2"``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted labels seen by :meth:`fit` (the original labels, as in
        :class:`~sklearn.preprocessing.LabelBinarizer`, not the encoded 0/1).

    See Also
    --------
    sklearn.preprocessing.LabelBinarizer : One column per class (one-vs-all).
    sklearn.preprocessing.label_binarize : The same, as a function.

    Notes
    -----
    The encoding is fixed by ``positive_label`` and needs no statistics of
    ``y``, so encoding the whole target before cross-validation, as in the
    example below, leaks nothing between folds. :meth:`fit` only records
    ``classes_`` to catch a ``positive_label`` absent from ``y`` (a typo, or
    ``2`` against string labels), which would otherwise give an all-zero
    target.

    :meth:`inverse_transform` cannot recover the original label of a negative
    sample (a 0 may have been any digit but ``positive_label``), so it does not
    invent one: it returns the boolean answer ``y == positive_label``, True for
    1 and False for 0.

    Like scikit-learn's label transformers, this class transforms ``y``, not
    ``X``: it is meant to be applied to the target outside a
    :class:`~sklearn.pipeline.Pipeline`, it has no ``get_feature_names_out``
    and no ``set_output`` (its output is always a 1-D ndarray, whatever the
    global ``transform_output`` configuration), and scikit-learn's common
    estimator checks, which feed 2-D ``X``, skip it (its tags say so, as
    :class:`~sklearn.preprocessing.LabelEncoder`'s do).

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit.preprocessing import TargetBinarizer
    >>> binarizer = TargetBinarizer(positive_label=2)
    >>> binarizer.fit_transform([0, 2, 7, 2, 9])
    array([0, 1, 0, 1, 0])
    >>> binarizer.classes_
    array([0, 2, 7, 9])
    >>> binarizer.inverse_transform([1, 0, 0])
    array([ True, False, False])

    A "2 or not 2" detector on the 8x8 digits, scored by cross-validation:

    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> X, y = load_digits(return_X_y=True)
    >>> y2 = TargetBinarizer(2).fit_transform(y)
    >>> int(y2.sum()), len(y2)
    (177, 1797)
    >>> scores = cross_val_score(LogisticRegression(max_iter=1000), X / 16, y2, cv=3)
    >>> bool(scores.mean() > 0.95)
    True
    """

    _parameter_constraints: dict = {"positive_label": [Real, str]}

    def __init__(self, positive_label=2):
        self.positive_label = positive_label

    @staticmethod
    def _validate_y(y):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y):
        """Record the labels of ``y`` and check that ``positive_label`` is one.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels (e.g. the digits 0-9).

        Returns
        -------
        self : object
            The fitted transformer.

        Raises
        ------
        ValueError
            If ``positive_label`` is not among the labels of ``y``, or if ``y``
            is not a vector of class labels (continuous or multilabel).
        """
        y = self._validate_y(y)
        classes = np.unique(y)
        if not np.any(classes == self.positive_label):
            text = str(self.positive_label)
            same_text = [c for c in classes.tolist() if str(c) == text]
            hint = ""
            if same_text:
                hint = (
                    f" y has the label {same_text[0]!r} "
                    f"({type(same_text[0]).__name__}), which differs from "
                    f"positive_label={self.positive_label!r} "
                    f"({type(self.positive_label).__name__}) only in type; "
                    "use the type of the labels in y."
                )
            raise ValueError(
                f"positive_label={self.positive_label!r} not found in y; labels "
                f"seen: {classes.tolist()}.{hint}"
            )
        self.classes_ = classes
        return self

    def fit_transform(self, y):
        """Fit to ``y`` and encode it; same as ``fit(y).transform(y)``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        y_binary : ndarray of shape (n_samples,), dtype=int64
            1 where ``y == positive_label``, 0 elsewhere.
        """
        return self.fit(y).transform(y)

    def transform(self, y):
        """Encode ``y``: 1 where ``y == positive_label``, 0 elsewhere.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels, all seen by :meth:`fit`.

        Returns
        -------
        y_binary : ndarray of shape (n_samples,), dtype=int64
            1 where ``y == positive_label``, 0 elsewhere.

        Raises
        ------
        ValueError
            If ``y`` has labels that :meth:`fit` did not see (as
            :class:`~sklearn.preprocessing.LabelEncoder` does).
        """
        check_is_fitted(self)
        y = self._validate_y(y)
        unseen = np.setdiff1d(y, self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen during fit: {unseen.tolist()}; labels "
                f"seen: {self.classes_.tolist()}."
            )
        return (y == self.positive_label).astype(np.int64)

    def inverse_transform(self, y):
        """Map encoded labels back to the answer "is it ``positive_label``?".

        The original label of a 0 cannot be recovered (it may be any label but
        ``positive_label``), so the result is boolean rather than labels.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Encoded labels, 0 or 1 (or False/True), e.g. the predictions of a
            classifier trained on the output of :meth:`transform`.

        Returns
        -------
        is_positive : ndarray of shape (n_samples,), dtype=bool
            True where ``y == 1``, i.e. where the label is ``positive_label``.

        Raises
        ------
        ValueError
            If ``y`` has values other than 0 and 1.
        """
        check_is_fitted(self)
        y = column_or_1d(y, warn=True)
        bad = ~np.isin(y, [0, 1])
        if np.any(bad):
            raise ValueError(
                "inverse_transform expects the encoded labels 0 and 1; got "
                f"{np.unique(y[bad]).tolist()}."
            )
        return y == 1

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.one_d_labels = True
        return tags
