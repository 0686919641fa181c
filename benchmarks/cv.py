"""Tuning C: DigitLogisticClassifierCV against LogisticRegressionCV and GridSearchCV.

Ten classes on the first ``--workflow-samples`` training images (float32,
scaled to [0, 1]), ``Cs=10`` (scikit-learn's grid ``np.logspace(-4, 4, 10)``),
5-fold stratified cross-validation, accuracy: the fit time of each and its
best mean validation score. With ``--cv-full``, the same on all 60,000
images, for L2 and for ``l1_ratio=1`` (scikit-learn's L1 CV needs ``saga``:
one fold of it is timed, the whole is too slow to run).
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from benchmarks.harness import log, timed
from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV
from skdigit.linear_model import logistic_regression_path

N_CS, N_FOLDS = 10, 5


def _contenders(Cs, cv, l1_ratio):
    yield "skdigit DigitLogisticClassifierCV", lambda: DigitLogisticClassifierCV(
        Cs=Cs, cv=cv, l1_ratios=(l1_ratio,))
    yield "skdigit under GridSearchCV", lambda: GridSearchCV(
        DigitLogisticClassifier(l1_ratio=l1_ratio), {"C": list(Cs)}, cv=cv)
    if l1_ratio == 0:
        yield "scikit-learn LogisticRegressionCV", lambda: LogisticRegressionCV(
            Cs=Cs, cv=cv, l1_ratios=(0.0,), scoring="accuracy",
            use_legacy_attributes=False)


def _best(model):
    if isinstance(model, GridSearchCV):
        return float(model.best_score_), float(model.best_params_["C"])
    return float(model.scores_.mean(axis=0).max()), float(model.C_)


def _compare(X, y, l1_ratio):
    cv = StratifiedKFold(N_FOLDS)
    Cs = np.logspace(-4, 4, N_CS) if l1_ratio == 0 else None
    if Cs is None:  # the L1 grid starts where every weight is zero (no fit: max_iter=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            _, Cs, _ = logistic_regression_path(X, y, Cs=N_CS, l1_ratio=l1_ratio, max_iter=0)
    rows = []
    for name, make in _contenders(Cs, cv, l1_ratio):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model, seconds = timed(make().fit, X, y)
        score, C = _best(model)
        rows.append({"name": name, "seconds": seconds, "best_score": score, "best_C": C})
        log(f"  cv {name}: {seconds:.1f} s, best {score:.4f} at C={C:.4g}")
    return {"Cs": [float(c) for c in Cs], "rows": rows}


def _saga_one_fold(X, y, Cs):
    """One fold of scikit-learn's L1 path with saga (warm-started as its CV does)."""
    train = next(StratifiedKFold(N_FOLDS).split(X, y))[0]
    model = LogisticRegression(solver="saga", l1_ratio=1.0, warm_start=True, max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, seconds = timed(lambda: [model.set_params(C=C).fit(X[train], y[train]) for C in Cs])
    return seconds


def run(data, options, quick=False):
    n = 2_000 if quick else min(options.workflow_samples, data.X8.shape[0])
    X = (data.X8[:n] / np.float32(255)).astype(np.float32)
    out = {"n_samples": n, "Cs": N_CS, "folds": N_FOLDS,
           "subset": {"l2": _compare(X, data.y[:n], 0.0)}}
    if getattr(options, "cv_full", False) and not quick:
        X = (data.X8 / np.float32(255)).astype(np.float32)
        full = {"l2": _compare(X, data.y, 0.0), "l1": _compare(X, data.y, 1.0)}
        full["l1"]["saga_one_fold_seconds"] = _saga_one_fold(X, data.y, full["l1"]["Cs"])
        out["full"] = full
    return out


def _table(title, res):
    rows = res["rows"]
    ours = rows[0]
    notes = []
    for other in rows[1:]:
        notes.append(f"{ours['name']} is **{other['seconds'] / ours['seconds']:.1f}x** faster "
                     f"than {other['name']} (best score {ours['best_score']:.4f} against "
                     f"{other['best_score']:.4f}).")
    if "saga_one_fold_seconds" in res:
        notes.append(f"scikit-learn's L1 path with saga: one fold of {N_FOLDS} took "
                     f"{res['saga_one_fold_seconds']:.0f} s (the whole CV was not run).")
    return {"title": title,
            "header": ["", "fit time (s)", "best mean accuracy", "at C"],
            "rows": [[r["name"], f"{r['seconds']:.1f}", f"{r['best_score']:.4f}",
                      f"{r['best_C']:.4g}"] for r in rows],
            "notes": notes}


def tables(res):
    head = f"Tuning C: Cs={res['Cs']}, cv={res['folds']}"
    out = [_table(f"{head}, first {res['n_samples']:,} images, L2", res["subset"]["l2"])]
    for penalty, r in res.get("full", {}).items():
        out.append(_table(f"{head}, all 60,000 images, {penalty.upper()}", r))
    return out
