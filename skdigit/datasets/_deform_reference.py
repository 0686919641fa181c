"""Plain NumPy/SciPy twin of :func:`skdigit.datasets._deform_kernels.deform_images`.

Slow, one image at a time, written from the conventions in the kernels' module
docstring with :func:`scipy.ndimage.gaussian_filter` and
:func:`scipy.ndimage.map_coordinates`; used only by the tests and the
benchmarks, which feed both the same random numbers.
"""

import numpy as np

__all__ = ["deform_images_reference"]


def _forward_matrix(theta, scale, shear):
    """``M = R(theta) @ (scale * I) @ K(shear)`` in (row, column) coordinates."""
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    slant = np.array([[1.0, 0.0], [shear, 1.0]])
    return rotation @ (scale * np.eye(2)) @ slant


def deform_images_reference(X, image_shape, noise, affine, alpha, sigma, quantize=False):
    """Deform each flattened image of ``X`` (float64 result, or uint8 if ``quantize``).

    Parameters
    ----------
    X : ndarray of shape (n_images, n_rows * n_cols)
    image_shape : (int, int)
    noise : ndarray of shape (n_images, 2, n_rows * n_cols)
        Uniform noise in [-1, 1] of the row and column displacements.
    affine : ndarray of shape (n_images, 5)
        ``theta`` (radians), ``scale``, ``shear``, ``shift_y``, ``shift_x``.
    alpha, sigma : float
        Scale of the displacement field (pixels) and std of its Gaussian
        smoothing (pixels).
    quantize : bool, default=False
        Round half up and clip to uint8 0-255.

    Returns
    -------
    out : ndarray of shape (n_images, n_rows * n_cols)
    """
    from scipy import ndimage

    n_rows, n_cols = image_shape
    centre = np.array([(n_rows - 1) / 2.0, (n_cols - 1) / 2.0])
    grid = np.stack(np.mgrid[:n_rows, :n_cols].astype(np.float64)).reshape(2, -1)
    out = np.empty((X.shape[0], n_rows * n_cols))
    for k, flat in enumerate(np.asarray(X, dtype=np.float64)):
        theta, scale, shear, shift_y, shift_x = affine[k]
        inverse = np.linalg.inv(_forward_matrix(theta, scale, shear))
        field = np.zeros((2, n_rows * n_cols))
        if alpha != 0:
            for axis in range(2):
                u = np.asarray(noise[k, axis], dtype=np.float64).reshape(n_rows, n_cols)
                smooth = ndimage.gaussian_filter(u, sigma, mode="reflect", truncate=4.0)
                field[axis] = alpha * smooth.ravel()
        shift = np.array([[shift_y], [shift_x]])
        coords = centre[:, None] + inverse @ (grid - centre[:, None] - shift) + field
        out[k] = ndimage.map_coordinates(
            flat.reshape(n_rows, n_cols), coords, order=1, mode="grid-constant", cval=0.0
        )
    if quantize:
        return np.floor(np.clip(out, 0.0, 255.0) + 0.5).astype(np.uint8)
    return out
