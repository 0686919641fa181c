"""
===========================================
Deskewing: straighter digits, fewer errors
===========================================

People slant their digits. :class:`~skdigit.Deskew` measures the slant of
each image from its moments and shears the image upright (see
:ref:`deskew` in the user guide for the formulas). This example shows the
images before and after, the distribution of the slants, and what deskewing
is worth to a linear classifier.
"""

# %%
# Before and after
# ----------------

import matplotlib.pyplot as plt
import numpy as np

from skdigit import Deskew, load_mnist

X_train, y_train = load_mnist(subset="train", return_X_y=True)
X_test, y_test = load_mnist(subset="test", return_X_y=True)

deskew = Deskew().fit(X_train)
# the most slanted test image of each digit
skew_test = deskew.skew(X_test)
examples = [np.flatnonzero(y_test == d)[np.argmax(np.abs(skew_test[y_test == d]))]
            for d in range(10)]
X_straight = deskew.transform(X_test[examples])

fig, axes = plt.subplots(2, 10, figsize=(11, 2.8))
for col, i in enumerate(examples):
    axes[0, col].imshow(X_test[i].reshape(28, 28), cmap="gray_r")
    axes[0, col].set_title(f"{skew_test[i]:+.2f}", fontsize=9)
    axes[1, col].imshow(X_straight[col].reshape(28, 28), cmap="gray_r")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("before")
axes[1, 0].set_ylabel("after")
fig.suptitle("The most slanted test image of each digit, and its skew")
fig.tight_layout()

# %%
# The skew is in pixels of horizontal drift per row: a skew of 0.5 moves the
# ink 14 pixels across the 28 rows of an image.
#
# The slant of all 10,000 test images
# -----------------------------------
#
# :meth:`~skdigit.Deskew.skew` returns the skew of each image; after
# deskewing it is close to zero.

after = deskew.skew(deskew.transform(X_test))

fig, ax = plt.subplots(figsize=(7, 3.5))
bins = np.linspace(-1.2, 1.2, 61)
ax.hist(skew_test, bins=bins, alpha=0.7, label="before")
ax.hist(after, bins=bins, alpha=0.7, label="after")
ax.set(xlabel="skew (pixels per row)", ylabel="test images",
       title="Skew of the MNIST test images")
ax.legend()
fig.tight_layout()
print(f"mean absolute skew: {np.abs(skew_test).mean():.3f} before, "
      f"{np.abs(after).mean():.3f} after")

# %%
# The accuracy it buys
# --------------------
#
# The same pipeline with and without the ``"deskew"`` step, fitted on a random
# subset of 20,000 training images (to keep the example fast) and scored on
# all 10,000 test images.

from time import perf_counter

from skdigit import make_digit_pipeline

rng = np.random.default_rng(0)
subset = rng.choice(len(y_train), size=20_000, replace=False)

scores = {}
for use_deskew in [False, True]:
    model = make_digit_pipeline(deskew=use_deskew, C=1.0)
    start = perf_counter()
    model.fit(X_train[subset], y_train[subset])
    elapsed = perf_counter() - start
    scores[use_deskew] = model.score(X_test, y_test)
    print(f"deskew={use_deskew!s:5}: test accuracy {scores[use_deskew]:.4f}, "
          f"{model['classifier'].n_iter_[0]} solver iterations, fit {elapsed:.1f} s")

errors = {k: 1 - v for k, v in scores.items()}
print(f"test errors: {errors[False]:.2%} -> {errors[True]:.2%}, "
      f"{1 - errors[True] / errors[False]:.0%} fewer")

# %%
# Deskewing removes a large share of the linear classifier's errors, at the
# cost of a transform that takes about a second for the whole training set.
# It also makes the problem easier for the solver: fewer iterations to
# converge. LeCun et al. (1998) report the same effect for their linear and
# nearest-neighbour classifiers on MNIST.
