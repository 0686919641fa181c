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
