"""The benchmark suite runs (smoke runs on a subsample; no timing is asserted)."""

import sys
import json
import types
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not installed

from benchmarks import harness, report
from benchmarks._ladder import Solver, ladder, time_to_target

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_runs_and_writes_json(tmp_path, capsys):
    out = tmp_path / "quick.json"
    # children: see the next test; l1 (saga on 2,000 images is slow): see its own test
    harness.main(["--quick", "--sections", "kernel,fit,scattering", "--output", str(out)])
    printed = capsys.readouterr().out
    assert "Loss + gradient" in printed and "Full fit" in printed
    res = json.loads(out.read_text())
    assert {"meta", "kernel", "fit", "scattering"} <= set(res)
    assert res["meta"]["quick"] is True
    assert any(r["implementation"].startswith("skdigit") for r in res["kernel"]["rows"])
    solvers = {r["library"]: r["solver"] for r in res["fit"]["rows"]}
    assert set(solvers) == {"sklearn", "skdigit", "skdigit, solver=lbfgs", "skdigit pipeline"}
    assert solvers["sklearn"] == "lbfgs" and solvers["skdigit, solver=lbfgs"] == "lbfgs"
    assert solvers["skdigit"] in {"lbfgs", "preconditioned-lbfgs"}


def test_children_run_as_modules():
    r = harness.run_child("cold_child")
    assert r["import_s"] > 0 and r["first_fit_s"] > 0 and r["wall_s"] >= r["import_s"]


def test_sections_option_is_checked():
    assert harness.parse_args(["--sections", "misc"]).sections == [
        "predict", "memory", "cold_start"]
    with pytest.raises(SystemExit):
        harness.parse_args(["--sections", "kernal"])


def test_a_section_returning_a_list_renders_as_a_table(monkeypatch):
    """The interface of benchmarks.scattering: ``run(quick=False) -> list[dict]``."""
    module = types.SimpleNamespace(run=lambda quick=False: [{"features": 4000, "s": 1.5}])
    monkeypatch.setitem(__import__("sys").modules, "benchmarks.fake", module)
    result = harness.run_section("fake", {"quick": True, "data": None})
    text = report.markdown({"meta": {}, "fake": result})
    assert "| features | s |" in text and "| 4000 | 1.5 |" in text


def test_missing_peer_is_skipped_with_a_note():
    import numpy as np

    from benchmarks._ladder import run_all

    X = np.random.default_rng(0).random((20, 3))
    runs, notes = run_all([Solver("nobody", None, requires=("no_such_module_xyz",))],
                          X.astype(np.float32), X, np.arange(20) % 2, C=1.0, tols=(1e-2,))
    assert runs == [] and "no_such_module_xyz is not installed" in notes[0]


def test_ladder_stops_at_the_target_and_reports_the_first_run_below():
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.random((200, 4))
    y = (X[:, 0] + 0.3 * rng.random(200) > 0.6).astype(int)
    solver = Solver("sklearn", lambda tol: LogisticRegression(tol=tol, max_iter=1000),
                    prepare=lambda X32, X64, y: (X64, y))
    runs = ladder(solver, X.astype(np.float32), X, y, C=1.0, tols=(1e-1, 1e-4, 1e-8, 1e-10),
                  target=-1.0)  # unreachable: the whole ladder runs
    assert [r["tol"] for r in runs] == [1e-1, 1e-4, 1e-8, 1e-10]
    target = runs[2]["objective"]
    first = next(r for r in runs if r["objective"] <= target)
    assert time_to_target(runs, target)["sklearn"] == {**first, "reached": True}
    stopped = ladder(solver, X.astype(np.float32), X, y, C=1.0, tols=(1e-1, 1e-4, 1e-8),
                     target=runs[0]["objective"] + 1.0)
    assert len(stopped) == 1


def test_published_results_page_is_generated_from_its_json(tmp_path):
    base = REPO_ROOT / "docs" / "user_guide" / "performance_results"
    res = json.loads(base.with_suffix(".json").read_text())
    assert report.rst(res) == base.with_suffix(".inc").read_text()


def test_l1_section_times_skdigit_to_sagas_objective():
    """The L1 section's plumbing on small data: saga sets the target, skdigit reaches it."""
    import numpy as np
    from benchmarks import l1

    rng = np.random.default_rng(0)
    data = harness.Data(None)
    X8 = rng.integers(0, 256, size=(90, 8), dtype=np.uint8)
    y = rng.integers(0, 3, size=90)
    data.__dict__["_arrays"] = (X8[:60], y[:60], X8[60:], y[60:])
    res = l1.run(data, harness.parse_args([]))
    runs = res["settings"]["1"]["runs"]
    assert {r["solver"] for r in runs} == {"scikit-learn saga, float64", "skdigit, float32"}
    assert all(0 <= r["zero_fraction"] <= 1 and 0 <= r["test_accuracy"] <= 1 for r in runs)
    # skdigit's ladder stops at the first run that reaches saga's tol=1e-3 objective
    ours = [r for r in runs if r["solver"].startswith("skdigit")]
    assert ours[-1]["objective"] <= res["settings"]["1"]["target"]
    assert all(r["objective"] > res["settings"]["1"]["target"] for r in ours[:-1])
    assert "To saga's objective at tol=0.001" in report.markdown({"meta": {}, "l1": res})


def test_provenance_of_a_merged_run_is_a_table():
    """The runs a published page merges are a table, one row a run, not a paragraph."""
    res = json.loads(report.DOCS_RESULTS.with_suffix(".json").read_text())
    sources = res["meta"]["sources"]
    text = report.rst(res)
    assert ".. list-table::" in text.split(".. list-table:: ", 1)[0]
    for sections, run, load, note in sources:
        assert f"   * - {sections}" in text and f"     - {run}" in text
    assert "| sections | run | load average | note |" in report.markdown(res)
    first = text.split("\n\n")[2]  # the sentence that says what ran
    assert len(first) < 400


def test_shapes_takes_scikit_learns_rows_from_a_reference_file(tmp_path, monkeypatch):
    """``SKDIGIT_SHAPES_REFERENCE``: scikit-learn's child is not run for a case
    the file has, its row is the file's, and the table says where it comes from."""
    from benchmarks import shapes

    case = shapes.CASES[1]
    theirs = {"seconds": 10.0, "X_bytes": 1, "extra_peak": 2**20, "peak": 100 * 2**20,
              "C": 1.0, "objective": 0.7, "n_iter": 100, "solver": None,
              "started": "2026-12-07 00:00 UTC", "load": "1.0"}
    (tmp_path / "ref.json").write_text(json.dumps({case["name"]: theirs}))
    monkeypatch.setenv("SKDIGIT_SHAPES_REFERENCE", str(tmp_path / "ref.json"))
    monkeypatch.setenv("SKDIGIT_SHAPES", "1")
    calls = []

    def child(module, spec, lib, tol):
        calls.append(lib)
        return {**theirs, "seconds": 1.0, "objective": 0.6, "n_iter": 10,
                "solver": "proximal-qn"}

    monkeypatch.setattr(shapes, "run_child", child)
    res = shapes.run()
    assert calls == ["skdigit"]
    (table,) = shapes.tables(res)
    assert table["rows"][0][:3] == ["scikit-learn", "0.0001", "10.00"]
    assert table["rows"][1][3] == "0.10"
    assert "separate run" in table["notes"][0] and "2026-12-07 00:00 UTC" in table["notes"][0]


def test_kernel_features_section_chooses_C_on_training_rows_only():
    """Issue 27's section on small data: every setting is scored on held-out training
    rows; only the linear baseline and the best kernel setting reach the test set."""
    import numpy as np
    from benchmarks import kernel_features

    rng = np.random.default_rng(0)
    data = harness.Data(None)
    X8 = rng.integers(0, 256, size=(400, 784), dtype=np.uint8)
    y = rng.integers(0, 3, size=400)
    data.__dict__["_arrays"] = (X8[:300], y[:300], X8[300:], y[300:])
    res = kernel_features.run(data, quick=True)
    kinds = [(r["kind"], r["scale"]) for r in res["rows"]]
    assert kinds[:3] == [("linear", 0.0)] * 3
    assert {("rbf", 0.0), ("nystroem", 0.0), ("rbf", 10.0)} <= set(kinds)
    assert all("test" not in r and 0 <= r["heldout"] <= 1 for r in res["rows"])
    baseline, best = res["test"]
    assert baseline["kind"] == "linear" and best["kind"] != "linear"
    assert best["heldout"] == max(r["heldout"] for r in res["rows"][3:])
    assert 0 <= best["test"] <= 1
    text = report.markdown({"meta": {}, "kernel_features": res})
    assert "C chosen on held-out training images" in text and "test accuracy" in text
    # make_digit_pipeline(features="kernel") end to end, in its own process
    pipeline = res["pipeline"]
    assert pipeline["solver"] in ("lbfgs", "preconditioned-lbfgs")
    assert 0 <= pipeline["test_accuracy"] <= 1 and pipeline["stored_bytes"] > 0
    assert pipeline["peak_bytes"] > 0 and pipeline["predict_one_ms"] > 0
    assert 'make_digit_pipeline(features="kernel") end to end' in text


def test_cold_start_renders_the_app_first_page_table():
    from benchmarks import cold_start

    res = {"rows": [], "app": {"rows": [
        {"cache": "empty cache", "server_s": 3.46, "ready_s": 6.78, "returncode": 0},
        {"cache": "warm cache", "server_s": 3.03, "ready_s": 6.75, "returncode": 0}],
        "notes": []}}
    (table,) = [t for t in cold_start.tables(res) if "skdigit app" in t["title"]]
    assert table["title"] == "First page of `skdigit app` after installing"
    assert table["header"] == ["numba cache", "server answers (s)", "first page ready (s)"]
    assert table["rows"] == [["empty cache", "3.5", "6.8"], ["warm cache", "3.0", "6.8"]]
    assert cold_start.APP_READY_CRITERION in table["notes"][0]
    text = report.markdown({"meta": {}, "cold_start": res})
    assert "| empty cache | 3.5 | 6.8 |" in text and "Handwritten digit recognizer" in text

    skipped = {"rows": [], "app": {"rows": [], "notes": ["Skipped: Chromium not found."]}}
    (table,) = [t for t in cold_start.tables(skipped) if "skdigit app" in t["title"]]
    assert table["rows"] == [] and table["notes"][-1] == "Skipped: Chromium not found."


def test_cold_start_times_the_app_first_page_in_chromium():
    """Runs ``app_runs`` (two starts of ``skdigit app``, about 20 s); no time is asserted."""
    pytest.importorskip("streamlit")
    pytest.importorskip("websocket")
    from benchmarks import cold_start

    if cold_start._chromium().find_chromium() is None:
        pytest.skip("Chromium not found (apt-get install -y chromium)")
    res = cold_start.app_runs()
    assert res["notes"] == []
    assert [r["cache"] for r in res["rows"]] == ["empty cache", "warm cache"]
    for row in res["rows"]:
        assert 0 < row["server_s"] < row["ready_s"]
        assert row["returncode"] == 0  # SIGTERM to the launcher stopped the server
