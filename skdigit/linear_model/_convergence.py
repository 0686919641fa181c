"""The ConvergenceWarning of a fit that stopped before ``tol`` held: why, and what to do.

Every solver reports in its :class:`~skdigit.linear_model._solvers.SolverResult`
whether the stopping rule held (``converged``), why it stopped (``message``)
and, where it is known, the optimality reached. A fit warns whenever ``tol``
was not reached, whatever the reason, and the advice follows the reason:

- ``max_iter`` iterations ran: increase ``max_iter`` (or scale the data);
- the solver stopped earlier, with no further decrease representable or no
  acceptable step (rounding errors dominate at this ``tol``): more iterations
  would not help; loosen ``tol`` or scale the features.

The message keeps scikit-learn's phrase "failed to converge", which warning
filters look for, and links to the user guide's section on convergence.
"""

import math
import warnings

from sklearn.exceptions import ConvergenceWarning

from ..utils._doc_link import DOCS_URL, _version_url

__all__ = ["CONVERGENCE_DOCS", "warn_not_converged"]

CONVERGENCE_DOCS = (
    DOCS_URL.format(version=_version_url())
    + "user_guide/classifier.html#convergence-and-warnings"
)
"""The user guide's section on convergence, linked from every warning."""


def _advice(hit_max_iter, max_iter):
    if hit_max_iter:
        return (
            f"Increase max_iter (now {max_iter}), scale the features to [0, 1] "
            "(skdigit.PixelNormalizer for pixels), or loosen tol."
        )
    return (
        "More iterations would not help: rounding errors dominate before tol is "
        "reached. Loosen tol, or scale the features to [0, 1] (skdigit.PixelNormalizer "
        "for pixels)."
    )


def warn_not_converged(stops, *, max_iter, tol):
    """One ConvergenceWarning for the fits that stopped before ``tol`` held.

    Parameters
    ----------
    stops : list of tuple
        ``(label, result)`` per fit that did not converge: ``label`` names it
        in the message (``"lbfgs"``, ``"C=0.1"``), ``result`` is its
        :class:`~skdigit.linear_model._solvers.SolverResult`. Nothing is
        issued when empty.
    max_iter : int
    tol : float

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skdigit.linear_model._solvers import SolverResult
    >>> from skdigit.linear_model._convergence import warn_not_converged
    >>> stop = SolverResult(np.zeros(2), 42, False, "no further decrease is representable",
    ...                     optimality=3e-4)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_not_converged([("lbfgs", stop)], max_iter=10000, tol=1e-4)
    >>> print(caught[0].message)
    lbfgs failed to converge after 42 iterations: it stopped with the optimality
    at 0.0003 > tol=0.0001 (no further decrease is representable). More iterations
    would not help: ...
    """
    if not stops:
        return
    parts, hit_max_iter = [], False
    for label, result in stops:
        hit = result.n_iter >= max_iter
        hit_max_iter |= hit
        where = (
            f"at {result.optimality:.3g} > tol={tol:.3g}"
            if result.optimality is not None and math.isfinite(result.optimality)
            else f"above tol={tol:.3g}"
        )
        reason = f"max_iter={max_iter} reached" if hit else result.message
        parts.append(
            f"{label} failed to converge after {result.n_iter} iterations: it "
            f"stopped with the optimality {where} ({reason})"
        )
    if len(parts) > 3:
        parts = parts[:3] + [f"and {len(parts) - 3} more fits"]
    warnings.warn(
        "; ".join(parts) + ". " + _advice(hit_max_iter, max_iter)
        + f" See {CONVERGENCE_DOCS}",
        ConvergenceWarning,
        stacklevel=3,
    )
