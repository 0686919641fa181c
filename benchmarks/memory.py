"""Peak resident memory of a fit, each in a fresh process (:mod:`benchmarks.memory_child`):
the peak RSS during the fit over the size of X as passed in."""

import tempfile
from pathlib import Path

import numpy as np

from benchmarks.harness import run_child
from benchmarks.report import cell


def run(data, quick=False):
    layouts = ([("dense", "float32")] if quick
               else [("dense", "float32"), ("dense", "float64"), ("CSR", "float32")])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        xpath, ypath = Path(tmp, "X.npy"), Path(tmp, "y.npy")
        np.save(xpath, data.X8)
        np.save(ypath, data.y)
        for layout, dtype in layouts:
            for lib in ("skdigit", "sklearn"):
                r = run_child("memory_child", xpath, ypath, dtype, layout, lib)
                extra = r["peak"] - r["rss_before"]
                rows.append({"input": f"{layout} {dtype}", "library": lib,
                             "X_MB": r["X_bytes"] / 2**20, "extra_peak_MB": extra / 2**20,
                             "peak_over_X": (r["X_bytes"] + extra) / r["X_bytes"],
                             "peak_reset": r["peak_reset"]})
    return rows


def tables(res):
    return [{"title": "Peak memory of a fit",
             "header": ["input", "library", "X (MB)", "extra peak (MB)", "peak / X"],
             "rows": [[r["input"], r["library"], cell(r.get("X_MB"), "{:.0f}"),
                       cell(r.get("extra_peak_MB"), "{:.0f}"), f"{r['peak_over_X']:.2f}"]
                      for r in res["rows"]],
             "notes": []}]
