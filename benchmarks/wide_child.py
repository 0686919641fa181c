"""One fit on wide dense features in a fresh process; prints time, memory and objective.

``python -m benchmarks.wide_child X.npy y.npy {skdigit,sklearn,sklearnex} TOL C``
(``skdigit:SOLVER`` runs that ``solver``). As in
:mod:`benchmarks.memory_child`, the peak resident memory (VmHWM) is reset just
before the fit, after a small fit that imports and compiles everything.
"""

import json
import sys
import time
import warnings

import numpy as np

from benchmarks.memory_child import _status, reset_peak
from benchmarks.objective import model_objective


def main(xpath, ypath, lib, tol, C):
    X, y = np.load(xpath), np.load(ypath)
    tol, C = float(tol), float(C)
    params = {}
    if lib.startswith("skdigit"):
        from skdigit import DigitLogisticClassifier as Model

        if ":" in lib:
            params["solver"] = lib.split(":", 1)[1]
    elif lib == "sklearnex":
        from sklearnex.linear_model import LogisticRegression as Model
    else:
        from sklearn.linear_model import LogisticRegression as Model
    warnings.simplefilter("ignore")
    Model(max_iter=3).fit(X[:50], y[:50])  # imports, compilation: outside the window
    before = _status("VmRSS:")
    reset_peak()
    model = Model(C=C, tol=tol, max_iter=10_000, **params)
    t0 = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - t0
    peak = _status("VmHWM:")
    print(json.dumps({
        "seconds": seconds, "X_bytes": X.nbytes, "extra_peak": peak - before,
        "objective": model_objective(model, X, y, C),
        "n_iter": int(np.max(model.n_iter_)), "solver": getattr(model, "solver_", "lbfgs"),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
