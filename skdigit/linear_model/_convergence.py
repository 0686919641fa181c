"""The ConvergenceWarning of a fit that stopped before ``tol`` held: why, and what to do.

Every solver reports in its :class:`~skdigit.linear_model._solvers.SolverResult`
whether the stopping rule held (``converged``), why it stopped (``message``),
which solver ran (``solver``) and, where it is known, the optimality reached.
A fit warns whenever ``tol`` was not reached, whatever the reason, and the
advice follows the reason:

- ``max_iter`` iterations ran: increase ``max_iter`` (or scale the data);
- the solver stopped earlier, with no further decrease representable or no
  acceptable step (rounding errors dominate at this ``tol``): more iterations
  would not help; loosen ``tol`` or scale the features.

The message begins with scikit-learn's own phrase for the solver it replaces,
so that warning filters written for ``LogisticRegression`` (which match the
start of the message: ``message="lbfgs failed to converge"``) apply to it:
"lbfgs failed to converge after 3 iteration(s)" where an L-BFGS solver ran
(skdigit's ``"lbfgs"`` and ``"preconditioned-lbfgs"``) and the user named no
other scikit-learn solver; "<name> failed to converge" where the user named a
scikit-learn solver (``"newton-cg"``, ...) that skdigit runs as one of its
own. When ``max_iter`` stopped the fit, the message also has the sentence of
scikit-learn's ``sag`` and ``saga``, "The max_iter was reached which means
the coef_ did not converge" (first, where the user named one of them). The
solver that ran is named in parentheses where it is not the one named first.
Every message links to the user guide's section on convergence.
"""

import math
import warnings

from sklearn.exceptions import ConvergenceWarning

from ..utils._doc_link import DOCS_URL, _version_url
from ._solvers import SKLEARN_SOLVERS

__all__ = ["CONVERGENCE_DOCS", "warn_not_converged"]

CONVERGENCE_DOCS = (
    DOCS_URL.format(version=_version_url())
    + "user_guide/classifier.html#convergence-and-warnings"
)
"""The user guide's section on convergence, linked from every warning."""


# scikit-learn's phrase for skdigit's solvers: both L-BFGS solvers are its lbfgs
_SKLEARN_ANALOGUE = {"lbfgs": "lbfgs", "preconditioned-lbfgs": "lbfgs"}


def _named(solver, ran):
    """The solver the message names first: the user's scikit-learn name, or the analogue of ``ran``."""
    if solver in SKLEARN_SOLVERS or solver == "lbfgs":
        return solver
    return _SKLEARN_ANALOGUE.get(ran, ran)


# scikit-learn's sag and saga say only this (and only when max_iter stopped them)
_MAX_ITER_REACHED = "The max_iter was reached which means the coef_ did not converge"


def _advice(hit_max_iter, max_iter):
    if hit_max_iter:
        return (
            f"Increase the number of iterations (max_iter={max_iter}), scale the "
            "features to [0, 1] (skdigit.PixelNormalizer for pixels), or loosen tol."
        )
    return (
        "More iterations would not help: rounding errors dominate before tol is "
        "reached. Loosen tol, or scale the features to [0, 1] (skdigit.PixelNormalizer "
        "for pixels)."
    )


def warn_not_converged(stops, *, max_iter, tol, solver=None):
    """One ConvergenceWarning for the fits that stopped before ``tol`` held.

    Parameters
    ----------
    stops : list of tuple
        ``(where, result)`` per fit that did not converge: ``where`` places it
        in the message (``"at C=0.1"``; None for a single fit), ``result`` is
        its :class:`~skdigit.linear_model._solvers.SolverResult`. Nothing is
        issued when empty.
    max_iter : int
    tol : float
    solver : str, default=None
        The estimator's ``solver`` parameter: a scikit-learn name there is the
        name the message begins with.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skdigit.linear_model._solvers import SolverResult
    >>> from skdigit.linear_model._convergence import warn_not_converged
    >>> stop = SolverResult(np.zeros(2), 42, False, "no further decrease is representable",
    ...                     optimality=3e-4, solver="preconditioned-lbfgs")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_not_converged([(None, stop)], max_iter=10000, tol=1e-4, solver="auto")
    >>> print(caught[0].message)
    lbfgs failed to converge after 42 iteration(s) (preconditioned-lbfgs stopped with
    the optimality at 0.0003 > tol=0.0001: no further decrease is representable).
    More iterations would not help: ...
    """
    if not stops:
        return
    parts, hit_max_iter, first_name = [], False, None
    for where, result in stops:
        hit = result.n_iter >= max_iter
        hit_max_iter |= hit
        value = (
            f"at {result.optimality:.3g} > tol={tol:.3g}"
            if result.optimality is not None and math.isfinite(result.optimality)
            else f"above tol={tol:.3g}"
        )
        reason = f"max_iter={max_iter} reached" if hit else result.message
        name = _named(solver, result.solver)
        ran = f"{result.solver} stopped" if result.solver not in (None, name) else "it stopped"
        at = "" if where is None else f" {where}"
        # scikit-learn's phrase first; the next fits by the same name without it
        said = "" if name == first_name else f"{name} failed to converge "
        first_name = first_name or name
        parts.append(
            f"{said}after {result.n_iter} iteration(s){at} "
            f"({ran} with the optimality {value}: {reason})"
        )
    if len(parts) > 3:
        parts = parts[:3] + [f"and {len(parts) - 3} more fits"]
    message = "; ".join(parts) + ". "
    if hit_max_iter:
        # first for a user who named sag or saga, whose filters match the start
        message = (
            f"{_MAX_ITER_REACHED}: {message}" if solver in ("sag", "saga")
            else f"{message}{_MAX_ITER_REACHED}. "
        )
    warnings.warn(
        message + _advice(hit_max_iter, max_iter) + f" See {CONVERGENCE_DOCS}",
        ConvergenceWarning,
        stacklevel=3,
    )
