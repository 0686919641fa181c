"""Milliseconds per loss + gradient evaluation on the full training set (ten classes).

skdigit's fused kernel as a fit runs it for each input (the row names the
layout ``LogisticObjective`` picked), the dense kernel on both dtypes,
scikit-learn's ``LinearModelLoss.loss_gradient``, and two NumPy matrix products
``(X @ W.T).T @ X``, the floor of any unfused dense implementation, and one
parallel pass that only reads the compact CSR copy of the float32 images (the
memory-bandwidth floor of the CSR kernel). The private entry points are
isolated in :mod:`benchmarks._internals`.
"""

import numba
import numpy as np

from benchmarks import _internals
from benchmarks.harness import interleaved
from benchmarks.report import cell


def run(data, repeats):
    inputs = data.forms()
    n, d = data.X8.shape
    classes, y_idx = np.unique(data.y, return_inverse=True)
    K, n_threads = len(classes), numba.get_num_threads()
    params = np.random.default_rng(0).normal(scale=0.01, size=K * (d + 1))
    try:
        fns = _internals.skdigit_kernels(inputs, y_idx, K, params, n_threads)
    except (ImportError, TypeError, AttributeError) as exc:
        return {"skipped": f"skdigit's private kernel API moved ({exc})"}
    W = params.reshape(K, d + 1)[:, :d]
    for dt in ("float64", "float32"):
        X = inputs[f"dense {dt}"]
        fns[f"sklearn loss_gradient {dt}"] = _internals.sklearn_loss_gradient(
            X, y_idx, K, params, n_threads)
        fns[f"two numpy matmuls {dt}"] = (lambda X, W: lambda: (X @ W.T).T @ X)(
            X, W.astype(dt))
    floor, packed_bytes = _internals.packed_read_floor(inputs["dense float32"], n_threads)
    fns["read the compact copy once (memory floor)"] = floor
    for fn in fns.values():  # compile, warm the caches
        fn()
    times = interleaved(fns, repeats)
    rows = [{"implementation": k, "median_ms": 1e3 * float(np.median(v)),
             "min_ms": 1e3 * min(v)} for k, v in times.items()]
    return {"n_threads": n_threads, "rows": rows, "ratios": ratios(rows),
            "packed_MB": packed_bytes / 2**20}


def ratios(rows):
    ms = {r["implementation"]: r["median_ms"] for r in rows}
    best = min((k for k in ms if k.startswith("skdigit")), key=ms.get)
    out = {"best_skdigit": best,
           "vs_sklearn_float64": ms["sklearn loss_gradient float64"] / ms[best],
           "vs_sklearn_float32": ms["sklearn loss_gradient float32"] / ms[best],
           "vs_two_matmuls_float32": ms["two numpy matmuls float32"] / ms[best]}
    floor = "read the compact copy once (memory floor)"
    if floor in ms:
        out["over_memory_floor"] = ms[best] / ms[floor]
    for dt in ("float64", "float32"):  # same dtype on both sides: what a fit runs
        ours = next(k for k in ms if k.startswith(f"skdigit dense {dt} (")
                    and "(dense kernel)" not in k)
        out[f"dense_{dt}_vs_sklearn_{dt}"] = ms[f"sklearn loss_gradient {dt}"] / ms[ours]
    return out


def tables(res):
    r = res["ratios"]
    return [{
        "title": "Loss + gradient, one evaluation",
        "header": ["implementation", "median ms", "min ms"],
        "rows": [[x["implementation"], f"{x['median_ms']:.1f}",
                  cell(x.get("min_ms"), "{:.1f}")] for x in res["rows"]],
        "notes": [
            f"Same dtype: skdigit dense float64 **{r['dense_float64_vs_sklearn_float64']:.1f}x**"
            f" scikit-learn float64, dense float32 "
            f"**{r['dense_float32_vs_sklearn_float32']:.1f}x** scikit-learn float32; "
            + (f"the fastest skdigit row is {r['vs_two_matmuls_float32']:.1f}x two float32 "
               "matrix products." if "vs_two_matmuls_float32" in r else "")
            + (f" It takes {r['over_memory_floor']:.1f}x the time of reading the "
               f"{res['packed_MB']:.0f} MB compact copy once."
               if "over_memory_floor" in r else "")],
    }]
