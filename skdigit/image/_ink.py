"""Finding the writing: from grayscale to bright ink on a black background.

The paper's level is estimated *locally*, by a morphological closing of the
image (a grey-level closing removes dark marks narrower than its square and
keeps everything wider: the paper, the desk around it, a shadow's edge, light
falling off across the frame). Ink is what lies darker than that local
background, as a fraction of it (so ink in a shadow counts as much as ink in
the light); the polarity (dark ink on light paper, or light chalk on a dark
board) is decided first. The ink is then separated from paper grain and
sensor noise by hysteresis thresholds (scikit-image's
:func:`~skimage.filters.apply_hysteresis_threshold`) between a noise floor and
the ink's own level; the printed lines of ruled and squared paper are found
and removed (:mod:`skdigit.image._lines`); and what is not writing (the strip
of desk between a sheet and the frame, a sheet's edge, specks) is dropped by
the shape of its connected components. See :mod:`skdigit.image` for the steps.

References
----------
.. [1] P. Soille, "Morphological Image Analysis", Springer, 2nd ed., 2003
   (section 4.4: the top-hat transform for uneven backgrounds).
"""

import numpy as np
from scipy import ndimage

from ._errors import BlankImageError

__all__ = ["InkImage", "ink_image", "polarity_is_light"]

# Ink detection, as fractions of the way from the noise floor to the ink level.
_STRONG = 0.5
_WEAK = 0.05
_MIN_COMPONENT = 0.01  # ink specks holding less of the total are ignored
_INK_LEVEL_PERCENTILE = 75
_MIN_CONTRAST = 0.10  # ink at least 10% darker than its paper, above the noise
_NOISE_MADS = 4 * 1.4826  # noise floor: 4 robust standard deviations
# The closing's square, as a fraction of the image's smaller side (at least
# _MIN_BACKGROUND_SIZE pixels): wider than any stroke.
_BACKGROUND_FRACTION, _MAX_BACKGROUND_FRACTION = 0.25, 0.5
_MIN_BACKGROUND_SIZE = 15
# A component that is long (a good part of the frame) and thin for its length
# is the desk's strip, a sheet's edge or a margin line, not writing.
_EDGE_LENGTH, _EDGE_THICKNESS = 0.4, 0.04
# A mark reaching the frame's or the paper's edge with less ink than this
# fraction of the heaviest mark is not writing.
_EDGE_MASS = 0.3
# The largest mark holds at least this many pixels, or a square of this
# fraction of the image's smaller side; specks alone are no ink.
_MIN_MARK, _MIN_MARK_SIDE = 12, 0.01
# Paper on a desk: the two levels at least this far apart (of the full range),
# the paper a share of the frame in this range, in images at least this large.
_DESK_CONTRAST = 0.12
_PAPER_SHARE = (0.25, 0.9)
_MIN_DESK_SIDE = 150
# Marks covering more than this share of the image (of the sheet, where one
# was found: a shadow across it leaves a lit and a shadowed part) are not ink.
_MARK_SHARE, _MARK_SHARE_ON_PAPER = 0.35, 0.2
# Without a sheet found, marks reaching the frame's edge and spanning this
# share of its side are the desk.
_DESK_SPAN = 0.2

_SOLIDITY = 0.93
_TWO_LEVELS = 0.85  # Otsu's classes explain this share of the variance
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
    angle : float
        The tilt of the paper's printed lines (ruled or squared paper), in
        degrees counter-clockwise, or 0 where none were found.
    """

    __slots__ = ("angle", "mask", "strong", "x")

    def __init__(self, x, mask, strong, angle=0.0):
        self.x, self.mask, self.strong, self.angle = x, mask, strong, angle

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
            self.strong[top:bottom, left:right] & keep, self.angle,
        )


def _background_size(shape, fraction=_BACKGROUND_FRACTION):
    return max(_MIN_BACKGROUND_SIZE, round(fraction * min(shape)))


def _border_ring(gray):
    """The pixels of a thin ring along the border (2% of the smaller side, >= 1 pixel)."""
    width = max(1, round(0.02 * min(gray.shape)))
    ring = np.ones(gray.shape, dtype=bool)
    ring[width:-width, width:-width] = False
    return gray[ring]


def _robust_extremes(gray):
    """(min, max) ignoring isolated specks: the extremes reached by a 2x2 block."""
    if min(gray.shape) >= 2:
        lo = float(ndimage.maximum_filter(gray, size=2).min())
        hi = float(ndimage.minimum_filter(gray, size=2).max())
        if hi - lo >= 0.5 * (float(gray.max()) - float(gray.min())):
            return lo, hi
    return float(gray.min()), float(gray.max())


def paper_level(gray, paper):
    """The level of the paper (or board): its median, or the border's without a desk."""
    return float(np.median(gray[paper] if paper is not None else _border_ring(gray)))


def _desk_at_the_edge(labels, slices):
    """Labels of marks that reach the frame's edge and span a good part of it.

    Without a sheet found (a shadow across a sheet on a desk, say), the desk
    shows at the frame's edges as large marks; the writing does not reach
    them. Only where some mark stays off the edge.
    """
    n_rows, n_cols = labels.shape
    edge, inner = [], False
    for k, s in enumerate(slices, start=1):
        if s is None:
            continue
        rows, cols = s
        touches = rows.start == 0 or cols.start == 0 or rows.stop == n_rows or cols.stop == n_cols
        span = max((rows.stop - rows.start) / n_rows, (cols.stop - cols.start) / n_cols)
        if touches and span >= _DESK_SPAN:
            edge.append(k)
        elif not touches:
            inner = True
    return edge if inner else []


def _stroke_thickness(gray, light, paper):
    """Mean width (pixels) of the strong marks of one polarity; inf without any.

    Strong pixels per pixel of their skeleton: writing is made of strokes,
    whereas the other polarity's "marks" are the paper enclosed by them (the
    hole of a 0, the space between the arms of a 4): blobs, much wider.
    """
    from skimage.morphology import skeletonize

    x = contrast_map(gray, light, _background_size(gray.shape, _MAX_BACKGROUND_FRACTION))
    if paper is not None:  # the desk does not count
        x[~paper] = 0
    peak = _robust_peak(x)
    if peak < _MIN_CONTRAST:
        return np.inf
    strong = x > 0.5 * peak
    if paper is None:
        labels, _ = ndimage.label(strong, structure=EIGHT_CONNECTED)
        desk = _desk_at_the_edge(labels, ndimage.find_objects(labels))
        strong &= ~np.isin(labels, desk)
    length = int(np.count_nonzero(skeletonize(strong)))
    return np.count_nonzero(strong) / max(length, 1)


def _reduced(gray, paper, side=256):
    """A copy at most ``side`` pixels on a side, its paper mask, and the factor."""
    from skimage.measure import block_reduce

    factor = max(1, -(-max(gray.shape) // side))
    if factor == 1:
        return gray, paper, 1
    small = block_reduce(gray, (factor, factor), np.mean)
    on_paper = None if paper is None else block_reduce(paper, (factor, factor), np.min)
    return small, None if on_paper is None else on_paper.astype(bool), factor


def _closing_size(gray, light, paper):
    """The closing's square: a quarter of the smaller side, or four strokes if wider.

    The strokes' width is measured on a reduced copy (:func:`_stroke_thickness`);
    a felt marker on a page it nearly fills needs a larger square than a pen,
    up to half the smaller side.
    """
    small, on_paper, factor = _reduced(gray, paper)
    width = _stroke_thickness(small, light, on_paper) * factor
    low = _background_size(gray.shape)
    if not np.isfinite(width):
        return low
    return int(np.clip(4 * width, low, _background_size(gray.shape, _MAX_BACKGROUND_FRACTION)))


def _flattened(gray, paper):
    """``gray`` with the sheet's light evened out: a shadow across it, light falling off.

    The sheet's background (a median over a quarter of the frame's smaller
    side, on a copy reduced to 64 pixels: the light varies slowly, and a
    median is costly) is subtracted and the paper's level added back:
    what remains are the marks. Off the sheet the background is the nearest
    paper's.
    """
    small, on_paper, factor = _reduced(gray, paper, side=64)
    level = paper_level(gray, paper)
    if not on_paper.any():
        return gray
    # Off the sheet, the nearest paper's level (not the paper's median: a
    # lit strip along the sheet's edge would stand out against it).
    nearest = ndimage.distance_transform_edt(~on_paper, return_distances=False,
                                             return_indices=True)
    filled = small[tuple(nearest)]
    background = ndimage.median_filter(filled, size=max(3, min(small.shape) // 4))
    if factor > 1:
        background = ndimage.zoom(background, factor, order=1, grid_mode=True, mode="nearest")
        pad = [(0, max(0, n - b)) for n, b in zip(gray.shape, background.shape)]
        background = np.pad(background, pad, mode="edge")[: gray.shape[0], : gray.shape[1]]
    return np.where(paper, np.clip(gray - background + level, 0, 1), gray)


def polarity_is_light(gray, paper=None):
    """Whether the ink is lighter than its background (chalk on a board, MNIST arrays).

    The ink is whichever extreme -- the darkest or the lightest level
    filling a whole 2x2 block, so that isolated specks do not count -- lies
    further from the paper's level (:func:`paper_level`: the median of the
    paper region ``paper``, or of the image's border where there is no
    desk); but an extreme covering more than ``_MARK_SHARE`` of the image
    is no ink: it is the paper itself, seen beyond a darker desk whose level
    the border gave (on a sheet that was found, ``_MARK_SHARE_ON_PAPER`` of
    it: the lit part of a sheet half in shadow). On a sheet, the levels are
    first evened out (:func:`_flattened`): a shadow across it is no mark.
    """
    if paper is not None:
        gray = _flattened(gray, paper)
    level = paper_level(gray, paper)
    region = gray[paper] if paper is not None else gray
    lo, hi = _robust_extremes(np.where(paper, gray, level) if paper is not None else gray)
    light_share = float(np.mean(region >= (level + hi) / 2))
    dark_share = float(np.mean(region <= (level + lo) / 2))
    share = _MARK_SHARE if paper is None else _MARK_SHARE_ON_PAPER
    if light_share > share >= dark_share:
        return False
    if dark_share > share >= light_share:
        return True
    return hi - level > level - lo


def contrast_map(gray, light, size=None):
    """The ink's contrast against the local background, in [0, 1].

    ``(closing(gray) - gray) / max(closing(gray), 0.5)`` for dark ink (the
    same on ``1 - gray`` for light ink): 0 on the paper, the desk, and across
    a shadow's edge; elsewhere the fraction by which a mark is darker than the
    paper around it. ``size`` is the closing's square (pixels), wider than
    any stroke (by default a quarter of the smaller side).
    """
    g = 1.0 - gray if light else gray
    g = g.astype(np.float32, copy=False)
    size = _background_size(g.shape) if size is None else size
    background = ndimage.grey_closing(g, size=(size, size), mode="reflect")
    # Relative to the paper's level, down to half the full range: in the dark
    # (paper darker than mid-grey) the contrast is counted in absolute terms,
    # so that noise on a black background is not mistaken for ink.
    return np.clip((background - g) / np.maximum(background, 0.5), 0.0, 1.0)


def _line_like(labels, slices, boundary):
    """Labels of the straight, long, thin components reaching the paper's or frame's edge.

    A sheet's edge, the desk's strip, a margin line: long (at least
    ``_EDGE_LENGTH`` of the frame's side along them), thin and straight (the
    minor axis of their moments under ``_EDGE_THICKNESS`` of the major one),
    and running into ``boundary`` (the frame's border or the paper's edge),
    where no digit goes.
    """
    from skimage.measure import regionprops

    n_rows, n_cols = labels.shape
    drop = []
    for k, s in enumerate(slices, start=1):
        if s is None:
            continue
        rows, cols = s
        height, width = rows.stop - rows.start, cols.stop - cols.start
        if max(height / n_rows, width / n_cols) < _EDGE_LENGTH:
            continue
        component = labels[s] == k
        if not (component & boundary[s]).any():
            continue
        props = regionprops(component.astype(np.uint8))[0]
        if props.axis_minor_length < _EDGE_THICKNESS * props.axis_major_length:
            drop.append(k)
    return drop


def _sheet(small, threshold):
    """The sheet at ``threshold`` on the smoothed copy: (mask, paper is bright) or None.

    The paper is the connected region, on the side of ``threshold`` found in
    the middle third of the frame, that covers most of that middle, its holes
    filled; it must hold a share of the frame in :data:`_PAPER_SHARE` and be
    convex (a quadrilateral, even in perspective; a large digit smoothed into
    a blob is not).
    """
    from skimage.measure import regionprops

    bright = small > threshold
    if bright.all() or not bright.any():
        return None
    n_rows, n_cols = small.shape
    middle = (slice(n_rows // 3, n_rows - n_rows // 3), slice(n_cols // 3, n_cols - n_cols // 3))
    paper_is_bright = bright[middle].mean() >= 0.5
    paper = bright if paper_is_bright else ~bright
    labels, n = ndimage.label(paper)
    if n == 0:
        return None
    counts = np.bincount(labels[middle].ravel(), minlength=n + 1)
    counts[0] = 0
    paper = ndimage.binary_fill_holes(labels == int(np.argmax(counts)))
    if not _PAPER_SHARE[0] <= paper.mean() <= _PAPER_SHARE[1]:
        return None
    if regionprops(paper.astype(np.uint8))[0].solidity < _SOLIDITY:
        return None
    return paper, paper_is_bright


def _edge_step(small, paper, paper_is_bright, part=None):
    """How much lighter (darker) the paper is than what lies just beyond its edge.

    The step at each pixel of a two-pixel band outside the sheet's edge (off
    the frame's border) is the mean level of the band inside the edge near
    it (within two pixels) minus its own; the median of these steps is
    returned. A sheet's edge is a step; a threshold drawn through light
    falling off across a page, or across a desk lit unevenly, is not. With
    ``part`` (a part of ``paper``), only the edge along that part counts.
    """
    inner = paper & ~ndimage.binary_erosion(paper, iterations=2, border_value=1)
    if part is not None:
        inner &= part
    outer = ndimage.binary_dilation(paper, iterations=2) & ~paper
    if not outer.any() or not inner.any():
        return 0.0
    total = ndimage.uniform_filter(np.where(inner, small, 0.0), size=5, mode="constant")
    count = ndimage.uniform_filter(inner.astype(float), size=5, mode="constant")
    near = outer & (count > 1e-6)
    if not near.any():
        return 0.0
    steps = total[near] / count[near] - small[near]
    return float(np.median(steps if paper_is_bright else -steps))


def _largest_sheet(small, found):
    """The largest of the ``found`` sheets ``(threshold, mask, paper is bright)`` that holds.

    A sheet holding a smaller one found (of the same polarity) is the lit and
    the shadowed paper together only if the edge of what it adds is a step
    too (:func:`_edge_step`): the darker part of a desk lit unevenly, joined
    to a dark board, is not.
    """
    found = sorted(found, key=lambda f: int(f[1].sum()), reverse=True)
    for i, (threshold, paper, bright) in enumerate(found):
        holds = True
        for _, other, other_bright in found[i + 1:]:
            # (opened: the blurred rim of the smaller sheet is no part)
            added = ndimage.binary_opening(paper & ~other, iterations=2)
            if (other_bright != bright or not added.any()
                    or np.count_nonzero(other & paper) < 0.9 * np.count_nonzero(other)):
                continue
            if _edge_step(small, paper, bright, part=added) < _DESK_CONTRAST:
                holds = False
                break
        if holds:
            return threshold, paper, bright
    return found[-1]


def paper_region(gray):
    """Where the paper (or board) is, when it lies on a desk of another level; else None.

    The ink is first smoothed away (a median filter on a reduced copy). The
    sheet is then sought at Otsu's threshold, where the levels split clearly
    in two (classes at least :data:`_DESK_CONTRAST` apart, explaining
    :data:`_TWO_LEVELS` of the variance), and at the two thresholds of a
    three-class Otsu (a shadow across the sheet and the desk gives a third
    level: the shadowed paper), where the sheet's edge must be a step of at
    least :data:`_DESK_CONTRAST`. The largest sheet found wins (the lit and
    the shadowed paper together, rather than the lit part alone), provided
    what it adds to a smaller one has a step for an edge too
    (:func:`_largest_sheet`). Returns a
    mask of the working resolution, or None where the frame holds one level
    only (a scan, a drawing, an array, a page under falling-off light).
    """
    from skimage.filters import threshold_multiotsu, threshold_otsu
    from skimage.measure import block_reduce

    if min(gray.shape) < _MIN_DESK_SIDE:
        return None
    factor = max(1, -(-max(gray.shape) // 128))
    small = block_reduce(gray, (factor, factor), np.mean)
    small = ndimage.median_filter(small, size=max(3, min(small.shape) // 12))
    if float(small.max() - small.min()) < _DESK_CONTRAST:
        return None
    found = []
    threshold = threshold_otsu(small)
    bright = small > threshold
    if bright.any() and not bright.all():
        gap = float(small[bright].mean() - small[~bright].mean())
        share = bright.mean()
        # Two levels, not a gradient: the classes explain nearly all of the variance.
        if gap >= _DESK_CONTRAST and share * (1 - share) * gap**2 >= _TWO_LEVELS * small.var():
            sheet = _sheet(small, threshold)
            if sheet is not None:
                found.append((threshold, *sheet))
    try:
        thresholds = threshold_multiotsu(small, classes=3)
    except ValueError:  # too few distinct levels for three classes
        thresholds = ()
    for t in thresholds:
        sheet = _sheet(small, t)
        if sheet is not None and _edge_step(small, *sheet) >= _DESK_CONTRAST:
            found.append((t, *sheet))
    if not found:
        return None
    threshold, paper, paper_is_bright = _largest_sheet(small, found)
    # Back to the working resolution (block_reduce padded the last blocks),
    # the edge refined pixel by pixel: in a band around the coarse edge, the
    # paper is what lies on the paper's side of the threshold (ink enclosed
    # by it is a hole, filled).
    up = np.repeat(np.repeat(paper, factor, axis=0), factor, axis=1)
    up = up[: gray.shape[0], : gray.shape[1]]
    band = 2 * factor + 2
    core = ndimage.binary_erosion(up, iterations=band)  # (the frame's edge refined too)
    near = ndimage.binary_dilation(up, iterations=band)
    side = gray > threshold if paper_is_bright else gray < threshold
    fine = ndimage.binary_fill_holes(core | (near & side))
    labels, n = ndimage.label(fine)
    if n > 1:
        overlap = np.bincount(labels[core], minlength=n + 1)
        overlap[0] = 0
        fine = labels == int(np.argmax(overlap))
    return fine


def _drop_desk(x, candidates, paper, frame_edge):
    """Set to 0, in place, the marks of ``x`` that are the desk; whether any were.

    With a sheet found: marks reaching the frame's edge from outside it
    (labelled off the sheet, so that ruling running onto the desk stays, and
    a sheet's shadowed part is still read: it is not cut off). Without: large
    marks along the frame's edge (:func:`_desk_at_the_edge`).
    """
    if paper is not None:
        labels, _ = ndimage.label(candidates & ~paper, structure=EIGHT_CONNECTED)
        desk = np.unique(labels[frame_edge & (labels > 0)])
    else:
        labels, _ = ndimage.label(candidates, structure=EIGHT_CONNECTED)
        desk = _desk_at_the_edge(labels, ndimage.find_objects(labels))
    if len(desk):
        x[np.isin(labels, desk)] = 0
    return len(desk) > 0


def _writing(x, strong, boundary, min_component):
    """The strong marks that are writing: not the shapes of a sheet's edges, nor specks.

    Dropped: long straight marks reaching the paper's or frame's edge
    (:func:`_line_like`); marks reaching those edges with less ink than
    ``_EDGE_MASS`` of the heaviest (the corner of a sheet, a shadow along
    it), or lying wholly along them; marks with less than ``min_component``
    of all the ink; and all of them where the largest is a speck (noise, JPEG
    artefacts, dust).
    """
    labels, n = ndimage.label(strong, structure=EIGHT_CONNECTED)
    mass = ndimage.sum_labels(x, labels, index=np.arange(1, n + 1))
    line_like = _line_like(labels, ndimage.find_objects(labels), boundary)
    mass[np.asarray(line_like, dtype=int) - 1] = 0
    for k in np.unique(labels[boundary & (labels > 0)]):
        if mass[k - 1] < _EDGE_MASS * mass.max():
            mass[k - 1] = 0
    # Marks lying wholly along those edges (a sheet's rim) are not writing.
    inside = np.zeros(n + 1, dtype=bool)
    inside[labels[~boundary]] = True
    mass[~inside[1:]] = 0
    keep = np.flatnonzero((mass > 0) & (mass >= min_component * mass.sum())) + 1
    sizes = ndimage.sum_labels(np.ones_like(x), labels, index=keep)
    if len(keep) and sizes.max() < max(_MIN_MARK, (_MIN_MARK_SIDE * min(x.shape)) ** 2):
        keep = keep[:0]
    return np.isin(labels, keep)


def ink_image(gray, name, invert, *, min_component=_MIN_COMPONENT):
    """Bright-ink image of a grayscale image in [0, 1], as an :class:`InkImage`.

    ``invert`` is True (dark ink: inverted so that the ink is bright), False
    (light ink, kept) or "auto" (:func:`polarity_is_light`). Strong-ink specks
    holding less than ``min_component`` of the total are dropped.
    """
    from skimage.filters import apply_hysteresis_threshold

    from ._lines import remove_lines

    paper = paper_region(gray)
    light = polarity_is_light(gray, paper) if invert == "auto" else not invert
    x = contrast_map(gray, light, _closing_size(gray, light, paper))
    # Strong ink is darker (lighter) than the paper's own level too, not only
    # than its surroundings: with the wrong polarity, the paper between
    # strokes is not taken for ink.
    level = paper_level(gray, paper)
    if light:
        beyond = gray >= level + 0.5 * _MIN_CONTRAST * (1 - level)
    else:
        beyond = gray <= level * (1 - 0.5 * _MIN_CONTRAST)
    boundary = np.ones(gray.shape, dtype=bool)  # the frame's edge ...
    boundary[2:-2, 2:-2] = False
    frame_edge = boundary.copy()
    if paper is not None:
        inside = ndimage.binary_erosion(paper, iterations=2, border_value=1)
        boundary |= ~ndimage.binary_erosion(inside, iterations=3, border_value=1)  # ... the paper's
    # The noise floor: the background's own contrast (grain, noise, JPEG),
    # robustly, over the paper (most of which is not ink).
    sample = x[inside] if paper is not None else x
    median = float(np.median(sample))
    noise = median + _NOISE_MADS * float(np.median(np.abs(sample - median)))
    candidates = x > max(noise, 0.5 * _MIN_CONTRAST)
    if _drop_desk(x, candidates, paper, frame_edge):
        candidates = x > max(noise, 0.5 * _MIN_CONTRAST)
    x, angle = remove_lines(x, candidates, noise)
    peak = _robust_peak(np.where(beyond, x, 0))
    contrast = peak - noise
    # (A level exactly halfway, the anti-aliased edge of a drawn stroke, is not
    # strong: the tolerance keeps float32 rounding from deciding it.)
    high = noise + _STRONG * contrast + 1e-5
    strong = (x > high) & beyond
    if contrast >= _MIN_CONTRAST:
        strong = _writing(x, strong, boundary, min_component)
    if contrast < _MIN_CONTRAST or not strong.any():
        # forced polarity: no guess to blame; "+ 0.0" prints 0, not -0
        advice = ("pass invert=True/False if the ink's polarity was guessed wrong"
                  if invert == "auto" else "try the other invert")
        marks = "darkest" if not light else "lightest"
        raise BlankImageError(
            f"{name}: no ink found; the image is blank or nearly uniform (the "
            f"{marks} marks differ from the paper around them by "
            f"{100 * max(peak, 0.0) + 0.0:.0f}%). Check that it shows a digit written "
            f"darker than its paper, or lighter than a dark board; or {advice}.",
            source=name,
        )
    ink_level = float(np.percentile(x[strong], _INK_LEVEL_PERCENTILE))
    # Fainter ink connected to the strong ink (hysteresis) ...
    mask = apply_hysteresis_threshold(x, noise + _WEAK * contrast, high)
    labels, _ = ndimage.label(mask, structure=EIGHT_CONNECTED)
    mask = np.isin(labels, np.unique(labels[strong]))
    # ... and the faint rim just around it (anti-aliased edges), above the noise.
    mask = ndimage.binary_dilation(mask, structure=EIGHT_CONNECTED) & (x > noise)
    x = np.clip((x - noise) / max(ink_level - noise, 1e-6), 0, 1)
    x[~mask] = 0
    return InkImage(x.astype(np.float32, copy=False), mask, strong, angle)


def _robust_peak(x):
    """The contrast reached by a whole 2x2 block (isolated specks do not count)."""
    if min(x.shape) >= 2:
        peak = float(ndimage.minimum_filter(x, size=2).max())
        if peak >= 0.5 * float(x.max()):
            return peak
    return float(x.max())
