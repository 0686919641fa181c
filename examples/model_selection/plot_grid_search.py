"""
===========================================
Tuning C and deskewing with GridSearchCV
===========================================

:func:`~skdigit.make_digit_pipeline` names its steps ``"deskew"``,
``"normalize"`` and ``"classifier"``, so a
:class:`~sklearn.model_selection.GridSearchCV` can tune the classifier's
regularization ``C`` and switch deskewing on and off (replacing the step by
``"passthrough"``) in one search.

To keep the example fast, the search runs on a random subset of 6,000
training images (3-fold cross-validation, so each candidate is fitted on
4,000 images); the best pipeline is then scored on the full 10,000-image test
set.
"""

# %%
# The data
# --------

import numpy as np

from skdigit import load_mnist

X_train, y_train = load_mnist(subset="train", return_X_y=True)
X_test, y_test = load_mnist(subset="test", return_X_y=True)

rng = np.random.default_rng(0)
subset = rng.choice(len(y_train), size=6_000, replace=False)
X, y = X_train[subset], y_train[subset]

# %%
# The search
# ----------
#
# Four values of ``C`` on a log scale, times deskewing on or off: eight
# candidates, 24 fits. ``max_iter=1000`` lets every fit converge.

from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skdigit import Deskew, make_digit_pipeline

param_grid = {
    "deskew": [Deskew(), "passthrough"],
    "classifier__C": [0.001, 0.01, 0.1, 1.0],
}
search = GridSearchCV(
    make_digit_pipeline(max_iter=1000),
    param_grid,
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
    scoring="accuracy",
)
search.fit(X, y)

print("best parameters:", {k: str(v) for k, v in search.best_params_.items()})
print(f"best cross-validated accuracy: {search.best_score_:.4f}")
print(f"test accuracy of the refitted best pipeline: {search.score(X_test, y_test):.4f}")

# %%
# The results
# -----------
#
# ``cv_results_`` holds the mean and the spread of the validation accuracy
# of every candidate, and the mean fit time. We plot both against ``C``.

import matplotlib.pyplot as plt
import pandas as pd

results = pd.DataFrame(search.cv_results_)
results["deskew"] = results["param_deskew"].map(
    lambda step: "deskewed" if step != "passthrough" else "not deskewed"
)
results["C"] = results["param_classifier__C"].astype(float)

fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(11, 4.2))
for label, group in results.groupby("deskew"):
    ax_acc.errorbar(group["C"], group["mean_test_score"], yerr=group["std_test_score"],
                    marker="o", capsize=3, label=label)
    ax_time.plot(group["C"], group["mean_fit_time"], marker="o", label=label)
ax_acc.set(xscale="log", xlabel="C (inverse regularization)",
           ylabel="validation accuracy (mean of 3 folds)",
           title="Accuracy")
ax_time.set(xscale="log", xlabel="C (inverse regularization)",
            ylabel="fit time (s, mean of 3 folds)", title="Fit time")
ax_acc.legend()
ax_time.legend()
fig.tight_layout()

# %%
# Deskewing helps at every ``C``, by several points of accuracy. Too strong a
# regularization (small ``C``) underfits. Beyond ``C`` of about 0.1, the
# accuracy of the deskewed pipeline levels off and that of the plain one drops:
# on 4,000 training images, weak regularization starts to fit the noise, and
# the solver needs more iterations, so the fit time grows. With all 60,000
# training images, the best ``C`` tends to be larger: more data needs less
# regularization.
#
# The table, best first:

columns = ["deskew", "C", "mean_test_score", "std_test_score", "mean_fit_time"]
results.sort_values("rank_test_score")[columns].round(4).reset_index(drop=True)
