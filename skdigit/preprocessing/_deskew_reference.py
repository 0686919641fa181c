"""Plain NumPy/SciPy twin of the deskewing kernels, one image at a time.

:mod:`skdigit.preprocessing._deskew_kernels` computes the same in numba; the
tests check that both agree. :class:`~skdigit.Deskew` runs this twin for a
few images (no kernel to compile).
"""

import numpy as np
from scipy import ndimage

from ._deskew_kernels import MU02_EPS

__all__ = ["deskew_reference", "image_moments_reference", "image_skew_reference"]


def image_moments_reference(img):
    """``(total, cy, cx, mu11, mu02, vmax)`` of one 2-D image, as the kernels define them."""
    img = np.asarray(img, dtype=np.float64)
    total = img.sum()
    vmax = float(img.max(initial=0.0))
    if total <= 0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, vmax
    rows, cols = np.mgrid[: img.shape[0], : img.shape[1]].astype(np.float64)
    cy = (rows * img).sum() / total
    cx = (cols * img).sum() / total
    mu11 = ((cols - cx) * (rows - cy) * img).sum() / total
    mu02 = ((rows - cy) ** 2 * img).sum() / total
    return float(total), float(cy), float(cx), float(mu11), float(mu02), vmax


def image_skew_reference(total, mu11, mu02):
    """The skew ``mu11 / mu02`` of one image's moments; 0 for a blank or flat image."""
    return mu11 / mu02 if total > 0 and mu02 > MU02_EPS else 0.0


def deskew_reference(X, image_shape):
    """Plain NumPy/SciPy deskewing, one image at a time (slow; for tests).

    Same conventions as :class:`~skdigit.Deskew`: moments in float64, bilinear
    interpolation with zeros outside (``scipy.ndimage.affine_transform`` with
    ``order=1, mode="grid-constant"``), clipping to ``[0, max(image)]``, blank
    images unchanged, output in the dtype of ``X`` (float32 or float64).

    Returns
    -------
    X_deskewed : ndarray of shape (n_samples, n_features)
    skew : ndarray of shape (n_samples,)
    """
    n_rows, n_cols = image_shape
    X = np.asarray(X)
    out = np.empty_like(X)
    skew = np.zeros(X.shape[0])
    centre = np.array([(n_rows - 1) / 2, (n_cols - 1) / 2])
    for k, flat in enumerate(X):
        img = flat.reshape(n_rows, n_cols).astype(np.float64)
        total, cy, cx, mu11, mu02, vmax = image_moments_reference(img)
        if total <= 0:
            out[k] = flat
            continue
        alpha = image_skew_reference(total, mu11, mu02)
        A = np.array([[1.0, 0.0], [alpha, 1.0]])
        offset = np.array([cy, cx]) - A @ centre
        res = ndimage.affine_transform(
            img, A, offset=offset, order=1, mode="grid-constant", cval=0.0
        )
        out[k] = np.clip(res, 0.0, vmax).ravel()
        skew[k] = alpha
    return out, skew
