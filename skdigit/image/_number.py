"""Number segmentation: a number written on paper, read digit by digit."""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ._decode import import_pil, to_gray
from ._errors import (
    MAX_PIXELS,
    BlankImageError,
    check_frame,
    check_invert,
    check_max_pixels,
    describe,
)
from ._fit import bbox, fit_and_centre
from ._ink import EIGHT_CONNECTED, ink_image
from ._stroke import normalize_stroke, stroke_width
from ._sure import MIN_PROBABILITY, digit_likeness, sure_enough

__all__ = ["NumberReading", "digit_and_count", "read_number", "segment_digits"]

# Two ink components are parts of one digit when their column ranges overlap
# by at least this fraction of the narrower one (a 5's detached cap, the two
# strokes of a 4 or a 7 written in two goes), or overlap at all while one
# lies wholly above the other (a slanted stroke broken where the pen
# skipped: neighbouring digits on a line share rows).
_JOIN_OVERLAP = 0.5
# ... or when one, at most _CAP_HEIGHT of the other's height, lies above the
# other's middle while sharing columns with it (a 5's flag whose end dips
# below the top of the body's upper stroke).
_CAP_HEIGHT = 0.5
# Specks: components holding less than this fraction of the largest one's ink
# are dropped before joining. Once joined, a group lower than _SMALL of the
# tallest is a fragment: it joins the digit whose columns it overlaps most (a
# 5's cap that hangs to the right), or, overlapping none, it is dropped when it
# is also lighter than _SPECK_MASS of the heaviest group (a dot, a smudge),
# whereas a short "1" or a small "0" is kept.
_DUST = 0.02
_SMALL, _SPECK_MASS = 0.3, 0.15
# A fragment sharing no column with any digit is the cap of the nearest one
# when it lies in that digit's top quarter and at most _CAP_GAP of the tallest
# digit's height away from it (see _cap_of).
_CAP_TOP, _CAP_GAP = 0.25, 0.3
# A digit is at least this fraction of the frame's smaller side high.
_MIN_HEIGHT = 0.02
# A rule drawn by hand (an underline, a line above): one stroke at least
# _RULE_WIDTH times as wide as the tallest other component is high, at most
# _RULE_FLAT of its width high, spanning the columns of two or more others.
# No digit is that wide (a 7's bar, a 5's flag span one digit).
_RULE_WIDTH, _RULE_FLAT = 1.5, 0.3
# Rows of ink separated by a gap of a third of the tallest run are two lines
# of writing; a run less high than _SHORT_RUN of the tallest, closer than
# _SHORT_GAP of it below a line, is that line's (see _line_bands).
_SHORT_RUN, _SHORT_GAP = 0.5, 0.6


def _overlap(a, b):
    """Columns shared by two parts or groups ``[label(s), top, bottom, left, right, mass]``."""
    return min(a[4], b[4]) - max(a[3], b[3])


def _joined(a, b):
    """Whether two parts (or groups) are parts of one digit (see ``_JOIN_OVERLAP``)."""
    shared = _overlap(a, b)
    if shared <= 0:
        return False
    if shared >= _JOIN_OVERLAP * min(a[4] - a[3], b[4] - b[3]):
        return True
    upper, lower = sorted((a, b), key=lambda p: p[1])
    if upper[2] <= lower[1]:  # wholly above
        return True
    # a short piece above the other's middle (a 5's flag reaching below the
    # top of its body's upper stroke)
    return (upper[2] <= (lower[1] + lower[2]) / 2
            and upper[2] - upper[1] <= _CAP_HEIGHT * (lower[2] - lower[1]))


def _merge(group, part):
    """Add a part (or group) to a group, in place."""
    group[0].extend(part[0] if isinstance(part[0], list) else [part[0]])
    group[1], group[2] = min(group[1], part[1]), max(group[2], part[2])
    group[3], group[4] = min(group[3], part[3]), max(group[4], part[4])
    group[5] += part[5]


def _rules(parts):
    """Labels of the parts that are rules drawn by hand, not digits' strokes (``_RULE_WIDTH``)."""
    if len(parts) < 3:
        return []
    heights = sorted((p[2] - p[1] for p in parts), reverse=True)
    rules = []
    for p in parts:
        width, height = p[4] - p[3], p[2] - p[1]
        tallest_other = heights[1] if height == heights[0] else heights[0]
        if height > _RULE_FLAT * width or width < _RULE_WIDTH * tallest_other:
            continue
        spanned = sum(_overlap(p, q) >= _JOIN_OVERLAP * (q[4] - q[3]) for q in parts if q is not p)
        if spanned >= 2:
            rules.append(p[0])
    return rules


def _line_bands(mask):
    """Row ranges ``(top, bottom)`` of the lines of writing, top to bottom.

    Runs of rows holding ink, joined across gaps shorter than a third of the
    tallest run (a 5's cap above its body, a dot): what is left apart by a
    wider gap is another line -- except a run less high than ``_SHORT_RUN``
    of the tallest, less than ``_SHORT_GAP`` of it below a line and no
    nearer the next: a flat stroke written apart (a 5's or a 2's base).
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) > 1)
    runs = [[int(a), int(b) + 1] for a, b in zip(np.r_[rows[0], rows[breaks + 1]],
                                                 np.r_[rows[breaks], rows[-1]])]
    tallest = max(b - a for a, b in runs)
    bands = [runs[0]]
    for k, (top, bottom) in enumerate(runs[1:], 1):
        gap = top - bands[-1][1]
        near = gap < tallest / 3
        if not near and bottom - top < _SHORT_RUN * tallest and gap < _SHORT_GAP * tallest:
            # a short stroke below a line is that line's (a 5's base written
            # apart from it), unless it is nearer the line below (a 5's cap)
            below = runs[k + 1] if k + 1 < len(runs) else None
            near = below is None or below[0] - bottom >= gap
        if near:
            bands[-1][1] = bottom
        else:
            bands.append([top, bottom])
    return [tuple(b) for b in bands]


def _cap_of(fragment, digits, tallest):
    """The digit whose detached cap ``fragment`` is, or None.

    A 5's flag (or a 7's bar) written apart from its body may hang wholly to
    the right of it, sharing no column: a fragment lying in the top part of
    the digit just left of it (its middle above ``_CAP_TOP`` of that digit's
    height) and closer to it than ``_CAP_GAP`` of the tallest digit's height
    is taken as that digit's cap; failing that, the same is tried with the
    digit just right of it. A fragment level with the digits' middle (a
    dash) or far from them stays apart.
    """
    middle = (fragment[1] + fragment[2]) / 2
    left = [d for d in digits if d[4] <= fragment[3]]
    right = [d for d in digits if d[3] >= fragment[4]]
    # The body left of the cap first: a 5's flag hangs to its right.
    for d, gap in ((max(left, key=lambda d: d[4], default=None), 1),
                   (min(right, key=lambda d: d[3], default=None), -1)):
        if d is None:
            continue
        distance = fragment[3] - d[4] if gap > 0 else d[3] - fragment[4]
        if distance <= _CAP_GAP * tallest and middle <= d[1] + _CAP_TOP * (d[2] - d[1]):
            return d
    return None


def _group(parts, min_height=0):
    """Parts of one line joined into digits, left to right (see segment_digits)."""
    parts = sorted(parts, key=lambda p: p[3])
    groups = []  # [labels, top, bottom, left, right, mass]
    for part in parts:
        for g in groups:
            if _joined(part, g):
                _merge(g, part)
                break
        else:
            groups.append([[part[0]], *part[1:]])
    tallest = max(g[2] - g[1] for g in groups)
    heaviest = max(g[5] for g in groups)
    digits = [g for g in groups if g[2] - g[1] >= _SMALL * tallest]
    if min_height:  # fragments too small to be a digit at all (a blank page's dust)
        digits = [g for g in digits if g[2] - g[1] >= min_height]
        if not digits:
            return []
    for g in groups:
        if g[2] - g[1] >= _SMALL * tallest:
            continue
        overlaps = [_overlap(g, d) for d in digits]
        if overlaps and max(overlaps) > 0:
            _merge(digits[int(np.argmax(overlaps))], g)
        elif (cap := _cap_of(g, digits, tallest)) is not None:
            _merge(cap, g)
        elif g[5] >= _SPECK_MASS * heaviest:
            digits.append(g)
    digits.sort(key=lambda g: g[3])
    return digits


def segment_digits(ink, *, with_lines=False):
    """Split the ink of an image into digits, line by line, each left to right.

    Parameters
    ----------
    ink : InkImage
        The ink of the whole image at the working resolution.
    with_lines : bool, default=False
        Also return each digit's line (0 for the top line).

    Returns
    -------
    segments : list of (keep, box)
        For each digit, a boolean mask (like ``ink.mask``) of its pixels and
        its box ``(top, bottom, left, right)`` (bottom and right exclusive), in
        working pixels; the top line first.
    lines : list of int
        Only with ``with_lines``: the line of each segment.
    """
    labels, n = ndimage.label(ink.mask, structure=EIGHT_CONNECTED)
    index = np.arange(1, n + 1)
    mass = ndimage.sum_labels(ink.x, labels, index=index)
    slices = ndimage.find_objects(labels)
    parts = [
        [k + 1, s[0].start, s[0].stop, s[1].start, s[1].stop, m]
        for k, (s, m) in enumerate(zip(slices, mass))
        if m >= _DUST * mass.max()
    ]
    rules = _rules(parts)
    parts = [p for p in parts if p[0] not in rules]
    kept = np.isin(labels, [p[0] for p in parts])
    segments, lines = [], []
    for line, (top, bottom) in enumerate(_line_bands(kept)):
        mine = [p for p in parts if top <= (p[1] + p[2]) / 2 < bottom]
        if not mine:
            continue
        for g in _group(mine, _MIN_HEIGHT * min(ink.mask.shape)):
            segments.append((np.isin(labels, g[0]), tuple(g[1:5])))
            lines.append(line)
    if with_lines:
        return segments, lines
    return segments


def _segments(source, invert, frame, max_pixels):
    """The ink of the whole image, its digits, their lines and the reduction factor."""
    name = describe(source)
    gray, factor = to_gray(source, name, frame, max_pixels)
    ink = ink_image(gray, name, invert)
    segments, lines = segment_digits(ink, with_lines=True)
    return ink, segments, lines, factor


def digit_and_count(source, *, invert="auto", frame=None, max_pixels=MAX_PIXELS):
    """One image as :func:`load_digit_image` reads it, and how many digits it holds.

    For ``skdigit predict``, which warns when an image holds several digits.
    Returns the ``(784,)`` uint8 row and the number of segments
    (:func:`segment_digits`).
    """
    invert = check_invert(invert)
    max_pixels = check_max_pixels(max_pixels)
    frame = check_frame(frame)
    ink, segments, _, _ = _segments(source, invert, frame, max_pixels)
    Image, _ = import_pil()
    return fit_and_centre(normalize_stroke(ink), Image), len(segments)


# A segment wider than _SPLIT_ASPECT times its height holds touching digits,
# each about _DIGIT_ASPECT times as wide as high; cuts are tried at the
# _CUTS columns holding the least ink near each expected boundary.
_SPLIT_ASPECT, _DIGIT_ASPECT, _CUTS = 1.25, 0.7, 6
# Up to _FORCE_SPLIT times as wide as high, a segment is cut only where the
# model reads the two parts with more confidence than the whole.
_FORCE_SPLIT = 1.8
# From _UNSURE_ASPECT times as wide as high on, a segment that is no digit
# (is_digit: the model unsure or the detector finding it unlike a digit) is
# cut where both parts are digits and read better than the whole: two narrow
# digits ("1", "7") that touch, or that overlap as they touch.
_UNSURE_ASPECT = 0.8
# ... and only through a column crossing at most this many stroke widths of
# ink, and where the model is less sure than _SURE_WHOLE of the whole.
_JUNCTION, _SURE_WHOLE = 1.5, 0.7
# Each part of a cut holds strong ink at least this fraction of the
# segment's height: a sliver cut off a flat "5" is no digit.
_MIN_PART_HEIGHT = 0.5


def _cut(keep, column, strong):
    """The part of ``keep`` left of ``column`` and the part right of it, with their boxes.

    None if either part holds no strong ink, or strong ink less high than
    ``_MIN_PART_HEIGHT`` of the whole's.
    """
    rows = np.flatnonzero((keep & strong).any(axis=1))
    height = rows[-1] - rows[0] + 1 if len(rows) else 0
    halves = [_columns_of(keep, 0, column, strong, height),
              _columns_of(keep, column, keep.shape[1], strong, height)]
    return None if None in halves else halves


def _columns_of(keep, start, stop, strong, height):
    """The part of ``keep`` in columns ``start`` to ``stop`` and its box; None
    unless it holds strong ink at least ``_MIN_PART_HEIGHT`` of ``height`` high."""
    rows = np.flatnonzero((keep[:, start:stop] & strong[:, start:stop]).any(axis=1))
    if len(rows) == 0 or rows[-1] - rows[0] + 1 < _MIN_PART_HEIGHT * height:
        return None  # decided on the columns alone: no mask of the image's size made
    part = np.zeros_like(keep)
    part[:, start:stop] = keep[:, start:stop]
    return part, bbox(part)


def _read(ink, segments, model, Image):
    """The segments read once: the model's top probability and the detector's
    digit-likeness of each, and their score -- the sum over them of the log
    of the probability and of the likeness (as a probability: a blob the
    model reads as "0" at 1.0 is no digit)."""
    digits = _prepare(ink, segments, Image)
    top = np.asarray(model.predict_proba(digits)).max(axis=1)
    likeness = digit_likeness(digits)
    return top, likeness, _score(top, likeness)


def _score(top, likeness):
    """The sum of the logs of the model's top probabilities and of the
    likenesses taken as probabilities (see :func:`_read`)."""
    log_like = -np.logaddexp(0.0, -np.asarray(likeness))  # log of the logistic function
    return float(np.log(np.clip(top, 1e-12, 1)).sum() + log_like.sum())


def split_touching(ink, segment, model, Image, min_probability=MIN_PROBABILITY,
                   in_number=True):
    """Cut a segment holding touching digits into digits, scored by the model.

    A segment wider than ``_SPLIT_ASPECT`` times its height is cut at the
    column, among the few holding the least ink near where the first
    digit should end, whose two sides read best as digits (:func:`_read`:
    the model's probabilities and the detector's digit-likeness; each side
    at least ``_MIN_PART_HEIGHT`` of the whole's height) -- if the column
    crosses at most ``_JUNCTION`` stroke widths of ink, the model is less
    sure than ``_SURE_WHOLE`` of the whole read as one digit (a wide "0" or
    "5" is read with confidence) and the cut reads better than the whole; or,
    if the segment is wider than ``_FORCE_SPLIT`` times its height, unless
    the model is that sure of the whole and it reads better than the cut (a
    flat "5"). A segment from ``_UNSURE_ASPECT`` times as wide as high that
    is no digit as a whole (:func:`is_digit` with ``min_probability``: two
    narrow digits that touch, or overlap as they touch) is cut wherever the
    ink at the cut, if both sides are digits and read better than the whole
    -- only ``in_number``, when its line holds other segments: alone, such a
    segment is more likely a letter or a scribble than two digits.
    The right side is then cut again if it is still too wide.
    Returns the list of ``(keep, box)`` segments, left to right.
    """
    keep, (top, bottom, left, right) = segment
    height, width = bottom - top, right - left
    if width <= (_UNSURE_ASPECT if in_number else _SPLIT_ASPECT) * height:
        return [segment]
    whole_top, whole_likeness, whole_score = _read(ink, [segment], model, Image)
    whole = float(whole_top[0])
    unsure = in_number and not sure_enough(whole_top, whole_likeness, min_probability)[0]
    if width <= _SPLIT_ASPECT * height and not unsure:
        return [segment]
    n = max(2, round(width / (_DIGIT_ASPECT * height)))
    strong = (keep & ink.strong)[top:bottom, left:right]
    columns = strong.sum(axis=0)
    lo = max(1, int(width * 0.5 / n))
    hi = min(width - 1, int(width * 1.5 / n))
    if hi <= lo:
        return [segment]
    order = np.argsort(columns[lo:hi], kind="stable")[:_CUTS] + lo
    # Touching digits meet in one stroke at most; a wide digit ("0", "5")
    # is crossed by two everywhere in its middle. (Digits that overlap as
    # they touch are crossed by two as well: a segment that is no digit is
    # tried whatever the ink at the cut.)
    if (not unsure and width <= _FORCE_SPLIT * height
            and columns[order[0]] > _JUNCTION * stroke_width(strong)):
        return [segment]
    best, best_score, best_sure = None, -np.inf, None
    for c in order:
        halves = _cut(keep, left + int(c), ink.strong)
        if halves is None:
            continue
        top_, likeness, score = _read(ink, halves, model, Image)
        if score > best_score:
            best, best_score = halves, score
            best_sure = sure_enough(top_, likeness, min_probability)
    if best is None:
        return [segment]
    if width <= _SPLIT_ASPECT * height or (unsure and width <= _FORCE_SPLIT * height):
        # no digit as a whole: cut only into two digits that read better
        if whole_score >= best_score or not best_sure.all():
            return [segment]
    elif width <= _FORCE_SPLIT * height:  # a wide digit ("0", "5"), or two?
        if whole >= _SURE_WHOLE or whole_score >= best_score:
            return [segment]
    elif whole >= _SURE_WHOLE and whole_score >= best_score:  # a flat "5"
        return [segment]
    return [best[0], *split_touching(ink, best[1], model, Image, min_probability, in_number)]


def _read_joined(ink, a, b, model, Image):
    """Segments ``a`` and ``b`` read as one: the joined segment, its prepared
    row, the model's ``predict_proba`` of it and the detector's likeness."""
    (keep, (top, bottom, left, right)), (other, (t, b_, lft, rgt)) = a, b
    joined = (keep | other, (min(top, t), max(bottom, b_), min(left, lft), max(right, rgt)))
    digit = _prepare(ink, [joined], Image)
    proba = np.asarray(model.predict_proba(digit))[0]
    return joined, digit[0], proba, float(digit_likeness(digit)[0])


def _join_unsure(ink, segments, lines, model, Image, min_probability):
    """Join a segment that is no digit to a neighbour it shares columns with,
    where together they read as a digit (a 5's slanted cap, too high to be
    a fragment, beside its body). Returns the segments, their lines, and
    lists of their prepared rows, the model's ``predict_proba`` of them and
    their digit-likeness (:func:`is_digit` is :func:`sure_enough` of the last
    two)."""
    segments, lines = list(segments), list(lines)
    prepared = _prepare(ink, segments, Image)
    digits = list(prepared)
    proba = list(np.asarray(model.predict_proba(prepared)))
    likeness = list(digit_likeness(prepared))
    i = 0
    while i < len(segments):
        if sure_enough(proba[i].max(), likeness[i], min_probability):
            i += 1
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(segments) or lines[j] != lines[i]:
                continue
            left, right = segments[i][1][2:], segments[j][1][2:]
            if min(left[1], right[1]) <= max(left[0], right[0]):  # no shared columns
                continue
            lo = min(i, j)
            joined = _read_joined(ink, segments[lo], segments[lo + 1], model, Image)
            if sure_enough(joined[2].max(), joined[3], min_probability):
                for kept, value in zip((segments, digits, proba, likeness), joined):
                    kept[lo : lo + 2] = [value]
                lines[lo : lo + 2] = [lines[i]]
                i = lo
                break
        else:
            i += 1
    return segments, lines, digits, proba, likeness


# Two neighbouring segments of a line are tried as one digit broken in two
# (a 4 or a 6 whose strokes do not meet, side by side) when the gap between
# them is at most _BROKEN_GAP of the taller one's height and together they
# are at most _BROKEN_ASPECT times as wide as high.
_BROKEN_GAP, _BROKEN_ASPECT = 0.25, 1.0


def _join_broken(ink, segments, lines, digits, proba, likeness, model, Image,
                 min_probability):
    """Join neighbouring segments that read better as one digit than as two.

    A digit whose strokes do not meet, side by side (a 4's two strokes, a
    6's stem beside its loop), is two components sharing no column, each
    perhaps read as a digit ("2" and "1"). Two neighbours on one line, close
    (``_BROKEN_GAP``) and together no wider than a digit
    (``_BROKEN_ASPECT``), are joined where the whole is a digit
    (:func:`is_digit`) and scores higher than the two (:func:`_score`: the
    model's probabilities and the detector's likenesses): two digits of a
    number, each read with confidence, usually score higher apart. Takes and
    returns what :func:`_join_unsure` returns.
    """
    i = 0
    while i + 1 < len(segments):
        (_, (top, bottom, left, right)), (_, (t, b, lft, rgt)) = segments[i : i + 2]
        if (lines[i] != lines[i + 1] or lft - right > _BROKEN_GAP * max(bottom - top, b - t)
                or max(right, rgt) - min(left, lft)
                > _BROKEN_ASPECT * (max(bottom, b) - min(top, t))):
            i += 1
            continue
        joined = _read_joined(ink, segments[i], segments[i + 1], model, Image)
        top_, like = joined[2].max(), joined[3]
        apart = _score(np.max(proba[i : i + 2], axis=1), likeness[i : i + 2])
        if _score(top_, like) > apart and sure_enough(top_, like, min_probability):
            for kept, value in zip((segments, digits, proba, likeness), joined):
                kept[i : i + 2] = [value]
            lines[i : i + 2] = [lines[i]]
            continue  # the joined digit may be broken further: try it with the next
        i += 1
    return segments, lines, digits, proba, likeness


# A segment of a number at least _SPLIT_ASPECT times as wide as high (alone,
# _FORCE_SPLIT) that split_touching leaves with a part that is no digit may
# hold more touching digits than its two-way cuts find ("984" in one piece):
# it is read as the parts that score best, each _PART_ASPECT[0] to
# _PART_ASPECT[1] times as wide as high, between the columns of least ink of
# windows _CUT_STEP of its height wide (see _parts_by_reading) ...
_PART_ASPECT, _CUT_STEP = (0.15, 1.1), 0.125
# ... in at most as many parts as digits _DIGIT_WIDTH times as wide as high
# would fill, and not at all where that is more than _MOST_DIGITS (a line
# scribbled across the page: the work grows with the width).
_DIGIT_WIDTH, _MOST_DIGITS = 0.6, 12
# A segment of a number read as a digit is tried so too from
# _SURE_SPLIT_ASPECT times as wide as high (a "22" read as one "2") when it
# is at least _SURE_SPLIT_HEIGHT of the median height of its line's segments
# high: a flat "2", lower than the digits beside it, is one digit.
_SURE_SPLIT_ASPECT, _SURE_SPLIT_HEIGHT = 1.4, 0.8


def _parts_by_reading(ink, segment, model, Image, min_probability):
    """The best way to read ``segment`` as two or more digits side by side.

    Candidate cuts are the columns of least strong ink in each window of
    ``_CUT_STEP`` of the segment's height; each span between two candidates,
    ``_PART_ASPECT`` of the height wide and with strong ink at least
    ``_MIN_PART_HEIGHT`` of it high, is read once; a dynamic program over
    the candidates picks the spans, all digits (:func:`sure_enough`), whose
    summed :func:`_score` is highest. Each span's mask is the size of the
    working image: it is prepared and let go, and only the chosen ones are
    made again. Returns ``(score, parts)`` with the parts as ``(keep, box)``
    left to right, or None if no such reading has two parts or more, or the
    segment is wider than ``_MOST_DIGITS`` digits.
    """
    keep, (top, bottom, left, right) = segment
    height, width = bottom - top, right - left
    most = max(2, int(np.ceil(width / (_DIGIT_WIDTH * height))))
    if most > _MOST_DIGITS:
        return None
    box = np.s_[top:bottom, left:right]
    columns = (keep[box] & ink.strong[box]).sum(axis=0)
    step = max(1, round(_CUT_STEP * height))
    inner = {lo + int(np.argmin(columns[lo : lo + step])) for lo in range(0, width, step)}
    cuts = [0, *sorted(c for c in inner if 0 < c < width), width]
    spans, rows = [], []
    for i, a in enumerate(cuts):
        for j in range(i + 1, len(cuts)):
            b = cuts[j]
            if b - a > _PART_ASPECT[1] * height:
                break
            if b - a < _PART_ASPECT[0] * height:
                continue
            part = _columns_of(keep, left + a, left + b, ink.strong, height)
            if part is not None:
                spans.append((i, j))
                rows.append(_prepare(ink, [part], Image)[0])  # one mask held at a time
    if not spans:
        return None
    digits = np.stack(rows)
    top_ = np.asarray(model.predict_proba(digits)).max(axis=1)
    likeness = digit_likeness(digits)
    sure = sure_enough(top_, likeness, min_probability)
    scores = [_score(p, like) for p, like in zip(top_, likeness)]
    # best[n][j]: the best (score, spans) of n + 1 digits from the left end to cut j
    best = [[(-np.inf, ())] * len(cuts) for _ in range(most)]
    for n in range(most):
        for k, (i, j) in enumerate(spans):
            before = best[n - 1][i] if n else (0.0, ()) if i == 0 else (-np.inf, ())
            if sure[k] and before[0] + scores[k] > best[n][j][0]:
                best[n][j] = (before[0] + scores[k], (*before[1], k))
    score, path = max((row[-1] for row in best[1:]), key=lambda found: found[0])
    if not path:
        return None
    return score, [_columns_of(keep, left + cuts[spans[k][0]], left + cuts[spans[k][1]],
                               ink.strong, height) for k in path]


def _split(ink, segment, model, Image, min_probability, line_height):
    """:func:`split_touching`, or the digits of :func:`_parts_by_reading` where better.

    :func:`split_touching` cuts a segment in two, then its right side again:
    of three touching digits it may keep "984" whole or cut "98" and "4",
    and neither is a digit. Where a segment at least ``_SPLIT_ASPECT`` times
    as wide as high in a number (alone, ``_FORCE_SPLIT``: such a segment is
    more likely a letter or a scribble) comes out of it with a part that is
    no digit (:func:`sure_enough`), or whole and read as a digit but at least
    ``_SURE_SPLIT_ASPECT`` times as wide as high and about as high as its
    line (``_SURE_SPLIT_HEIGHT`` of ``line_height``, the median height of
    the line's segments; None for a segment alone on its line), the digits
    of :func:`_parts_by_reading` replace its parts when they score higher
    (:func:`_score`).
    """
    in_number = line_height is not None
    parts = split_touching(ink, segment, model, Image, min_probability, in_number)
    _, (top, bottom, left, right) = segment
    if (right - left) < (_SPLIT_ASPECT if in_number else _FORCE_SPLIT) * (bottom - top):
        return parts
    top_, likeness, score = _read(ink, parts, model, Image)
    if sure_enough(top_, likeness, min_probability).all() and not (
            in_number and len(parts) == 1
            and right - left >= _SURE_SPLIT_ASPECT * (bottom - top)
            and bottom - top >= _SURE_SPLIT_HEIGHT * line_height):
        return parts
    found = _parts_by_reading(ink, segment, model, Image, min_probability)
    return found[1] if found is not None and found[0] > score else parts


def _prepare(ink, segments, Image):
    """One MNIST-style row per segment, stacked."""
    return np.stack([
        fit_and_centre(normalize_stroke(ink.restricted(keep, box)), Image)
        for keep, box in segments
    ])


@dataclass(frozen=True)
class NumberReading:
    """What :func:`~skdigit.image.read_number` read: the number and each of its digits.

    Attributes
    ----------
    text : str
        The predicted labels of the digits, left to right, joined (``"2026"``);
        also given by ``str(reading)``.
    labels : ndarray of shape (n_digits,)
        The predicted label of each digit (from the model's ``classes_``).
    probabilities : ndarray of shape (n_digits,)
        The predicted probability of each digit's label.
    proba : ndarray of shape (n_digits, n_classes)
        ``model.predict_proba`` of each digit; columns as ``classes``.
    classes : ndarray of shape (n_classes,)
        The model's ``classes_``.
    boxes : ndarray of shape (n_digits, 4), int
        The box of each digit in the source image's pixels, ``(left, top,
        right, bottom)`` with right and bottom exclusive (Pillow's box
        convention), in the upright image (after its EXIF orientation).
    digits : ndarray of shape (n_digits, 784), uint8
        Each digit prepared like :func:`~skdigit.image.load_digit_image` (white ink on
        black, 0-255), the rows the model classified.
    is_digit : ndarray of shape (n_digits,), bool
        Whether the segment is reported as a digit: the model is sure enough
        (``probabilities >= min_probability``) and skdigit's digit detector
        finds it digit-like (:func:`skdigit.image.digit_likeness`). A letter,
        a scribble or a smudge is reported as ``False`` and shown as ``"?"``
        in ``text``.
    lines : ndarray of shape (n_digits,), int
        The line of writing each digit is on (0 for the top line); ``text``
        separates lines by a space.
    """

    text: str
    labels: np.ndarray
    probabilities: np.ndarray
    proba: np.ndarray
    classes: np.ndarray
    boxes: np.ndarray
    digits: np.ndarray
    is_digit: np.ndarray = None
    lines: np.ndarray = None

    def __str__(self):
        return self.text

    def __len__(self):
        return len(self.labels)


def read_number(source, model, *, invert="auto", frame=None, max_pixels=MAX_PIXELS,
                min_probability=MIN_PROBABILITY):
    """Read a number written on paper: segment its digits and classify each.

    The ink is found in the whole image as by :func:`load_digit_image`, then
    split into digits: its connected components, the parts of one broken
    digit (a 5's detached cap, a 4 drawn in two strokes) joined when their
    column ranges overlap by half the narrower one, specks and a rule drawn
    under or over the number (one flat stroke spanning several digits)
    dropped; two close neighbours that read better as one digit than as two
    are joined (a 4 whose strokes do not meet). Each digit, left to right, is
    then prepared like a single digit (stroke width, 20x20 box, centre of
    mass) and classified by ``model``.

    Several lines of writing are read line by line (``reading.lines``);
    digits that touch are cut where the model reads both parts best.

    Parameters
    ----------
    source : str, os.PathLike, bytes, binary file object, PIL.Image.Image or ndarray
        The image, as for :func:`load_digit_image`.
    model : classifier
        A fitted classifier of MNIST-style rows (784 pixel intensities 0-255)
        with ``predict_proba`` and ``classes_``, such as
        :func:`skdigit.make_digit_pipeline` fitted on
        :func:`skdigit.load_mnist`.
    invert : {"auto", True, False}, default="auto"
        As for :func:`load_digit_image`.
    frame : int, default=None
        As for :func:`load_digit_image`.
    max_pixels : int or None, default=MAX_PIXELS
        As for :func:`load_digit_image`.
    min_probability : float in [0, 1], default=0.5
        A segment read with a lower probability is reported as not a digit
        (``reading.is_digit``; ``"?"`` in ``reading.text``), as is one that
        the digit detector (:func:`skdigit.image.digit_likeness`: letters,
        scribbles, smudges) finds unlike any digit.

    Returns
    -------
    reading : NumberReading
        The number as text, and each digit's label, probabilities, box in
        the source image and prepared pixels.

    Raises
    ------
    TypeError
        If ``model`` has no ``predict_proba``; otherwise as
        :func:`load_digit_image`.
    DigitImageError, FileNotFoundError, ValueError, ImportError
        As :func:`load_digit_image`.

    See Also
    --------
    load_digit_image : One digit per image.

    Examples
    --------
    A "1" and a "0" drawn side by side, read by a model trained on scikit-learn's
    small digits (enlarged to 28x28):

    >>> import numpy as np
    >>> from scipy import ndimage
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import make_digit_pipeline
    >>> from skdigit.image import read_number
    >>> X, y = load_digits(return_X_y=True)
    >>> X28 = np.array([np.pad(ndimage.zoom(x.reshape(8, 8), 2.5, order=1), 4)
    ...                 for x in X]).reshape(len(X), -1).clip(0, 16) * (255 / 16)
    >>> model = make_digit_pipeline(C=0.1).fit(X28, y)
    >>> page = np.full((120, 200), 255, dtype=np.uint8)
    >>> page[20:100, 40:52] = 0                        # a "1"
    >>> rows, cols = np.ogrid[-40:40, -28:28]
    >>> ring = np.hypot(rows / 36, cols / 24)
    >>> page[20:100, 100:156][(ring > 0.7) & (ring < 1.0)] = 0  # a "0"
    >>> reading = read_number(page, model)
    >>> reading.text
    '10'
    >>> reading.boxes.tolist()  # (left, top, right, bottom) in the page's pixels
    [[40, 20, 52, 100], [105, 25, 152, 96]]
    >>> reading.digits.shape
    (2, 784)
    """
    invert = check_invert(invert)
    max_pixels = check_max_pixels(max_pixels)
    frame = check_frame(frame)
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"model must be a fitted classifier with predict_proba; got "
            f"{type(model).__name__}."
        )
    ink, segments, lines, factor = _segments(source, invert, frame, max_pixels)
    if not segments:
        name = describe(source)
        raise BlankImageError(
            f"{name}: no digit found; the only marks are too small to be digits "
            "(dust, the remains of printed lines).",
            source=name,
        )
    Image, _ = import_pil()
    split, split_lines = [], []
    heights = {}
    for (_, (top, bottom, _, _)), line in zip(segments, lines):
        heights.setdefault(line, []).append(bottom - top)
    for segment, line in zip(segments, lines):
        line_height = float(np.median(heights[line])) if len(heights[line]) > 1 else None
        parts = _split(ink, segment, model, Image, min_probability, line_height)
        split.extend(parts)
        split_lines.extend([line] * len(parts))
    segments, lines, digits, proba, likeness = _join_broken(
        ink, *_join_unsure(ink, split, split_lines, model, Image, min_probability),
        model, Image, min_probability,
    )
    digits, proba = np.stack(digits), np.stack(proba)
    sure = sure_enough(proba.max(axis=1), likeness, min_probability)
    lines = np.array(lines, dtype=np.int64)
    classes = np.asarray(model.classes_)
    best = proba.argmax(axis=1)
    probabilities = proba[np.arange(len(best)), best]
    boxes = np.rint(np.array(
        [(left, top, right, bottom) for _, (top, bottom, left, right) in segments],
        dtype=np.float64,
    ).reshape(-1, 4) * factor).astype(np.int64)
    labels = classes[best]
    words = [
        "".join(str(label) if ok else "?"
                for label, ok, on in zip(labels, sure, lines) if on == line)
        for line in np.unique(lines)
    ]
    return NumberReading(
        text=" ".join(words),
        labels=labels,
        probabilities=probabilities,
        proba=proba,
        classes=classes,
        boxes=boxes,
        digits=digits,
        is_digit=sure,
        lines=lines,
    )
