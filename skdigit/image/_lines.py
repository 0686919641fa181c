"""The printed lines of ruled and squared paper: found, and removed from the ink.

Lines are found with scikit-image's Hough transform
(:func:`~skimage.transform.hough_line`) on a reduced copy of the candidate
ink, near horizontal and near vertical (a photo turns the paper by up to
:data:`MAX_TILT` degrees). A *family* of at least three parallel lines, each
crossing a good part of the frame, is ruling; a single long stroke (a tall
"1") is not, but across ruling, a single thin line many times longer than
the ruling's spacing is printed too (a margin). Each line's pixels are then
removed from the ink, except where the writing crosses it (ink continues on
both sides of the line) or is clearly darker than the line's own print, so
that a digit written across a line keeps its stroke; what is left of a line
lying on it alone goes too.
"""

import numpy as np
from scipy import ndimage

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
_GAP_SUPPORT = 0.8  # a line filled into a gap of the family has this much ink along it
_MARGIN_SPACINGS = 4.0  # a single line across ruling this many spacings long is printed


def _thin_peaks(small, min_votes):
    """Votes, angles (radians) and offsets of the thin near-vertical lines in ``small``."""
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
    return votes[thin], peak_angles[thin], peak_dists[thin]


def _families(small, min_votes):
    """Angles (radians) and offsets of a family of near-vertical lines in ``small``."""
    votes, peak_angles, peak_dists = _thin_peaks(small, min_votes)
    if len(votes) < _MIN_LINES:
        return None
    centre = float(np.median(peak_angles))
    near = np.abs(peak_angles - centre) <= np.deg2rad(2.0)
    votes, peak_angles, peak_dists = votes[near], peak_angles[near], peak_dists[near]
    # Distinct lines: peaks closer than _MIN_GAP of the side (one line seen at
    # neighbouring angles) count once, as the peak with the most votes (the
    # line's own angle: another would leave one of its ends off the band).
    order = np.argsort(peak_dists)
    gap = max(3.0, _MIN_GAP * small.shape[1])
    lines, last = [], -np.inf
    for i in order:
        if peak_dists[i] - last >= gap:
            lines.append(i)
        elif votes[i] > votes[lines[-1]]:
            lines[-1] = i
        last = peak_dists[i]
    if len(lines) < _MIN_LINES:
        return None
    # Ruling is much longer than the spacing of its lines (the three bars of
    # a "3", or three "1"s side by side, are not).
    spacing = float(np.median(np.diff(np.sort(peak_dists[lines]))))
    if np.median(votes[lines]) < _LENGTH_TO_SPACING * spacing:
        return None
    return _fill_gaps(small, peak_angles[lines], peak_dists[lines], spacing,
                      float(np.median(votes[lines])))


def _support(small, angle, dist):
    """Pixels of ``small`` within one pixel of the near-vertical line ``(angle, dist)``."""
    rows = np.arange(small.shape[0])
    cols = np.rint((dist - rows * np.sin(angle)) / np.cos(angle)).astype(int)
    hits = np.zeros(len(rows), dtype=bool)
    for shift in (-1, 0, 1):
        c = cols + shift
        inside = (c >= 0) & (c < small.shape[1])
        hits[inside] |= small[rows[inside], c[inside]]
    return int(np.count_nonzero(hits))


def _fill_gaps(small, angles, dists, spacing, votes):
    """The family with the lines it lacks between two found ones added.

    A line that writing runs along gathers a broad ridge of votes, not a thin
    peak, and is missed; where two found lines are twice the spacing apart,
    the line between them (angle and offset halfway) is added if ink lies
    along at least :data:`_GAP_SUPPORT` of the family's typical votes.
    """
    order = np.argsort(dists)
    angles, dists = list(angles[order]), list(dists[order])
    k = 1
    while k < len(dists):
        if abs(dists[k] - dists[k - 1] - 2 * spacing) <= 0.2 * spacing:
            angle, dist = (angles[k] + angles[k - 1]) / 2, (dists[k] + dists[k - 1]) / 2
            if _support(small, angle, dist) >= _GAP_SUPPORT * votes:
                angles.insert(k, angle)
                dists.insert(k, dist)
        k += 1
    return np.array(angles), np.array(dists)


def _margins(small, spacing):
    """Angles and offsets of single long lines across ruling of ``spacing``: a margin.

    With ruling found, a thin straight line crossing it and longer than
    :data:`_MARGIN_SPACINGS` of its spacings (and :data:`_MIN_VOTES` of the
    frame) is printed: a margin, a sheet's edge. Writing stays within a line
    or two of the ruling.
    """
    side = small.shape[0]
    votes, angles, dists = _thin_peaks(small, max(_MIN_VOTES * side, _MARGIN_SPACINGS * spacing))
    if not len(votes):
        return None
    return angles, dists


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


def _refined(candidates, angles, dists, factor, transpose):
    """Each line's angle and offset refitted to the ink along it, at the working resolution.

    The Hough transform's steps (a quarter degree, one reduced pixel) leave a
    long line's far end a few pixels off its band. Each line is refitted by
    least squares to the candidate pixels within ``factor + 2`` pixels of it,
    then to those within 1.5 pixels of that fit (writing crossing the line
    weighs little); a line with too few pixels along it is kept as found.
    Returns the lines in the units of :func:`_band`.
    """
    rows, cols = np.nonzero(candidates)
    xs, ys = (rows, cols) if transpose else (cols, rows)
    xs, ys = xs.astype(np.float64), ys.astype(np.float64)
    centre = (factor - 1) / 2
    out_angles, out_dists = [], []
    for angle, dist in zip(angles, dists):
        c, s = np.cos(angle), np.sin(angle)
        rho = dist * factor + centre * (c + s)
        near = np.abs(xs * c + ys * s - rho) <= factor + 2
        for reach in (None, 1.5):
            if reach is not None:
                near = np.abs(xs * c + ys * s - rho) <= reach
            if np.count_nonzero(near) < 20:
                break
            q, p = np.polyfit(ys[near], xs[near], 1)  # x = p + q * y along the line
            norm = np.hypot(1.0, q)
            c, s, rho = 1 / norm, -q / norm, p / norm
        angle = float(np.arctan2(s, c))
        out_angles.append(angle)
        out_dists.append((rho - centre * (np.cos(angle) + np.sin(angle))) / factor)
    return np.array(out_angles), np.array(out_dists)


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


def _remove_lines(x, candidates, noise, factor, transpose, angles, dists, *, shown=False):
    """Set to 0, in place, the pixels of printed lines ``(angles, dists)`` in ``x``.

    The lines' thickness is their pixels per unit of length: along the whole
    frame for a family of ruling, or only where it shows (``shown``: a
    margin, which stops at the sheet's edge).
    """
    if not shown:  # ruling, across the whole frame: its far ends matter
        angles, dists = _refined(candidates, angles, dists, factor, transpose)
    dist = _band(x.shape, angles, dists, factor, transpose)
    near = dist <= factor + 1
    on_line = near & candidates
    if not on_line.any():
        return
    along = 1 if transpose else 0  # the axis the lines run along
    if shown:
        length = max(1, int(np.count_nonzero(on_line.any(axis=1 - along))))
    else:
        length = max(1.0, float(np.count_nonzero(near)) / (2 * factor + 3))
    thickness = float(np.count_nonzero(on_line)) / length
    band = dist <= thickness / 2 + 1 + factor / 2
    level = float(np.median(x[band & candidates])) if (band & candidates).any() else noise
    reach = int(np.ceil(thickness)) + 2
    outside = candidates & ~band
    darker = x > _DARKER * level
    x[band & ~(_crossed(outside, reach, 1 - along) | darker)] = 0
    # What is left of the line where writing came near it, but lies on the
    # line alone (touching no ink off it, none darker than the print), is the
    # line too.
    labels, _ = ndimage.label(candidates & (x > 0), structure=np.ones((3, 3), bool))
    off_line = np.unique(labels[(~band | darker) & (labels > 0)])
    x[(labels > 0) & ~np.isin(labels, off_line)] = 0


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
    n_families = len(found)
    if n_families == 1:  # ruling one way: a margin across it?
        transpose, angles, dists = found[0]
        spacing = float(np.median(np.diff(np.sort(dists)))) if len(dists) > 1 else 0.0
        margins = _margins(small if transpose else small.T, spacing)
        if margins is not None:
            found.append((not transpose, *margins))
    if not found:
        return x, angle
    x = x.copy()
    for transpose, angles, dists in found[:n_families]:
        _remove_lines(x, candidates, noise, factor, transpose, angles, dists)
    for transpose, angles, dists in found[n_families:]:  # margins, one by one
        for angle_k, dist_k in zip(angles, dists):
            _remove_lines(x, candidates, noise, factor, transpose, [angle_k], [dist_k],
                          shown=True)
    return x, angle
