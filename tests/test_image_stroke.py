"""Tests for the stroke normalization of skdigit.image: thin pens, markers, photos."""

import numpy as np
import pytest
from scipy import ndimage

Image = pytest.importorskip("PIL.Image")
from PIL import ImageDraw  # noqa: E402

from _handwriting import INK, PAPER, mnist_model_and_test_set, on_page, pen_strokes  # noqa: E402
from skdigit.image import load_digit_image, load_digit_images  # noqa: E402
from skdigit.image._decode import to_gray  # noqa: E402
from skdigit.image._fit import fit_scale  # noqa: E402
from skdigit.image._ink import ink_image  # noqa: E402
from skdigit.image._stroke import MNIST_STROKE_WIDTH, normalize_stroke, stroke_width  # noqa: E402


def _seven(pen, *, side=1500, height=1000):
    """A "7" ``height`` pixels tall drawn with a ``pen``-pixel pen on a ``side`` page."""
    img = Image.new("L", (side, side), PAPER)
    x, y, w = (side - 0.7 * height) / 2, (side - height) / 2, 0.7 * height
    ImageDraw.Draw(img).line([(x, y), (x + w, y), (x + 0.3 * w, y + height)], fill=INK,
                             width=pen, joint="curve")
    return np.asarray(img)


def _four(pen, side=2000):
    img = Image.new("L", (side, side), PAPER)
    draw = ImageDraw.Draw(img)
    draw.line([(1100, 350), (650, 1150), (1350, 1150)], fill=INK, width=pen, joint="curve")
    draw.line([(1150, 650), (1150, 1650)], fill=INK, width=pen)
    return np.asarray(img)


def _output_width(image):
    """Stroke width of the prepared ink, in output pixels of the 20x20 box."""
    gray, _ = to_gray(image, "test", None, None)
    ink = normalize_stroke(ink_image(gray, "test", "auto"))
    return stroke_width(ink.strong) * fit_scale(ink.strong)


def _corr(a, b):
    return np.corrcoef(a.astype(float), b.astype(float))[0, 1]


@pytest.mark.parametrize("width", [3, 7, 15, 31])
def test_stroke_width_of_bars(width):
    mask = np.zeros((300, 300), dtype=bool)
    mask[50 : 50 + width, 40:260] = True
    mask[50:250, 40 : 40 + width] = True  # an L: two strokes of the same width
    assert stroke_width(mask) == pytest.approx(width, abs=max(1, 0.15 * width))
    assert stroke_width(np.zeros((5, 5), dtype=bool)) == 0


def test_mnist_like_strokes_are_left_alone():
    image = _seven(round(1000 * MNIST_STROKE_WIDTH / 20))
    gray, _ = to_gray(image, "test", None, None)
    ink = ink_image(gray, "test", "auto")
    assert normalize_stroke(ink) is ink


@pytest.mark.parametrize("pen", [4, 8, 16])
def test_thin_pen_strokes_are_thickened_to_mnist_width(pen):
    reference = load_digit_image(_seven(130))
    digit = load_digit_image(_seven(pen))
    assert digit.max() == 255  # contrast to the full range
    assert np.sort(digit)[-20:].min() > 200  # the strokes, not one pixel, are bright
    assert _output_width(_seven(pen)) == pytest.approx(MNIST_STROKE_WIDTH, rel=0.25)
    assert _corr(digit, reference) > 0.9


def test_felt_marker_strokes_are_left_as_drawn():
    reference = load_digit_image(_seven(130))
    gray, _ = to_gray(_seven(360), "test", None, None)
    ink = ink_image(gray, "test", "auto")
    assert normalize_stroke(ink) is ink
    digit = load_digit_image(_seven(360))
    assert digit.max() == 255 and _corr(digit, reference) > 0.5


def test_app_canvas_strokes_keep_their_width():
    # the app's drawing canvas: 280x280 pixels, a 20-pixel pen
    img = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(img).line([(80, 40), (200, 40), (120, 240)], fill=0, width=20)
    gray, _ = to_gray(np.asarray(img), "canvas", None, None)
    ink = ink_image(gray, "canvas", "auto")
    assert normalize_stroke(ink) is ink
    assert 1.5 < stroke_width(ink.strong) * fit_scale(ink.strong) < 3


# --------------------------------------------------------------------------
# Real MNIST digits, redrawn with a pen
# --------------------------------------------------------------------------


@pytest.mark.mnist
def test_mnist_stroke_width(mnist_home):
    """MNIST_STROKE_WIDTH is the median width of MNIST's strokes, read like an image."""
    _, X, _ = mnist_model_and_test_set(mnist_home)
    rng = np.random.default_rng(0)
    widths = []
    for x in X[rng.choice(len(X), 300, replace=False)]:
        up = ndimage.zoom(np.pad(x.reshape(28, 28), 4).astype(np.float32) / 255, 8, order=1)
        ink = ink_image(np.clip(up, 0, 1), "mnist", False)
        widths.append(stroke_width(ink.strong) * fit_scale(ink.strong))
    assert np.median(widths) == pytest.approx(MNIST_STROKE_WIDTH, abs=0.2)


@pytest.mark.mnist
@pytest.mark.parametrize("pen", [4, 8, 16])
def test_thin_pen_four_is_read_as_four(mnist_home, pen):
    model, _, _ = mnist_model_and_test_set(mnist_home)
    digit = load_digit_image(_four(pen))
    assert digit.max() == 255
    assert model.predict(digit.reshape(1, -1))[0] == 4


@pytest.mark.mnist
@pytest.mark.parametrize("style", ["thin", "marker", "photo"])
def test_pen_redrawn_mnist_digits_are_read(mnist_home, style):
    """MNIST test digits redrawn with a 2-8 px pen (or a marker) on a 1,000 px page.

    At the working resolution (1,024 pixels) this is a 4-16 px pen on a 2,000 px
    page, which is reduced 2x first.
    """
    model, X, y = mnist_model_and_test_set(mnist_home)
    rng = np.random.default_rng(5)
    idx = rng.choice(len(X), 80, replace=False)
    pages = []
    for x in X[idx]:
        if style == "marker":
            strokes = pen_strokes(x, 25, grow=int(rng.integers(15, 30)))
        else:
            strokes = pen_strokes(x, 25, pen=int(rng.integers(2, 9)))
        pages.append(on_page(strokes, 1000, rng, photo=style == "photo"))
    X_pages = load_digit_images(pages)
    acc_arrays = model.score(X[idx], y[idx])
    acc_pages = model.score(X_pages, y[idx])
    print(f"{style}: accuracy from arrays {acc_arrays:.3f}, from pages {acc_pages:.3f}")
    assert acc_pages >= acc_arrays - 0.06
