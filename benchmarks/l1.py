"""L1 and elastic-net: ten classes, full MNIST in [0, 1], C=0.1, l1_ratio 1 and 0.5.

skdigit's ``DigitLogisticClassifier(l1_ratio=...)`` against scikit-learn's
``LogisticRegression(solver="saga", l1_ratio=...)`` at tol 1e-2 and 1e-3: fit
time, the shared objective, the fraction of exact zeros in ``coef_`` and test
accuracy, and each run's objective against the best of all runs. Skipped with
a note while ``DigitLogisticClassifier`` has no ``l1_ratio`` parameter.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

from benchmarks._ladder import Solver, run_all, time_to_target
from benchmarks.report import cell
from skdigit import DigitLogisticClassifier

C, L1_RATIOS, TOLS = 0.1, (1.0, 0.5), (1e-2, 1e-3)
TARGET_RTOL = 1e-4  # time to within this relative distance of the best objective of all runs


def supported():
    return "l1_ratio" in DigitLogisticClassifier().get_params()


def run(data, options, quick=False):
    if not supported():
        return {"skipped": "DigitLogisticClassifier has no l1_ratio parameter yet"}
    forms = data.forms()
    X32, X64 = forms["dense float32"], forms["dense float64"]
    test = data.forms(test=True)["dense float32"]

    def metrics(model, coef):
        return {"zero_fraction": float(np.mean(np.asarray(coef) == 0)),
                "test_accuracy": float(model.score(test, data.yt))}

    out = {"C": C, "settings": {}}
    for rho in L1_RATIOS:
        solvers = [
            Solver("scikit-learn saga, float64", (lambda r: lambda tol: LogisticRegression(
                solver="saga", l1_ratio=r, C=C, tol=tol, max_iter=1000))(rho),
                prepare=lambda X32, X64, y: (X64, y), peer=False),
            Solver("skdigit, float32", (lambda r: lambda tol: DigitLogisticClassifier(
                l1_ratio=r, C=C, tol=tol, max_iter=1000))(rho), peer=False),
        ]
        runs, notes = run_all(solvers, X32, X64, data.y, C=C, l1_ratio=rho, tols=TOLS,
                              budget_s=options.peer_budget, metrics=metrics)
        out["settings"][f"{rho:g}"] = {"runs": runs, "notes": notes}
    return out


def tables(res):
    out = []
    for rho, s in res["settings"].items():
        best = min(r["objective"] for r in s["runs"]) if s["runs"] else None
        out.append({
            "title": f"Ten classes, C={res['C']:g}, l1_ratio={rho}",
            "header": ["solver", "tol", "fit time (s)", "objective", "gap to the best run",
                       "exact zeros in coef_", "test accuracy"],
            "rows": [[r["solver"], f"{r['tol']:g}", f"{r['seconds']:.2f}",
                      f"{r['objective']:.7f}", f"{r['objective'] - best:.2e}",
                      f"{r['zero_fraction']:.1%}", f"{r['test_accuracy']:.4f}"]
                     for r in s["runs"]],
            "notes": [_time_to_target(s["runs"], best)] + s["notes"]})
    return out


def _time_to_target(runs, best):
    target = best * (1 + TARGET_RTOL)
    hits = time_to_target(runs, target)
    return f"Time to objective <= {target:.7f} (the best run + {TARGET_RTOL:g} relative): " + ", ".join(
        f"{k} {cell(r['seconds'], '{:.2f} s') if r['reached'] else 'not reached'}"
        for k, r in hits.items()) + "."
