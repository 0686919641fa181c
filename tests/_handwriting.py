"""Handwriting for the tests: MNIST digits redrawn with a pen, numbers on a page.

Shared by tests/test_image_stroke.py, tests/test_image_number.py and
tests/test_image_photo.py.
"""

import functools

import numpy as np
from scipy import ndimage

INK, PAPER = 30, 245


@functools.cache
def mnist_model_and_test_set(mnist_home):
    """The default pipeline fitted on 10,000 random MNIST training images, and the test set."""
    from skdigit import load_mnist, make_digit_pipeline

    X, y = load_mnist(subset="train", data_home=mnist_home, return_X_y=True)
    subset = np.random.default_rng(0).choice(len(X), 10_000, replace=False)
    model = make_digit_pipeline().fit(X[subset], y[subset])
    X_test, y_test = load_mnist(
        subset="test", data_home=mnist_home, return_X_y=True
    )
    return model, X_test, y_test


def pen_strokes(x, zoom, *, pen=None, grow=None):
    """An MNIST digit enlarged ``zoom`` times, as a boolean stroke mask.

    ``pen``: its centre lines (the ridge of the distance map of the ink above
    half intensity) drawn with a round pen of that diameter, in pixels of the
    enlarged image. ``grow``: instead the whole ink grown by that many pixels
    on each side (a felt marker).
    """
    up = ndimage.zoom(x.reshape(28, 28).astype(np.float32), zoom, order=1)
    ink = up > 127
    if grow is not None:
        return ndimage.distance_transform_edt(~ink) <= grow
    dist = ndimage.distance_transform_edt(ink)
    ridge = ink & (dist >= ndimage.maximum_filter(dist, size=3) - 0.5)
    return ndimage.distance_transform_edt(~ridge) <= pen / 2


def on_page(strokes, side, rng, *, photo=False):
    """Dark strokes pasted at a random place on a white ``side`` x ``side`` page.

    ``photo`` adds a slight blur, light falling off across the page and noise.
    """
    page = np.zeros((side, side), dtype=bool)
    h, w = strokes.shape
    top, left = (int(rng.integers(0, side - n)) for n in (h, w))
    page[top : top + h, left : left + w] = strokes
    img = np.where(page, float(INK), float(PAPER))
    if photo:
        img = ndimage.gaussian_filter(img, 1.2)
        img -= np.linspace(0, 70, side)[None, :] + np.linspace(0, 30, side)[:, None]
        img += rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def number_page(digits, rng, *, zoom=8, gap=30, margin=60):
    """MNIST digits (rows of 784) side by side on a white page, dark ink.

    Returns the page and each digit's ink box ``(left, top, right, bottom)``.
    """
    tiles = [255 - ndimage.zoom(x.reshape(28, 28).astype(np.float32), zoom, order=1)
             for x in digits]
    side = 28 * zoom
    jitter = [int(rng.integers(0, side // 4)) for _ in digits]
    page = np.full((side + side // 4 + 2 * margin, len(digits) * (side + gap) + 2 * margin),
                   255.0)
    boxes = []
    for k, (tile, dy) in enumerate(zip(tiles, jitter)):
        top, left = margin + dy, margin + k * (side + gap)
        page[top : top + side, left : left + side] = np.minimum(
            page[top : top + side, left : left + side], tile
        )
        rows = np.flatnonzero((tile < 128).any(axis=1))
        cols = np.flatnonzero((tile < 128).any(axis=0))
        boxes.append((left + cols[0], top + rows[0], left + cols[-1] + 1, top + rows[-1] + 1))
    page = PAPER - (PAPER - INK) * (255 - np.clip(page, 0, 255)) / 255
    return page.astype(np.uint8), np.array(boxes)


class EchoModel:
    """A stand-in classifier: a "1" for narrow digits, a "5" for the others."""

    classes_ = np.arange(10)

    def predict_proba(self, X):
        X = np.asarray(X).reshape(-1, 28, 28)
        widths = np.array([np.ptp(np.flatnonzero(x.any(axis=0))) + 1 for x in X])
        proba = np.full((len(X), 10), 0.01)
        proba[np.arange(len(X)), np.where(widths < 8, 1, 5)] = 0.91
        return proba
