"""
==========================
What the model learned
==========================

A multinomial logistic regression on 28x28 images has one weight per pixel
and per digit: ``coef_`` has shape ``(10, 784)``. Each row is itself an image,
and shows what the model looks for. The logit of a digit is the sum, over the
pixels, of the ink times that digit's weight: red pixels (positive weights)
are evidence *for* the digit when they hold ink, blue pixels (negative weights)
evidence *against* it.
"""

# %%
# Fit
# ---
#
# To make the weights easy to read, we fit on the plain images (no
# deskewing), scaled to [0, 1], so that each weight belongs to a fixed pixel of
# the original image. We regularize strongly (``C=0.01``, so
# :math:`\tfrac{1}{2}\lVert W \rVert^2` weighs more in the objective), which
# gives smoother weight images; it costs a little accuracy.


from sklearn.pipeline import make_pipeline

from skdigit import DigitLogisticClassifier, PixelNormalizer, load_mnist

X_train, y_train = load_mnist(subset="train", return_X_y=True)
X_test, y_test = load_mnist(subset="test", return_X_y=True)

model = make_pipeline(
    PixelNormalizer(), DigitLogisticClassifier(C=0.01, max_iter=1000)
)
model.fit(X_train, y_train)
clf = model[-1]
print(f"{clf.n_iter_[0]} solver iterations; coef_ shape {clf.coef_.shape}, "
      f"test accuracy {model.score(X_test, y_test):.4f}")

# %%
# The ten weight images
# ---------------------
#
# One colour scale, symmetric around zero, for all ten digits.

import matplotlib.pyplot as plt
import numpy as np

scale = np.abs(clf.coef_).max()
fig, axes = plt.subplots(2, 5, figsize=(10, 4.6))
for digit, ax in zip(clf.classes_, axes.ravel()):
    image = ax.imshow(
        clf.coef_[digit].reshape(28, 28), cmap="RdBu_r", vmin=-scale, vmax=scale
    )
    ax.set_title(f"digit {digit}")
    ax.set_axis_off()
fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
fig.suptitle("coef_ of DigitLogisticClassifier(C=0.01), one 28x28 image per digit")

# %%
# Each weight image is a blurred template of its digit, with blue where other
# digits put their ink and this one does not: the red ring of the 0 around a
# blue centre, where a 0 has no ink; the red vertical bar of the 1 between
# blue flanks. The border pixels are always blank in MNIST, so the data say
# nothing about them and the penalty holds their weights at zero.
#
# The intercepts are the remaining piece of each logit:

for digit, intercept in zip(clf.classes_, clf.intercept_):
    print(f"digit {digit}: intercept {intercept:+.3f}")

# %%
# Less regularization
# -------------------
#
# With ``C=1`` (the default), the model fits the training data more closely
# and its weights become noisier: individual pixels get large weights that
# mostly matter for a few training images. We fit on a random subset of 20,000
# training images to keep this example fast.

rng = np.random.default_rng(0)
subset = rng.choice(len(y_train), size=20_000, replace=False)

fig, axes = plt.subplots(2, 5, figsize=(10, 4.6))
for row, C in enumerate([0.01, 1.0]):
    fitted = make_pipeline(
        PixelNormalizer(), DigitLogisticClassifier(C=C, max_iter=1000)
    ).fit(X_train[subset], y_train[subset])[-1]
    for col, digit in enumerate([0, 2, 4, 7, 9]):
        weights = fitted.coef_[digit].reshape(28, 28)
        limit = np.abs(weights).max()
        axes[row, col].imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[row, col].set_title(f"digit {digit}, C={C:g}", fontsize=9)
        axes[row, col].set_axis_off()
fig.suptitle("Weight images with strong (top) and weak (bottom) regularization")
fig.tight_layout()
