"""
=========================================================
Choosing C on MNIST: the warm-started regularization path
=========================================================

:class:`~skdigit.DigitLogisticClassifierCV` chooses ``C`` by cross-validation
along a *regularization path*: for each fold, one fit per ``C`` from the
strongest regularization to the weakest, each starting from the previous
solution, with the fold's data prepared once. This example shows the
validation accuracy against ``C`` with the chosen ``C`` marked, and, for the
L1 penalty, the number of non-zero weights along the path from
:func:`~skdigit.linear_model.logistic_regression_path`.
"""

# %%
# Ten thousand training images, scaled to [0, 1]
# ----------------------------------------------

import time

import matplotlib.pyplot as plt
import numpy as np

from skdigit import DigitLogisticClassifierCV, PixelNormalizer, load_mnist
from skdigit.linear_model import logistic_regression_path

X, y = load_mnist(subset="train", return_X_y=True)
X, y = PixelNormalizer().fit_transform(X[:10_000]), y[:10_000]

# %%
# Cross-validated path, L2
# ------------------------

start = time.perf_counter()
cv = DigitLogisticClassifierCV(Cs=10, cv=5).fit(X, y)
print(f"5 folds x 10 C values and the refit: {time.perf_counter() - start:.1f} s; "
      f"chosen C = {cv.C_:.4g}")

mean, std = cv.scores_.mean(axis=0)[0], cv.scores_.std(axis=0)[0]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogx(cv.Cs_, mean, "o-")
ax.fill_between(cv.Cs_, mean - std, mean + std, alpha=0.2)
ax.axvline(cv.C_, color="k", ls="--", label=f"chosen C = {cv.C_:.3g}")
ax.set_xlabel("C")
ax.set_ylabel("validation accuracy (5 folds)")
ax.legend()
ax.grid(alpha=0.3)

# %%
# Iterations along the path
# -------------------------
#
# Each fit starts where the previous ``C`` ended, so the fits along the path
# need few iterations: the mean over folds, per ``C``:

print(np.round(cv.n_iter_.mean(axis=0)[0], 1))

# %%
# The L1 path: how many weights survive
# -------------------------------------
#
# With ``l1_ratio=1`` the path starts at the largest ``C`` at which every
# weight is exactly zero, and spans four decades from there.

coefs, Cs, n_iter = logistic_regression_path(X, y, Cs=8, l1_ratio=1.0, max_iter=500)
nonzero = (coefs[:, :, :-1] != 0).sum(axis=(1, 2))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogx(Cs, nonzero, "o-")
ax.set_xlabel("C")
ax.set_ylabel("non-zero weights (of 7,840)")
ax.grid(alpha=0.3)
for C, k in zip(Cs, nonzero):
    print(f"C={C:.3g}: {k} non-zero weights")
