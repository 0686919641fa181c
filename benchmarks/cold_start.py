"""Cold start: a fresh interpreter imports skdigit and fits ``load_digits``
(:mod:`benchmarks.cold_child`), with ``NUMBA_CACHE_DIR`` pointing at an empty
folder, then again with the cache it filled."""

import os
import tempfile

from benchmarks.harness import run_child
from benchmarks.report import cell


def run(quick=False):
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        if quick:  # fill the cache untimed; time the warm start only
            run_child("cold_child", env=env)
        for label in (["warm cache"] if quick else ["empty cache", "warm cache"]):
            r = run_child("cold_child", env=env)
            rows.append({"cache": label, "total_s": r["wall_s"], "import_s": r["import_s"],
                         "first_fit_s": r["first_fit_s"]})
    return rows


def tables(res):
    return [{"title": "Cold start (fresh process: import skdigit, fit load_digits)",
             "header": ["numba cache", "total (s)", "import (s)", "first fit (s)"],
             "rows": [[r["cache"], f"{r['total_s']:.2f}", cell(r.get("import_s"), "{:.2f}"),
                       cell(r.get("first_fit_s"), "{:.2f}")] for r in res["rows"]],
             "notes": []}]
