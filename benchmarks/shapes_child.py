"""One fit on generated data of a given shape in a fresh process: time, memory, objective.

``python -m benchmarks.shapes_child CASE LIB TOL``: ``CASE`` a JSON object of
:data:`benchmarks.shapes.CASES` (shape, layout, dtype, classes, non-zeros a
row, penalty, estimator), ``LIB`` ``skdigit`` or ``sklearn``. The data is made
here (:func:`make_data`, deterministic), then, as in
:mod:`benchmarks.memory_child`, a small fit imports and compiles everything and
the peak resident memory (VmHWM) is reset just before the timed fit, after the
memory the warm-up freed is given back to the system (:func:`release_freed`).
Prints one JSON line.
"""

import json
import sys
import time
import warnings

import numpy as np
from scipy import sparse

from benchmarks.memory_child import _status, reset_peak
from benchmarks.objective import model_objective


def make_data(case, seed=0):
    """``(X, y)`` of ``case``: dense Gaussian features, or CSR with ``nnz_row``
    non-zeros a row (text-like: non-negative values); labels from a sparse
    linear model plus noise."""
    rng = np.random.default_rng(seed)
    n, p, k = case["n_samples"], case["n_features"], case["n_classes"]
    dtype = np.dtype(case["dtype"])
    if case["layout"] == "csr":
        nnz = case["nnz_row"]
        indices = np.sort(rng.integers(0, p, size=(n, nnz)), axis=1).astype(np.int32)
        data = rng.random((n, nnz)).astype(dtype)
        X = sparse.csr_matrix((data.ravel(), indices.ravel(), np.arange(n + 1) * nnz),
                              shape=(n, p))
        X.sum_duplicates()
    else:
        X = rng.standard_normal((n, p)).astype(dtype)
    informative = rng.choice(p, size=min(p, 50), replace=False)
    W = np.zeros((p, k))
    W[informative] = rng.standard_normal((len(informative), k)) * (3.0 if case["layout"] == "csr" else 1.0)
    scores = np.asarray(X @ W) + rng.gumbel(size=(n, k))
    return X, np.argmax(scores, axis=1)


def release_freed():
    """Give the memory the warm-up fit freed back to the system (glibc keeps it).

    The warm-up fit's arrays of ``n_classes x n_features`` are freed, but
    glibc's allocator keeps much of them in the process's heap (its threshold
    for returning a block at once grows with the blocks freed): hundreds of
    MB on the 100,000-feature shapes, which the peak measured next would count
    as the fit's though the fit may not need them. Both libraries' children
    do this, so that "peak" is imports, data and the timed fit.
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _model(case, lib, tol):
    C, rho = case["C"], case["l1_ratio"]
    if lib == "skdigit":
        from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV

        if case["estimator"] == "cv":
            return DigitLogisticClassifierCV(Cs=case["Cs"], cv=case["cv"], l1_ratios=[rho],
                                             tol=tol)
        return DigitLogisticClassifier(C=C, l1_ratio=rho, tol=tol)
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

    solver = "saga" if rho > 0 else "lbfgs"
    penalty = {} if rho == 0 else {"penalty": "elasticnet", "l1_ratio": rho}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case["estimator"] == "cv":
            penalty = {} if rho == 0 else {"penalty": "elasticnet", "l1_ratios": [rho]}
            return LogisticRegressionCV(Cs=case["Cs"], cv=case["cv"], solver=solver, tol=tol,
                                        **penalty)
        return LogisticRegression(C=C, solver=solver, tol=tol, **penalty)


def main(case_json, lib, tol):
    case, tol = json.loads(case_json), float(tol)
    X, y = make_data(case)
    warnings.simplefilter("ignore")
    small = X[: min(200, X.shape[0])]
    _model({**case, "n_samples": small.shape[0]}, lib, 1e-2).fit(small, y[:small.shape[0]])
    release_freed()
    before = _status("VmRSS:")
    reset_peak()
    model = _model(case, lib, tol)
    t0 = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - t0
    peak = _status("VmHWM:")
    C = float(np.ravel(model.C_)[0]) if case["estimator"] == "cv" else case["C"]
    x_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if sparse.issparse(X) else X.nbytes
    print(json.dumps({
        "seconds": seconds, "X_bytes": int(x_bytes), "extra_peak": peak - before,
        "peak": peak, "C": C, "objective": model_objective(model, X, y, C, case["l1_ratio"]),
        "n_iter": int(np.max(model.n_iter_)), "solver": getattr(model, "solver_", None),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
