"""scikit-learn's own ``test_logistic.py``, run unchanged against our classes.

The installed scikit-learn's ``sklearn/linear_model/tests/test_logistic.py``
is read and executed here with one line changed: ``LogisticRegression`` and
``LogisticRegressionCV`` are imported as :class:`~skdigit.DigitLogisticClassifier`
and :class:`~skdigit.DigitLogisticClassifierCV` (and the array API cases'
parameters are given to pytest as lists, not generators, which pytest 9
deprecates). Every case of it runs; the ones
that fail because of a difference that skdigit documents (the user guide's
"What still differs", ``docs/user_guide/classifier.rst``) are listed in
:data:`KNOWN_DIFFERENCES` with the reason, as strict expected failures: a case
that starts to pass, or fails with another exception, fails this module.
Anything else that fails is a defect of skdigit (or of this list).

``tests/test_sklearn_logistic_port.py`` holds the hand-made port: the same
checks made to apply where scikit-learn's differ only by a solver we do not
have (liblinear) or by its messages.

The list is that of scikit-learn 1.9 (its test file changes with each
release): with another version installed the module is skipped. The array API
cases skip themselves without torch, array_api_strict and the like.
"""

import re
from pathlib import Path

import pytest
import sklearn
from _sklearn_versions import SKLEARN_VERSION
from sklearn.utils.fixes import parse_version

UPSTREAM = Path(sklearn.__file__).parent / "linear_model" / "tests" / "test_logistic.py"
IMPORT = "from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, SGDClassifier"
# one line for one, so that tracebacks point at scikit-learn's own line numbers
OURS = (
    "from sklearn.linear_model import SGDClassifier; "
    "from skdigit import DigitLogisticClassifier as LogisticRegression, "
    "DigitLogisticClassifierCV as LogisticRegressionCV"
)

if not (parse_version("1.9") <= SKLEARN_VERSION < parse_version("1.10")):
    pytest.skip(
        f"the list of known differences is scikit-learn 1.9's; {sklearn.__version__} is installed",
        allow_module_level=True,
    )
if not UPSTREAM.exists():  # a scikit-learn installed without its tests
    pytest.skip(f"{UPSTREAM} is not installed", allow_module_level=True)
_source = UPSTREAM.read_text()
if _source.count(IMPORT) != 1:
    pytest.skip("scikit-learn's test_logistic.py imports its classes otherwise", allow_module_level=True)
# pytest 9 deprecates a generator as parametrize's values (an error here): a list
_source = _source.replace(
    "yield_namespace_device_dtype_combinations(),",
    "list(yield_namespace_device_dtype_combinations()),",
)
exec(compile(_source.replace(IMPORT, OURS), str(UPSTREAM), "exec"), globals())  # noqa: S102


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture (its conftest), at its default seed."""
    return 42


_LIBLINEAR = (
    "solver='liblinear' (and dual=True, its dual formulation) is refused: it solves "
    "another problem (a penalized intercept, one-vs-rest); the case compares with it, "
    "or checks liblinear's own behaviour"
)
_DEFAULTS_110 = (
    "skdigit has scikit-learn 1.10's defaults (l1_ratios: (0.0,), use_legacy_attributes="
    "False; scoring=None stays accuracy; n_jobs sets the kernels' threads), so scikit-learn "
    "1.9's FutureWarning about that default is not given"
)
_PRIVATE = "calls a private helper of scikit-learn's _logistic.py"
_TOL = (
    "compares two stopping points at a loose tol (1e-2, 1e-3): ours agree to that tol "
    "(the CV's scores and separate fits to 1e-6 at tol=1e-6), not to the test's tighter rtol"
)

#: ``(pattern on the case's name, reason, exception it fails with)``. The
#: first pattern that matches (``re.search``) applies.
KNOWN_DIFFERENCES = [
    (r"liblinear", _LIBLINEAR, (ValueError, AssertionError, pytest.fail.Exception)),
    (r"^test_check_solver_option\[", _LIBLINEAR + " (the message is ours)", AssertionError),
    (r"^test_(consistency_path|logistic_cv|logistic_regression_solvers|logreg_l1"
     r"|logistic_regression_class_weights)\b", _LIBLINEAR, ValueError),
    (r"^test_logistic_regression_callback_support_warning$",
     "every skdigit solver supports callbacks: no warning for liblinear's", pytest.fail.Exception),
    (r"^test_max_iter\[newton-cholesky-",
     "scikit-learn's newton-cholesky warns 'Newton solver did not converge after N "
     "iterations'; skdigit runs that name as preconditioned-lbfgs (no Newton solver ran) "
     "and warns 'newton-cholesky failed to converge after N iteration(s) "
     "(preconditioned-lbfgs stopped ...)'; n_iter_ == max_iter holds", pytest.fail.Exception),
    (r"^test_warm_start_newton_solver\[",
     "checks that two warm-started one-iteration fits give the coef_ of one two-iteration "
     "fit (rtol=1e-7), true of scikit-learn's Newton solvers, which keep no state but the "
     "iterate; skdigit runs newton-cg and newton-cholesky as preconditioned-lbfgs, whose "
     "quasi-Newton memory a warm start cannot carry over (scipy's L-BFGS-B takes none in): "
     "they differ by a few percent on iris, as scikit-learn's own lbfgs does (by about "
     "30%); a warm start at the optimum runs no iteration", AssertionError),
    (r"^test_large_sparse_matrix\[(csr_matrix|csr_array)-(sag|saga)\]",
     "sparse input with 64-bit indices is accepted whatever the solver name (scikit-learn's "
     "sag and saga refuse it)", pytest.fail.Exception),
    (r"^test_logistic_cv_multinomial_score\[", _PRIVATE + " (_log_reg_scoring_path) with "
     "DigitLogisticClassifier's parameters (alpha, ...)", TypeError),
    (r"^test_get_default_scorer$", _PRIVATE + " (LogisticRegressionCV._get_scorer)",
     AttributeError),
    (r"^test_newton_cholesky_fallback_to_lbfgs$",
     "checks that scikit-learn's newton-cholesky falls back to its lbfgs (n_iter_ of the "
     "fallback); ours runs preconditioned-lbfgs for that name", AssertionError),
    (r"^test_(logisticregressioncv_warns_with_use_legacy_attributes|l1_ratio_None_deprecated"
     r"|logisticregression_warns_with_n_jobs|lr_scoring_warns)$", _DEFAULTS_110,
     pytest.fail.Exception),
    (r"^test_lr_cv_scores_differ_when_sample_weight_is_requested$",
     "scikit-learn's routing error names the class: DigitLogisticClassifierCV.score, not "
     "LogisticRegressionCV.score", AssertionError),
    (r"^test_logistic_regression_callback_support\[0\]$",
     "max_iter=0 runs no iteration (scikit-learn's lbfgs runs one), so there is no "
     "iteration task for the callback", AssertionError),
    (r"^test_elastic_net_vs_l1_l2\[1\]$", "a statistical property of one data set at tol=1e-2: "
     + _TOL, AssertionError),
    (r"^test_scores_attribute_layout_elasticnet$", _TOL, AssertionError),
    (r"^test_logistic_regression_array_api_compliance\[numpy-",
     "a ConvergenceWarning whenever tol is not reached: at tol=1e-12 rounding errors stop "
     "L-BFGS first (scikit-learn's lbfgs warns only when max_iter stops it); the fitted "
     "values agree (the case runs NumPy only where SCIPY_ARRAY_API is set, as in our "
     "conftest)", ConvergenceWarning),
]


def known_difference(name):
    """``(reason, exception)`` of the case named ``name``, or None."""
    for pattern, reason, raises in KNOWN_DIFFERENCES:
        if re.search(pattern, name):
            return reason, raises
    return None


@pytest.fixture(autouse=True)
def _mark_known_differences(request):
    known = known_difference(request.node.name)
    if known is not None:
        reason, raises = known
        request.applymarker(pytest.mark.xfail(reason=reason, raises=raises, strict=True))
