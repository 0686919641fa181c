"""Fit the digit detector of :mod:`skdigit.image._sure` and write its file.

Positives: MNIST training digits. Negatives: made here, never taken from the
benchmark's generator -- capital and small letters that no digit resembles,
rendered in the fonts Matplotlib ships (DejaVu, STIX, Computer Modern), then
made to look handwritten (skeleton, random slant, shear and aspect, an
elastic deformation [1]_, re-drawn with a random pen); smooth looping curves
(random Fourier series), zig-zag scratches (random walks), back-and-forth
hatching, coils (spirals of two to four turns) and dashes (one stroke within
35 degrees of level: a stub beside a digit, a minus sign). Every image is
prepared as the reader prepares a segment (stroke width, 20x20 box, centre
of mass).

The detector is ten binary :class:`~skdigit.DigitLogisticClassifier` on
standardized scattering features [2]_, one a digit class (that class's
digits against all the negatives, balanced by ``sample_weight``); its score
is the largest of the ten. The threshold is the 0.3% quantile of the score on
10,000 held-out training digits. How these were chosen:

- ``C=0.1`` (before coils and dashes were among the negatives), on 3,000
  negatives of another seed (let through at the 0.5% quantile: 0.047 with
  C=0.03, 0.042 with C=0.1, 0.036 with C=0.3, 0.041 with C=1; one classifier
  of all digits against the negatives, the detector before this one: 0.094),
  and on what the reader cut from photos of the benchmark's generator,
  seeded otherwise than the published run (letters let through: 0.005 with
  C=0.1 or 0.3, against 0.050 before; thick-marker digits turned away: 0.035
  with C=0.1, 0.045 with C=0.3).
- Coils: without them, the try-it page's spiral scribble read as an "8"
  (likeness +3.4). Dashes: without them, a level stroke was digit-like
  (+8.1), and a 5's flag written apart became a digit of its own.
- The 0.3% quantile, on those photos (1,341 real digits, 260 photos of
  letters; the issue asks for at most 0.01 and 0.05): turned away 0.014,
  0.012, 0.008 and 0.007 of the digits at the 0.5%, 0.4%, 0.3% and 0.2%
  quantiles, and let through 0.004, 0.004, 0.015 and 0.038 of the letters.

Run (a few minutes on two cores; needs Matplotlib for the fonts)::

    python -m skdigit.image._sure_fit            # writes skdigit/data/not_a_digit.npz
    python -m skdigit.image._sure_fit --output other.npz

References
----------
.. [1] P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for
   convolutional neural networks applied to visual document analysis", ICDAR
   2003.
.. [2] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
   IEEE TPAMI, 35(8), 1872-1886, 2013.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np
from scipy import ndimage

from ._sure import _FORMAT, DETECTOR_PATH, _features

# Letters no handwritten digit resembles (no O, D, I, l, S, Z, B, G, b, g, q, ...).
LETTERS = "ACEFHKLMNPRUVWXYacdefhkmnpruvwxy"
_REJECTED_SHARE = 0.003  # of held-out digits below the threshold
_N_HELD_OUT = 10_000


def _fonts():
    import matplotlib

    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    keep = ("DejaVuSans", "DejaVuSerif", "STIXGeneral", "cmr10", "cmss10", "cmti10", "cmtt10")
    return sorted(
        os.path.join(folder, name) for name in os.listdir(folder)
        if name.endswith(".ttf") and name.startswith(keep) and "Display" not in name
    )


def _handwritten(coverage, rng):
    """A glyph (coverage in [0, 1], white on black) re-drawn as if by hand."""
    from skimage.morphology import disk, skeletonize
    from skimage.transform import AffineTransform, warp

    skeleton = skeletonize(coverage > 0.5)
    centre = np.array(coverage.shape[::-1]) / 2
    tf = (AffineTransform(translation=-centre)
          + AffineTransform(scale=(rng.uniform(0.7, 1.3), rng.uniform(0.8, 1.2)),
                            rotation=rng.uniform(-0.25, 0.25), shear=rng.uniform(-0.35, 0.35))
          + AffineTransform(translation=centre))
    drawn = warp(skeleton.astype(float), tf.inverse, order=1) > 0.2
    rows, cols = np.mgrid[: coverage.shape[0], : coverage.shape[1]]
    dx, dy = (ndimage.gaussian_filter(rng.normal(0, 1, coverage.shape), 8) * 40 for _ in "xy")
    drawn = ndimage.map_coordinates(drawn.astype(float), [rows + dy, cols + dx], order=1) > 0.3
    pen = disk(int(rng.integers(2, 7)))
    return ndimage.binary_dilation(skeletonize(drawn), pen).astype(np.float32)


def _letter(rng, fonts):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(fonts[int(rng.integers(len(fonts)))], 96)
    img = Image.new("L", (160, 160), 0)
    ImageDraw.Draw(img).text((30, 10), LETTERS[int(rng.integers(len(LETTERS)))],
                             fill=255, font=font)
    return _handwritten(np.asarray(img, dtype=np.float32) / 255, rng)


def _polyline(points, rng, size=(200, 160)):
    from PIL import Image, ImageDraw

    img = Image.new("L", size, 0)
    ImageDraw.Draw(img).line([tuple(p) for p in points], fill=255,
                             width=int(rng.integers(4, 12)), joint="curve")
    return np.asarray(img, dtype=np.float32) / 255


def _fit_box(points, rng):
    """Points scaled into a box 120 high and 0.5-1.6 times as wide, inside a 200x160 image."""
    span = np.maximum(np.ptp(points, axis=0), 1e-9)
    return (points - points.min(axis=0)) / span * [120 * rng.uniform(0.5, 1.6), 120] + 20


def _loops(rng):
    t = np.linspace(0, 1, 200)
    k = int(rng.integers(2, 6))
    x, y = (sum(rng.normal() * np.sin(2 * np.pi * (i + 1) * t * rng.uniform(0.5, 2)
                                      + rng.uniform(0, 2 * np.pi)) / np.sqrt(i + 1)
                for i in range(k)) for _ in "xy")
    return _polyline(_fit_box(np.column_stack([x, y]), rng), rng)


def _zigzag(rng):
    steps = rng.normal(0, 1, (int(rng.integers(6, 25)), 2)) * rng.uniform(0.3, 1.5, 2)
    return _polyline(_fit_box(np.cumsum(steps, axis=0), rng), rng)


def _hatching(rng):
    n, angle, spacing = int(rng.integers(3, 9)), rng.uniform(0, np.pi), rng.uniform(8, 20)
    along, across = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    points = []
    for i in range(n):
        centre = 80 + (i - n / 2) * spacing * across
        end = rng.uniform(30, 70) * along
        points += [centre + end, centre - end] if i % 2 == 0 else [centre - end, centre + end]
    return _polyline(np.array(points) + [20, 0], rng)


def _coil(rng):
    """A spiral doodle: two to four turns, round or oval, either way round."""
    turns = rng.uniform(2.0, 4.0)
    t = np.linspace(0, 1, 240)
    angle = rng.uniform(0, 2 * np.pi) + rng.choice([-1, 1]) * 2 * np.pi * turns * t
    radius = rng.uniform(0.0, 0.25) + t
    return _polyline(_fit_box(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]),
                              rng), rng)


def _dash(rng):
    """A dash: one stroke, straight or slightly bent, within 35 degrees of level.

    No digit is one: a "1" is upright once deskewed. A dash beside a digit
    is a stub, a minus sign or a smudge of the pen.
    """
    angle = np.deg2rad(rng.uniform(-35, 35))
    along = np.array([np.cos(angle), np.sin(angle)])
    t = np.linspace(-1, 1, 20)[:, None]
    bend = rng.uniform(-0.15, 0.15) * (1 - t**2) * np.array([-along[1], along[0]])
    points = (t * along + bend) * rng.uniform(40, 80) + [100, 80]
    return _polyline(points, rng)


def make_negatives(n, *, seed=0):
    """``n`` prepared images (pixel intensities 0-255) of letters and scribbles.

    Three in eight are letters, one each loops, zig-zags, hatching, coils
    (spirals) and dashes.

    Returns
    -------
    X : ndarray of shape (n, 784), uint8
    """
    from ._decode import import_pil
    from ._fit import fit_and_centre
    from ._ink import InkImage
    from ._stroke import normalize_stroke

    Image, _ = import_pil()
    rng = np.random.default_rng(seed)
    fonts = _fonts()
    makers = [_letter, _letter, _letter, _loops, _zigzag, _hatching, _coil, _dash]
    out = np.empty((n, 784), dtype=np.uint8)
    for i in range(n):
        maker = makers[i % len(makers)]
        a = maker(rng, fonts) if maker is _letter else maker(rng)
        ink = InkImage(a, a > 0, a > 0.5)
        out[i] = fit_and_centre(normalize_stroke(ink), Image).reshape(-1)
    return out


def fit_detector(*, n_negatives=15_000, n_positives=50_000, C=0.1, seed=0, data_home=None):
    """Fit the detector; returns the dict of arrays that :func:`save_detector` writes.

    Ten binary classifiers, one a digit class: that class's digits among the
    ``n_positives`` training digits against all the negatives, the two sides
    balanced by ``sample_weight``. The threshold is the 0.3% quantile, on
    10,000 other training digits, of the largest of the ten decision
    functions.
    """
    from ..datasets import load_mnist
    from ..linear_model import DigitLogisticClassifier

    X, labels = load_mnist(subset="train", data_home=data_home, return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(X))
    positives, held_out = order[:n_positives], order[-_N_HELD_OUT:]
    negatives = make_negatives(n_negatives, seed=seed)
    steps = _features()
    F = steps.transform(np.vstack([X[positives], negatives]).astype(np.float32))
    mean, scale = F.mean(axis=0), F.std(axis=0)
    scale[scale == 0] = 1.0
    F = (F - mean) / scale
    digit_of = np.r_[labels[positives].astype(int), np.full(len(negatives), -1)]
    coef, intercept = np.empty((F.shape[1], 10)), np.empty(10)
    for digit in range(10):
        rows = (digit_of == digit) | (digit_of == -1)
        y = (digit_of[rows] == digit).astype(float)
        weight = np.where(y == 1, 1.0, y.sum() / (len(y) - y.sum()))
        classifier = DigitLogisticClassifier(C=C, max_iter=1000)
        classifier.fit(F[rows], y, sample_weight=weight)
        coef[:, digit], intercept[digit] = classifier.coef_.reshape(-1), classifier.intercept_[0]
    del F
    score = ((steps.transform(X[held_out].astype(np.float32)) - mean) / scale @ coef
             + intercept).max(axis=1)
    return {
        "format": np.array(_FORMAT),
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "coef": coef.astype(np.float32),
        "intercept": intercept.astype(np.float64),
        "threshold": np.array(np.quantile(score, _REJECTED_SHARE), dtype=np.float64),
        "C": np.array(C, dtype=np.float64),
        "n_negatives": np.array(n_negatives),
        "seed": np.array(seed),
    }


def save_detector(state, path=DETECTOR_PATH):
    """Write the detector's arrays to a ``.npz`` file, atomically; returns the path."""
    from ..utils import atomic_write

    with atomic_write(path) as f:
        np.savez_compressed(f, **state)
    return Path(path)


def main(argv=None):
    """``python -m skdigit.image._sure_fit``: refit the digit detector and write its file."""
    parser = argparse.ArgumentParser(
        prog="python -m skdigit.image._sure_fit",
        description="Fit the digit detector (digits against letters and scribbles) and "
        "write its arrays (.npz).",
    )
    parser.add_argument("--output", "-o", default=str(DETECTOR_PATH),
                        help="file to write (default: the one shipped in the package)")
    parser.add_argument("--data-home", metavar="DIR", help="where MNIST is")
    args = parser.parse_args(argv)
    path = save_detector(fit_detector(data_home=args.data_home), args.output)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
