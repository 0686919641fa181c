"""The printed lines of ruled and squared paper: found, and removed from the ink.

Lines are found with scikit-image's Hough transform
(:func:`~skimage.transform.hough_line`) on a reduced copy of the candidate
ink, near horizontal and near vertical (a photo turns the paper by up to
:data:`MAX_TILT` degrees). A *family* of at least three parallel lines, each
crossing a good part of the frame, is ruling; a single long stroke (a tall
"1") is not. Each line's pixels are then removed from the ink, except where
the writing crosses it (ink continues on both sides of the line) or is
clearly darker than the line's own print, so that a digit written across a
line keeps its stroke.
"""

import numpy as np

__all__ = ["MAX_TILT", "remove_lines"]

#: The largest tilt (degrees) of ruling that is looked for.
MAX_TILT = 15.0
_WORK = 400  # the Hough transform runs on a copy at most this large
_MIN_LINES = 3
_MIN_VOTES = 0.45  # of the frame's side: a line crosses at least this much of it
_LENGTH_TO_SPACING = 3.0
_MIN_SIDE = 100  # smaller images (an MNIST array) have no ruling to look for
_MIN_GAP = 0.03  # of the frame's side across the lines: distinct lines are this far apart
_DARKER = 1.6  # ink this many times the line's contrast is writing, kept


def _families(small, min_votes):
    """Angles (radians) and offsets of a family of near-vertical lines in ``small``."""
    from skimage.transform import hough_line, hough_line_peaks

    theta = np.deg2rad(np.linspace(-MAX_TILT, MAX_TILT, 121))
    h, angles, dists = hough_line(small, theta=theta)
    votes, peak_angles, peak_dists = hough_line_peaks(
        h, angles, dists, threshold=min_votes, min_distance=3, min_angle=1, num_peaks=60,
    )
    # A printed line is thin: its votes fall off within a few offsets (a thick
    # stroke or a blob gives a broad ridge of parallel "lines").
    thin = []
    for v, a, d in zip(votes, peak_angles, peak_dists):
        i, j = int(np.argmin(np.abs(dists - d))), int(np.argmin(np.abs(angles - a)))
        side = [h[k, j] for k in (i - 3, i + 3) if 0 <= k < len(dists)]
        thin.append(max(side, default=0) < 0.5 * v)
    thin = np.array(thin, dtype=bool)
    votes, peak_angles, peak_dists = votes[thin], peak_angles[thin], peak_dists[thin]
    if len(votes) < _MIN_LINES:
        return None
    centre = float(np.median(peak_angles))
    near = np.abs(peak_angles - centre) <= np.deg2rad(2.0)
    votes, peak_angles, peak_dists = votes[near], peak_angles[near], peak_dists[near]
    # Distinct lines: peaks closer than _MIN_GAP of the side (one line seen at
    # neighbouring angles) count once.
    order = np.argsort(peak_dists)
    gap = max(3.0, _MIN_GAP * small.shape[1])
    lines, last = [], -np.inf
    for i in order:
        if peak_dists[i] - last >= gap:
            lines.append(i)
        last = peak_dists[i]
    if len(lines) < _MIN_LINES:
        return None
    # Ruling is much longer than the spacing of its lines (the three bars of
    # a "3", or three "1"s side by side, are not).
    spacing = float(np.median(np.diff(np.sort(peak_dists[lines]))))
    if np.median(votes[lines]) < _LENGTH_TO_SPACING * spacing:
        return None
    return peak_angles[lines], peak_dists[lines]


def _band(shape, angles, dists, factor, transpose):
    """Distance (working pixels) of each pixel to the nearest found line."""
    n_rows, n_cols = shape
    rows = np.arange(n_rows, dtype=np.float32)[:, None]
    cols = np.arange(n_cols, dtype=np.float32)[None, :]
    if transpose:  # lines found in the transposed image: x is the row there
        xs, ys = rows, cols
    else:
        xs, ys = cols, rows
    centre = (factor - 1) / 2
    best = np.full(shape, np.inf, dtype=np.float32)
    for angle, dist in zip(angles, dists):
        c, s = np.cos(angle), np.sin(angle)
        rho = dist * factor + centre * (c + s)
        np.minimum(best, np.abs(xs * c + ys * s - rho), out=best)
    return best


def _crossed(outside, reach, axis):
    """Pixels with ink within ``reach`` on both sides along ``axis``."""
    before = np.zeros_like(outside)
    after = np.zeros_like(outside)
    n = outside.shape[axis]
    for k in range(1, reach + 1):
        if k >= n:
            break
        sl_to = [slice(None)] * 2
        sl_from = [slice(None)] * 2
        sl_to[axis], sl_from[axis] = slice(k, None), slice(None, -k)
        before[tuple(sl_to)] |= outside[tuple(sl_from)]
        sl_to[axis], sl_from[axis] = slice(None, -k), slice(k, None)
        after[tuple(sl_to)] |= outside[tuple(sl_from)]
    return before & after


def remove_lines(x, candidates, noise):
    """Remove ruling from the contrast map ``x``; return it and the lines' tilt.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float32
        The ink's contrast (:func:`~skdigit.image._ink.contrast_map`).
    candidates : ndarray of shape (n_rows, n_cols), bool
        The pixels above the noise floor.
    noise : float
        The noise floor of ``x``.

    Returns
    -------
    x : ndarray of shape (n_rows, n_cols), float32
        ``x`` with the lines' pixels set to 0 (a copy, where lines were found).
    angle : float
        The tilt of the horizontal ruling (or of the vertical lines, where
        only those were found), degrees counter-clockwise; 0 without lines.
    """
    from skimage.measure import block_reduce

    if min(x.shape) < _MIN_SIDE:
        return x, 0.0
    factor = max(1, -(-max(x.shape) // _WORK))
    small = block_reduce(candidates, (factor, factor), np.max)
    angle = 0.0
    found = []
    # Horizontal ruling: vertical lines of the transposed image.
    for transpose in (True, False):
        image = small.T if transpose else small
        side = image.shape[0]  # the lines run along this axis
        family = _families(image, _MIN_VOTES * side)
        if family is None:
            continue
        angles, dists = family
        tilt = float(np.rad2deg(np.median(angles)))
        if not found:
            angle = tilt if transpose else -tilt
        found.append((transpose, angles, dists))
    if not found:
        return x, angle
    x = x.copy()
    for transpose, angles, dists in found:
        dist = _band(x.shape, angles, dists, factor, transpose)
        near = dist <= factor + 1
        on_line = near & candidates
        if not on_line.any():
            continue
        # The line's own thickness: its pixels per unit of length.
        length = max(1.0, float(np.count_nonzero(near)) / (2 * factor + 3))
        thickness = float(np.count_nonzero(on_line)) / length
        band = dist <= thickness / 2 + 1 + factor / 2
        level = float(np.median(x[band & candidates])) if (band & candidates).any() else noise
        axis = 0 if transpose else 1  # across the line
        reach = int(np.ceil(thickness)) + 2
        outside = candidates & ~band
        keep = _crossed(outside, reach, axis) | (x > _DARKER * level)
        x[band & ~keep] = 0
    return x, angle
