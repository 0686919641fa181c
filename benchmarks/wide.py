"""Wide dense features: the scattering pipeline's 3,969 standardized float32 columns.

The features of ``make_digit_pipeline(features="scattering")`` (Deskew ->
PixelNormalizer -> Scattering2D -> StandardScaler) on the MNIST training
images, fitted at that pipeline's ``C``. scikit-learn's ``lbfgs`` runs at its
default ``tol``; skdigit runs a ladder of tolerances until its objective is at
or below scikit-learn's. Each fit runs in a fresh process
(:mod:`benchmarks.wide_child`), which also measures its peak memory.
"""

import tempfile
from pathlib import Path

import numpy as np

from benchmarks.harness import log, run_child
from benchmarks.report import cell

LADDER = (1e-4, 3e-5, 1e-5, 3e-6, 1e-6)


def run(data, quick=False):
    from skdigit import make_digit_pipeline

    pipeline = make_digit_pipeline(features="scattering")
    C = pipeline[-1].C
    X = np.ascontiguousarray(pipeline[:-1].fit_transform(data.X8), dtype=np.float32)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        xpath, ypath = Path(tmp, "X.npy"), Path(tmp, "y.npy")
        np.save(xpath, X)
        np.save(ypath, data.y)
        log(f"  wide features {X.shape} float32, C={C:g}")
        theirs = run_child("wide_child", xpath, ypath, "sklearn", 1e-4, C)
        rows.append({"library": "scikit-learn lbfgs", "tol": 1e-4, **theirs})
        for tol in LADDER[:1] if quick else LADDER:
            ours = run_child("wide_child", xpath, ypath, "skdigit", tol, C)
            rows.append({"library": f"skdigit ({ours['solver']})", "tol": tol, **ours})
            if ours["objective"] <= theirs["objective"]:
                break
    reached = [r for r in rows[1:] if r["objective"] <= theirs["objective"]]
    ratio = theirs["seconds"] / reached[0]["seconds"] if reached else None
    return {"rows": rows, "shape": list(X.shape), "C": C, "speedup": ratio}


def tables(res):
    rows = res["rows"]
    shape = res.get("shape", ["?", "?"])
    speed = res.get("speedup")
    note = (f"skdigit reaches scikit-learn's objective {speed:.1f}x faster."
            if speed else "skdigit did not reach scikit-learn's objective on the ladder.")
    return [{"title": f"Wide dense features ({shape[0]:,} x {shape[1]:,} float32, "
                      f"C={res.get('C', 0):g})",
             "header": ["solver", "tol", "fit (s)", "iterations", "objective",
                        "peak / X"],
             "rows": [[r["library"], f"{r['tol']:g}", f"{r['seconds']:.2f}",
                       cell(r.get("n_iter"), "{}"), f"{r['objective']:.7f}",
                       f"{(r['X_bytes'] + r['extra_peak']) / r['X_bytes']:.2f}"]
                      for r in rows],
             "notes": [note]}]
