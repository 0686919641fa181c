"""skdigit vs scikit-learn, side by side in one run: ``python benchmarks/run.py``.

Sections (see ``benchmarks/README.md`` for how to read them):

1. ``kernel``: milliseconds per loss + gradient on MNIST (skdigit's fused kernel in
   each layout and dtype, scikit-learn's ``LinearModelLoss.loss_gradient`` in
   float64 and float32, and two NumPy matrix products, the unfused floor).
2. ``fit``: a full fit at ``C=1`` on dense float64, dense float32 and CSR input:
   time, iterations, the final objective (one shared function of each model's
   ``coef_`` / ``intercept_``) and test accuracy.
3. ``workflows``: binary "is it a 2" with ``cross_val_score(cv=3)`` and a
   ``GridSearchCV`` over 5 values of C x deskew on / off.
4. ``misc``: predict throughput, peak resident memory of a fit, cold start
   (fresh process: import + first fit on ``load_digits``) with an empty and a
   warm numba cache.

Every comparison is timed in the same process, repeats interleaved, and the
median (and minimum) reported: the ratios are meaningful on a shared, loaded
machine; the absolute numbers are not. The markdown table goes to standard
output, the raw numbers to ``benchmarks/results/<timestamp>.json``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REPO_ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------- data


def load_data(data_home, n_train, n_test):
    """MNIST as uint8 (train, test); load_digits upscaled to 0-255 when absent."""
    import skdigit

    try:
        X, y = skdigit.load_mnist(
            subset="train", data_home=data_home, download=False, return_X_y=True
        )
        Xt, yt = skdigit.load_mnist(
            subset="test", data_home=data_home, download=False, return_X_y=True
        )
        name = "MNIST"
    except Exception as exc:  # no MNIST here: a smoke run still works
        from sklearn.datasets import load_digits

        print(f"(MNIST not found: {exc}; using load_digits)", file=sys.stderr)
        Xd, yd = load_digits(return_X_y=True)
        Xd = np.round(Xd * (255 / 16)).astype(np.uint8)
        X, y, Xt, yt = Xd[:1300], yd[:1300], Xd[1300:], yd[1300:]
        name = "load_digits"
    if n_train:
        X, y = X[:n_train], y[:n_train]
    if n_test:
        Xt, yt = Xt[:n_test], yt[:n_test]
    return name, np.ascontiguousarray(X), y, np.ascontiguousarray(Xt), yt


def forms(X8):
    """The inputs a user passes: dense float64, dense float32, CSR (both dtypes)."""
    from scipy import sparse

    X64 = X8 / 255.0
    X32 = X64.astype(np.float32)
    return {
        "dense float64": X64,
        "dense float32": X32,
        "CSR float64": sparse.csr_matrix(X64),
        "CSR float32": sparse.csr_matrix(X32),
    }


def interleaved(fns, repeats, settle_s=0.1):
    """Time each callable ``repeats`` times, round-robin; {name: [seconds]}.

    Each call is preceded by a short pause: OpenBLAS worker threads keep
    spinning for a while after a BLAS call (scikit-learn's and numpy's rows
    here), and would otherwise take the cores from whatever is timed next.
    """
    times = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            time.sleep(settle_s)
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def shared_objective(X64, y, coef, intercept, C):
    """scikit-learn's objective divided by ``C * n``, in float64, from a model's
    ``coef_`` and ``intercept_``: the one function both libraries are judged by."""
    from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    classes, y_idx = np.unique(y, return_inverse=True)
    n = X64.shape[0]
    if len(classes) == 2:
        base, w = HalfBinomialLoss(), np.r_[coef.ravel(), intercept]
    else:
        base = HalfMultinomialLoss(n_classes=len(classes))
        w = np.hstack([coef, intercept[:, None]])
    lml = LinearModelLoss(base_loss=base, fit_intercept=True)
    return float(lml.loss(w, X64, y_idx.astype(np.float64), None, 1.0 / (C * n)))


# ------------------------------------------------------------ 1. kernel


def bench_kernel(X8, y, repeats):
    from sklearn._loss.loss import HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    from skdigit.linear_model._kernels import logistic_loss_gradient_dense
    from skdigit.linear_model._logistic import _resolve_n_threads
    from skdigit.linear_model._loss import LogisticObjective

    inputs = forms(X8)
    n, d = X8.shape
    classes, y_idx = np.unique(y, return_inverse=True)
    K = len(classes)
    n_threads = _resolve_n_threads(None)
    params = np.random.default_rng(0).normal(scale=0.01, size=K * (d + 1))
    sw = np.ones(n)
    fns = {}
    for name, X in inputs.items():
        obj = LogisticObjective(
            X, y_idx, sw, K, fit_intercept=True, l2_reg_strength=1.0 / n,
            n_threads=n_threads,
        )
        # what a fit runs: the layout LogisticObjective picked for this input
        fns[f"skdigit {name} ({obj.layout} kernel)"] = (
            lambda o: lambda: o.loss_gradient(params))(obj)
    # the dense kernel itself, which dense input denser than MNIST would run
    W, b = params.reshape(K, d + 1)[:, :d].copy(), params.reshape(K, d + 1)[:, d].copy()
    for dt in ("float64", "float32"):
        X = inputs[f"dense {dt}"]
        fns[f"skdigit dense {dt} (dense kernel)"] = (
            lambda X: lambda: logistic_loss_gradient_dense(
                X, y_idx, sw, W, b, np.empty_like(W), np.empty(K), False, n_threads)
        )(X)
    coef = params.reshape(K, d + 1)  # scikit-learn's multinomial layout
    for dt, X in (("float64", inputs["dense float64"]),
                  ("float32", inputs["dense float32"])):
        lml = LinearModelLoss(base_loss=HalfMultinomialLoss(n_classes=K),
                              fit_intercept=True)
        c, yy = coef.astype(dt), y_idx.astype(dt)
        fns[f"sklearn loss_gradient {dt}"] = (
            lambda lml, c, X, yy: lambda: lml.loss_gradient(
                c, X, yy, None, l2_reg_strength=1.0 / n, n_threads=n_threads)
        )(lml, c, X, yy)
        W = coef[:, :d].astype(dt)
        fns[f"two numpy matmuls {dt}"] = (
            lambda X, W: lambda: (X @ W.T).T @ X
        )(X, W)
    for fn in fns.values():  # compile, warm caches
        fn()
    times = interleaved(fns, repeats)
    rows = {k: {"median_ms": 1e3 * float(np.median(v)), "min_ms": 1e3 * min(v)}
            for k, v in times.items()}
    best = min((k for k in rows if k.startswith("skdigit")),
               key=lambda k: rows[k]["median_ms"])
    ratios = {
        "best_skdigit": best,
        "vs_sklearn_float64": rows["sklearn loss_gradient float64"]["median_ms"]
        / rows[best]["median_ms"],
        "vs_sklearn_float32": rows["sklearn loss_gradient float32"]["median_ms"]
        / rows[best]["median_ms"],
        "vs_two_matmuls_float32": rows["two numpy matmuls float32"]["median_ms"]
        / rows[best]["median_ms"],
    }
    # Same dtype on both sides: what a fit from dense float64 (or float32) runs.
    for dt in ("float64", "float32"):
        ours = next(k for k in rows
                    if k.startswith(f"skdigit dense {dt} (") and "dense kernel" not in k)
        ratios[f"dense_{dt}_vs_sklearn_{dt}"] = (
            rows[f"sklearn loss_gradient {dt}"]["median_ms"] / rows[ours]["median_ms"])
    return {"n_threads": n_threads, "rows": rows, "ratios": ratios}


# --------------------------------------------------------------- 2. fit


def bench_fit(X8, y, Xt8, yt, C, max_iter, skdigit_tol, layouts):
    from sklearn.linear_model import LogisticRegression

    from skdigit import DigitLogisticClassifier

    inputs = forms(X8)
    Xt = Xt8 / 255.0
    X64 = inputs["dense float64"]
    rows = []
    for layout in layouts:
        X = inputs[layout]
        for lib, make in (
            ("sklearn", lambda: LogisticRegression(C=C, max_iter=max_iter, tol=1e-4)),
            ("skdigit", lambda: DigitLogisticClassifier(
                C=C, max_iter=max_iter, tol=skdigit_tol)),
        ):
            model = make()
            t0 = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - t0
            rows.append({
                "input": layout, "library": lib, "seconds": seconds,
                "solver": getattr(model, "solver_", model.solver),
                "n_iter": int(np.max(model.n_iter_)),
                "objective": shared_objective(X64, y, model.coef_, model.intercept_, C),
                "test_accuracy": float(model.score(Xt, yt)),
            })
            print(f"  fit {layout:14s} {lib:8s} {seconds:8.2f} s", file=sys.stderr)
    # Plain L-BFGS on the same kernel: how much of the gain is the solver's.
    if "dense float32" in inputs:
        model = DigitLogisticClassifier(
            C=C, max_iter=max_iter, tol=skdigit_tol, solver="lbfgs")
        t0 = time.perf_counter()
        model.fit(inputs["dense float32"], y)
        seconds = time.perf_counter() - t0
        rows.append({
            "input": "dense float32", "library": "skdigit, solver=lbfgs",
            "seconds": seconds, "solver": "lbfgs",
            "n_iter": int(model.n_iter_[0]),
            "objective": shared_objective(X64, y, model.coef_, model.intercept_, C),
            "test_accuracy": float(model.score(Xt, yt)),
        })
        print(f"  fit {'dense float32':14s} skdigit lbfgs {seconds:8.2f} s",
              file=sys.stderr)
    # The default pipeline from the raw uint8 images (what `skdigit train` fits):
    # deskewing changes the features, so its objective is not comparable.
    from skdigit import make_digit_pipeline

    pipeline = make_digit_pipeline(C=C, max_iter=max_iter, tol=skdigit_tol)
    t0 = time.perf_counter()
    pipeline.fit(X8, y)
    seconds = time.perf_counter() - t0
    pipeline_row = {
        "input": "uint8 0-255", "library": "skdigit pipeline", "seconds": seconds,
        "solver": pipeline.named_steps["classifier"].solver_,
        "n_iter": int(pipeline.named_steps["classifier"].n_iter_[0]),
        "objective": None, "test_accuracy": float(pipeline.score(Xt8, yt)),
    }
    print(f"  fit {'uint8 0-255':14s} pipeline {seconds:8.2f} s", file=sys.stderr)
    sk = [r for r in rows if r["library"] == "sklearn"]
    ours = [r for r in rows if r["library"] == "skdigit"]
    sk_by = {r["input"]: r for r in sk}
    best_ours = min(ours, key=lambda r: r["seconds"])
    ratios = {
        "skdigit_best": best_ours["input"],
        "vs_sklearn_dense_float64": (
            sk_by["dense float64"]["seconds"] / best_ours["seconds"]
            if "dense float64" in sk_by else None),
        "vs_fastest_sklearn": min(r["seconds"] for r in sk) / best_ours["seconds"],
        "fastest_sklearn": min(sk, key=lambda r: r["seconds"])["input"],
        "objective_ok": all(
            r["objective"] <= min(s["objective"] for s in sk) * (1 + 1e-12)
            for r in ours),
    }
    return {"C": C, "max_iter": max_iter, "skdigit_tol": skdigit_tol,
            "sklearn_tol": 1e-4, "rows": rows + [pipeline_row], "ratios": ratios}


# ---------------------------------------------------------- 3. workflows


def bench_workflows(X8, y, Cs, n_jobs):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline

    from skdigit import Deskew, DigitLogisticClassifier, PixelNormalizer

    def pipe(clf):
        return Pipeline([("deskew", Deskew()), ("normalize", PixelNormalizer()),
                         ("classifier", clf)])

    classifiers = {
        "sklearn": lambda: LogisticRegression(max_iter=1000),
        "skdigit": lambda: DigitLogisticClassifier(max_iter=1000),
    }
    y2 = (y == 2).astype(int)
    grid = {"classifier__C": list(Cs), "deskew": ["passthrough", Deskew()]}
    out = {"n_samples": int(X8.shape[0]), "grid": {"C": list(Cs), "deskew": [0, 1]},
           "rows": []}
    for lib, make in classifiers.items():
        t0 = time.perf_counter()
        scores = cross_val_score(pipe(make()), X8, y2, cv=3)
        t_cv = time.perf_counter() - t0
        t0 = time.perf_counter()
        search = GridSearchCV(pipe(make()), grid, cv=3, n_jobs=n_jobs).fit(X8, y)
        t_gs = time.perf_counter() - t0
        out["rows"].append({
            "library": lib, "cv_binary_seconds": t_cv,
            "cv_binary_accuracy": float(scores.mean()),
            "gridsearch_seconds": t_gs, "gridsearch_best_score": float(search.best_score_),
            "gridsearch_best_C": search.best_params_["classifier__C"],
            "gridsearch_best_deskew": search.best_params_["deskew"] != "passthrough",
        })
        print(f"  workflows {lib}: cv {t_cv:.1f} s, grid {t_gs:.1f} s", file=sys.stderr)
    sk, ours = out["rows"]
    out["ratios"] = {"cv_binary": sk["cv_binary_seconds"] / ours["cv_binary_seconds"],
                     "gridsearch": sk["gridsearch_seconds"] / ours["gridsearch_seconds"]}
    return out


# -------------------------------------------------------------- 4. misc

_MEMORY_CHILD = r"""
import json, sys, numpy as np
sys.path.insert(0, {root!r})
X8, y = np.load({xpath!r}), np.load({ypath!r})
X = X8 / 255.0 if {dtype!r} == "float64" else (X8 / np.float32(255)).astype(np.float32)
if {layout!r} == "CSR":
    from scipy import sparse
    X = sparse.csr_matrix(X)
nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if {layout!r} == "CSR" else X.nbytes
del X8
if {lib!r} == "skdigit":
    from skdigit import DigitLogisticClassifier as M
    model = M(max_iter=3)
else:
    from sklearn.linear_model import LogisticRegression as M
    model = M(max_iter=3)
import warnings; warnings.simplefilter("ignore")
model.fit(X[:50], y[:50])  # imports, compilation, thread pools outside the window
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status("VmRSS:")
try:
    open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM)
    reset = True
except OSError:
    reset = False
model.fit(X, y)
peak = status("VmHWM:")
print(json.dumps({{"X_bytes": nbytes, "rss_before": before, "peak": peak,
                  "peak_reset": reset}}))
"""


def bench_memory(X8, y, layouts):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        xpath, ypath = os.path.join(tmp, "X.npy"), os.path.join(tmp, "y.npy")
        np.save(xpath, X8)
        np.save(ypath, y)
        for layout, dtype in layouts:
            for lib in ("skdigit", "sklearn"):
                code = _MEMORY_CHILD.format(root=str(REPO_ROOT), xpath=xpath,
                                            ypath=ypath, dtype=dtype, layout=layout,
                                            lib=lib)
                res = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True)
                r = json.loads(res.stdout.strip().splitlines()[-1])
                extra = r["peak"] - r["rss_before"]
                rows.append({"input": f"{layout} {dtype}", "library": lib,
                             "X_MB": r["X_bytes"] / 2**20,
                             "extra_peak_MB": extra / 2**20,
                             "peak_over_X": (r["X_bytes"] + extra) / r["X_bytes"],
                             "peak_reset": r["peak_reset"]})
    return rows


def bench_predict(X8, y, Xt8, repeats):
    from sklearn.linear_model import LogisticRegression

    from skdigit import DigitLogisticClassifier

    X32 = (X8 / np.float32(255)).astype(np.float32)
    Xt32 = (Xt8 / np.float32(255)).astype(np.float32)
    Xt64 = Xt8 / 255.0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = DigitLogisticClassifier(max_iter=30).fit(X32, y)
        theirs = LogisticRegression(max_iter=30).fit(X32, y)
    fns = {"skdigit float32": lambda: ours.predict(Xt32),
           "skdigit float64": lambda: ours.predict(Xt64),
           "sklearn float32": lambda: theirs.predict(Xt32),
           "sklearn float64": lambda: theirs.predict(Xt64)}
    for fn in fns.values():
        fn()
    times = interleaved(fns, repeats)
    return {k: Xt8.shape[0] / float(np.median(v)) for k, v in times.items()}


_COLD_CHILD = r"""
import time
t0 = time.perf_counter()
import sys; sys.path.insert(0, {root!r})
from sklearn.datasets import load_digits
from skdigit import DigitLogisticClassifier
t1 = time.perf_counter()
X, y = load_digits(return_X_y=True)
DigitLogisticClassifier(max_iter=1000).fit(X / 16, y)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def bench_cold_start(empty_cache):
    code = _COLD_CHILD.format(root=str(REPO_ROOT))
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        runs = (["empty cache", "warm cache"] if empty_cache else ["warm cache"])
        if not empty_cache:  # fill the cache first, untimed
            subprocess.run([sys.executable, "-c", code], env=env, check=True,
                           capture_output=True)
        for label in runs:
            t0 = time.perf_counter()
            res = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                 capture_output=True, text=True)
            total = time.perf_counter() - t0
            imp, fit = map(float, res.stdout.split())
            out[label] = {"total_s": total, "import_s": imp, "first_fit_s": fit}
    return out


# ------------------------------------------------------------- report


def markdown(res):
    lines = [f"# skdigit benchmarks ({res['meta']['data']}, "
             f"{res['meta']['n_train']} x {res['meta']['n_features']}, "
             f"{res['meta']['cpu_count']} CPUs, load average at start "
             f"{res['meta']['loadavg_start']})", ""]
    if "kernel" in res:
        k = res["kernel"]
        lines += ["## 1. Loss + gradient, one evaluation", "",
                  "| implementation | median ms | min ms |", "|---|---:|---:|"]
        lines += [f"| {n} | {r['median_ms']:.1f} | {r['min_ms']:.1f} |"
                  for n, r in k["rows"].items()]
        r = k["ratios"]
        lines += ["", f"Best skdigit ({r['best_skdigit']}): "
                  f"**{r['vs_sklearn_float64']:.1f}x** sklearn float64, "
                  f"**{r['vs_sklearn_float32']:.1f}x** sklearn float32, "
                  f"{r['vs_two_matmuls_float32']:.1f}x two float32 matmuls. "
                  "Same dtype: skdigit dense float64 "
                  f"**{r['dense_float64_vs_sklearn_float64']:.1f}x** sklearn float64, "
                  "skdigit dense float32 "
                  f"**{r['dense_float32_vs_sklearn_float32']:.1f}x** sklearn float32.",
                  ""]
    if "fit" in res:
        f = res["fit"]
        lines += [f"## 2. Fit, C={f['C']} (sklearn tol=1e-4, skdigit tol="
                  f"{f['skdigit_tol']}, max_iter={f['max_iter']})", "",
                  "| input | library | solver | seconds | iterations | objective "
                  "| test accuracy |",
                  "|---|---|---|---:|---:|---:|---:|"]
        lines += [f"| {r['input']} | {r['library']} | {r['solver']} | "
                  f"{r['seconds']:.2f} | {r['n_iter']} | "
                  + ("n/a (deskewed features)" if r["objective"] is None
                     else f"{r['objective']:.10f}")
                  + f" | {r['test_accuracy']:.4f} |" for r in f["rows"]]
        r = f["ratios"]
        vs64 = r["vs_sklearn_dense_float64"]
        lines += ["", f"Fastest skdigit ({r['skdigit_best']}): "
                  + (f"**{vs64:.1f}x** sklearn dense float64, " if vs64 else "")
                  + f"**{r['vs_fastest_sklearn']:.1f}x** the fastest sklearn "
                  f"({r['fastest_sklearn']}); skdigit objective <= sklearn's: "
                  f"{r['objective_ok']}.", ""]
    if "workflows" in res:
        w = res["workflows"]
        lines += [f"## 3. Workflows ({w['n_samples']} training images)", "",
                  "| library | cv=3 'is it a 2' s | accuracy | GridSearchCV "
                  f"{len(w['grid']['C'])} C x deskew s | best score |",
                  "|---|---:|---:|---:|---:|"]
        lines += [f"| {r['library']} | {r['cv_binary_seconds']:.1f} | "
                  f"{r['cv_binary_accuracy']:.4f} | {r['gridsearch_seconds']:.1f} | "
                  f"{r['gridsearch_best_score']:.4f} |" for r in w["rows"]]
        lines += ["", f"Speed-up: cross_val_score **{w['ratios']['cv_binary']:.1f}x**, "
                  f"GridSearchCV **{w['ratios']['gridsearch']:.1f}x**.", ""]
    if "predict" in res:
        lines += ["## 4. Predict, memory, cold start", "",
                  "| predict | images/s |", "|---|---:|"]
        lines += [f"| {k} | {v:,.0f} |" for k, v in res["predict"].items()]
    if "memory" in res:
        lines += ["", "| fit memory | library | X MB | extra peak MB | peak / X |",
                  "|---|---|---:|---:|---:|"]
        lines += [f"| {r['input']} | {r['library']} | {r['X_MB']:.0f} | "
                  f"{r['extra_peak_MB']:.0f} | {r['peak_over_X']:.2f} |"
                  for r in res["memory"]]
    if "cold_start" in res:
        lines += ["", "| cold start (fresh process) | total s | import s | first fit s |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v['total_s']:.2f} | {v['import_s']:.2f} | "
                  f"{v['first_fit_s']:.2f} |" for k, v in res["cold_start"].items()]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run on a small subsample, to check that the script runs")
    parser.add_argument("--data-home", default=os.environ.get(
        "SKDIGIT_DATA_HOME", str(REPO_ROOT.parent / "shared" / "data" / "mnist")))
    parser.add_argument("--sections", default="kernel,fit,workflows,misc")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--skdigit-tol", type=float, default=1e-4,
                        help="tol of skdigit's fit (sklearn always runs tol=1e-4)")
    parser.add_argument("--workflow-samples", type=int, default=10_000)
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="n_jobs of the GridSearchCV (the same for both)")
    parser.add_argument("--output", default=None, help="JSON file to write")
    args = parser.parse_args(argv)
    sections = set(args.sections.split(","))
    quick = args.quick
    n_train, n_test = (1000, 500) if quick else (None, None)
    repeats = args.repeats or (3 if quick else 7)
    name, X8, y, Xt8, yt = load_data(args.data_home, n_train, n_test)
    res = {"meta": {
        "data": name, "n_train": int(X8.shape[0]), "n_features": int(X8.shape[1]),
        "quick": quick, "cpu_count": os.cpu_count(), "python": sys.version.split()[0],
        "platform": platform.platform(), "loadavg_start": os.getloadavg()[0],
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }}
    import numba
    import sklearn

    import skdigit
    res["meta"].update(versions={"skdigit": skdigit.__version__,
                                 "sklearn": sklearn.__version__,
                                 "numpy": np.__version__, "numba": numba.__version__})
    if "kernel" in sections:
        print("kernel ...", file=sys.stderr)
        res["kernel"] = bench_kernel(X8, y, repeats)
    if "fit" in sections:
        print("fit ...", file=sys.stderr)
        layouts = (["dense float32", "CSR float64"] if quick
                   else ["dense float64", "dense float32", "CSR float64"])
        res["fit"] = bench_fit(X8, y, Xt8, yt, 1.0, 1000, args.skdigit_tol, layouts)
    if "workflows" in sections:
        print("workflows ...", file=sys.stderr)
        nw = min(args.workflow_samples, X8.shape[0])
        Cs = [1.0] if quick else [0.01, 0.03, 0.1, 0.3, 1.0]
        res["workflows"] = bench_workflows(X8[:nw], y[:nw], Cs, args.n_jobs)
    if "misc" in sections:
        print("predict, memory, cold start ...", file=sys.stderr)
        res["predict"] = bench_predict(X8, y, Xt8, repeats)
        res["memory"] = bench_memory(
            X8, y, [("dense", "float32")] if quick
            else [("dense", "float32"), ("dense", "float64"), ("CSR", "float32")])
        res["cold_start"] = bench_cold_start(empty_cache=not quick)
    res["meta"]["loadavg_end"] = os.getloadavg()[0]
    table = markdown(res)
    print(table)
    out = Path(args.output) if args.output else (
        RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}{'-quick' if quick else ''}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=str))
    print(f"JSON written to {out}", file=sys.stderr)
    return res


if __name__ == "__main__":
    main()
