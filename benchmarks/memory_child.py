"""One fit in a fresh process; prints its peak memory as JSON.

``python -m benchmarks.memory_child X.npy y.npy {float32,float64} {dense,CSR}
{skdigit,sklearn}``. The peak (VmHWM) is reset through ``/proc/self/clear_refs``
just before the fit, after a small fit that imports and compiles everything.
"""

import json
import sys
import warnings

import numpy as np
from scipy import sparse


def _status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))


def reset_peak():
    """Reset this process's peak resident memory (VmHWM); False where Linux refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main(xpath, ypath, dtype, layout, lib):
    X8, y = np.load(xpath), np.load(ypath)
    X = (X8 / np.float32(255)).astype(np.float32) if dtype == "float32" else X8 / 255.0
    del X8
    if layout == "CSR":
        X = sparse.csr_matrix(X)
        nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    else:
        nbytes = X.nbytes
    if lib == "skdigit":
        from skdigit import DigitLogisticClassifier as Model
    else:
        from sklearn.linear_model import LogisticRegression as Model
    model = Model(max_iter=3)
    warnings.simplefilter("ignore")
    model.fit(X[:50], y[:50])  # imports, compilation, thread pools: outside the window
    before = _status("VmRSS:")
    reset = reset_peak()
    model.fit(X, y)
    print(json.dumps({"X_bytes": nbytes, "rss_before": before, "peak": _status("VmHWM:"),
                      "peak_reset": reset}))


if __name__ == "__main__":
    main(*sys.argv[1:])
