"""The benchmark script runs (a smoke run on a subsample; no timing is asserted)."""

import json
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_runs_and_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    from benchmarks.run import main

    out = tmp_path / "quick.json"
    # cold start spawns fresh interpreters: left to the full run
    main(["--quick", "--sections", "kernel,fit,workflows", "--output", str(out)])
    printed = capsys.readouterr().out
    assert "## 1. Loss + gradient" in printed and "## 2. Fit" in printed
    res = json.loads(out.read_text())
    assert {"meta", "kernel", "fit", "workflows"} <= set(res)
    assert res["meta"]["quick"] is True
    assert any(k.startswith("skdigit") for k in res["kernel"]["rows"])
    assert {r["library"] for r in res["fit"]["rows"]} == {
        "sklearn", "skdigit", "skdigit, solver=lbfgs", "skdigit pipeline"}
    solvers = {r["library"]: r["solver"] for r in res["fit"]["rows"]}
    assert solvers["sklearn"] == "lbfgs"
    assert solvers["skdigit, solver=lbfgs"] == "lbfgs"
    assert solvers["skdigit"] in {"lbfgs", "preconditioned-lbfgs"}
    del sys.modules["benchmarks.run"]
