"""Numba kernels for random deformations of digit images (elastic field + affine map).

Every kernel takes a C-contiguous 2-D array ``X`` of shape ``(n_images, n_rows *
n_cols)`` (one flattened image per row, intensities 0-255), never writes into it,
and writes into buffers that the caller allocates. The random numbers are drawn
by the caller (NumPy) and passed in, so the kernels are deterministic functions of
their arguments and the plain NumPy/SciPy twin
(``skdigit.datasets._deform_reference``) can be fed the very same numbers; the
tests check that both agree. Images are independent, so the outer loop over
images runs in parallel (``prange``).

Conventions (row ``y``, column ``x``, pixel centres at integer coordinates, image
centre ``r = ((n_rows - 1) / 2, (n_cols - 1) / 2)``):

- the elastic displacement field ``d = alpha * field`` (Simard, Steinkraus and
  Platt, 2003) comes in smoothed: the caller smooths the uniform noise with
  two small matrix products, a job for BLAS
  (``skdigit.datasets._deform._smooth_noise``);
- the affine map moves the ink by ``M = R(theta) @ (scale * I) @ K(shear)``
  about the image centre, then by ``t = (shift_y, shift_x)``, with
  ``R(theta) = [[cos, -sin], [sin, cos]]`` and ``K(shear) = [[1, 0], [shear,
  1]]`` (columns move by ``shear`` per row, a slant);
- output pixel ``p`` takes the input at ``q = r + M^-1 (p - r - t) + d(p)``,
  interpolated bilinearly with zeros outside the image (as
  ``scipy.ndimage.map_coordinates(..., order=1, mode="grid-constant")``).
"""

import math

from numba import njit, prange

__all__ = ["AFFINE_FIELDS", "deform_images"]

AFFINE_FIELDS = ("theta", "scale", "shear", "shift_y", "shift_x")
"""The columns of the ``affine`` argument of :func:`deform_images`: rotation in
radians, scale factor, shear factor, shifts in pixels."""


@njit(cache=True, nogil=True)
def _bilinear(img, n_rows, n_cols, sy, sx):
    """Bilinear interpolation of a flattened image at ``(sy, sx)``, zeros outside."""
    if not (sy > -1.0 and sy < n_rows and sx > -1.0 and sx < n_cols):
        return 0.0
    y0 = math.floor(sy)
    x0 = math.floor(sx)
    fy = sy - y0
    fx = sx - x0
    acc = 0.0
    for dy in range(2):
        yy = y0 + dy
        if yy < 0 or yy >= n_rows:
            continue
        wy = fy if dy else 1.0 - fy
        for dx in range(2):
            xx = x0 + dx
            if xx < 0 or xx >= n_cols:
                continue
            wx = fx if dx else 1.0 - fx
            acc += wy * wx * float(img[yy * n_cols + xx])
    return acc


@njit(parallel=True, cache=True, nogil=True)
def deform_images(X, n_rows, n_cols, field, affine, alpha, quantize, out):
    """Deform each image of ``X`` into the same row of ``out``.

    Parameters
    ----------
    X : ndarray of shape (n_images, n_rows * n_cols)
        Flattened images (any real dtype), C-contiguous; not modified.
    n_rows, n_cols : int
    field : ndarray of shape (n_images, 2, n_rows * n_cols)
        Smoothed displacement field of the rows (0) and columns (1), in units
        of ``alpha`` pixels. Not read when ``alpha == 0``.
    affine : ndarray of shape (n_images, 5)
        Per image ``theta`` (radians), ``scale``, ``shear``, ``shift_y``,
        ``shift_x`` (pixels); see :data:`AFFINE_FIELDS`.
    alpha : float
        Scale of the smoothed displacement field, in pixels.
    quantize : bool
        Round to the nearest integer and clip to [0, 255] (for a uint8
        ``out``); otherwise store the interpolated values as they are.
    out : ndarray of shape (n_images, n_rows * n_cols)
        Written.
    """
    n_images = X.shape[0]
    ry = (n_rows - 1) / 2.0
    rx = (n_cols - 1) / 2.0
    for k in prange(n_images):
        elastic = alpha != 0.0
        theta = affine[k, 0]
        inv_scale = 1.0 / affine[k, 1]
        shear = affine[k, 2]
        ty = affine[k, 3]
        tx = affine[k, 4]
        c = math.cos(theta)
        s = math.sin(theta)
        # M^-1 = K(shear)^-1 @ R(theta)^T / scale
        a00 = c * inv_scale
        a01 = s * inv_scale
        a10 = (-shear * c - s) * inv_scale
        a11 = (-shear * s + c) * inv_scale
        img = X[k]
        for y in range(n_rows):
            vy = y - ry - ty
            for x in range(n_cols):
                p = y * n_cols + x
                vx = x - rx - tx
                sy = ry + a00 * vy + a01 * vx
                sx = rx + a10 * vy + a11 * vx
                if elastic:
                    sy += alpha * field[k, 0, p]
                    sx += alpha * field[k, 1, p]
                v = _bilinear(img, n_rows, n_cols, sy, sx)
                if quantize:
                    v = math.floor(min(max(v, 0.0), 255.0) + 0.5)
                out[k, p] = v
