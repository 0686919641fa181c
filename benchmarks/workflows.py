"""Classic workflows on the first ``--workflow-samples`` training images, with the
pipeline Deskew -> PixelNormalizer -> classifier: ``cross_val_score(cv=3)`` of
"is it a 2", and ``GridSearchCV`` over C x deskew on / off (``--n-jobs``)."""

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline

from benchmarks.harness import log, timed
from benchmarks.report import cell
from skdigit import Deskew, DigitLogisticClassifier, PixelNormalizer, TargetBinarizer


def _pipe(clf):
    return Pipeline([("deskew", Deskew()), ("normalize", PixelNormalizer()),
                     ("classifier", clf)])


def run(data, options, quick=False):
    n = min(options.workflow_samples, data.X8.shape[0])
    X8, y = data.X8[:n], data.y[:n]
    Cs = [1.0] if quick else [0.01, 0.03, 0.1, 0.3, 1.0]
    grid = {"classifier__C": Cs, "deskew": ["passthrough", Deskew()]}
    y2 = TargetBinarizer(positive_label=2).fit_transform(y)
    rows = []
    for lib, make in (("sklearn", lambda: LogisticRegression(max_iter=1000)),
                      ("skdigit", lambda: DigitLogisticClassifier(max_iter=1000))):
        scores, t_cv = timed(cross_val_score, _pipe(make()), X8, y2, cv=3)
        search, t_gs = timed(GridSearchCV(_pipe(make()), grid, cv=3,
                                          n_jobs=options.n_jobs).fit, X8, y)
        rows.append({"library": lib, "cv_binary_seconds": t_cv,
                     "cv_binary_accuracy": float(scores.mean()),
                     "gridsearch_seconds": t_gs,
                     "gridsearch_best_score": float(search.best_score_),
                     "gridsearch_best_C": search.best_params_["classifier__C"],
                     "gridsearch_best_deskew": search.best_params_["deskew"] != "passthrough"})
        log(f"  workflows {lib}: cv {t_cv:.1f} s, grid {t_gs:.1f} s")
    sk, ours = rows
    return {"n_samples": n, "grid": {"C": Cs, "deskew": [0, 1]}, "rows": rows,
            "ratios": {"cv_binary": sk["cv_binary_seconds"] / ours["cv_binary_seconds"],
                       "gridsearch": sk["gridsearch_seconds"] / ours["gridsearch_seconds"]}}


def tables(res):
    r = res["ratios"]
    return [{
        "title": f"Workflows ({res['n_samples']:,} training images)",
        "header": ["library", "cross_val_score cv=3, is it a 2 (s)", "accuracy",
                   f"GridSearchCV {len(res['grid']['C'])} C x deskew (s)", "best score"],
        "rows": [[x["library"], cell(x.get("cv_binary_seconds"), "{:.1f}"),
                  cell(x.get("cv_binary_accuracy"), "{:.4f}"),
                  cell(x.get("gridsearch_seconds"), "{:.1f}"),
                  cell(x.get("gridsearch_best_score"), "{:.4f}")] for x in res["rows"]],
        "notes": [f"skdigit's speed-up: cross_val_score **{r['cv_binary']:.1f}x**, "
                  f"GridSearchCV **{r['gridsearch']:.1f}x**."],
    }]
