"""Photo-like images of handwriting, made from MNIST **test** digits only.

The generator behind the ``handwriting`` benchmark section: seeded, so a run is
reproducible, and made only of MNIST test digits (never training digits), so
that the model read them has never seen them. Each photo is rendered as a
phone would see a note: the digits written on a sheet of paper (plain, ruled
or squared), the sheet lying in part of the frame on a desk (darker or lighter
than the paper), turned by up to about 10 degrees and seen in mild
perspective, lit unevenly (light falling off across the frame, sometimes a
shadow edge), with sensor noise, a little optical blur and JPEG compression.

The digit's strokes are either MNIST's own (the 28x28 image enlarged, its
anti-aliased edge kept) or re-drawn from its skeleton with a round pen of a
chosen width relative to the digit's height (a thin ballpoint, a thick
marker). Ink colours: black, blue, red, pencil grey (fainter, grainy); or
chalk on a dark board (light ink on dark).

Everything is returned as encoded file bytes (JPEG, or PNG for the clean
scan), so that a reader is measured from the file, decoding included.

Functions
---------
- :func:`make_case`: one photo of a condition, with what it shows;
- :func:`redrawn`: a digit re-drawn with a pen as a clean image, no photo
  (what the pen alone changes);
- :data:`SINGLE_CONDITIONS`, :data:`NUMBER_CONDITIONS`,
  :data:`REJECT_CONDITIONS`: the conditions the benchmark covers.
"""

import io
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

__all__ = ["NUMBER_CONDITIONS", "REJECT_CONDITIONS", "SINGLE_CONDITIONS", "Case",
           "Condition", "make_case", "redrawn"]

# Colours (RGB, 0-255).
_INKS = {
    "black": (35, 35, 40),
    "blue": (30, 45, 140),
    "red": (175, 30, 35),
    "pencil": (105, 105, 110),
    "chalk": (235, 235, 225),
}
_PAPER = (236, 233, 224)
_BOARD = (40, 55, 50)
_RULE_BLUE = (150, 175, 215)
_MARGIN_RED = (215, 120, 125)
_DESKS = {"dark": (96, 66, 44), "light": (250, 250, 252), "grey": (150, 150, 155)}


@dataclass(frozen=True)
class Condition:
    """One way of photographing handwriting.

    ``megapixels``: the photo's size; ``height``: the digits' height as a
    fraction of the frame's height; ``desk``: None (the paper fills the
    frame, a scan) or a key of ``_DESKS``; ``paper``: "plain", "ruled",
    "squared" or "board"; ``ink``: a key of ``_INKS``; ``pen``: None (MNIST's
    own strokes) or the pen's width as a fraction of the digit's height;
    ``photo``: tilt, perspective, uneven light, noise, blur and JPEG;
    ``shadow``: a shadow edge across the frame.
    """

    name: str
    megapixels: float = 2.0
    height: float = 0.16
    desk: str | None = "dark"
    paper: str = "plain"
    ink: str = "blue"
    pen: float | None = None
    photo: bool = True
    shadow: bool = False
    kind: str = "digit"  # "digit", "number", "blank", "letter", "scribble"
    n_digits: tuple = (1, 1)
    touching: float = 0.0  # chance that two neighbouring digits touch
    extra: dict = field(default_factory=dict)


SINGLE_CONDITIONS = (
    Condition("clean scan", megapixels=1.0, height=0.5, desk=None, ink="black",
              photo=False),
    Condition("desk, dark"),
    Condition("desk, light", desk="light"),
    Condition("shadow edge", shadow=True),
    Condition("ruled paper", paper="ruled"),
    Condition("squared paper", paper="squared"),
    Condition("black ink", ink="black"),
    Condition("red ink", ink="red"),
    Condition("pencil", ink="pencil"),
    Condition("chalk on a board", desk="grey", paper="board", ink="chalk"),
    Condition("thin pen", pen=0.035),
    Condition("thick marker", pen=0.22),
    Condition("small in 12 MP", megapixels=12.0, height=0.04),
    Condition("0.1 MP", megapixels=0.1, height=0.3),
    Condition("12 MP", megapixels=12.0),
)

NUMBER_CONDITIONS = (
    Condition("4 digits on a desk", kind="number", n_digits=(4, 4), height=0.09),
    Condition("3-6 digits on a desk", kind="number", n_digits=(3, 6), height=0.08),
    Condition("3-6 digits, ruled", kind="number", n_digits=(3, 6), height=0.08,
              paper="ruled"),
    Condition("3-6 digits, touching", kind="number", n_digits=(3, 6), height=0.08,
              touching=0.35),
)

REJECT_CONDITIONS = (
    Condition("blank paper", kind="blank"),
    Condition("blank ruled paper", kind="blank", paper="ruled"),
    Condition("a letter", kind="letter"),
    Condition("a scribble", kind="scribble"),
)

# Capital letters as polylines in a unit box (x right, y down), none of them
# shaped like a digit (no O, I, S, Z, B, G, ...).
_LETTERS = {
    "A": [[(0.0, 1.0), (0.5, 0.0), (1.0, 1.0)], [(0.22, 0.6), (0.78, 0.6)]],
    "E": [[(0.9, 0.0), (0.1, 0.0), (0.1, 1.0), (0.9, 1.0)], [(0.1, 0.5), (0.7, 0.5)]],
    "H": [[(0.1, 0.0), (0.1, 1.0)], [(0.9, 0.0), (0.9, 1.0)], [(0.1, 0.5), (0.9, 0.5)]],
    "K": [[(0.1, 0.0), (0.1, 1.0)], [(0.9, 0.0), (0.1, 0.55)], [(0.35, 0.4), (0.9, 1.0)]],
    "M": [[(0.0, 1.0), (0.1, 0.0), (0.5, 0.6), (0.9, 0.0), (1.0, 1.0)]],
    "N": [[(0.1, 1.0), (0.1, 0.0), (0.9, 1.0), (0.9, 0.0)]],
    "R": [[(0.1, 1.0), (0.1, 0.0), (0.7, 0.05), (0.8, 0.3), (0.6, 0.5), (0.1, 0.5)],
          [(0.4, 0.5), (0.9, 1.0)]],
    "W": [[(0.0, 0.0), (0.25, 1.0), (0.5, 0.35), (0.75, 1.0), (1.0, 0.0)]],
    "X": [[(0.0, 0.0), (1.0, 1.0)], [(1.0, 0.0), (0.0, 1.0)]],
    "F": [[(0.9, 0.0), (0.1, 0.0), (0.1, 1.0)], [(0.1, 0.5), (0.7, 0.5)]],
}


@dataclass
class Case:
    """One generated photo: its file's bytes and what it shows.

    ``labels``: the digits written, left to right (empty for a photo with no
    digit); ``indices``: their rows in the MNIST test set.
    """

    condition: str
    data: bytes
    labels: list
    indices: list
    size: tuple


def _zoomed(x, scale):
    """An MNIST digit (784 uint8) enlarged ``scale`` times, coverage in [0, 1]."""
    up = ndimage.zoom(x.reshape(28, 28).astype(np.float32) / 255, scale, order=1)
    return np.clip(up, 0, 1)


def _pen_coverage(mask_or_skeleton, width, *, skeleton=False):
    """Coverage of a round pen of ``width`` pixels along a skeleton (soft edge)."""
    dist = ndimage.distance_transform_edt(~mask_or_skeleton)
    return np.clip(width / 2 + 0.5 - dist, 0, 1)


def _digit_coverage(x, height, pen):
    """The digit ``x`` as ink coverage, its 20-pixel MNIST box ``height`` pixels tall."""
    from skimage.morphology import skeletonize

    scale = height / 20
    up = _zoomed(x, scale)
    if pen is None:
        # MNIST's own strokes: the anti-aliased edge is about one MNIST pixel
        # wide; sharpen it to about 1.5 px of the photo, as a real pen.
        return np.clip((up - 0.5) * max(1.0, scale / 1.5) + 0.5, 0, 1)
    width = max(1.0, pen * height)
    pad = int(width) + 2
    ink = np.pad(up > 0.5, pad)
    return _pen_coverage(skeletonize(ink), width)


def redrawn(x, pen, height=200):
    """The MNIST digit ``x`` re-drawn with a pen, as a clean grey image (no photo).

    The same strokes :func:`make_case` draws for a condition with that
    ``pen`` (a fraction of the digit's height), dark ink on white paper,
    with a margin: what the pen alone does to the digit, before any
    photograph. Returns a uint8 array (pixel intensities 0-255).
    """
    coverage = np.pad(_digit_coverage(x, height, pen), int(0.3 * height))
    return (255 - 220 * coverage).astype(np.uint8)


def _letter_coverage(letter, height, width_frac, rng):
    from PIL import Image, ImageDraw

    h = int(height)
    w = int(height * rng.uniform(0.6, 0.9))
    pen = max(1, int(round(width_frac * height)))
    pad = pen + 2
    img = Image.new("L", (w + 2 * pad, h + 2 * pad), 0)
    draw = ImageDraw.Draw(img)
    for stroke in _LETTERS[letter]:
        pts = [(pad + u * w + rng.normal(0, 0.02 * w), pad + v * h + rng.normal(0, 0.02 * h))
               for u, v in stroke]
        draw.line(pts, fill=255, width=pen, joint="curve")
    return np.asarray(img, dtype=np.float32) / 255


def _scribble_coverage(height, width_frac, rng):
    from PIL import Image, ImageDraw

    h = int(height)
    w = int(height * rng.uniform(0.8, 1.6))
    pen = max(1, int(round(width_frac * height)))
    pad = pen + 2
    img = Image.new("L", (w + 2 * pad, h + 2 * pad), 0)
    n = int(rng.integers(12, 30))
    t = np.cumsum(rng.normal(0, 1, (n, 2)), axis=0)
    t = (t - t.min(axis=0)) / np.maximum(np.ptp(t, axis=0), 1e-9)
    pts = [(pad + u * w, pad + v * h) for u, v in t]
    ImageDraw.Draw(img).line(pts, fill=255, width=pen, joint="curve")
    return np.asarray(img, dtype=np.float32) / 255


def _trim(cov):
    rows = np.flatnonzero(cov.max(axis=1) > 0.05)
    cols = np.flatnonzero(cov.max(axis=0) > 0.05)
    return cov[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _line_of(tiles, height, touching, rng):
    """Tiles (coverage crops) side by side on one baseline, some touching."""
    gaps = []
    for _ in tiles[1:]:
        if rng.random() < touching:
            gaps.append(-int(rng.uniform(0.0, 0.06) * height))  # touching, slightly overlapping
        else:
            gaps.append(int(rng.uniform(0.12, 0.4) * height))
    shifts = [int(rng.uniform(-0.06, 0.06) * height) for _ in tiles]
    top_pad = int(0.1 * height)
    width = sum(t.shape[1] for t in tiles) + sum(gaps) + 2
    rows = max(t.shape[0] for t in tiles) + 2 * top_pad
    line = np.zeros((rows, max(width, 1)), dtype=np.float32)
    left = 0
    for k, tile in enumerate(tiles):
        h, w = tile.shape
        top = top_pad + (rows - 2 * top_pad - h) + shifts[k]  # bottoms aligned
        top = int(np.clip(top, 0, rows - h))
        line[top:top + h, left:left + w] = np.maximum(line[top:top + h, left:left + w], tile)
        left += w + (gaps[k] if k < len(gaps) else 0)
    return line


def _paper_layer(cond, shape, writing, height, rng):
    """The sheet, RGB float in [0, 255], with the writing placed at its middle."""
    ph, pw = shape
    board = cond.paper == "board"
    base = np.array(_BOARD if board else _PAPER, dtype=np.float32)
    base = base + rng.normal(0, 4, 3)
    paper = np.broadcast_to(base, (ph, pw, 3)).copy()
    # Paper grain: smooth, low contrast.
    grain = ndimage.zoom(rng.normal(0, 1, (max(2, ph // 16), max(2, pw // 16))),
                         (ph / max(2, ph // 16), pw / max(2, pw // 16)), order=1)
    paper += 2.0 * grain[:ph, :pw, None]
    # Where the writing goes: middle of the sheet, jittered.
    h, w = writing.shape
    top = int(np.clip((ph - h) / 2 + rng.uniform(-0.15, 0.15) * (ph - h), 0, max(0, ph - h)))
    left = int(np.clip((pw - w) / 2 + rng.uniform(-0.15, 0.15) * (pw - w), 0, max(0, pw - w)))
    if cond.paper in ("ruled", "squared"):
        spacing = max(cond.extra.get("spacing", 0.9) * height, 6.0)
        lw = max(1.0, spacing / 22)
        offset = top + h * rng.uniform(0.55, 0.9)  # a line crosses the digits
        rows = np.arange(ph, dtype=np.float32)
        d = np.abs(((rows - offset) % spacing + spacing / 2) % spacing - spacing / 2)
        line = np.clip(lw / 2 + 0.5 - d, 0, 1)[:, None] * np.ones(pw, dtype=np.float32)
        if cond.paper == "squared":
            cols = np.arange(pw, dtype=np.float32)
            dc = np.abs(((cols - left) % spacing + spacing / 2) % spacing - spacing / 2)
            line = np.maximum(line, np.clip(lw / 2 + 0.5 - dc, 0, 1)[None, :])
        paper = paper * (1 - line[..., None]) + np.array(_RULE_BLUE) * line[..., None]
        if cond.paper == "ruled":  # the red margin
            m = int(0.08 * pw)
            paper[:, m:m + int(lw) + 1] = _MARGIN_RED
    ink = np.array(_INKS[cond.ink], dtype=np.float32)
    alpha = np.zeros((ph, pw), dtype=np.float32)
    hh, ww = min(h, ph - top), min(w, pw - left)
    alpha[top:top + hh, left:left + ww] = writing[:hh, :ww]
    if cond.ink == "pencil":  # graphite: fainter and grainy
        alpha *= np.clip(0.75 + 0.15 * rng.normal(0, 1, alpha.shape), 0.3, 1)
    elif cond.ink == "chalk":
        alpha *= np.clip(0.85 + 0.2 * rng.normal(0, 1, alpha.shape), 0.3, 1)
    return paper * (1 - alpha[..., None]) + ink * alpha[..., None]


def _desk(cond, frame_shape, rng):
    H, W = frame_shape
    colour = np.array(_DESKS[cond.desk], dtype=np.float32) + rng.normal(0, 5, 3)
    small = rng.normal(0, 1, (max(2, H // 40), max(2, W // 8)))  # wood grain along x
    small = ndimage.gaussian_filter(small, (0.7, 3))
    tex = ndimage.zoom(small, (H / small.shape[0], W / small.shape[1]), order=1)[:H, :W]
    amp = 10.0 if cond.desk == "dark" else 3.0
    return colour + amp * tex[..., None]


def _frame_size(megapixels):
    W = int(round(np.sqrt(megapixels * 1e6 * 4 / 3)))
    return int(round(W * 3 / 4)), W


def _homography(cond, frame_shape, sheet_shape, rng):
    """Frame pixel (x, y) -> sheet pixel: rotation, scale, translation, mild perspective."""
    from skimage.transform import ProjectiveTransform

    H, W = frame_shape
    ph, pw = sheet_shape
    angle = np.deg2rad(rng.uniform(-10, 10)) if cond.photo else 0.0
    # Where the sheet's corners land in the frame.
    cx, cy = W / 2 + rng.uniform(-0.06, 0.06) * W, H / 2 + rng.uniform(-0.06, 0.06) * H
    corners = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2],
                        [-pw / 2, ph / 2]])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = corners @ rot.T + [cx, cy]
    if cond.photo:  # mild perspective: corners moved by up to 3% of the sheet
        dst += rng.uniform(-0.03, 0.03, dst.shape) * [pw, ph]
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float64)
    # frame -> sheet, what warp wants as its inverse map
    if hasattr(ProjectiveTransform, "from_estimate"):  # scikit-image >= 0.26
        return ProjectiveTransform.from_estimate(dst, src)
    tf = ProjectiveTransform()
    tf.estimate(dst, src)
    return tf


def _lighting(cond, frame_shape, rng):
    H, W = frame_shape
    y = np.linspace(-1, 1, H, dtype=np.float32)[:, None]
    x = np.linspace(-1, 1, W, dtype=np.float32)[None, :]
    a, b = rng.uniform(-1, 1, 2)
    light = 1.0 - 0.18 * (a * x + b * y + 1) / 2 - 0.12 * (x**2 + y**2) / 2
    if cond.shadow:
        theta = rng.uniform(0, np.pi)
        offset = rng.uniform(-0.3, 0.3)
        d = np.cos(theta) * x + np.sin(theta) * y - offset
        soft = 0.03
        light = light * (1 - 0.4 * (1 / (1 + np.exp(-d / soft))))
    return light


def _render(cond, writing, height, rng):
    """The photo (uint8 RGB) of ``writing`` (ink coverage) under ``cond``."""
    from skimage.transform import warp

    H, W = _frame_size(cond.megapixels)
    # The writing's first-row height in frame pixels is cond.height * H; the
    # sheet is a fixed fraction of the frame.
    if cond.desk is None:
        sheet = (H, W)
    else:
        sheet = (int(H * rng.uniform(0.65, 0.8)), int(W * rng.uniform(0.6, 0.8)))
    layer = _paper_layer(cond, sheet, writing, height, rng)
    if cond.desk is None and not cond.photo:
        img = layer
    else:
        tf = _homography(cond, (H, W), sheet, rng)
        # Warp each channel; outside the sheet -> -1 marks the desk.
        warped = np.stack([
            warp(layer[..., c], tf, output_shape=(H, W), order=1, cval=-1.0,
                 preserve_range=True)
            for c in range(3)], axis=-1).astype(np.float32)
        outside = warped[..., 0] < 0
        desk = _desk(cond, (H, W), rng) if cond.desk else np.zeros((H, W, 3), np.float32)
        img = np.where(outside[..., None], desk, warped)
    if cond.photo:
        img = img * _lighting(cond, (H, W), rng)[..., None]
        sigma = rng.uniform(0.4, 0.9) * max(1.0, min(H, W) / 1500)
        img = ndimage.gaussian_filter(img, (sigma, sigma, 0))
        img = img + rng.normal(0, rng.uniform(2, 5), img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def _encode(img, cond, rng):
    from PIL import Image

    buf = io.BytesIO()
    if cond.photo:
        Image.fromarray(img).save(buf, format="JPEG", quality=int(rng.integers(72, 93)))
    else:
        Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def make_case(cond, X_test, y_test, rng):
    """One photo of ``cond`` written with MNIST test digits drawn by ``rng``.

    Parameters
    ----------
    cond : Condition
    X_test : ndarray of shape (n_test, 784), uint8
        The MNIST **test** images (never training images).
    y_test : ndarray of shape (n_test,)
    rng : numpy.random.Generator

    Returns
    -------
    case : Case
    """
    H, _ = _frame_size(cond.megapixels)
    height = cond.height * H * rng.uniform(0.85, 1.15)
    pen = cond.pen
    if cond.kind in ("digit", "number"):
        n = int(rng.integers(cond.n_digits[0], cond.n_digits[1] + 1))
        idx = [int(i) for i in rng.choice(len(X_test), n, replace=False)]
        tiles = [_trim(_digit_coverage(X_test[i], height, pen)) for i in idx]
        writing = _line_of(tiles, height, cond.touching, rng)
        labels = [int(y_test[i]) for i in idx]
    elif cond.kind == "letter":
        letter = str(rng.choice(sorted(_LETTERS)))
        writing = _line_of([_trim(_letter_coverage(letter, height * 0.8, 0.1, rng))],
                           height, 0, rng)
        idx, labels = [], []
    elif cond.kind == "scribble":
        writing = _line_of([_trim(_scribble_coverage(height * 0.8, 0.08, rng))], height, 0, rng)
        idx, labels = [], []
    else:  # blank
        writing = np.zeros((int(height), int(height)), dtype=np.float32)
        idx, labels = [], []
    img = _render(cond, writing, height, rng)
    return Case(cond.name, _encode(img, cond, rng), labels, idx, img.shape[:2])
