"""Numba kernels for moment-based deskewing of flattened images.

Every kernel takes a C-contiguous 2-D array ``X`` of shape ``(n_samples, n_rows *
n_cols)`` (one flattened, nonnegative image per row), never writes into it, and
writes its results into buffers that the caller allocates. Moments and
interpolation weights are computed in float64 whatever the dtype of ``X``; the
result is stored in the dtype of ``out``. Images are independent: :func:`deskew_images`
runs contiguous ranges of them in parallel Python threads (the GIL released),
:func:`image_skews` in a ``prange`` loop.

The plain NumPy/SciPy reference is ``skdigit.preprocessing._deskew_reference``;
the tests check that both agree.
"""

import math

import numba
from numba import njit, prange

from ..utils._threads import row_ranges, run_parts

__all__ = ["deskew_images", "image_skews"]

# Below this row variance (in squared pixels) an image has no vertical extent
# (a single row of ink), its skew is undefined and it is not sheared.
MU02_EPS = 1e-8


@njit(cache=True, nogil=True)
def image_moments(img, n_rows, n_cols):
    """Intensity-weighted moments of one flattened image.

    Returns ``(total, cy, cx, mu11, mu02, vmax)``: the total intensity, the
    centre of mass (row ``cy``, column ``cx``), the normalized central moments
    ``mu11 = E[(x - cx) (y - cy)]`` and ``mu02 = E[(y - cy)**2]``, and the largest
    pixel value. When ``total == 0`` the centre and moments are 0.
    """
    total = 0.0
    sy = 0.0
    sx = 0.0
    vmax = 0.0
    for i in range(n_rows):
        base = i * n_cols
        for j in range(n_cols):
            v = float(img[base + j])
            total += v
            sy += i * v
            sx += j * v
            if v > vmax:
                vmax = v
    if total <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, vmax
    cy = sy / total
    cx = sx / total
    m11 = 0.0
    m02 = 0.0
    for i in range(n_rows):
        dy = i - cy
        base = i * n_cols
        for j in range(n_cols):
            v = float(img[base + j])
            m11 += (j - cx) * dy * v
            m02 += dy * dy * v
    return total, cy, cx, m11 / total, m02 / total, vmax


@njit(cache=True, nogil=True)
def _deskew_one(img, n_rows, n_cols, out):
    """Deskew one flattened image into ``out``; return its skew ``alpha``."""
    total, cy, cx, mu11, mu02, vmax = image_moments(img, n_rows, n_cols)
    if total <= 0.0:
        # blank image: nothing to centre or shear
        for p in range(n_rows * n_cols):
            out[p] = img[p]
        return 0.0
    alpha = mu11 / mu02 if mu02 > MU02_EPS else 0.0
    ry = 0.5 * (n_rows - 1)
    rx = 0.5 * (n_cols - 1)
    # output pixel (i, j) samples the input at
    #   (y, x) = (i + cy - ry, j + alpha * (i - ry) + cx - rx)
    for i in range(n_rows):
        y = i + cy - ry
        y0f = math.floor(y)
        fy = y - y0f
        y0 = int(y0f)
        y1 = y0 + 1
        in0 = 0 <= y0 < n_rows
        in1 = 0 <= y1 < n_rows
        # x = j + shift: the fractional part, hence the weights, is the same
        # along the whole output row
        shift = alpha * (i - ry) + cx - rx
        x0f = math.floor(shift)
        fx = shift - x0f
        s0 = int(x0f)
        w00 = (1.0 - fy) * (1.0 - fx)
        w01 = (1.0 - fy) * fx
        w10 = fy * (1.0 - fx)
        w11 = fy * fx
        base = i * n_cols
        for j in range(n_cols):
            x0 = j + s0
            x1 = x0 + 1
            v = 0.0
            if 0 <= x0 < n_cols:
                if in0:
                    v += w00 * img[y0 * n_cols + x0]
                if in1:
                    v += w10 * img[y1 * n_cols + x0]
            if 0 <= x1 < n_cols:
                if in0:
                    v += w01 * img[y0 * n_cols + x1]
                if in1:
                    v += w11 * img[y1 * n_cols + x1]
            # bilinear weights are nonnegative and sum to at most 1, so v lies in
            # [0, vmax] up to rounding; clip the rounding away
            if v < 0.0:
                v = 0.0
            elif v > vmax:
                v = vmax
            out[base + j] = v
    return alpha


@njit(cache=True, nogil=True)
def _deskew_rows(X, n_rows, n_cols, out, skew, lo, hi):
    for k in range(lo, hi):
        skew[k] = _deskew_one(X[k], n_rows, n_cols, out[k])


def deskew_images(X, n_rows, n_cols, out, skew):
    """Deskew every row of ``X`` into the same row of ``out``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_rows * n_cols), float32 or float64
        Nonnegative flattened images, C-contiguous; read only.
    n_rows, n_cols : int
        Image shape.
    out : ndarray of shape (n_samples, n_rows * n_cols)
        Output buffer, C-contiguous.
    skew : ndarray of shape (n_samples,), float64
        Output buffer for the skew ``alpha = mu11 / mu02`` of each input image
        (0 for blank or single-row images).
    """
    run_parts(_deskew_rows, [(X, n_rows, n_cols, out, skew, lo, hi)
                             for lo, hi in row_ranges(X.shape[0], numba.get_num_threads())])


@njit(cache=True, nogil=True, parallel=True)
def image_skews(X, n_rows, n_cols, skew):
    """Write the skew ``alpha = mu11 / mu02`` of each row of ``X`` into ``skew``."""
    for k in prange(X.shape[0]):
        total, cy, cx, mu11, mu02, vmax = image_moments(X[k], n_rows, n_cols)
        if total > 0.0 and mu02 > MU02_EPS:
            skew[k] = mu11 / mu02
        else:
            skew[k] = 0.0
