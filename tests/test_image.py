"""Tests for skdigit.image: reading photographed and scanned digits like MNIST."""

import io
import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import ndimage

Image = pytest.importorskip("PIL.Image")
from PIL import ImageDraw  # noqa: E402

from skdigit.image import (  # noqa: E402
    MAX_PIXELS,
    BlankImageError,
    DigitImageError,
    ImageTooLargeError,
    MultiFrameWarning,
    NotAnImageError,
    load_digit_image,
    load_digit_images,
)

PAPER, INK = 235, 25


# --------------------------------------------------------------------------
# Synthetic digits: drawn with thick strokes, dark ink on light paper
# --------------------------------------------------------------------------


def _draw(shape="7", *, height=160, canvas=(260, 300), at=(50, 60), paper=PAPER, ink=INK):
    """A uint8 (rows, cols) image of a digit drawn `height` pixels tall.

    `canvas` is (width, height) in pixels, `at` the (x, y) of the digit's top
    left corner. "7" is asymmetric under every flip and rotation; "1" is a bar.
    """
    img = Image.new("L", canvas, paper)
    draw = ImageDraw.Draw(img)
    x, y = at
    w = height * 0.7
    stroke = max(2, round(height / 9))
    if shape == "7":
        draw.line([(x, y), (x + w, y), (x + 0.3 * w, y + height)], fill=ink, width=stroke)
    elif shape == "1":
        draw.line([(x + w / 2, y), (x + w / 2, y + height)], fill=ink, width=stroke)
    elif shape == "4":
        draw.line([(x + 0.6 * w, y), (x, y + 0.65 * height), (x + w, y + 0.65 * height)],
                  fill=ink, width=stroke)
        draw.line([(x + 0.7 * w, y + 0.3 * height), (x + 0.7 * w, y + height)], fill=ink,
                  width=stroke)
    return np.asarray(img)


def _encode(array_or_image, fmt="PNG", **kwargs):
    img = array_or_image
    if isinstance(img, np.ndarray):
        img = Image.fromarray(img)
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _com(digit):
    return np.array(ndimage.center_of_mass(digit.reshape(28, 28).astype(float)))


def _bbox_size(image, level):
    rows = np.flatnonzero((image >= level).any(axis=1))
    cols = np.flatnonzero((image >= level).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def _corr(a, b):
    return np.corrcoef(a.astype(float), b.astype(float))[0, 1]


@pytest.fixture(scope="module")
def seven():
    """The reference '7' and its prepared vector."""
    array = _draw("7")
    return array, load_digit_image(array)


# --------------------------------------------------------------------------
# Optional dependency: lazy import and a clear message
# --------------------------------------------------------------------------


def test_importing_skdigit_does_not_import_pillow():
    code = (
        "import sys, skdigit, skdigit.image; "
        "print('PIL' in sys.modules, 'PIL.Image' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_missing_pillow_gives_install_hint(monkeypatch, seven):
    for name in ("PIL", "PIL.Image", "PIL.ImageOps"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "skdigit\[image\]"'):
        load_digit_image(b"\x89PNG not really")
    with pytest.raises(ImportError, match=r"skdigit\[image\]"):
        load_digit_image(seven[0])


# --------------------------------------------------------------------------
# Geometry: crop, 20x20 fit, centre of mass as in MNIST
# --------------------------------------------------------------------------


def test_output_is_mnist_like(seven):
    array, digit = seven
    assert digit.shape == (784,) and digit.dtype == np.uint8
    image = digit.reshape(28, 28)
    # White ink on black: the corners are background, the ink saturates.
    assert image[:3, :3].max() == 0 and image[-3:, -3:].max() == 0
    assert image.max() == 255
    # The strong ink fits the 20x20 box, its longest side (the height) filling it.
    h, w = _bbox_size(image, 128)
    assert 19 <= h <= 21 and w <= 20
    assert max(_bbox_size(image, 1)) <= 24  # with a faint anti-aliased rim
    # MNIST convention: centre of mass within half a pixel of pixel (14, 14).
    assert np.abs(_com(digit) - 14).max() <= 0.5


def test_aspect_ratio_is_kept():
    bar = _draw("1", height=200, canvas=(300, 300), at=(40, 50))  # 200 x 22 pixels
    image = load_digit_image(bar).reshape(28, 28)
    h, w = _bbox_size(image, 128)
    assert h == 20
    assert 1 <= w <= 3  # 22 / 200 * 20 = 2.2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"canvas": (600, 420), "at": (400, 20)},  # off-centre, uneven margins
        {"canvas": (200, 180), "at": (5, 8)},  # nearly touching the border
        {"height": 320, "canvas": (500, 500), "at": (100, 90)},  # twice as large
        {"height": 80, "canvas": (140, 130), "at": (30, 30)},  # half as large
    ],
    ids=["off-centre", "tight", "larger", "smaller"],
)
def test_position_and_size_do_not_matter(seven, kwargs):
    digit = load_digit_image(_draw("7", **kwargs))
    assert np.abs(_com(digit) - 14).max() <= 0.5
    assert np.abs(digit.astype(int) - seven[1]).mean() < 8  # out of 255
    assert _corr(digit, seven[1]) > 0.93


def test_mnist_centre_of_mass_convention(mnist_home):
    """MNIST digits have their centre of mass at pixel (14, 14), not at 13.5."""
    from skdigit import load_mnist

    X, _ = load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    com = np.array([_com(x) for x in X[:2000]])
    assert np.abs(com.mean(axis=0) - 14).max() < 0.05
    assert np.abs(com - 14).max() <= 0.5 + 1e-9


# --------------------------------------------------------------------------
# Polarity: automatic and forced inversion
# --------------------------------------------------------------------------


def test_white_on_black_is_not_inverted(seven):
    negative = 255 - seven[0]
    assert_array_equal(load_digit_image(negative), seven[1])
    assert_array_equal(load_digit_image(negative, invert=False), seven[1])
    assert_array_equal(load_digit_image(seven[0], invert=True), seven[1])


@pytest.mark.mnist
def test_mnist_digits_come_back_almost_unchanged(mnist_home):
    from skdigit import load_mnist

    X, _ = load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    X = X[:300]
    out = load_digit_images(list(X.reshape(-1, 28, 28)))
    corr = np.array([_corr(a, b) for a, b in zip(X, out)])
    assert np.median(corr) > 0.999
    # The rest differ at most by a one-pixel shift (rounding of the centre of
    # mass); an inverted digit would correlate negatively.
    shifted = [
        max(_corr(np.roll(a.reshape(28, 28), (dy, dx), axis=(0, 1)).ravel(), b)
            for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        for a, b in zip(X, out)
    ]
    assert min(shifted) > 0.8
    # Most are equal to within the ink-level stretch (a few gray levels).
    assert np.mean(np.abs(out.astype(int) - X).max(axis=1) <= 4) > 0.9


def test_forcing_the_wrong_polarity_finds_no_ink(seven):
    """A forced polarity blames no guess, and no percentage prints as -0."""
    for image, invert in ((seven[0], False), (255 - seven[0], True)):
        with pytest.raises(BlankImageError, match="try the other invert") as info:
            load_digit_image(image, invert=invert)
        assert "guessed" not in str(info.value) and "-0%" not in str(info.value)
    blank = np.full((28, 28), 255, np.uint8)
    with pytest.raises(BlankImageError, match="invert=True/False"):  # auto: a guess
        load_digit_image(blank)


def test_invert_chooses_between_dark_and_light_marks(seven):
    # Mid-grey paper with a dark 7 (128 levels from the paper) and a light bar
    # (72 levels): "auto" reads the dark marks, invert=False the light ones.
    image = np.full((300, 560), 128, dtype=np.uint8)
    image[:, :260] = np.where(_draw("7", paper=128, ink=0)[:, :260] == 128, 128, 0)
    image[60:220, 400:420] = 200
    auto = load_digit_image(image)
    light = load_digit_image(image, invert=False)
    assert _corr(auto, seven[1]) > 0.95
    assert _bbox_size(light.reshape(28, 28), 128) in [(20, 2), (20, 3)]  # the 160 x 20 bar


def test_invalid_invert():
    with pytest.raises(ValueError, match="invert must be 'auto', True or False"):
        load_digit_image(np.zeros((5, 5)), invert="yes")


# --------------------------------------------------------------------------
# Sources: paths, bytes, file objects, PIL images, arrays
# --------------------------------------------------------------------------


def test_path_bytes_file_object_and_pil_image_agree(seven, tmp_path):
    data = _encode(seven[0])
    path = tmp_path / "seven.png"
    path.write_bytes(data)
    assert_array_equal(load_digit_image(path), seven[1])
    assert_array_equal(load_digit_image(str(path)), seven[1])
    assert_array_equal(load_digit_image(data), seven[1])
    assert_array_equal(load_digit_image(bytearray(data)), seven[1])
    with open(path, "rb") as f:
        assert_array_equal(load_digit_image(f), seven[1])
        assert not f.closed  # the caller's file is left open
    assert_array_equal(load_digit_image(io.BytesIO(data)), seven[1])
    assert_array_equal(load_digit_image(Image.open(io.BytesIO(data))), seven[1])


def test_array_dtypes_agree(seven):
    array = seven[0]
    assert_array_equal(load_digit_image(array / 255.0), seven[1])
    assert_array_equal(load_digit_image((array / 255.0).astype(np.float32)), seven[1])
    assert_array_equal(load_digit_image(array.astype(np.int64)), seven[1])
    rgb = np.repeat(array[:, :, None], 3, axis=2)
    assert_array_equal(load_digit_image(rgb), seven[1])
    # A bool array: True is ink-free paper here (light), False the strokes.
    assert _corr(load_digit_image(array > 128), seven[1]) > 0.95


def test_sixteen_bit_png(seven):
    deep = seven[0].astype(np.uint16) * 257  # 0-65535
    digit = load_digit_image(_encode(Image.fromarray(deep)))
    assert np.abs(digit.astype(int) - seven[1]).max() <= 1


@pytest.mark.parametrize(
    "array, match",
    [
        (np.zeros(784, dtype=np.uint8), r"must be 2-D.*reshape\(28, 28\)"),
        (np.zeros((4, 5, 6)), "must be 2-D"),
        (np.full((5, 5), 2.0), r"float array must hold intensities in \[0, 1\]"),
        (np.full((5, 5), np.nan), "NaN"),
        (np.full((5, 5), 300), "integer array must hold intensities 0-255"),
        (np.zeros((0, 5)), "empty"),
    ],
    ids=["flat", "3-D", "float-range", "nan", "int-range", "empty"],
)
def test_bad_arrays(array, match):
    with pytest.raises(ValueError, match=match):
        load_digit_image(array)


def test_unsupported_source_types():
    with pytest.raises(TypeError, match="source must be a path, bytes"):
        load_digit_image(42)
    with pytest.raises(TypeError, match="text mode"):
        load_digit_image(io.StringIO("not binary"))


# --------------------------------------------------------------------------
# EXIF orientation, transparency, multi-frame files
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "orientation, stored_as",
    [
        (3, Image.Transpose.ROTATE_180),
        (6, Image.Transpose.ROTATE_90),  # camera held sideways
        (8, Image.Transpose.ROTATE_270),
        (2, Image.Transpose.FLIP_LEFT_RIGHT),
    ],
)
def test_exif_orientation_is_applied(seven, orientation, stored_as):
    # The camera stores the pixels turned, and the tag says how to show them.
    stored = Image.fromarray(seven[0]).transpose(stored_as)
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    tagged = load_digit_image(_encode(stored, "JPEG", quality=95, exif=exif))
    untagged = load_digit_image(_encode(stored, "JPEG", quality=95))
    assert _corr(tagged, seven[1]) > 0.98
    assert np.abs(tagged.astype(int) - seven[1]).mean() < 4
    assert _corr(untagged, seven[1]) < 0.6  # without the tag it is not a 7


@pytest.mark.parametrize("strokes", ["dark", "light"])
def test_transparent_background(seven, strokes):
    # A drawing app's PNG: opaque strokes on a fully transparent background
    # whose (invisible) colour is black, the worst case for a plain "L" convert.
    alpha = 255 - seven[0]  # opaque where the ink is, anti-aliased edges
    colour = 0 if strokes == "dark" else 255
    rgba = np.zeros(seven[0].shape + (4,), dtype=np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = alpha
    digit = load_digit_image(_encode(Image.fromarray(rgba, "RGBA")))
    assert _corr(digit, seven[1]) > 0.98
    assert np.abs(digit.astype(int) - seven[1]).mean() < 3


def test_palette_image_with_transparent_index(seven):
    # A GIF-style palette image: index 0 transparent (and black), index 1 black ink.
    indices = np.where(seven[0] < 128, 1, 0).astype(np.uint8)
    img = Image.fromarray(indices, "P")
    img.putpalette([0, 0, 0, 0, 0, 0] + [0, 0, 0] * 254)
    img.info["transparency"] = 0
    digit = load_digit_image(_encode(img, "PNG", transparency=0))
    assert _corr(digit, seven[1]) > 0.95


def _gif(frames):
    first, *rest = (Image.fromarray(f) for f in frames)
    return _encode(first, "GIF", save_all=True, append_images=rest, duration=100, loop=0)


def test_multi_frame_gif_warns_and_uses_first_frame(seven):
    one = _draw("1")
    data = _gif([seven[0], one])
    with pytest.warns(MultiFrameWarning, match=r"has 2 frames; using the first one \(frame 0\)"):
        first = load_digit_image(data)
    assert _corr(first, seven[1]) > 0.98
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = load_digit_image(data, frame=1)
    assert_array_equal(second, load_digit_image(one))
    with pytest.raises(ValueError, match="frame=2 is out of range; the image has 2 frame"):
        load_digit_image(data, frame=2)
    with pytest.raises(ValueError, match="frame must be None or a non-negative integer"):
        load_digit_image(data, frame=-1)


# --------------------------------------------------------------------------
# Noise, specks and errors
# --------------------------------------------------------------------------


def test_paper_noise_and_specks_are_not_ink(seven):
    rng = np.random.default_rng(0)
    noisy = seven[0].astype(float) + rng.normal(0, 8, seven[0].shape)
    noisy[280:284, 10:14] = INK  # a speck of dust in a corner, far from the digit
    digit = load_digit_image(np.clip(noisy, 0, 255).astype(np.uint8))
    assert _corr(digit, seven[1]) > 0.97
    assert np.abs(digit.astype(int) - seven[1]).mean() < 5
    assert digit.reshape(28, 28)[-3:, :3].max() == 0


def test_uneven_lighting(seven):
    # A photo lit from the left: the paper darkens by 100 levels to the right.
    shaded = seven[0] - np.linspace(0, 100, seven[0].shape[1])[None, :]
    digit = load_digit_image(np.clip(shaded, 0, 255).astype(np.uint8))
    assert _corr(digit, seven[1]) > 0.97
    assert np.abs(digit.astype(int) - seven[1]).mean() < 5


@pytest.mark.parametrize(
    "data, match",
    [
        (b"this is not an image", "not an image file Pillow can read"),
        (b"", "not an image file Pillow can read"),
    ],
    ids=["text", "empty"],
)
def test_not_an_image(data, match):
    with pytest.raises(NotAnImageError, match=match) as info:
        load_digit_image(data)
    assert isinstance(info.value, ValueError)
    assert info.value.source == f"<bytes of length {len(data)}>"
    assert info.value.source in str(info.value)


def test_not_an_image_file_names_the_file(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("shopping list")
    with pytest.raises(NotAnImageError, match="notes.png: not an image"):
        load_digit_image(path)
    with pytest.raises(FileNotFoundError, match="missing.png"):
        load_digit_image(tmp_path / "missing.png")


def test_truncated_file(seven):
    data = _encode(seven[0])
    with pytest.raises(NotAnImageError, match="truncated or corrupt"):
        load_digit_image(data[: len(data) // 2])


@pytest.mark.parametrize(
    "image",
    [
        np.full((50, 40), 255, np.uint8),
        np.full((50, 40), 90, np.uint8),
        np.zeros((28, 28), np.uint8),
        # Faint paper noise is not ink either.
        np.clip(np.random.default_rng(1).normal(230, 2, (120, 100)), 0, 255).astype(np.uint8),
    ],
    ids=["white", "grey", "black", "noise"],
)
def test_blank_image(image):
    with pytest.raises(BlankImageError, match="no ink found"):
        load_digit_image(image)
    with pytest.raises(BlankImageError):  # after JPEG artefacts too
        load_digit_image(_encode(image, "JPEG", quality=85))


def test_decompression_bomb(monkeypatch, seven):
    data = _encode(seven[0])  # 260 x 300 = 78,000 pixels
    # Pillow raises above twice its limit ...
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 30_000)
    with pytest.raises(ImageTooLargeError, match="decompression bomb"):
        load_digit_image(data)
    # ... and only warns between once and twice: still refused.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)
    with pytest.raises(ImageTooLargeError, match="decompression bomb"):
        load_digit_image(data)


def test_max_pixels(seven):
    assert MAX_PIXELS == 50_000_000
    data = _encode(seven[0])
    with pytest.raises(ImageTooLargeError, match=r"260x300 = 78,000 pixels.*max_pixels=10,000"):
        load_digit_image(data, max_pixels=10_000)
    with pytest.raises(ImageTooLargeError, match="max_pixels"):
        load_digit_image(seven[0], max_pixels=10_000)
    assert_array_equal(load_digit_image(data, max_pixels=None), seven[1])
    with pytest.raises(ValueError, match="max_pixels must be a positive integer"):
        load_digit_image(data, max_pixels=0)


# --------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------


def test_batch_matches_single_images(seven, tmp_path):
    four = _draw("4")
    path = tmp_path / "four.jpg"
    path.write_bytes(_encode(four, "JPEG", quality=90))
    X = load_digit_images([seven[0], path, _encode(seven[0])])
    assert X.shape == (3, 784) and X.dtype == np.uint8
    assert_array_equal(X[0], seven[1])
    assert_array_equal(X[1], load_digit_image(path))
    assert_array_equal(X[2], seven[1])
    assert load_digit_images(iter([])).shape == (0, 784)


def test_batch_error_names_the_failing_image(seven, tmp_path):
    bad = tmp_path / "scan-002.png"
    bad.write_bytes(b"garbage")
    with pytest.raises(NotAnImageError, match=r"^image 1: .*scan-002\.png: not an image"):
        load_digit_images([seven[0], bad, seven[0]])
    with pytest.raises(BlankImageError, match=r"^image 2: <array of shape \(5, 5\)"):
        load_digit_images([seven[0], seven[0], np.zeros((5, 5), np.uint8)])
    with pytest.raises(FileNotFoundError, match="nowhere.png"):
        load_digit_images([tmp_path / "nowhere.png"])
    with pytest.raises(TypeError, match="takes a list of images"):
        load_digit_images(str(bad))
    with pytest.raises(TypeError, match="takes a list of images"):
        load_digit_images(seven[0])


def test_errors_are_value_errors():
    for cls in (NotAnImageError, BlankImageError, ImageTooLargeError):
        assert issubclass(cls, DigitImageError) and issubclass(cls, ValueError)


# --------------------------------------------------------------------------
# Real MNIST digits, printed and photographed
# --------------------------------------------------------------------------


def _photograph(x, rng):
    """An MNIST digit as a person would scan or photograph it.

    Dark ink on light paper (the paper and ink levels vary), upscaled 4-8x
    with bilinear interpolation, placed off-centre with uneven margins on a
    larger sheet, with paper grain.
    """
    scale = int(rng.integers(4, 9))
    side = 28 * scale
    up = Image.fromarray(255 - x.reshape(28, 28)).resize((side, side), Image.Resampling.BILINEAR)
    paper, ink = rng.uniform(195, 245), rng.uniform(10, 70)
    sheet = np.full((side + int(rng.integers(20, 200)), side + int(rng.integers(20, 200))), paper)
    top = int(rng.integers(0, sheet.shape[0] - side + 1))
    left = int(rng.integers(0, sheet.shape[1] - side + 1))
    sheet[top : top + side, left : left + side] = ink + (paper - ink) * (np.asarray(up) / 255)
    sheet += rng.normal(0, 4, sheet.shape)
    return Image.fromarray(np.clip(sheet, 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def mnist_model_and_test_digits(mnist_home):
    from skdigit import load_mnist, make_digit_pipeline

    X, y = load_mnist(subset="train", data_home=mnist_home, return_X_y=True)
    model = make_digit_pipeline().fit(X[:20_000], y[:20_000])
    X, y = load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    idx = np.random.default_rng(0).choice(len(X), 300, replace=False)
    return model, X[idx], y[idx]


@pytest.mark.mnist
@pytest.mark.parametrize("fmt, suffix, kwargs", [("PNG", ".png", {}),
                                                 ("JPEG", ".jpg", {"quality": 85})])
def test_photographed_mnist_digits_are_recognized(
    mnist_model_and_test_digits, tmp_path, fmt, suffix, kwargs
):
    model, X, y = mnist_model_and_test_digits
    rng = np.random.default_rng(1)
    paths = []
    for i, x in enumerate(X):
        path = tmp_path / f"digit-{i:03d}{suffix}"
        _photograph(x, rng).save(path, format=fmt, **kwargs)
        paths.append(path)
    X_files = load_digit_images(paths)
    acc_arrays = model.score(X, y)
    acc_files = model.score(X_files, y)
    print(f"{fmt}: accuracy from arrays {acc_arrays:.4f}, from files {acc_files:.4f}")
    assert acc_files >= acc_arrays - 0.03
    com = np.array([_com(x) for x in X_files])
    assert np.abs(com - 14).max() <= 0.5 + 1e-9
