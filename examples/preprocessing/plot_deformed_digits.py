"""
==========================================
Deformed digits: more handwriting for free
==========================================

:func:`~skdigit.make_deformed_digits` makes new digits out of real
ones, in the manner of InfiMNIST: each copy is bent by a smooth random
displacement field (the elastic distortions of Simard, Steinkraus and Platt,
2003) and moved by a small random rotation, scaling, shear and translation.
This example shows originals beside deformed copies, how the strength of the
elastic field changes them, and how well a model trained on the originals reads
them.
"""

# %%
# Originals and deformed copies
# -----------------------------
#
# One test image of each digit (top row) and four deformed copies of each,
# with the default settings.

import matplotlib.pyplot as plt
import numpy as np

from skdigit import load_mnist, make_deformed_digits

X_test, y_test = load_mnist(subset="test", return_X_y=True)
first = [int(np.flatnonzero(y_test == d)[0]) for d in range(10)]
originals = X_test[first]
copies, _ = make_deformed_digits(originals, n_copies=4, random_state=0)

fig, axes = plt.subplots(5, 10, figsize=(10, 5.4))
for row in range(5):
    images = originals if row == 0 else copies[(row - 1) * 10:row * 10]
    for col in range(10):
        axes[row, col].imshow(images[col].reshape(28, 28), cmap="gray_r")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("original")
for row in range(1, 5):
    axes[row, 0].set_ylabel(f"copy {row}")
fig.suptitle("MNIST test digits and deformed copies (default settings)")
fig.tight_layout()

# %%
# Copies are ordered copy by copy: row ``c * n + i`` of the output is copy
# ``c`` of image ``i``. The same ``random_state`` gives the same digits, and a
# dask version (``lazy=True``, or a dask array as ``X``) gives them too,
# whatever its chunks.
#
# The strength of the elastic field
# ---------------------------------
#
# ``alpha`` scales the displacement field (in pixels) and ``sigma`` smooths it:
# with a small ``sigma`` the strokes wiggle, with a large one the whole digit
# bends. Only the elastic part here (no affine change), on one digit.

S = dict(max_rotation=0.0, max_scale=0.0, max_shear=0.0, max_shift=0.0)
settings = [(10, 5), (20, 5), (34, 4), (34, 6), (60, 4), (20, 2)]
one = np.repeat(originals[[3]], 6, axis=0)
fig, axes = plt.subplots(len(settings), 6, figsize=(6, 1.05 * len(settings)))
for row, (alpha, sigma) in enumerate(settings):
    bent, _ = make_deformed_digits(one, alpha=alpha, sigma=sigma, random_state=1, **S)
    for col in range(6):
        axes[row, col].imshow(bent[col].reshape(28, 28), cmap="gray_r")
    axes[row, 0].set_ylabel(f"{alpha}, {sigma}", fontsize=8)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("alpha, sigma", fontsize=10)
fig.tight_layout()

# %%
# Does a model trained on the originals read them?
# ------------------------------------------------
#
# The default pipeline (deskewing and a linear classifier), fitted on 10,000
# original training images, scored on the 10,000 test images and on a
# deformed copy of each, with the defaults and with Simard et al.'s
# ``alpha=34, sigma=4``.

from skdigit import make_digit_pipeline

X_train, y_train = load_mnist(subset="train", return_X_y=True)
model = make_digit_pipeline().fit(X_train[:10_000], y_train[:10_000])
print(f"{'originals:':30s}{model.score(X_test, y_test):.4f}")
for name, params in [("defaults", {}), ("alpha=34, sigma=4", dict(alpha=34.0, sigma=4.0))]:
    X_def, y_def = make_deformed_digits(X_test, y_test, random_state=0, **params)
    print(f"{'deformed, ' + name + ':':30s}{model.score(X_def, y_def):.4f}")

# %%
# The copies stay legible: the linear model still reads most of them, though
# it is sensitive to the wobble that people ignore. Such copies are training
# data for models with the capacity to learn the invariances (Loosli, Canu
# and Bottou, 2007, trained a support vector machine on 8.1 million of them);
# see :ref:`deformed_digits` in the user guide.
