"""Shared fixtures: where the full MNIST lives for the tests.

MNIST is looked for, in order, in ``$SKDIGIT_DATA_HOME``, in ``../shared/data/mnist``
beside the repository, and in the default data home of :func:`skdigit.load_mnist`.
In CI (``CI=true``) a missing MNIST is a failure; elsewhere the tests that need it
skip and say why.
"""

import os
from pathlib import Path

# scikit-learn's common check "check_array_api_input" (NumPy inputs with array API
# dispatch on must give the same results) runs only when scipy is imported with
# this set; without it the check is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def _has_mnist(folder):
    folder = Path(folder)
    return all(
        (folder / name).is_file() or (folder / (name + ".gz")).is_file()
        for name in MNIST_FILES
    )


def _find_mnist_home():
    candidates = []
    if os.environ.get("SKDIGIT_DATA_HOME"):
        candidates.append(Path(os.environ["SKDIGIT_DATA_HOME"]))
    candidates.append(REPO_ROOT.parent / "shared" / "data" / "mnist")
    try:
        from sklearn.datasets import get_data_home

        candidates.append(Path(get_data_home()) / "mnist")
    except Exception:  # pragma: no cover - sklearn is a hard dependency
        pass
    for folder in candidates:
        if _has_mnist(folder):
            return folder, candidates
    return None, candidates


@pytest.fixture(scope="session")
def mnist_home():
    """Folder holding the four MNIST IDX files (skip or fail when absent)."""
    folder, candidates = _find_mnist_home()
    if folder is None:
        msg = (
            "full MNIST not found in any of "
            + ", ".join(str(c) for c in candidates)
            + "; set SKDIGIT_DATA_HOME to a folder holding the four IDX files"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but " + msg)
        pytest.skip(msg)
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
