"""Ink and background: from grayscale to bright ink on a black background.

The background is a plane fitted robustly to a thin ring along the image
border, so that uneven lighting across a photo is removed; the polarity is
decided from the robust extremes; the ink is separated from paper grain by a
noise floor estimated on that ring. See :mod:`skdigit.image` for the steps.
"""

import numpy as np
from scipy import ndimage

from ._errors import BlankImageError

__all__ = ["InkImage", "ink_image"]

# Ink detection, as fractions of the way from the noise floor to the peak.
_STRONG = 0.5
_WEAK = 0.05
_MIN_COMPONENT = 0.01  # ink specks holding less of the total are ignored
_INK_LEVEL_PERCENTILE = 75
_MIN_CONTRAST = 0.04  # about 10 gray levels out of 255
_NOISE_MADS = 3 * 1.4826  # noise floor: 3 robust standard deviations
EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


class InkImage:
    """The ink of an image at the working resolution.

    Attributes
    ----------
    x : ndarray of shape (n_rows, n_cols), float32
        Ink intensity in [0, 1] (1 at the ink level), 0 off the ink.
    mask : ndarray of shape (n_rows, n_cols), bool
        The kept ink: the strong ink, fainter ink connected to it and a
        one-pixel rim.
    strong : ndarray of shape (n_rows, n_cols), bool
        The strong ink (above half the contrast), without specks.
    """

    __slots__ = ("mask", "strong", "x")

    def __init__(self, x, mask, strong):
        self.x, self.mask, self.strong = x, mask, strong

    def restricted(self, keep, box):
        """The ink where ``keep`` is True, cropped to ``box = (top, bottom, left, right)``.

        The crop has a margin of an eighth of the box's longer side (at least
        2 pixels), into which the stroke normalization may thicken the ink.
        """
        top, bottom, left, right = box
        margin = max(bottom - top, right - left) // 8 + 2
        top, left = max(0, top - margin), max(0, left - margin)
        bottom, right = bottom + margin, right + margin
        keep = keep[top:bottom, left:right]
        x = np.where(keep, self.x[top:bottom, left:right], 0).astype(np.float32)
        return InkImage(
            x, self.mask[top:bottom, left:right] & keep,
            self.strong[top:bottom, left:right] & keep,
        )


def _background(gray):
    """The paper's level as a plane fitted to the image border, and the border noise.

    A thin ring along the border (2% of the smaller side, at least 1 pixel) is
    taken as background; a plane fitted to it by least squares (refitted
    without outliers, such as ink touching the border) follows an uneven
    lighting that brightens one side of a photo. Returns the plane (an array
    like ``gray``) and the residuals on the ring.
    """
    n_rows, n_cols = gray.shape
    width = max(1, round(0.02 * min(n_rows, n_cols)))
    ring = np.ones(gray.shape, dtype=bool)
    ring[width:-width, width:-width] = False
    r, c = np.nonzero(ring)
    values = gray[ring].astype(np.float64)
    design = np.column_stack([np.ones(len(r)), r / n_rows, c / n_cols])
    # Start from the median (robust to ink on up to half the ring), then fit
    # the plane to the pixels within 3 robust standard deviations, thrice.
    coef = np.array([np.median(values), 0.0, 0.0])
    for _ in range(3):
        residuals = values - design @ coef
        spread = 1.4826 * np.median(np.abs(residuals))
        keep = np.abs(residuals) <= max(3 * spread, 1 / 255)
        coef = np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
    residuals = values - design @ coef
    plane = (
        coef[0]
        + coef[1] * (np.arange(n_rows) / n_rows)[:, None]
        + coef[2] * (np.arange(n_cols) / n_cols)[None, :]
    ).astype(np.float32)
    return plane, residuals


def _robust_extremes(gray):
    """(min, max) ignoring isolated specks: the extremes reached by a 2x2 block.

    The raw extremes when that loses half the range (hairline strokes).
    """
    if min(gray.shape) >= 2:
        lo = float(ndimage.maximum_filter(gray, size=2).min())
        hi = float(ndimage.minimum_filter(gray, size=2).max())
        if hi - lo >= 0.5 * (gray.max() - gray.min()):
            return lo, hi
    return float(gray.min()), float(gray.max())


def ink_image(gray, name, invert, *, min_component=_MIN_COMPONENT):
    """Bright-ink image of a grayscale image in [0, 1], as an :class:`InkImage`.

    ``invert`` is True, False or "auto" (invert when the ink is darker than the
    background, i.e. when the darkest extreme is further from it than the
    lightest one). Strong-ink specks holding less than ``min_component`` of the
    total are dropped.
    """
    plane, residuals = _background(gray)
    gray = gray - plane  # the paper at 0, the ink above or below it
    lo, hi = _robust_extremes(gray)
    if invert == "auto":
        invert = -lo > hi
    if invert:
        gray, residuals, hi = -gray, -residuals, -lo
    x = np.clip(gray, 0, None)
    noise = _NOISE_MADS * float(np.median(np.abs(residuals)))
    peak = hi
    contrast = peak - noise
    if contrast < _MIN_CONTRAST:
        raise BlankImageError(
            f"{name}: no ink found; the image is blank or nearly uniform (ink "
            f"contrast {255 * max(contrast, 0):.0f} gray levels out of 255). Check "
            "that it shows a digit, or pass invert=True/False if the automatic "
            "polarity guess is wrong.",
            source=name,
        )
    strong = x > noise + _STRONG * contrast
    labels, n = ndimage.label(strong, structure=EIGHT_CONNECTED)
    mass = ndimage.sum_labels(x, labels, index=np.arange(1, n + 1))
    keep = np.flatnonzero(mass >= min_component * mass.sum()) + 1
    strong = np.isin(labels, keep)
    ink_level = float(np.percentile(x[strong], _INK_LEVEL_PERCENTILE))

    weak = x > noise + _WEAK * contrast
    labels, _ = ndimage.label(weak, structure=EIGHT_CONNECTED)
    mask = np.isin(labels, np.unique(labels[strong]))
    # ... and the faint rim just around it (anti-aliased edges), above the noise.
    mask = ndimage.binary_dilation(mask, structure=EIGHT_CONNECTED) & (x > noise)
    x = np.clip((x - noise) / max(ink_level - noise, 1e-6), 0, 1)
    x[~mask] = 0
    return InkImage(x.astype(np.float32, copy=False), mask, strong)
