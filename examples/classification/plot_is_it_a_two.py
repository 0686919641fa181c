"""
===============================
Is it a 2? A one-digit detector
===============================

The classic first exercise with MNIST is a *binary* task: tell the 2s from
all the other digits. :class:`~skdigit.TargetBinarizer` turns the digit labels
into that target (1 for a 2, 0 otherwise), and any binary classifier, here the
default skdigit pipeline, learns it.

This example scores the detector with cross-validation, and shows why
**accuracy alone misleads** on such a task: only one image in ten is a 2.
"""

# %%
# The data and the target
# -----------------------
#
# The 60,000 MNIST training images, as unsigned 8-bit pixel intensities, and
# the target "is it a 2?".

import numpy as np

from skdigit import TargetBinarizer, load_mnist

X, y = load_mnist(subset="train", return_X_y=True)
binarizer = TargetBinarizer(positive_label=2)
y_is_2 = binarizer.fit_transform(y)

print(f"{len(y_is_2)} images, {y_is_2.sum()} of them 2s ({y_is_2.mean():.1%})")

# %%
# A detector that never says "yes"
# --------------------------------
#
# Before training anything, look at what a detector that *always* answers
# "not a 2" scores. :class:`~sklearn.dummy.DummyClassifier` is that detector.
# We score it, and then the real one, with the same 3-fold cross-validation
# and four metrics:
#
# - **accuracy**: the fraction of images classified right;
# - **precision**: of the images the detector calls 2s, the fraction that are;
# - **recall**: of the real 2s, the fraction the detector finds;
# - **F1**: the harmonic mean of precision and recall.
#
# Precision is undefined when the detector never says "yes"; we count it as 0.

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import make_scorer, precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, cross_validate

scoring = {
    "accuracy": "accuracy",
    "precision": make_scorer(precision_score, zero_division=0),
    "recall": "recall",
    "f1": "f1",
}
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)


def summarize(name, cv_results):
    """Mean of each test score over the folds."""
    return pd.Series(
        {metric: cv_results[f"test_{metric}"].mean() for metric in scoring},
        name=name,
    )


baseline = DummyClassifier(strategy="most_frequent")
print("cross_val_score, accuracy of each fold:",
      cross_val_score(baseline, X, y_is_2, cv=cv, scoring="accuracy").round(4))
dummy = cross_validate(baseline, X, y_is_2, cv=cv, scoring=scoring)
summarize("always 'not a 2'", dummy).to_frame().T

# %%
# The "detector" is right about 90 % of the time, and has never found a single
# 2: its recall is 0. Accuracy rewards it for the imbalance of the classes, not
# for any skill. Precision, recall and F1 expose it.
#
# The skdigit detector
# --------------------
#
# The default pipeline: :class:`~skdigit.Deskew`, then
# :class:`~skdigit.PixelNormalizer` (0-255 to [0, 1]), then
# :class:`~skdigit.DigitLogisticClassifier`, which fits a binary logistic
# regression because the target has two classes.
# :func:`~sklearn.model_selection.cross_val_score` gives one metric per fold;
# :func:`~sklearn.model_selection.cross_validate` gives several from the same
# fits.
#
# Encoding the whole target before splitting it into folds leaks nothing:
# the encoding (``y == 2``) uses no statistics of the data.

from skdigit import make_digit_pipeline

detector = make_digit_pipeline(C=1.0)
results = cross_validate(detector, X, y_is_2, cv=cv, scoring=scoring)
scores = pd.DataFrame([summarize("always 'not a 2'", dummy),
                       summarize("skdigit pipeline", results)])
scores.round(4)

# %%
# The detector's accuracy is above 98 %, less than 9 points above the
# do-nothing baseline, which makes it look like a small gain. Its recall shows
# the real difference: it finds more than nine 2s in ten, where the baseline
# finds none; and when it says "2", it is right more than nine times in ten
# (its precision).
#
# Precision and recall on the test set
# ------------------------------------
#
# Fit the detector on all 60,000 training images and score it on the 10,000
# test images, whose writers it has never seen. The logistic regression gives a
# probability; the default threshold of 0.5 is one point on the
# precision-recall curve, and moving it trades one for the other.

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay

X_test, y_test = load_mnist(subset="test", return_X_y=True)
y_test_is_2 = binarizer.transform(y_test)
detector.fit(X, y_is_2)

fig, (ax_cm, ax_pr) = plt.subplots(1, 2, figsize=(10, 4.2))
ConfusionMatrixDisplay.from_estimator(
    detector, X_test, y_test_is_2, display_labels=["not 2", "2"],
    colorbar=False, ax=ax_cm,
)
ax_cm.set_title("Test set, threshold 0.5")
PrecisionRecallDisplay.from_estimator(
    detector, X_test, y_test_is_2, name="skdigit", plot_chance_level=True, ax=ax_pr
)
ax_pr.set_title("Precision-recall curve, test set")
fig.tight_layout()

# %%
# The chance level, the dashed line, is the precision of a detector that
# answers at random: the share of 2s. A detector that is useful for finding 2s
# must be judged against it, on the positive class, rather than by accuracy.
#
# :meth:`~skdigit.TargetBinarizer.inverse_transform` turns the 0/1 predictions
# back into the answer to the question:

answers = binarizer.inverse_transform(detector.predict(X_test[:8]))
for digit, answer in zip(y_test[:8], answers):
    print(f"a {digit}: {'yes, a 2' if answer else 'no'}")
