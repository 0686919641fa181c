"""Moment-based deskewing of flattened digit images."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils.validation import validate_data

from ..utils import DocLinkMixin, check_image_shape, parallel_kernel_lock
from ..utils._numba_cache import use_numpy_twin
from ._deskew_kernels import deskew_images, image_skews
from ._deskew_reference import deskew_reference, image_moments_reference, image_skew_reference

__all__ = ["Deskew"]


# Sparse input is densified this many bytes of rows at a time (about 2,700
# MNIST images in float32), so that no dense copy of the whole input is made
# besides the output itself.
_CHUNK_BYTES = 8 * 2**20


def _check_nonnegative(X, whom):
    """Raise a ValueError (with sklearn's standard wording) if X has negative values."""
    values = X.data if sp.issparse(X) else X
    if values.size == 0 or values.dtype.kind in "ub":
        return
    x_min = values.min()
    if x_min < 0:
        raise ValueError(
            f"Negative values in data passed to {whom}: the smallest value is "
            f"{x_min.item()!r}. {whom} expects nonnegative pixel intensities (0-255, "
            "or [0, 1] after scaling); apply it to the raw images, before any "
            "centring or standardization."
        )


class Deskew(DocLinkMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    r"""Straighten slanted digits by shearing each image (moment-based deskewing).

    Each row of ``X`` is one grayscale image flattened in row-major (C) order.
    For every image, the intensity-weighted centre of mass and the second-order
    central moments give its skew, the rate at which the ink drifts
    horizontally when going down the image. The image is then sheared so that
    its principal axis is vertical and translated so that its centre of mass
    lies at the image centre, with bilinear interpolation and zeros outside the
    image. This is the "deskewing" preprocessing of the MNIST results table of
    LeCun et al. [1]_.

    The transformer is stateless: it processes each image independently, and
    :meth:`fit` only validates ``X`` and resolves the image shape.

    Parameters
    ----------
    image_shape : tuple of (int, int), default=None
        ``(n_rows, n_cols)`` of each image, with ``n_rows * n_cols ==
        n_features``; one of the two may be -1, inferred from ``n_features`` as
        in :func:`numpy.reshape`. ``None`` infers a square shape when
        ``n_features`` is a perfect square (784 -> ``(28, 28)`` for MNIST, 64 ->
        ``(8, 8)`` for :func:`sklearn.datasets.load_digits`) and raises a
        ValueError otherwise.

    Attributes
    ----------
    image_shape_ : tuple of (int, int)
        The resolved ``(n_rows, n_cols)``.

    n_features_in_ : int
        Number of features (pixels) seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    PixelNormalizer : Scale pixel intensities from 0-255 to [0, 1].
    skdigit.utils.check_image_shape : Validate or infer ``image_shape``.

    Notes
    -----
    Let :math:`I(y, x) \ge 0` be the intensity of the pixel in row :math:`y`
    and column :math:`x` (:math:`0 \le y < H`, :math:`0 \le x < W`) and
    :math:`M = \sum_{y, x} I(y, x)` the total intensity. The centre of mass and
    the normalized central moments [2]_ are

    .. math::

        c_y = \frac{1}{M} \sum_{y, x} y \, I(y, x), \qquad
        c_x = \frac{1}{M} \sum_{y, x} x \, I(y, x),

        \mu_{11} = \frac{1}{M} \sum_{y, x} (x - c_x)(y - c_y) \, I(y, x), \qquad
        \mu_{02} = \frac{1}{M} \sum_{y, x} (y - c_y)^2 \, I(y, x),

    and the skew is :math:`\alpha = \mu_{11} / \mu_{02}`, the slope of the
    least-squares regression of :math:`x` on :math:`y` (how far the ink moves
    right per row down). With the image centre :math:`r = ((H - 1)/2, (W -
    1)/2)` (pixel centres at integer coordinates), the output pixel
    :math:`(y', x')` takes the value of the input at

    .. math::

        \begin{pmatrix} y \\ x \end{pmatrix}
        = A \begin{pmatrix} y' \\ x' \end{pmatrix} + b, \qquad
        A = \begin{pmatrix} 1 & 0 \\ \alpha & 1 \end{pmatrix}, \qquad
        b = c - A r,

    i.e. :math:`y = y' + c_y - r_y` and :math:`x = x' + \alpha (y' - r_y) + c_x
    - r_x`, interpolated bilinearly with zeros outside the image (the map that
    :func:`scipy.ndimage.affine_transform` computes with ``order=1,
    mode="grid-constant"``). In the output, :math:`\mu_{11} = 0` and the centre
    of mass is :math:`r`, up to interpolation and to ink sheared out of the
    frame. This follows Ghosh and Wan [3]_, except that the centre is
    :math:`(H - 1)/2` rather than :math:`H/2` (so the centre of mass is not
    shifted by half a pixel) and interpolation is bilinear rather than cubic
    (so no negative values or ringing appear).

    Conventions and edge cases:

    - Pixel values keep their scale (deskewing does not rescale): 0-255 input
      gives 0-255 output, [0, 1] input gives [0, 1] output. Each output pixel
      is clipped to ``[0, max(image)]``, which only removes rounding error.
    - float32 and float64 input keep their dtype; any other dtype (uint8 and
      other integers, bool, float16) gives float32.
    - Blank (all-zero) images pass through unchanged. Images whose ink lies in a
      single row (:math:`\mu_{02} \approx 0`) have no defined skew: they are
      only centred (:math:`\alpha = 0`).
    - Negative values raise a ValueError; non-finite values raise a
      ValueError.
    - Sparse input (any SciPy sparse matrix or array, converted to CSR) gives
      a dense output, with the dtype rules above: a shear moves every pixel,
      so the output is not sparse in the input's pattern. The rows are
      densified a block at a time (8 MiB of dense rows), so that besides the
      output no dense copy of the whole input is made.
    - ``X`` is never modified; the images are processed in parallel by a
      compiled (numba) kernel, whose thread count follows
      :func:`numba.set_num_threads`. Fewer than 32 images are processed by
      the kernel's plain NumPy/SciPy twin instead (the same map, equal to
      float32 rounding), so that deskewing a few images never waits for numba
      to compile the kernel on a first run.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based
       learning applied to document recognition", Proceedings of the IEEE,
       86(11):2278-2324, 1998.
    .. [2] M.-K. Hu, "Visual pattern recognition by moment invariants", IRE
       Transactions on Information Theory, 8(2):179-187, 1962.
    .. [3] D. Ghosh and A. Wan, "Deskewing MNIST", 2017,
       https://fsix.github.io/mnist/Deskewing.html

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skdigit.preprocessing import Deskew
    >>> X, y = load_digits(return_X_y=True)  # 8x8 images, intensities 0-16
    >>> deskew = Deskew().fit(X)
    >>> deskew.image_shape_
    (8, 8)
    >>> X_straight = deskew.transform(X)
    >>> X_straight.shape, X_straight.dtype
    ((1797, 64), dtype('float64'))
    >>> deskew.transform(X.astype(np.uint8)).dtype
    dtype('float32')
    >>> bool(X_straight.min() >= 0 and X_straight.max() <= 16)
    True

    The skew of each image, before and after:

    >>> before = np.abs(deskew.skew(X)).mean()
    >>> after = np.abs(deskew.skew(X_straight)).mean()
    >>> bool(after < before / 3)
    True
    """

    _parameter_constraints: dict = {"image_shape": [tuple, list, None]}

    def __init__(self, *, image_shape=None):
        self.image_shape = image_shape

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate ``X`` and resolve the image shape.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Flattened nonnegative images, one per row, in row-major order.

        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.

        Raises
        ------
        ValueError
            If ``X`` has negative or non-finite values, or if ``image_shape``
            does not match ``n_features`` (or cannot be inferred).
        """
        X = validate_data(self, X, accept_sparse="csr", dtype="numeric")
        _check_nonnegative(X, type(self).__name__)
        self.image_shape_ = check_image_shape(self.image_shape, X.shape[1])
        return self

    def _validate_for_transform(self, X):
        fitted = hasattr(self, "image_shape_")
        if not fitted:
            # stateless use without fit: validate the parameters here
            self._validate_params()
        X = validate_data(
            self, X, reset=False, accept_sparse="csr",
            dtype=[np.float32, np.float64], order="C",
        )
        _check_nonnegative(X, type(self).__name__)
        if fitted:
            image_shape = self.image_shape_
        else:
            image_shape = check_image_shape(self.image_shape, X.shape[1])
        return X, image_shape

    def transform(self, X):
        """Deskew each image.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Flattened nonnegative images, one per row, in row-major order, with
            any intensity scale (0-255, 0-16, [0, 1]...).

        Returns
        -------
        X_deskewed : ndarray of shape (n_samples, n_features)
            The deskewed images, dense (also for sparse ``X``), on the same
            intensity scale as ``X``; float32 or float64 as ``X``, float32 for
            any other input dtype.

        Raises
        ------
        ValueError
            If ``X`` has negative or non-finite values, or if its number of
            features does not match the image shape.
        """
        X, (n_rows, n_cols) = self._validate_for_transform(X)
        if use_numpy_twin(X.shape[0]):  # a few images: no kernel to compile
            dense = X.toarray() if sp.issparse(X) else X
            return deskew_reference(dense, (n_rows, n_cols))[0]
        out = np.empty(X.shape, dtype=X.dtype)
        skew = np.empty(X.shape[0], dtype=np.float64)
        with parallel_kernel_lock():
            for rows, block in _dense_blocks(X):
                deskew_images(block, n_rows, n_cols, out[rows], skew[rows])
        return out

    def skew(self, X):
        r"""Skew :math:`\alpha = \mu_{11} / \mu_{02}` of each image.

        Useful to inspect the data or to check the effect of the transform:
        after :meth:`transform`, the skews are close to 0.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Flattened nonnegative images, one per row, in row-major order.

        Returns
        -------
        skew : ndarray of shape (n_samples,)
            Horizontal displacement of the ink per row down, in pixels per
            pixel (float64); positive when the digit leans like ``\``, negative
            when it leans like ``/``. 0 for blank images and images whose ink
            lies in a single row.
        """
        X, (n_rows, n_cols) = self._validate_for_transform(X)
        if use_numpy_twin(X.shape[0]):  # a few images: no kernel to compile
            dense = X.toarray() if sp.issparse(X) else X
            return np.array([_skew_reference(image.reshape(n_rows, n_cols))
                             for image in dense], dtype=np.float64).reshape(-1)
        skew = np.empty(X.shape[0], dtype=np.float64)
        with parallel_kernel_lock():
            for rows, block in _dense_blocks(X):
                image_skews(block, n_rows, n_cols, skew[rows])
        return skew

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float32", "float64"]
        return tags


def _skew_reference(image):
    """The skew of one 2-D image, as :func:`image_skews` defines it (NumPy)."""
    total, _, _, mu11, mu02, _ = image_moments_reference(image)
    return image_skew_reference(total, mu11, mu02)


def _dense_blocks(X):
    """``(rows, block)`` pairs covering ``X``: the whole of a dense ``X`` at once,
    a CSR ``X`` as C-contiguous dense blocks of about ``_CHUNK_BYTES``."""
    if not sp.issparse(X):
        yield slice(None), X
        return
    n_samples, n_features = X.shape
    step = max(1, _CHUNK_BYTES // max(1, n_features * X.dtype.itemsize))
    for start in range(0, n_samples, step):
        rows = slice(start, min(start + step, n_samples))
        yield rows, X[rows].toarray(order="C")
