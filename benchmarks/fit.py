"""A full fit at ``C=1``: scikit-learn's ``LogisticRegression(tol=1e-4)`` against
``DigitLogisticClassifier(tol=--skdigit-tol)`` on dense float64, dense float32
and CSR input: time, iterations, the shared objective, test accuracy.

One more row fits dense float32 with ``solver="lbfgs"`` (the kernel's gain
without the preconditioner's); the last is the default pipeline from uint8
(deskewed features: its objective is not comparable).
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

from benchmarks.harness import log, timed
from benchmarks.objective import model_objective
from skdigit import DigitLogisticClassifier, make_digit_pipeline

C, MAX_ITER, SKLEARN_TOL = 1.0, 1000, 1e-4


def run(data, options, quick=False):
    tol = options.skdigit_tol
    forms, test = data.forms(), data.forms(test=True)
    X64 = forms["dense float64"]
    layouts = (["dense float32", "CSR float64"] if quick
               else ["dense float64", "dense float32", "CSR float64"])
    rows = []

    def fit(label, model, layout):
        X = forms[layout]
        _, seconds = timed(model.fit, X, data.y)
        log(f"  fit {layout:14s} {label:22s} {seconds:8.2f} s")
        rows.append({
            "input": layout, "library": label, "seconds": seconds,
            "solver": getattr(model, "solver_", model.solver),
            "n_iter": int(np.max(model.n_iter_)),
            "objective": model_objective(model, X64, data.y, C),
            "test_accuracy": float(model.score(test[layout], data.yt))})

    for layout in layouts:
        fit("sklearn", LogisticRegression(C=C, max_iter=MAX_ITER, tol=SKLEARN_TOL), layout)
        fit("skdigit", DigitLogisticClassifier(C=C, max_iter=MAX_ITER, tol=tol), layout)
    fit("skdigit, solver=lbfgs",
        DigitLogisticClassifier(C=C, max_iter=MAX_ITER, tol=tol, solver="lbfgs"),
        "dense float32")
    pipeline = make_digit_pipeline(C=C, max_iter=MAX_ITER, tol=tol)
    _, seconds = timed(pipeline.fit, data.X8, data.y)
    clf = pipeline.named_steps["classifier"]
    rows.append({"input": "uint8 0-255", "library": "skdigit pipeline", "seconds": seconds,
                 "solver": clf.solver_, "n_iter": int(np.max(clf.n_iter_)),
                 "objective": None, "test_accuracy": float(pipeline.score(data.Xt8, data.yt))})
    return {"C": C, "max_iter": MAX_ITER, "skdigit_tol": tol, "sklearn_tol": SKLEARN_TOL,
            "rows": rows, "ratios": ratios(rows)}


def ratios(rows):
    sk = {r["input"]: r for r in rows if r["library"] == "sklearn"}
    ours = [r for r in rows if r["library"] == "skdigit"]
    best = min(ours, key=lambda r: r["seconds"])
    fastest_sk = min(sk.values(), key=lambda r: r["seconds"])
    same = {k: sk[k]["seconds"] / r["seconds"] for r in ours for k in sk if k == r["input"]}
    return {
        "same_input": same,
        "skdigit_best": best["input"],
        "vs_sklearn_dense_float64": (sk["dense float64"]["seconds"] / best["seconds"]
                                     if "dense float64" in sk else None),
        "vs_fastest_sklearn": fastest_sk["seconds"] / best["seconds"],
        "fastest_sklearn": fastest_sk["input"],
        "objective_ok": all(r["objective"] <= min(s["objective"] for s in sk.values())
                            * (1 + 1e-12) for r in ours),
    }


def tables(res):
    r = res["ratios"]
    vs64 = r.get("vs_sklearn_dense_float64")
    return [{
        "title": f"Full fit, C={res['C']:g} (scikit-learn tol={res['sklearn_tol']:g}, "
                 f"skdigit tol={res['skdigit_tol']:g}, max_iter={res['max_iter']})",
        "header": ["input", "library", "solver", "fit time (s)", "iterations", "objective",
                   "test accuracy"],
        "rows": [[x["input"], x["library"], x["solver"], f"{x['seconds']:.2f}",
                  str(x["n_iter"]),
                  "(deskewed features)" if x["objective"] is None else f"{x['objective']:.7f}",
                  f"{x['test_accuracy']:.4f}"] for x in res["rows"]],
        "notes": [f"Fastest skdigit ({r['skdigit_best']}): "
                  + (f"**{vs64:.1f}x** scikit-learn on dense float64, " if vs64 else "")
                  + f"**{r['vs_fastest_sklearn']:.1f}x** scikit-learn's fastest configuration "
                  f"({r['fastest_sklearn']}); skdigit's objective at or below scikit-learn's: "
                  f"{'yes' if r['objective_ok'] else 'no'}. Same input: "
                  + ", ".join(f"{k} **{v:.1f}x**" for k, v in r.get("same_input", {}).items())
                  + "."],
    }]
