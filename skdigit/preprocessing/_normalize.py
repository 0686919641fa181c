"""Scale pixel intensities to [0, 1]."""

import warnings
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import validate_data

from ..utils import DocLinkMixin

__all__ = ["PixelNormalizer"]


class PixelNormalizer(DocLinkMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale pixel intensities from ``[0, max_value]`` to ``[0, 1]``.

    Each value is divided by ``max_value`` (255 for 8-bit images such as MNIST)
    and stored as ``dtype`` (float32 by default). The range of the input is
    checked: a negative value, or a value above ``max_value``, raises a
    ValueError that says what was found, so that data on another scale (already
    scaled, standardized, 16-bit...) is not silently mis-scaled; floating-point
    input whose maximum is at most 1 while ``max_value`` is above 1 (data
    already scaled to ``[0, 1]``, about to be divided again) gives a
    ``UserWarning``.

    The transformer is stateless: :meth:`fit` only validates ``X`` and records
    ``n_features_in_``. Sparse input keeps its format (CSR in, CSR out; CSC in,
    CSC out; other formats are converted to CSR) and is never densified.

    Parameters
    ----------
    max_value : float, default=255.0
        The intensity that maps to 1; input values must lie in ``[0,
        max_value]``. Use 255 for 8-bit images (MNIST), 16 for
        :func:`sklearn.datasets.load_digits`, and ``max_value=1.0`` for data
        that is already scaled to ``[0, 1]``: the values are then only
        validated and cast to ``dtype`` (and not copied at all when
        ``copy=False`` and ``X`` already has that dtype).

    dtype : {np.float32, np.float64, "float32", "float64"}, default=np.float32
        Dtype of the output, whatever the input dtype. The scaling is computed
        directly in this dtype: the default path makes no float64 copy of
        ``X``.

    copy : bool, default=True
        If False, scale ``X`` in place when it already has the output dtype and
        is writeable (for sparse input, its ``data`` array); otherwise a single
        new array is always allocated for the result.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (pixels) seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    Deskew : Straighten slanted digits; keeps the intensity scale, so it can
        come before or after this transformer.
    sklearn.preprocessing.MinMaxScaler : Per-feature scaling learned from the
        data (not a fixed intensity range, and a column that is constant in
        training breaks it).

    Notes
    -----
    Intensities are not clipped: a value outside ``[0, max_value]`` is an
    error, not something to fix silently. Non-finite values (NaN, inf) are an
    error too.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdigit.preprocessing import PixelNormalizer
    >>> X, y = load_digits(return_X_y=True)  # intensities 0-16
    >>> X01 = PixelNormalizer(max_value=16).fit_transform(X)
    >>> X01.dtype, float(X01.min()), float(X01.max())
    (dtype('float32'), 0.0, 1.0)

    8-bit images, as in MNIST:

    >>> import numpy as np
    >>> X8 = np.array([[0, 51, 255], [255, 102, 0]], dtype=np.uint8)
    >>> PixelNormalizer().fit_transform(X8)
    array([[0. , 0.2, 1. ],
           [1. , 0.4, 0. ]], dtype=float32)

    Data on the wrong scale is an error, not a silent mistake:

    >>> PixelNormalizer().fit(X8.astype(float) * 4)
    Traceback (most recent call last):
        ...
    ValueError: PixelNormalizer(max_value=255.0) ... a maximum of 1020.0. Set max_value ...
    """

    _parameter_constraints: dict = {
        "max_value": [Interval(Real, 0, None, closed="neither")],
        "dtype": [
            Options(type, {np.float32, np.float64}),
            StrOptions({"float32", "float64"}),
        ],
        "copy": ["boolean"],
    }

    def __init__(self, *, max_value=255.0, dtype=np.float32, copy=True):
        self.max_value = max_value
        self.dtype = dtype
        self.copy = copy

    def _check_range(self, X):
        """Raise a ValueError if a value of X is outside [0, max_value]."""
        values = X.data if sp.issparse(X) else X
        if values.size == 0 or values.dtype.kind == "b":
            return
        name = type(self).__name__
        max_value = self.max_value
        kind = values.dtype.kind
        if kind != "u":
            v_min = values.min()
            if v_min < 0:
                raise ValueError(
                    f"Negative values in data passed to {name}: the smallest value "
                    f"is {v_min.item()!r}, but pixel intensities must lie in [0, "
                    f"{max_value}]. Pass the raw image intensities, not centred or "
                    "standardized data."
                )
        if kind in "ui" and np.iinfo(values.dtype).max <= max_value:
            return
        v_max = values.max()
        if v_max > max_value:
            if max_value <= 1:
                hint = (
                    "max_value=1.0 declares X already scaled to [0, 1], which it is "
                    "not; use max_value=255 for 8-bit images (or the largest "
                    "intensity of their scale, e.g. 16 for load_digits)."
                )
            else:
                hint = (
                    "Set max_value to the largest intensity of the images' scale "
                    "(e.g. 255 for 8-bit images, 16 for load_digits, 65535 for "
                    "16-bit images)."
                )
            raise ValueError(
                f"{name}(max_value={max_value}) expects pixel intensities in [0, "
                f"{max_value}], but X has a maximum of {v_max.item()!r}. {hint}"
            )
        if kind == "f" and max_value > 1 and 0 < v_max <= 1:
            # checked on floats only, whose maximum is computed anyway: integer
            # images at most 1 would be binary, and cost a pass to detect
            warnings.warn(
                f"{name}(max_value={max_value}) got X with a maximum of {v_max.item()!r}: "
                f"it looks already scaled to [0, 1], and dividing it by {max_value} "
                "again leaves it near 0. If it is already scaled, use max_value=1.0 "
                "(or leave the normalizer out); if the images are just faint, ignore "
                "this warning.",
                UserWarning,
                stacklevel=3,
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate ``X`` (the transformer learns nothing).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Pixel intensities in ``[0, max_value]``.

        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.

        Raises
        ------
        ValueError
            If ``X`` has a value below 0 or above ``max_value``, or a
            non-finite value.

        Warns
        -----
        UserWarning
            If ``X`` is floating-point with a maximum in ``(0, 1]`` while
            ``max_value`` is above 1: it looks already scaled.
        """
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype="numeric")
        self._check_range(X)
        return self

    def transform(self, X):
        """Scale the intensities to ``[0, 1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Pixel intensities in ``[0, max_value]``.

        Returns
        -------
        X_scaled : {ndarray, sparse matrix} of shape (n_samples, n_features)
            ``X / max_value`` as ``dtype``, in ``[0, 1]``; sparse when ``X`` is
            sparse (same format for CSR and CSC, same sparsity pattern).

        Raises
        ------
        ValueError
            If ``X`` has a value below 0 or above ``max_value``, or a
            non-finite value.

        Warns
        -----
        UserWarning
            If ``X`` is floating-point with a maximum in ``(0, 1]`` while
            ``max_value`` is above 1: it looks already scaled.
        """
        if not hasattr(self, "n_features_in_"):
            # stateless use without fit: validate the parameters here
            self._validate_params()
        X = validate_data(
            self, X, reset=False, accept_sparse=("csr", "csc"), dtype="numeric"
        )
        self._check_range(X)
        dtype = np.dtype(self.dtype)
        if sp.issparse(X):
            in_place = not self.copy and X.dtype == dtype and X.data.flags.writeable
            X_out = X if in_place else X.astype(dtype, copy=True)
            self._scale_in_place(X_out.data)
            return X_out
        if self.max_value == 1:
            # already scaled: validated above, only cast (no copy when copy=False
            # and X already has the output dtype)
            return X.astype(dtype, copy=self.copy)
        if not self.copy and X.dtype == dtype and X.flags.writeable:
            self._scale_in_place(X)
            return X
        # one allocation, computed in the output dtype (no float64 temporary)
        return np.divide(X, dtype.type(self.max_value), dtype=dtype)

    def _scale_in_place(self, values):
        if self.max_value != 1:
            np.divide(values, values.dtype.type(self.max_value), out=values)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        try:
            tags.transformer_tags.preserves_dtype = [np.dtype(self.dtype).name]
        except TypeError:  # invalid dtype parameter; fit will say so
            tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
