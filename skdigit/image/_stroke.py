"""Stroke normalization: pen width toward MNIST's, at the working resolution.

A digit written with a thin pen on a large page keeps, after the reduction to
20x20, only a faint gray trace (a 4 px pen on a 1,500 px digit is 0.05 output
pixels wide); a felt marker fills the loops. MNIST's strokes are of a rather
constant width relative to the 20x20 box (:data:`MNIST_STROKE_WIDTH`). The
width of the strong ink is estimated from its Euclidean distance transform
(twice the median distance to the background along the ridge of the
distance map, the stroke's centre line), in output pixels once the ink is
fitted in the box; strokes much thinner than MNIST's are thickened (a flat,
disk-shaped grey dilation, done through the distance transform of the
background), strokes much thicker are thinned (the ridge, grown back to
MNIST's width inside the original stroke).
"""

import numpy as np
from scipy import ndimage

from ..utils import MNIST_BOX
from ._fit import bbox
from ._ink import EIGHT_CONNECTED, InkImage

__all__ = ["MNIST_STROKE_WIDTH", "normalize_stroke", "stroke_width"]

#: MNIST's typical stroke width, in output pixels (of the 20x20 box): the
#: median of :func:`stroke_width` over the 60,000 MNIST training digits, each
#: enlarged 8x (bilinear) and read like any image; the middle half of the
#: digits lie between 2.2 and 3.1.
MNIST_STROKE_WIDTH = 2.6

# Strokes whose width lies within this band (as a fraction of MNIST's) are
# left as drawn: MNIST's own digits vary that much.
_THIN, _THICK = 0.6, 1.5


def stroke_width(strong):
    """Typical width of the strokes of a mask, in its pixels.

    Twice the median Euclidean distance to the background over the ridge of
    the distance map (its local maxima: the strokes' centre lines), less one
    pixel (a stroke ``w`` pixels wide has distance ``(w + 1) / 2`` at its
    centre). Returns 0 for an empty mask.
    """
    if not strong.any():
        return 0.0
    top, bottom, left, right = bbox(strong)
    crop = np.pad(strong[top:bottom, left:right], 1)
    dist = ndimage.distance_transform_edt(crop)
    ridge = crop & (dist >= ndimage.maximum_filter(dist, footprint=EIGHT_CONNECTED))
    return max(1.0, 2.0 * float(np.median(dist[ridge])) - 1.0)


def _thicken(ink, grow):
    """Grow the strong ink by ``grow`` working pixels (a flat grey dilation by a disk)."""
    dist, (rows, cols) = ndimage.distance_transform_edt(~ink.strong, return_indices=True)
    near = dist <= grow
    x = np.where(near, np.maximum(ink.x, ink.x[rows, cols]), ink.x).astype(np.float32)
    return InkImage(x, ink.mask | near, ink.strong | near)


def _thin(ink, width):
    """Keep the strong ink within ``width / 2`` working pixels of its centre lines."""
    dist = ndimage.distance_transform_edt(ink.strong)
    ridge = ink.strong & (dist >= ndimage.maximum_filter(dist, footprint=EIGHT_CONNECTED))
    strong = ink.strong & (ndimage.distance_transform_edt(~ridge) <= width / 2)
    mask = ndimage.binary_dilation(strong, structure=EIGHT_CONNECTED) & ink.mask
    return InkImage(np.where(mask, ink.x, 0).astype(np.float32), mask, strong)


def normalize_stroke(ink):
    """Bring the stroke width of ``ink`` toward MNIST's (an :class:`InkImage`).

    With a stroke ``w`` working pixels wide and the strong ink's longer side
    ``S``, growing each stroke by ``g`` on both sides also enlarges the box to
    ``S + 2 g``; MNIST's width ``t`` (output pixels) is reached when ``(w + 2
    g) * MNIST_BOX / (S + 2 g) = t``, so ``2 g = (t S / MNIST_BOX - w) / (1 -
    t / MNIST_BOX)``. Thinning to a width ``v`` shrinks the box to about ``S -
    (w - v)``, so ``v = t (S - w) / (MNIST_BOX - t)``.
    """
    width = stroke_width(ink.strong)
    if width == 0:
        return ink
    top, bottom, left, right = bbox(ink.strong)
    side = max(bottom - top, right - left)
    target = MNIST_STROKE_WIDTH
    out_width = width * MNIST_BOX / side
    if out_width < _THIN * target:
        grow = 0.5 * (target * side / MNIST_BOX - width) / (1 - target / MNIST_BOX)
        return _thicken(ink, grow)
    if out_width > _THICK * target:
        return _thin(ink, target * (side - width) / (MNIST_BOX - target))
    return ink
