"""
=========================================
skdigit against other scikit-learn models
=========================================

How does a (fast) linear model compare with scikit-learn's other classifiers
on MNIST? We fit, on the same training images and the same features:

- skdigit's :class:`~skdigit.DigitLogisticClassifier`;
- scikit-learn's :class:`~sklearn.linear_model.LogisticRegression`, which
  solves the same problem (the same objective at the same ``C``), so the two
  should reach the same accuracy and differ in time only;
- a support vector machine with an RBF kernel,
  :class:`~sklearn.svm.SVC`;
- a multi-layer perceptron, :class:`~sklearn.neural_network.MLPClassifier`,
  with one hidden layer of 128 units;

and score them all on the full 10,000-image test set, against the published
accuracies of convolutional networks as a reference.

The kernel SVM and the perceptron are much slower to train than a linear
model, so that this example runs in about a minute **every model is trained
on the same random subset of 10,000 training images**. All the accuracies are
therefore below what each model reaches with the full 60,000 (for skdigit,
0.956: see :ref:`sphx_glr_auto_examples_classification_plot_ten_digits.py`).
"""

# %%
# The data, deskewed and scaled once
# ----------------------------------
#
# Every model gets the same features: the deskewed images scaled to [0, 1] as
# float32 (:class:`~skdigit.Deskew` then :class:`~skdigit.PixelNormalizer`).

import numpy as np
from sklearn.pipeline import make_pipeline

from skdigit import Deskew, PixelNormalizer, load_mnist

X_train, y_train = load_mnist(subset="train", return_X_y=True)
X_test, y_test = load_mnist(subset="test", return_X_y=True)

rng = np.random.default_rng(0)
subset = rng.choice(len(y_train), size=10_000, replace=False)

features = make_pipeline(Deskew(), PixelNormalizer())
X = features.fit_transform(X_train[subset])
y = y_train[subset]
X_eval = features.transform(X_test)
print(f"training on {X.shape[0]} images ({X.dtype}), testing on {X_eval.shape[0]}")

# %%
# The models
# ----------
#
# ``C=1`` for both logistic regressions, with enough iterations to converge.
# scikit-learn's solver works in float64, so it gets a float64 copy of the
# features (it would make one itself); skdigit reads the float32 features as
# they are. The SVM uses scikit-learn's default ``gamma="scale"`` and ``C=10``;
# the perceptron stops early when its validation score stops improving.

from time import perf_counter

from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from skdigit import DigitLogisticClassifier

models = {
    "skdigit DigitLogisticClassifier": (DigitLogisticClassifier(C=1.0, max_iter=1000), X),
    "sklearn LogisticRegression": (LogisticRegression(C=1.0, max_iter=1000),
                                   X.astype(np.float64)),
    "sklearn SVC (RBF kernel)": (SVC(C=10.0), X),
    "sklearn MLPClassifier (128 units)": (
        MLPClassifier(hidden_layer_sizes=(128,), early_stopping=True, max_iter=100,
                      random_state=0),
        X,
    ),
}

rows = []
for name, (model, X_fit) in models.items():
    start = perf_counter()
    model.fit(X_fit, y)
    fit_time = perf_counter() - start
    accuracy = model.score(X_eval.astype(X_fit.dtype), y_test)
    rows.append({"model": name, "test accuracy": accuracy, "fit time (s)": fit_time})
    print(f"{name:36s} accuracy {accuracy:.4f}  fit {fit_time:6.1f} s")

# %%
# The two logistic regressions solve the same problem: their coefficients
# agree to the solvers' tolerance.

skdigit_coef = models["skdigit DigitLogisticClassifier"][0].coef_
sklearn_coef = models["sklearn LogisticRegression"][0].coef_
print("largest coefficient difference, relative to the largest coefficient: "
      f"{np.abs(skdigit_coef - sklearn_coef).max() / np.abs(sklearn_coef).max():.1e}")

# %%
# The results, with convolutional networks as a reference
# -------------------------------------------------------
#
# The dashed lines are published test accuracies of convolutional networks
# trained on all 60,000 images (not measured here): LeNet-5, 99.05 %
# (0.95 % error; LeCun et al., 1998), and a committee of 35 deep convolutional
# networks, 99.77 % (0.23 % error; Cireşan, Meier and Schmidhuber, 2012).

import matplotlib.pyplot as plt
import pandas as pd

results = pd.DataFrame(rows).set_index("model")
cnn_references = {"LeNet-5 (1998)": 0.9905, "35 deep CNNs (2012)": 0.9977}

fig, (ax_acc, ax_time) = plt.subplots(
    1, 2, figsize=(11, 3.6), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
)
positions = np.arange(len(results))
ax_acc.barh(positions, results["test accuracy"], color="tab:blue")
for pos, acc in zip(positions, results["test accuracy"]):
    ax_acc.text(acc - 0.002, pos, f"{acc:.2%}", va="center", ha="right", color="white")
for (label, acc), style in zip(cnn_references.items(), ["--", ":"]):
    ax_acc.axvline(acc, color="black", linestyle=style, label=f"{label}: {acc:.2%}")
ax_acc.set(xlim=(0.88, 1.0), yticks=positions, yticklabels=results.index,
           xlabel="test accuracy (10,000 test images)")
ax_acc.invert_yaxis()
ax_acc.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8,
              frameon=False)

ax_time.barh(positions, results["fit time (s)"], color="tab:orange")
for pos, seconds in zip(positions, results["fit time (s)"]):
    ax_time.text(seconds, pos, f" {seconds:.1f} s", va="center")
ax_time.set(xlabel="fit time on 10,000 training images (s)",
            xlim=(0, 1.3 * results["fit time (s)"].max()))
fig.tight_layout()

results.round(4)

# %%
# What to read in it:
#
# - The two logistic regressions reach the same accuracy, as they should;
#   skdigit takes less time to get there.
# - The nonlinear models are more accurate: a kernel SVM or a small neural
#   network captures interactions between pixels that a linear model cannot.
#   On 10,000 images the SVM even fits quickly, but its fit time grows at
#   least quadratically with the number of training images, and predicting
#   needs all its support vectors; the perceptron is the slowest to train here.
# - Convolutional networks, which build in the 2-D structure of images, are
#   in another league: LeNet-5 makes about a fifth of the linear model's
#   errors, the committee of deep networks about a twentieth.
#
# A linear model on MNIST is a baseline and a teaching tool, fast enough to
# tune and to cross-validate freely; skdigit makes it faster still.
