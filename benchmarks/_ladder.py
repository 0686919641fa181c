"""Time to an objective: fit a solver at a sequence of tolerances and keep every run.

Shared by the peers and L1 sections. A solver is a :class:`Solver`; its ladder
stops at the first run whose objective is at or below the target, or after a
run that took longer than the budget. The time to the target is the fit time
of that first run (nothing interpolated).
"""

import os
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from benchmarks.harness import log, missing, timed
from benchmarks.objective import objective


@dataclass
class Solver:
    """One configuration of one library.

    ``make(tol)`` returns an unfitted estimator, ``prepare(X32, X64, y)`` the
    ``(X, y)`` it is fitted on (dtype, dask array...), ``coef(model)`` its
    ``(coef, intercept)`` in scikit-learn's layout over all features.
    """

    name: str
    make: Callable
    prepare: Callable = lambda X32, X64, y: (X32, y)
    coef: Callable = lambda m: (m.coef_, m.intercept_)
    requires: tuple = ()
    peer: bool = True
    extra: dict = field(default_factory=dict)


def ladder(solver, X32, X64, y, *, C, l1_ratio=0.0, tols, target=None, budget_s=300.0,
           metrics=None):
    """Every run of ``solver`` along ``tols``: a list of row dicts."""
    X, y_fit = solver.prepare(X32, X64, y)
    warm, y_warm = solver.prepare(X32[:300], X64[:300], y[:300])
    with warnings.catch_warnings():  # imports, compilation, thread pools: untimed
        warnings.simplefilter("ignore")
        solver.make(tols[0]).fit(warm, y_warm)
    runs = []
    for tol in tols:
        model = solver.make(tol)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a loose tol may not converge: that is the point
            _, seconds = timed(model.fit, X, y_fit)
        coef, intercept = solver.coef(model)
        run = {"solver": solver.name, "tol": tol, "seconds": seconds,
               "objective": objective(X64, y, coef, intercept, C, l1_ratio=l1_ratio),
               **(metrics(model, coef) if metrics else {})}
        log(f"  {solver.name:40s} tol={tol:g} {seconds:8.2f} s  {run['objective']:.7f}")
        runs.append(run)
        if (target is not None and run["objective"] <= target) or seconds > budget_s:
            break
    return runs


def run_all(solvers, X32, X64, y, **kwargs):
    """Ladders of the installed solvers; ``(runs, notes)`` (a note per skipped one)."""
    runs, notes = [], []
    for solver in solvers:
        absent = missing(*solver.requires)
        if absent:
            notes.append(f"{solver.name}: skipped ({absent} is not installed; "
                         "pip install skdigit[bench])")
            continue
        try:
            runs += ladder(solver, X32, X64, y, **kwargs)
        except Exception as exc:  # a peer's failure is a finding, not a crash
            notes.append(f"{solver.name}: failed ({type(exc).__name__}: {exc})")
    return runs, notes


def time_to_target(runs, target):
    """Per solver: the first run at or below ``target`` (or its best run, not reached)."""
    out = {}
    for r in runs:
        best = out.get(r["solver"])
        if best is not None and best["reached"]:
            continue
        if r["objective"] <= target:
            out[r["solver"]] = {**r, "reached": True}
        elif best is None or r["objective"] < best["objective"]:
            out[r["solver"]] = {**r, "reached": False}
    return out


def n_threads():
    return os.cpu_count() or 1


def dense32(X32, X64, y):
    return np.ascontiguousarray(X32), y
