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
