"""What the tests need to run against every scikit-learn skdigit supports (1.6 to 1.9).

skdigit follows the API of the newest scikit-learn (1.9) whatever version is
installed, so tests that use scikit-learn's ``LogisticRegression`` as the
reference must spell it the way the installed version understands:

- :func:`reference_logistic` builds it from the modern parameters (``C`` in
  (0, inf], ``l1_ratio``), translated to ``penalty=`` before scikit-learn 1.8;
- :func:`parametrize_with_checks` is scikit-learn's, with its cases as a list
  (scikit-learn 1.6 gives pytest a generator, which pytest 9 refuses);
- :data:`SKLEARN_VERSION` and :func:`needs_sklearn` mark the few tests that
  check a behaviour only a newer scikit-learn has (its callbacks, its own
  deprecation messages).

CI runs the test suite on the oldest and the newest supported scikit-learn.
"""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.utils import estimator_checks
from sklearn.utils.fixes import parse_version

SKLEARN_VERSION = parse_version(parse_version(sklearn.__version__).base_version)

# scikit-learn 1.8 deprecated ``penalty`` for ``l1_ratio`` and ``C=np.inf``
MODERN_PENALTY_API = SKLEARN_VERSION >= parse_version("1.8")


def needs_sklearn(version, what):
    """Mark a test that checks ``what``, which scikit-learn has since ``version``."""
    return pytest.mark.skipif(
        SKLEARN_VERSION < parse_version(version),
        reason=f"{what} is in scikit-learn >= {version}; {sklearn.__version__} is installed",
    )


def reference_logistic(*, C=1.0, l1_ratio=0.0, **params):
    """scikit-learn's ``LogisticRegression`` for the modern ``C`` and ``l1_ratio``.

    Before scikit-learn 1.8, ``C=np.inf`` becomes ``penalty=None`` and a
    non-zero ``l1_ratio`` becomes ``penalty="l1"`` or ``"elasticnet"``.
    """
    if MODERN_PENALTY_API:
        return LogisticRegression(C=C, l1_ratio=l1_ratio, **params)
    if np.isinf(C):
        return LogisticRegression(penalty=None, **params)
    if l1_ratio == 1:
        return LogisticRegression(penalty="l1", C=C, **params)
    if l1_ratio > 0:
        return LogisticRegression(penalty="elasticnet", C=C, l1_ratio=l1_ratio, **params)
    return LogisticRegression(C=C, **params)


def parametrize_with_checks(estimators, **kwargs):
    """scikit-learn's ``parametrize_with_checks``, its cases given to pytest as a list."""
    decorator = estimator_checks.parametrize_with_checks(estimators, **kwargs)
    names, cases = decorator.mark.args
    return pytest.mark.parametrize(names, list(cases), **decorator.mark.kwargs)
