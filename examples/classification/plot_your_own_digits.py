"""
=====================================
Your own handwriting: digits in files
=====================================

A model trained on MNIST expects MNIST's images: white ink on black, the
digit fitted to a 20x20 box and centred by its centre of mass in 28x28
pixels. A photo of a digit written on paper is nothing like that.
:func:`skdigit.image.load_digit_image` prepares an image file the way MNIST
itself was prepared (finds the ink, inverts it, crops, scales, centres), so
that the model can read it.

This page has no photo of your handwriting, so the script makes stand-ins:
it draws four digits with pen strokes on a simulated sheet of paper (dark ink,
uneven lighting, paper grain, a little blur) and saves each as a JPEG file, as
a phone camera would. To try your own, replace the file names with photos of
digits you wrote (one digit per image, cropped roughly to the digit). Reading
images needs Pillow (``pip install "skdigit[image]"``).
"""

# %%
# Four digits on paper, saved as JPEG files
# -----------------------------------------

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def arc(cx, cy, r, start, stop, n=24):
    """Points on a circular arc (angles in degrees, clockwise from 3 o'clock)."""
    t = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + r * np.cos(t), cy + r * np.sin(t)))


# each digit is a list of pen strokes, in a 100x100 box
STROKES = {
    "2": [arc(50, 35, 20, 200, 380) + [(32, 82), (72, 80)]],
    "3": [arc(48, 32, 17, 210, 450), arc(48, 64, 19, 270, 510)],
    "4": [[(62, 86), (60, 14), (26, 62), (78, 60)]],
    "7": [[(26, 18), (74, 20), (44, 86)], [(38, 52), (64, 52)]],
}


def photo_of(strokes, rng, size=400):
    """A grey 'photo' of dark pen strokes on unevenly lit paper."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    paper = 205 + 30 * xx - 20 * yy + rng.normal(0, 4, (size, size))  # light, grain
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    scale, shift = size / 140, 20  # the digit in the middle of the sheet
    for stroke in strokes:
        points = [((x + shift) * scale, (y + shift) * scale) for x, y in stroke]
        draw.line(points, fill=40, width=int(size / 32), joint="curve")
    return image.filter(ImageFilter.GaussianBlur(1.5))


rng = np.random.default_rng(0)
folder = Path(tempfile.mkdtemp())
paths = {}
for label, strokes in STROKES.items():
    paths[label] = folder / f"digit-{label}.jpg"
    photo_of(strokes, rng).save(paths[label], quality=85)
print("written:", ", ".join(p.name for p in paths.values()))

# %%
# Prepared like MNIST
# -------------------
#
# :func:`~skdigit.image.load_digit_images` reads the files and returns one
# MNIST-style row per image: 784 pixels, 0-255, white ink on black.

import matplotlib.pyplot as plt

from skdigit.image import load_digit_images

X_own = load_digit_images(list(paths.values()))
print(X_own.shape, X_own.dtype)

fig, axes = plt.subplots(2, len(paths), figsize=(8, 4.4))
for col, (label, path) in enumerate(paths.items()):
    axes[0, col].imshow(Image.open(path), cmap="gray", vmin=0, vmax=255)
    axes[0, col].set_title(path.name, fontsize=9)
    axes[1, col].imshow(X_own[col].reshape(28, 28), cmap="gray")
    axes[1, col].set_title("prepared, 28x28", fontsize=9)
for ax in axes.ravel():
    ax.set_axis_off()
fig.tight_layout()

# %%
# Predict
# -------
#
# The default pipeline, trained on MNIST (on a random subset of 20,000
# training images, to keep this example fast), classifies the prepared rows
# like any MNIST image. ``predict_proba`` says how sure it is.

from skdigit import load_mnist, make_digit_pipeline

X_train, y_train = load_mnist(subset="train", return_X_y=True)
subset = np.random.default_rng(0).choice(len(y_train), size=20_000, replace=False)
model = make_digit_pipeline(C=1.0).fit(X_train[subset], y_train[subset])

proba = model.predict_proba(X_own)
for (label, path), p in zip(paths.items(), proba):
    best = np.argsort(p)[::-1][:2]
    print(f"{path.name}: predicted {model.classes_[best[0]]} ({p[best[0]]:.0%}), "
          f"next {model.classes_[best[1]]} ({p[best[1]]:.0%}); drawn as a {label}")

# %%
# A linear model reads clean, MNIST-like strokes well; it is less sure of
# digits whose shape or proportions differ from those of the 250 writers of
# MNIST (here the 4 with an open top is the least sure), and any model can be
# fooled by an image holding more than one digit or much else. The second
# guess and its probability help to spot those cases.
#
# From the command line
# ---------------------
#
# ``skdigit predict`` does the same, with the model shipped with skdigit or
# (``--model``) one saved by ``skdigit train``::
#
#     skdigit predict digit-2.jpg digit-3.jpg --top 2
#     skdigit train --output digits.joblib
#     skdigit predict --model digits.joblib digit-2.jpg digit-3.jpg --top 2
