"""
=================================================
Sparse digits: L1 logistic regression on MNIST
=================================================

scikit-learn's gallery has a classic, "MNIST classification using
multinomial logistic + L1", which fits ``LogisticRegression(solver="saga",
l1_ratio=1)`` on 5,000 images only, because saga is slow. Here the same model
is fitted on all 60,000 training images at a few ``C``: the weight images, how
many weights are exactly zero, and the test accuracy, against ``C``; and, in
the same run, the time scikit-learn's ``saga`` takes for one of those fits.

The objective is scikit-learn's, ``C * sum_i loss_i + ||W||_1`` (``l1_ratio=1``,
intercepts not penalized); skdigit minimizes it with a proximal quasi-Newton
method (``solver_ == "proximal-qn"``), whose coordinate-descent steps set
weights exactly to zero.
"""

# %%
# The data, scaled to [0, 1]
# --------------------------

import time

import numpy as np

from skdigit import DigitLogisticClassifier, PixelNormalizer, load_mnist

X_train, y_train = load_mnist(subset="train", return_X_y=True)
X_test, y_test = load_mnist(subset="test", return_X_y=True)
scale = PixelNormalizer().fit(X_train)
X_train, X_test = scale.transform(X_train), scale.transform(X_test)

# %%
# One fit per C
# -------------

Cs = [0.003, 0.01, 0.03, 0.1]
models, seconds = {}, {}
for C in Cs:
    start = time.perf_counter()
    models[C] = DigitLogisticClassifier(C=C, l1_ratio=1.0, max_iter=1000).fit(
        X_train, y_train
    )
    seconds[C] = time.perf_counter() - start
    clf = models[C]
    print(
        f"C={C:<6} {seconds[C]:5.1f} s, {clf.n_iter_[0]:3d} iterations, "
        f"{np.mean(clf.coef_ == 0):6.1%} of the weights zero, "
        f"test accuracy {clf.score(X_test, y_test):.4f}"
    )

# %%
# The weight images
# -----------------
#
# White is exactly zero. The smaller ``C``, the fewer pixels a digit keeps:
# the border goes first, then everything but the strokes that tell the digit
# from the others.

import matplotlib.pyplot as plt

fig, axes = plt.subplots(len(Cs), 10, figsize=(10, 1.1 * len(Cs) + 0.6))
for row, C in zip(axes, Cs):
    coef = models[C].coef_
    vmax = np.abs(coef).max()
    for digit, ax in enumerate(row):
        ax.imshow(coef[digit].reshape(28, 28), cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_xticks([])
        ax.set_yticks([])
        if digit == 0:
            ax.set_ylabel(f"C={C}", rotation=0, ha="right", va="center")
for digit, ax in enumerate(axes[0]):
    ax.set_title(str(digit))
fig.suptitle("coef_ with l1_ratio=1 (red: for the digit, blue: against, white: zero)")

# %%
# Sparsity and accuracy against C
# -------------------------------

fig, ax = plt.subplots(figsize=(6, 3.5))
zeros = [np.mean(models[C].coef_ == 0) for C in Cs]
accuracy = [models[C].score(X_test, y_test) for C in Cs]
ax.semilogx(Cs, zeros, "o-", label="weights exactly zero")
ax.semilogx(Cs, accuracy, "s-", label="test accuracy")
ax.set_xlabel("C")
ax.set_ylim(0, 1)
ax.legend()
ax.grid(alpha=0.3)

# %%
# Against saga, in the same run
# -----------------------------
#
# scikit-learn's ``saga`` on the same data at ``C=0.1`` with a loose
# ``tol=1e-2`` (at its default ``tol`` it runs many times longer). The objective
# of both, divided by ``C * n_samples``, comes from the same function.

import warnings

from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression


def objective(model, C):
    Z = X_train @ model.coef_.T.astype(np.float64) + model.intercept_
    loss = logsumexp(Z, axis=1) - Z[np.arange(len(y_train)), y_train]
    return (C * loss.sum() + np.abs(model.coef_).sum()) / (C * len(y_train))


start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    saga = LogisticRegression(solver="saga", l1_ratio=1.0, C=0.1, tol=1e-2).fit(
        X_train, y_train
    )
saga_seconds = time.perf_counter() - start
ours = models[0.1]
print(f"saga (tol=1e-2): {saga_seconds:6.1f} s, objective {objective(saga, 0.1):.6f}, "
      f"{np.mean(saga.coef_ == 0):.1%} zeros, test accuracy {saga.score(X_test, y_test):.4f}")
print(f"skdigit:         {seconds[0.1]:6.1f} s, objective {objective(ours, 0.1):.6f}, "
      f"{np.mean(ours.coef_ == 0):.1%} zeros, test accuracy {ours.score(X_test, y_test):.4f}")

# %%
# skdigit reaches a lower objective in a fraction of saga's time; the
# benchmark suite (``python -m benchmarks --sections l1``, see the performance
# page of the user guide) times both to the same objective.
