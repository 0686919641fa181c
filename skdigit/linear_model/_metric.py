"""Which metric a solver whitens by, chosen by the data's shape and what it costs.

The Gram-based metric ``M = c * A + l2 * I`` of
:mod:`skdigit.linear_model._preconditioner` (``A`` the ``(n_features + 1)``-square
normalized second-moment matrix of ``[x, 1]``) costs ``n_samples *
n_features**2`` to build, ``n_features**3`` to decompose and ``8 *
(n_features + 1)**2`` bytes for each of its two or three copies, whatever the
number of rows. It pays on digits (tens of thousands of rows, hundreds to a few
thousand features: several times fewer iterations); on wide data (text, a few
hundred rows of ten thousand features) it would cost more memory and time than
the whole fit. The rule (:func:`gram_pays`):

- at most :data:`SMALL_FEATURES` features: the Gram metric (it costs less than
  a few passes over the data);
- more than :data:`GRAM_MAX_FEATURES` features (L1 and elastic-net; 2048 for
  L2, see :func:`~skdigit.linear_model._solvers.select_solver`), or fewer rows
  than features: the diagonal metric :class:`DiagonalMetric` (the diagonal of
  the same ``M``: ``O(n_features)`` memory, one pass over the non-zeros) for
  the proximal solver, plain L-BFGS (no metric) for L2;
- and never a Gram matrix that does not fit in the memory available
  (:func:`gram_fits`); a solver that needs one, named explicitly, raises
  :class:`MemoryError` before allocating (:func:`check_gram_fits`).

MNIST (60,000 x 784 pixels, 60,000 x 3,969 scattering coefficients) stays on the
Gram metric.
"""

import os

import numpy as np

__all__ = [
    "GRAM_MAX_FEATURES",
    "SMALL_FEATURES",
    "DiagonalMetric",
    "available_memory",
    "check_gram_fits",
    "gram_bytes",
    "gram_fits",
    "gram_pays",
]

SMALL_FEATURES = 512
"""Up to this many features the Gram matrix costs less than a few passes over the
data (its eigendecomposition: about 0.05 s), whatever the number of rows."""
GRAM_MAX_FEATURES = 4096
"""Most features for which the proximal solver builds the Gram metric (MNIST's
3,969 scattering coefficients included): 130 MB a copy, a few seconds to decompose."""
# Copies of the (n_features + 1)-square float64 matrix alive at once: the Gram
# matrix, its eigenvectors (LAPACK's workspace is about one more), and the
# explicit metric of the proximal solver.
_GRAM_COPIES = 3
# Directions with a diagonal entry below this fraction of the largest are left
# unscaled, as the Gram metric leaves its numerically singular directions
# (a feature that is always 0 has only the l2 term, possibly 0).
_DIAGONAL_FLOOR = 1e-12


def gram_bytes(n_dof):
    """Bytes the Gram metric of ``n_dof = n_features + fit_intercept`` needs at its peak."""
    return _GRAM_COPIES * 8 * int(n_dof) ** 2


def available_memory():
    """Bytes of memory available to new allocations (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def gram_fits(n_dof, *, fraction=0.5):
    """Whether the Gram metric fits in ``fraction`` of the memory available."""
    available = available_memory()
    return available is None or gram_bytes(n_dof) <= fraction * available


def check_gram_fits(objective, solver_name):
    """Raise ``MemoryError`` before allocating if ``solver_name``'s Gram matrix cannot fit.

    Parameters
    ----------
    objective : LogisticObjective
    solver_name : str
        Named in the message.
    """
    if objective.has_gram():
        return
    n_dof = objective.coef.n_dof
    if gram_fits(n_dof, fraction=0.9):
        return
    need = gram_bytes(n_dof) / 2**30
    available = available_memory() / 2**30
    raise MemoryError(
        f"solver={solver_name!r} builds an (n_features + 1)-square Gram matrix: "
        f"{n_dof} x {n_dof} floats, about {need:.1f} GiB with its eigendecomposition, "
        f"and {available:.1f} GiB are available. Use solver='auto' (for this shape it "
        "fits without the Gram matrix: plain L-BFGS for L2, the proximal solver with a "
        "diagonal metric for L1 and elastic-net), or reduce n_features."
    )


def gram_pays(n_samples, n_features, *, max_features=GRAM_MAX_FEATURES,
              samples_per_feature=1, small_features=SMALL_FEATURES):
    """Whether the Gram metric pays for itself on data of this shape.

    Parameters
    ----------
    n_samples, n_features : int
    max_features : int, default=GRAM_MAX_FEATURES
        Above this, never.
    samples_per_feature : float, default=1
        Above ``small_features`` features, at least this many rows per
        feature: the Gram matrix's cost grows with ``n_features**3``, the fit's
        with ``n_samples * n_features``.
    small_features : int, default=SMALL_FEATURES
        Up to this many features, whatever the number of rows.

    Returns
    -------
    bool
    """
    if n_features > max_features or not gram_fits(n_features + 1):
        return False
    return n_features <= small_features or n_samples >= samples_per_feature * n_features


class DiagonalMetric:
    """The diagonal of the whitening metric: ``m = c * diag(A) + l2`` (Jacobi scaling).

    ``diag(A)`` is the normalized weighted mean of the squares of each column
    of ``[x, 1]`` (:meth:`LogisticObjective.column_moments`), accumulated in
    float64 from weights scaled to at most 1, so neither large features nor
    large weights overflow. The same for every class.

    Parameters
    ----------
    diagonal : ndarray of shape (n_dof,)
        ``diag(A)``.
    l2 : float, default=0.0
        The curvature of the penalty, added to every entry.
    curvature : float
        The constant standing in for the curvature of the log-loss.

    Attributes
    ----------
    values : ndarray of shape (n_dof,)
        The metric's diagonal, positive: entries below ``1e-12`` of the
        largest (a feature that is always 0) are set to the largest.
    """

    def __init__(self, diagonal, *, l2=0.0, curvature):
        values = curvature * np.asarray(diagonal, dtype=np.float64) + l2
        values = np.where(np.isfinite(values), values, np.finfo(float).max)
        largest = max(float(values.max(initial=0.0)), np.finfo(float).tiny)
        self.values = np.where(values < _DIAGONAL_FLOOR * largest, largest, values)

    def inverse_norm2(self, rows):
        """``sum_k rows[k] M^-1 rows[k]^T``, row by row (no temporary of ``rows``' size)."""
        return float(sum(np.sum(row * row / self.values) for row in np.atleast_2d(rows)))
