"""``make_digit_pipeline(features="kernel")`` end to end in a fresh process; prints JSON.

``python -m benchmarks.kernel_pipeline_child X.npy y.npy Xt.npy yt.npy``: the
fit on the training images (uint8, as ``skdigit train`` gives them) with its
wall time and the process's peak resident memory (VmHWM, everything
included: the images, the features, the fit), the test accuracy, the size of
the model saved with :func:`skdigit.save_model` (joblib), and the median
time to predict one image (20 single-image calls after a first one).
"""

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.memory_child import _status


def main(xpath, ypath, xtpath, ytpath):
    from skdigit import load_model, make_digit_pipeline, save_model

    X, y, Xt, yt = (np.load(p) for p in (xpath, ypath, xtpath, ytpath))
    pipeline = make_digit_pipeline(features="kernel")
    t0 = time.perf_counter()
    pipeline.fit(X, y)
    fit_s = time.perf_counter() - t0
    peak = _status("VmHWM:")
    accuracy = float(pipeline.score(Xt, yt))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "kernel.joblib")
        save_model(pipeline, path)
        stored = path.stat().st_size
        t0 = time.perf_counter()
        loaded = load_model(path)
        load_s = time.perf_counter() - t0
    loaded.predict(Xt[:1])
    times = []
    for i in range(20):
        t0 = time.perf_counter()
        loaded.predict(Xt[i + 1:i + 2])
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        "fit_s": fit_s, "peak_bytes": peak, "test_accuracy": accuracy,
        "stored_bytes": stored, "load_s": load_s,
        "predict_one_ms": 1000 * float(np.median(times)),
        "n_iter": int(np.max(pipeline[-1].n_iter_)), "solver": pipeline[-1].solver_,
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
