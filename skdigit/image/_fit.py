"""Fitting and centring: the ink into MNIST's 20x20 box, centred by mass in 28x28."""

import numpy as np
from scipy import ndimage

from ..utils import MNIST_BOX, MNIST_CENTRE, MNIST_SIDE

__all__ = ["bbox", "fit_and_centre", "fit_scale"]

_RIM = 4  # output pixels of faint ink kept around the strong ink's box


def bbox(mask):
    """``(top, bottom, left, right)`` of the True pixels, bottom and right exclusive."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def fit_scale(strong):
    """Output pixels per working pixel: the strong ink's longer side becomes MNIST_BOX."""
    top, bottom, left, right = bbox(strong)
    return MNIST_BOX / max(bottom - top, right - left)


def fit_and_centre(ink, Image):
    """Fit the ink in 20x20 and centre it by mass in 28x28.

    The scale is set by the bounding box of the strong ink (above half the
    contrast): for a blurred bilevel stroke that is where its edge was, so a
    blurry photo gives the same size as a sharp scan. The faint rim around it
    (at most 4 output pixels wide) is kept, as the anti-aliased grays of MNIST.
    Finally the contrast is stretched so that the brightest pixel is 255.

    Parameters
    ----------
    ink : InkImage
        The ink at the working resolution.
    Image : module
        ``PIL.Image``, for the Lanczos resampling.

    Returns
    -------
    digit : ndarray of shape (784,), uint8
    """
    x, mask, strong = ink.x, ink.mask, ink.strong
    top, bottom, left, right = bbox(strong)
    scale = fit_scale(strong)
    rim = int(_RIM / scale)
    mtop, mbottom, mleft, mright = bbox(mask)
    top, left = max(mtop, top - rim), max(mleft, left - rim)
    bottom, right = min(mbottom, bottom + rim), min(mright, right + rim)
    crop = x[top:bottom, left:right]
    h, w = crop.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # (width, height)
    if size != (w, h):
        img = Image.fromarray(np.ascontiguousarray(crop, dtype=np.float32))  # mode "F"
        crop = np.clip(np.asarray(img.resize(size, Image.Resampling.LANCZOS)), 0, 1)
    # Contrast to the full range: strokes that the reduction left gray (a
    # thin pen, a faint pencil) reach 255 at their brightest, as in MNIST.
    top_level = float(crop.max())
    if 0 < top_level < 1:
        crop = crop / top_level
    digit = np.rint(crop * 255).astype(np.uint8)
    # Whole-pixel shift putting the centre of mass at (14, 14); whatever then
    # falls outside the 28x28 field (a faint rim, rarely) is cut, as in MNIST.
    com = ndimage.center_of_mass(digit.astype(np.float64))
    top, left = (int(np.floor(c0 - c + 0.5)) for c0, c in zip(MNIST_CENTRE, com))
    out = np.zeros((MNIST_SIDE, MNIST_SIDE), dtype=np.uint8)
    h, w = digit.shape
    r0, c0 = max(0, -top), max(0, -left)
    r1, c1 = min(h, MNIST_SIDE - top), min(w, MNIST_SIDE - left)
    out[top + r0 : top + r1, left + c0 : left + c1] = digit[r0:r1, c0:c1]
    return out.ravel()
