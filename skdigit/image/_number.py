"""Number segmentation: a number written on paper, read digit by digit."""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ._decode import import_pil, to_gray
from ._errors import MAX_PIXELS, check_frame, check_invert, check_max_pixels, describe
from ._fit import fit_and_centre
from ._ink import EIGHT_CONNECTED, ink_image
from ._stroke import normalize_stroke

__all__ = ["NumberReading", "digit_and_count", "read_number", "segment_digits"]

# Two ink components are parts of one digit when their column ranges overlap
# by at least this fraction of the narrower one (a 5's detached cap, the two
# strokes of a 4 or a 7 written in two goes).
_JOIN_OVERLAP = 0.5
# Specks: components holding less than this fraction of the largest one's ink
# are dropped before joining. Once joined, a group lower than _SMALL of the
# tallest is a fragment: it joins the digit whose columns it overlaps most (a
# 5's cap that hangs to the right), or, overlapping none, it is dropped when it
# is also lighter than _SPECK_MASS of the heaviest group (a dot, a smudge),
# whereas a short "1" or a small "0" is kept.
_DUST = 0.02
_SMALL, _SPECK_MASS = 0.3, 0.15


def _overlap(a, b):
    """Columns shared by two parts or groups ``[label(s), top, bottom, left, right, mass]``."""
    return min(a[4], b[4]) - max(a[3], b[3])


def _merge(group, part):
    """Add a part (or group) to a group, in place."""
    group[0].extend(part[0] if isinstance(part[0], list) else [part[0]])
    group[1], group[2] = min(group[1], part[1]), max(group[2], part[2])
    group[3], group[4] = min(group[3], part[3]), max(group[4], part[4])
    group[5] += part[5]


def segment_digits(ink):
    """Split the ink of an image into digits, ordered left to right.

    Parameters
    ----------
    ink : InkImage
        The ink of the whole image at the working resolution.

    Returns
    -------
    segments : list of (keep, box)
        For each digit, a boolean mask (like ``ink.mask``) of its pixels and
        its box ``(top, bottom, left, right)`` (bottom and right exclusive), in
        working pixels.
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
    parts.sort(key=lambda p: p[3])
    groups = []  # [labels, top, bottom, left, right, mass]
    for part in parts:
        for g in groups:
            if _overlap(part, g) >= _JOIN_OVERLAP * min(part[4] - part[3], g[4] - g[3]):
                _merge(g, part)
                break
        else:
            groups.append([[part[0]], *part[1:]])
    tallest = max(g[2] - g[1] for g in groups)
    heaviest = max(g[5] for g in groups)
    digits = [g for g in groups if g[2] - g[1] >= _SMALL * tallest]
    for g in groups:
        if g[2] - g[1] >= _SMALL * tallest:
            continue
        overlaps = [_overlap(g, d) for d in digits]
        if overlaps and max(overlaps) > 0:
            _merge(digits[int(np.argmax(overlaps))], g)
        elif g[5] >= _SPECK_MASS * heaviest:
            digits.append(g)
    groups = digits
    groups.sort(key=lambda g: g[3])
    return [(np.isin(labels, g[0]), tuple(g[1:5])) for g in groups]


def _segments(source, invert, frame, max_pixels):
    """The ink of the whole image, its digits and the reduction factor."""
    name = describe(source)
    gray, factor = to_gray(source, name, frame, max_pixels)
    ink = ink_image(gray, name, invert)
    return ink, segment_digits(ink), factor


def digit_and_count(source, *, invert="auto", frame=None, max_pixels=MAX_PIXELS):
    """One image as :func:`load_digit_image` reads it, and how many digits it holds.

    For ``skdigit predict``, which warns when an image holds several digits.
    Returns the ``(784,)`` uint8 row and the number of segments
    (:func:`segment_digits`).
    """
    invert = check_invert(invert)
    max_pixels = check_max_pixels(max_pixels)
    frame = check_frame(frame)
    ink, segments, _ = _segments(source, invert, frame, max_pixels)
    Image, _ = import_pil()
    return fit_and_centre(normalize_stroke(ink), Image), len(segments)


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
    """

    text: str
    labels: np.ndarray
    probabilities: np.ndarray
    proba: np.ndarray
    classes: np.ndarray
    boxes: np.ndarray
    digits: np.ndarray

    def __str__(self):
        return self.text

    def __len__(self):
        return len(self.labels)


def read_number(source, model, *, invert="auto", frame=None, max_pixels=MAX_PIXELS):
    """Read a number written on paper: segment its digits and classify each.

    The ink is found in the whole image as by :func:`load_digit_image`, then
    split into digits: its connected components, the parts of one broken
    digit (a 5's detached cap, a 4 drawn in two strokes) joined when their
    column ranges overlap by half the narrower one, specks dropped. Each
    digit, left to right, is then prepared like a single digit (stroke width,
    20x20 box, centre of mass) and classified by ``model``.

    The digits must stand on one line and must not touch each other (touching
    digits are read as one).

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
    ink, segments, factor = _segments(source, invert, frame, max_pixels)
    Image, _ = import_pil()
    digits = _prepare(ink, segments, Image)
    proba = np.asarray(model.predict_proba(digits))
    classes = np.asarray(model.classes_)
    best = proba.argmax(axis=1)
    boxes = np.array(
        [(left, top, right, bottom) for _, (top, bottom, left, right) in segments],
        dtype=np.int64,
    ) * factor
    labels = classes[best]
    return NumberReading(
        text="".join(str(label) for label in labels),
        labels=labels,
        probabilities=proba[np.arange(len(best)), best],
        proba=proba,
        classes=classes,
        boxes=boxes,
        digits=digits,
    )
