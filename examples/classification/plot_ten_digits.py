"""
=========================
Ten digits: the full task
=========================

Train the default skdigit pipeline on the 60,000 MNIST training images,
evaluate it on the 10,000 test images, and look at its mistakes: the
per-class scores, the confusion matrix, and the misclassified digits
themselves.
"""

# %%
# Fit
# ---
#
# :func:`~skdigit.make_digit_pipeline` chains :class:`~skdigit.Deskew`,
# :class:`~skdigit.PixelNormalizer` and
# :class:`~skdigit.DigitLogisticClassifier` (``C=1``, up to 1000 L-BFGS
# iterations, enough to converge here).

from time import perf_counter

from skdigit import load_mnist, make_digit_pipeline

X_train, y_train = load_mnist(subset="train", return_X_y=True)
X_test, y_test = load_mnist(subset="test", return_X_y=True)

model = make_digit_pipeline(C=1.0)
start = perf_counter()
model.fit(X_train, y_train)
print(f"fit on {len(y_train)} images in {perf_counter() - start:.1f} s, "
      f"{model['classifier'].n_iter_[0]} solver iterations")
print(f"test accuracy: {model.score(X_test, y_test):.4f}")

# %%
# Per-class scores
# ----------------
#
# For each digit, the precision (of the images predicted as that digit, the
# share that are), the recall (of the images of that digit, the share
# predicted right) and their harmonic mean F1.

from sklearn.metrics import classification_report

y_pred = model.predict(X_test)
print(classification_report(y_test, y_pred, digits=3))

# %%
# The 0s and 1s are the easiest digits; 8 and 9 are among the hardest.
#
# The confusion matrix
# --------------------
#
# Row *i*, column *j*: how many test images of the digit *i* were predicted as
# *j*. Normalizing each row (``normalize="true"``) shows the recall of each
# digit on the diagonal and where its errors go off it.

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
ConfusionMatrixDisplay.from_predictions(
    y_test, y_pred, colorbar=False, ax=axes[0]
)
axes[0].set_title("Counts")
ConfusionMatrixDisplay.from_predictions(
    y_test, y_pred, normalize="true", values_format=".2f", colorbar=False,
    ax=axes[1], text_kw={"fontsize": 7},
)
axes[1].set_title("Normalized by true digit (recall on the diagonal)")
fig.tight_layout()

# %%
# The largest off-diagonal cells, the most frequent confusions, pair digits
# that share strokes:

import numpy as np
from sklearn.metrics import confusion_matrix

counts = confusion_matrix(y_test, y_pred)
np.fill_diagonal(counts, 0)
for flat in np.argsort(counts, axis=None)[::-1][:5]:
    true, predicted = np.unravel_index(flat, counts.shape)
    print(f"{counts[true, predicted]:3d} test images of a {true} predicted as a {predicted}")

# %%
# The misclassified digits
# ------------------------
#
# The mistakes the model is *most sure of*: the misclassified test images
# ranked by the probability the model gave its wrong answer. Many are hard for
# a person too; some show what a linear model cannot see.

proba = model.predict_proba(X_test)
wrong = np.flatnonzero(y_pred != y_test)
print(f"{len(wrong)} of {len(y_test)} test images misclassified")
worst = wrong[np.argsort(proba[wrong].max(axis=1))[::-1][:24]]

fig, axes = plt.subplots(3, 8, figsize=(10, 4.6))
for ax, i in zip(axes.ravel(), worst):
    ax.imshow(X_test[i].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"{y_test[i]} as {y_pred[i]} ({proba[i].max():.0%})", fontsize=9)
    ax.set_axis_off()
fig.suptitle("Misclassified test digits: true digit as prediction (its probability)")
fig.tight_layout()
