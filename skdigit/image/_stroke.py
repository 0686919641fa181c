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
background). Thick strokes (a felt marker) are left as drawn: thinning them
to MNIST's width (their centre lines grown back inside the stroke) was
tried, and read MNIST digits redrawn with a marker no better, and worse when
applied from 1.5 times MNIST's width on.
"""

import numpy as np
from scipy import ndimage

from ..utils import MNIST_BOX
from ._fit import bbox
from ._ink import EIGHT_CONNECTED, InkImage

__all__ = ["MNIST_STROKE_WIDTH", "normalize_stroke", "stroke_width"]

#: MNIST's typical stroke width, in output pixels (of the 20x20 box): the
#: median of :func:`stroke_width` over 10,000 random MNIST training digits,
#: each enlarged 8x (bilinear) and read like any image; the middle half of the
#: digits lie between 2.0 and 2.8, 5% are under 1.5.
MNIST_STROKE_WIDTH = 2.3

# Strokes thinner than this fraction of MNIST's width are thickened; MNIST's
# own digits are hardly ever that thin (their 5th percentile is 0.66 of it).
_THIN = 0.6


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


def normalize_stroke(ink):
    """Thicken the strokes of ``ink`` to MNIST's width if they are much thinner.

    With a stroke ``w`` working pixels wide and the strong ink's longer side
    ``S``, growing each stroke by ``g`` on both sides also enlarges the box to
    ``S + 2 g``; MNIST's width ``t`` (output pixels) is reached when ``(w + 2
    g) * MNIST_BOX / (S + 2 g) = t``, so ``2 g = (t S / MNIST_BOX - w) / (1 -
    t / MNIST_BOX)``. Returns ``ink`` itself when the strokes are not thin.
    """
    width = stroke_width(ink.strong)
    if width == 0:
        return ink
    top, bottom, left, right = bbox(ink.strong)
    side = max(bottom - top, right - left)
    target = MNIST_STROKE_WIDTH
    if width * MNIST_BOX / side >= _THIN * target:
        return ink
    grow = 0.5 * (target * side / MNIST_BOX - width) / (1 - target / MNIST_BOX)
    return _thicken(ink, grow)
