"""Predict throughput on the test set, images per second, float32 and float64."""

import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

from benchmarks.harness import interleaved
from skdigit import DigitLogisticClassifier


def run(data, repeats):
    X32 = data.forms()["dense float32"]
    test = data.forms(test=True)
    with warnings.catch_warnings():  # a short fit: only the coefficients' shape matters
        warnings.simplefilter("ignore")
        ours = DigitLogisticClassifier(max_iter=30).fit(X32, data.y)
        theirs = LogisticRegression(max_iter=30).fit(X32, data.y)
    fns = {f"{lib} {dt}": (lambda m, X: lambda: m.predict(X))(model, test[f"dense {dt}"])
           for lib, model in (("skdigit", ours), ("sklearn", theirs))
           for dt in ("float32", "float64")}
    for fn in fns.values():
        fn()
    times = interleaved(fns, repeats)
    n = data.Xt8.shape[0]
    return [{"model": k, "images_per_s": n / float(np.median(v))} for k, v in times.items()]


def tables(res):
    return [{"title": "Predict throughput (test set)", "header": ["model, input", "images/s"],
             "rows": [[r["model"], f"{r['images_per_s']:,.0f}"] for r in res["rows"]],
             "notes": []}]
