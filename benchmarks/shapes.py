"""Data of any shape: wide dense, text-like CSR, many classes, and the CV estimator.

Issue 28's shapes: L1 on 200 x 20,000 dense float32 and on 2,000 x 100,000 CSR,
``DigitLogisticClassifierCV`` (L2, ``Cs=2, cv=2``) on 200 x 10,000, and 20,000 x
100,000 CSR with 20 classes and about 100 non-zeros a row under L2, L1, the
elastic net and the CV estimator. Each fit runs in a fresh process
(:mod:`benchmarks.shapes_child`, which makes the data and measures the peak
resident memory of the fit alone) against scikit-learn's ``LogisticRegression``
(``lbfgs`` for L2, ``saga`` otherwise) or ``LogisticRegressionCV`` at its
default ``tol``; skdigit runs at ``tol=1e-4`` and, where its objective is
above scikit-learn's, at tighter ones (:data:`LADDER`). The target: within 2x
of scikit-learn's time, at most 2x its peak memory, to an equal or lower
objective. "peak" is the process's peak resident memory (imports and the
data included; the warm-up fit's freed memory given back to the system first,
:func:`benchmarks.shapes_child.release_freed`), "fit's own" what the fit added
to it. ``--quick`` runs smaller
shapes of the same kinds; ``SKDIGIT_SHAPES=0,1,2`` runs only those of
:data:`CASES`. ``SKDIGIT_SHAPES_REFERENCE=FILE`` takes scikit-learn's rows
from ``FILE`` (``{case name: the child's JSON line}``, written by
``python -m benchmarks.shapes_child CASE sklearn 1e-4``) instead of running
them: saga on the 20-class CSR shapes takes a quarter of an hour, so it can
run beforehand, beside other work; the tables say so.
"""

import json

from benchmarks.harness import log, run_child
from benchmarks.report import cell

LADDER = (1e-4, 1e-5, 1e-6)


def _case(name, n, p, k, layout, rho, *, dtype="float64", nnz_row=None, estimator="fit",
          C=1.0):
    return {"name": name, "n_samples": n, "n_features": p, "n_classes": k, "layout": layout,
            "dtype": dtype, "nnz_row": nnz_row, "l1_ratio": rho, "estimator": estimator,
            "C": C, "Cs": 2, "cv": 2}


CASES = [
    _case("L1, wide dense float32", 200, 20_000, 2, "dense", 1.0, dtype="float32", C=0.1),
    _case("L1, text-like CSR", 2_000, 100_000, 2, "csr", 1.0, nnz_row=100),
    _case("CV (L2, Cs=2, cv=2), wide dense", 200, 10_000, 2, "dense", 0.0, estimator="cv"),
    _case("L2, CSR, 20 classes", 20_000, 100_000, 20, "csr", 0.0, nnz_row=100),
    _case("L1, CSR, 20 classes", 20_000, 100_000, 20, "csr", 1.0, nnz_row=100),
    _case("elastic net 0.5, CSR, 20 classes", 20_000, 100_000, 20, "csr", 0.5, nnz_row=100),
    _case("CV (L2, Cs=2, cv=2), CSR, 20 classes", 20_000, 100_000, 20, "csr", 0.0,
          nnz_row=100, estimator="cv"),
]
QUICK_CASES = [
    _case("L1, wide dense float32", 200, 5_000, 2, "dense", 1.0, dtype="float32", C=0.1),
    _case("L1, text-like CSR", 1_000, 20_000, 2, "csr", 1.0, nnz_row=50),
    _case("CV (L2, Cs=2, cv=2), wide dense", 200, 3_000, 2, "dense", 0.0, estimator="cv"),
    _case("L1, CSR, 20 classes", 2_000, 20_000, 20, "csr", 1.0, nnz_row=50),
    _case("elastic net 0.5, CSR, 20 classes", 2_000, 20_000, 20, "csr", 0.5, nnz_row=50),
]


def run(quick=False):
    out = []
    reference = _reference()
    for case in QUICK_CASES if quick else _selected(CASES):
        spec = json.dumps(case)
        log(f"  shapes: {case['name']} ({case['n_samples']:,} x {case['n_features']:,})")
        if case["name"] in reference:
            theirs = {**reference[case["name"]], "separate_run": True}
        else:
            theirs = run_child("shapes_child", spec, "sklearn", 1e-4)
        runs = [{"library": "scikit-learn", "tol": 1e-4, **theirs}]
        for tol in LADDER[:1] if quick else LADDER:
            ours = run_child("shapes_child", spec, "skdigit", tol)
            runs.append({"library": f"skdigit ({ours['solver']})", "tol": tol, **ours})
            if ours["objective"] <= theirs["objective"] * (1 + 1e-9):
                break
        out.append({"case": case, "runs": runs})
    return {"rows": out}


def _reference():
    """scikit-learn's runs given in ``$SKDIGIT_SHAPES_REFERENCE``: ``{case name: run}``."""
    import os
    from pathlib import Path

    path = os.environ.get("SKDIGIT_SHAPES_REFERENCE")
    return json.loads(Path(path).read_text()) if path else {}


def _selected(cases):
    """The cases named in ``$SKDIGIT_SHAPES`` (comma-separated indices), else all."""
    import os

    chosen = os.environ.get("SKDIGIT_SHAPES")
    if not chosen:
        return cases
    return [cases[int(i)] for i in chosen.split(",")]


def tables(res):
    tabs = []
    for item in res["rows"]:
        case, runs = item["case"], item["runs"]
        ref = runs[0]
        tabs.append({
            "title": (f"{case['name']}: {case['n_samples']:,} x {case['n_features']:,} "
                      f"{case['layout']} {case['dtype']}, {case['n_classes']} classes"),
            "header": ["library", "tol", "fit (s)", "time / sklearn", "peak (MB)",
                       "peak / sklearn", "fit's own (MB)", "C", "objective", "iterations"],
            "rows": [[r["library"], f"{r['tol']:g}", f"{r['seconds']:.2f}",
                      f"{r['seconds'] / ref['seconds']:.2f}",
                      f"{r['peak'] / 2**20:.0f}", f"{r['peak'] / ref['peak']:.2f}",
                      f"{r['extra_peak'] / 2**20:.0f}",
                      f"{r['C']:.3g}", f"{r['objective']:.7f}", cell(r.get("n_iter"), "{}")]
                     for r in runs],
            "notes": (["scikit-learn's row comes from a separate run of its child "
                       "(``SKDIGIT_SHAPES_REFERENCE``), on the same data, at "
                       f"{ref['started']}, load {ref['load']}."]
                      if ref.get("separate_run") and "started" in ref else []),
        })
    if res.get("note") and tabs:  # e.g. the cases that did not finish
        tabs[-1]["notes"].append(res["note"])
    return tabs
