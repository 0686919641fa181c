"""Shared fixtures: where the full MNIST lives for the tests.

The tests read the copy of MNIST bundled with skdigit
(``skdigit/datasets/data/mnist``), so they need neither the network nor a copy
elsewhere. A checkout or installation without it fails those tests, saying so.
"""

import os
from pathlib import Path

# scikit-learn's common check "check_array_api_input" (NumPy inputs with array API
# dispatch on must give the same results) runs only when scipy is imported with
# this set; without it the check is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mnist_home():
    """The folder of the bundled MNIST (a :class:`pathlib.Path`), with its four IDX files."""
    from skdigit.datasets._mnist import _SHA256, _bundled_home

    folder = _bundled_home()
    if not isinstance(folder, Path):  # pragma: no cover - a zipped install
        pytest.fail(f"the bundled MNIST is not a folder on disk: {folder}")
    missing = [name for name in _SHA256 if not (folder / f"{name}.gz").is_file()]
    if missing:
        pytest.fail(f"the bundled MNIST in {folder} lacks {', '.join(missing)}.gz")
    return folder


# --- linear model: shared data and objective builder ------------------------


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8x8 digits scaled to [0, 1]: ``(X, y)``, float64, 1797 rows."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def build_objective(
    X, y, *, sample_weight=None, penalty=None, fit_intercept=True, n_threads=1,
    n_classes=None,
):
    """A LogisticObjective on ``X`` (dense or CSR) with the layout make_layout picks.

    ``penalty`` defaults to scikit-learn's ``C=1`` L2 (strength ``1 / S``);
    ``y`` holds class indices ``0 .. n_classes - 1``.
    """
    import numpy as np

    from skdigit.linear_model._layouts import make_layout
    from skdigit.linear_model._loss import LogisticObjective
    from skdigit.linear_model._penalties import make_penalty

    y = np.asarray(y)
    sample_weight = (
        np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    )
    if penalty is None:
        penalty = make_penalty(1.0, 0.0, sample_weight.sum())
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    return LogisticObjective(
        make_layout(X, n_threads=n_threads), y, sample_weight, n_classes,
        fit_intercept=fit_intercept, penalty=penalty, n_threads=n_threads,
    )


@pytest.fixture(scope="session")
def make_objective():
    """The objective builder :func:`build_objective`, as a fixture."""
    return build_objective
