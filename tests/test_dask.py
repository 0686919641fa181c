"""Fitting on Dask arrays: the DaskLayout, lazy predictions, distributed, out of core."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

from skdigit import DigitLogisticClassifier
from skdigit.linear_model._layout_dask import DaskLayout, is_held, tree_reduce
from skdigit.linear_model._layouts import is_dask_array, make_layout

REPO = Path(__file__).resolve().parents[1]
RTOL = 1e-6


def _rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _fit(X, y, sample_weight=None, **params):
    params = {"tol": 1e-10, "max_iter": 5000, "C": 0.5, **params}
    return DigitLogisticClassifier(**params).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("solver", ["lbfgs", "preconditioned-lbfgs"])
@pytest.mark.parametrize("binary", [False, True])
def test_fit_equals_numpy_fit_threaded(digits, solver, binary):
    X, y = digits
    y = (y == 2).astype(int) if binary else y
    Xd = da.from_array(X, chunks=(400, -1))
    with dask.config.set(scheduler="threads"):
        got = _fit(Xd, y, solver=solver)
    want = _fit(X, y, solver=solver)
    for name in ("coef_", "intercept_"):
        rtol = RTOL
        if solver == "lbfgs" and not binary:
            # Plain L-BFGS-B on ten classes stops on its relative-decrease rule
            # (64 eps) before tol=1e-10 holds: NumPy fits that only sum in another
            # order (n_jobs) differ as much; the Dask fit must stay within that.
            spread = max(_rel(getattr(_fit(X, y, solver=solver, n_jobs=n), name),
                              getattr(want, name)) for n in (1, 3))
            rtol = max(RTOL, 3 * spread)
        assert _rel(getattr(got, name), getattr(want, name)) < rtol, name
    np.testing.assert_array_equal(got.classes_, want.classes_)
    assert got.n_features_in_ == X.shape[1]


def test_weights_and_dask_targets(digits):
    X, y = digits
    rng = np.random.default_rng(0)
    sw = rng.uniform(0.0, 2.0, size=y.shape[0])
    Xd = da.from_array(X, chunks=(500, -1))
    yd, swd = da.from_array(y, chunks=500), da.from_array(sw, chunks=500)
    got = _fit(Xd, yd, sample_weight=swd, class_weight="balanced")
    want = _fit(X, y, sample_weight=sw, class_weight="balanced")
    assert _rel(got.coef_, want.coef_) < RTOL


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_and_integer_dtypes(digits):
    X, y = digits
    X32 = X.astype(np.float32)
    got = _fit(da.from_array(X32, chunks=(600, -1)), y, solver="preconditioned-lbfgs")
    want = _fit(X32, y, solver="preconditioned-lbfgs")
    assert got.coef_.dtype == np.float32
    assert _rel(got.coef_, want.coef_) < 1e-5  # float32 coefficients
    X8 = np.round(X * 16).astype(np.int64)
    got = _fit(da.from_array(X8, chunks=(600, -1)), y, max_iter=50, tol=1e-4)
    want = _fit(X8.astype(np.float64), y, max_iter=50, tol=1e-4)
    assert got.coef_.dtype == np.float64
    assert _rel(got.coef_, want.coef_) < 1e-4


@pytest.mark.parametrize("embed_max_bytes", [8 * 2**20, 0])  # W inside the tasks, or a key
def test_layout_sums_equal_numpy_layout(digits, embed_max_bytes, monkeypatch):
    from skdigit.linear_model import _layout_dask

    monkeypatch.setattr(_layout_dask, "EMBED_COEF_MAX_BYTES", embed_max_bytes)
    X, y = digits
    rng = np.random.default_rng(1)
    sw = rng.uniform(0.5, 1.5, size=y.shape[0])
    W, b = rng.normal(size=(10, 64)), rng.normal(size=10)
    local, chunked = make_layout(X), make_layout(da.from_array(X, chunks=(250, 16)))
    assert isinstance(chunked, DaskLayout) and chunked.n_chunks == 8 and not chunked.streams
    sums = []
    for layout in (local, chunked):
        gW, gb = np.empty_like(W), np.empty_like(b)
        loss = layout.loss_gradient_sums(y, sw, W, b, gW, gb, False, 1)
        sums.append((loss, gW, gb))
    for got, want in zip(sums[1], sums[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    m_local, m_dask = local.moments(sw), chunked.moments(sw)
    np.testing.assert_allclose(m_dask.second, m_local.second, rtol=1e-5)
    np.testing.assert_allclose(m_dask.first, m_local.first, rtol=1e-5)
    assert m_dask.total == pytest.approx(sw.sum())


def test_tree_reduce_order_and_depth():
    parts = [dask.delayed(i) for i in range(20)]
    assert dask.compute(tree_reduce(parts, lambda *a: list(a), fan_in=8))[0] == [
        [0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15], [16, 17, 18, 19]
    ]


def test_held_or_streamed():
    X = da.random.random((100, 4), chunks=30)
    assert not is_held(X)
    assert is_held(X.persist())
    assert make_layout(X).streams and not make_layout(X.persist()).streams


def test_lazy_predictions(digits):
    X, y = digits
    Xd = da.from_array(X, chunks=(500, -1))
    for yy in (y, (y == 2).astype(int)):
        clf = _fit(X, yy, tol=1e-4, max_iter=200)
        out = {
            "decision_function": clf.decision_function(Xd),
            "predict_proba": clf.predict_proba(Xd),
            "predict_log_proba": clf.predict_log_proba(Xd),
            "predict": clf.predict(Xd),
        }
        for name, lazy in out.items():
            assert is_dask_array(lazy), name
            np.testing.assert_allclose(lazy.compute(), getattr(clf, name)(X), rtol=1e-9,
                                       atol=1e-12, err_msg=name)
        score = clf.score(Xd, da.from_array(yy, chunks=500))
        assert is_dask_array(score)
        assert float(score) == pytest.approx(clf.score(X, yy))
        sw = np.linspace(0, 1, len(yy))
        assert float(clf.score(Xd, yy, sample_weight=sw)) == pytest.approx(
            clf.score(X, yy, sample_weight=sw))


def test_bad_input_messages(digits):
    X, y = digits
    Xd = da.from_array(X, chunks=(500, -1))
    with pytest.raises(ValueError, match="2-D Dask array"):
        DigitLogisticClassifier().fit(Xd.reshape(-1, 8, 8), y)
    with pytest.raises(ValueError, match=r"y must have shape \(1797,\)"):
        DigitLogisticClassifier().fit(Xd, y[:-1])
    with pytest.raises(ValueError, match="unknown length"):
        DigitLogisticClassifier().fit(Xd[Xd[:, 0] >= 0], y)
    bad = X.copy()
    bad[1500, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        DigitLogisticClassifier().fit(da.from_array(bad, chunks=(500, -1)), y)
    clf = _fit(X, y, tol=1e-3, max_iter=20)
    with pytest.raises(ValueError, match="fitted with 64 features"):
        clf.predict(Xd[:, :10])


def test_dask_dataframe_is_refused_with_advice(digits):
    dd = pytest.importorskip("dask.dataframe")
    X, y = digits
    frame = dd.from_dask_array(da.from_array(X, chunks=(500, -1)))
    with pytest.raises(TypeError, match="to_dask_array"):
        DigitLogisticClassifier().fit(frame, y)
    clf = _fit(X, y, tol=1e-3, max_iter=20)
    with pytest.raises(TypeError, match="to_dask_array"):
        clf.predict(frame)


def test_numpy_fit_does_not_import_dask():
    code = (
        "import sys\n"
        "from sklearn.datasets import load_digits\n"
        "from skdigit import DigitLogisticClassifier\n"
        "X, y = load_digits(return_X_y=True)\n"
        "DigitLogisticClassifier(max_iter=5).fit(X / 16, y).predict(X)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dask'))\n"
    )
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=REPO,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_out_of_core_zarr(digits, tmp_path):
    zarr = pytest.importorskip("zarr")
    X, y = digits
    store = tmp_path / "X.zarr"
    z = zarr.open_array(store, mode="w", shape=X.shape, chunks=(300, 64), dtype="float64")
    z[:] = X
    Xd = da.from_zarr(str(store))
    layout = make_layout(Xd)
    assert layout.streams and layout.n_chunks == 6
    got = _fit(Xd, y, solver="preconditioned-lbfgs")
    want = _fit(X, y, solver="preconditioned-lbfgs")
    assert _rel(got.coef_, want.coef_) < RTOL
    assert is_dask_array(got.predict(Xd))


# --- dask.distributed: a LocalCluster of two worker processes ------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    # The workers import skdigit from this checkout, as the test process does.
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), old]))
    try:
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        with cluster, distributed.Client(cluster) as c:
            yield c
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old


def _skdigit_file():
    import skdigit

    return os.path.realpath(skdigit.__file__)


# plain L-BFGS on "is it a 2" (tens of round trips), the preconditioned one on ten classes
@pytest.mark.parametrize("solver, binary", [("lbfgs", True), ("preconditioned-lbfgs", False)])
def test_fit_equals_numpy_fit_distributed(client, digits, solver, binary):
    import skdigit

    assert set(client.run(_skdigit_file).values()) == {os.path.realpath(skdigit.__file__)}
    X, y = digits
    y = (y == 2).astype(int) if binary else y
    Xd = da.from_array(X, chunks=(300, -1)).persist()
    got = _fit(Xd, y, solver=solver)
    want = _fit(X, y, solver=solver)
    assert _rel(got.coef_, want.coef_) < RTOL
    # the chunk layouts stay on the two workers: held there, never gathered
    layout = make_layout(Xd)
    assert not layout.streams
    held = client.who_has([r.key for r in layout._rows(y, np.ones(len(y)))[0]])
    assert {w for workers in held.values() for w in workers} <= set(client.nthreads())
    labels = got.predict(Xd)
    assert is_dask_array(labels)
    np.testing.assert_array_equal(labels.compute(), want.predict(X))


def _dealt(client, X, rows_per_chunk):
    """``X`` as a Dask array whose chunk ``i`` is held by worker ``i mod n``, as a
    balanced ``persist`` leaves them: ``(array, sorted worker addresses)``."""
    workers = sorted(client.nthreads())
    pieces = []
    for i, lo in enumerate(range(0, len(X), rows_per_chunk)):
        block = np.ascontiguousarray(X[lo:lo + rows_per_chunk])
        future = client.scatter(block, workers=[workers[i % len(workers)]])
        pieces.append(da.from_delayed(future, shape=block.shape, dtype=block.dtype))
    return da.concatenate(pieces).persist(), workers


def test_chunk_work_stays_where_each_chunk_is_held(client, digits):
    # The chunks dealt to the workers in turn: each chunk's layout, and the
    # task binding it to its labels and weights, run where the chunk is held
    # (a scheduler that took a layout for a few bytes would move it instead).
    from distributed import futures_of, wait

    X, y = digits
    Xd, workers = _dealt(client, X[:1200], 300)
    layout = make_layout(Xd)
    rows, groups = layout._rows(y[:1200], np.ones(1200))

    def holders(delayed_values):
        futures = [futures_of(d)[0] for d in delayed_values]
        wait(futures)
        who = client.who_has(futures)
        return [who[f.key] for f in futures]

    expected = [(workers[i % 2],) for i in range(4)]
    assert [tuple(w) for w in holders(layout._layouts)] == expected
    assert [tuple(w) for w in holders(rows)] == expected
    # one task per worker (one thread each) reads that worker's chunks
    assert groups == [[0, 2], [1, 3]]
    from distributed import get_task_stream

    W, b = np.zeros((10, 64)), np.zeros(10)
    gW, gb = np.empty_like(W), np.empty_like(b)
    with get_task_stream(client) as stream:
        layout.loss_gradient_sums(y[:1200], np.ones(1200), W, b, gW, gb, False, 1)
    ran = {}
    for task in stream.data:
        ran.setdefault(task["key"].split("-")[0].strip("('\""), []).append(task["worker"])
    assert sorted(ran["_chunk_sums"]) == workers  # each on the worker holding its chunks
    want_W, want_b = np.empty_like(W), np.empty_like(b)
    make_layout(X[:1200]).loss_gradient_sums(y[:1200], np.ones(1200), W, b,
                                             want_W, want_b, False, 1)
    np.testing.assert_allclose(gW, want_W, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gb, want_b, rtol=1e-12, atol=1e-12)


def test_holder_groups_one_task_per_worker_thread(digits):
    """A worker with two threads gets two tasks, each summing half its chunks."""
    distributed = pytest.importorskip("distributed")
    from skdigit.linear_model._layout_dask import holder_groups

    X, y = digits
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster):
        Xd = da.from_array(X[:1500], chunks=(300, -1)).persist()
        layout = make_layout(Xd)
        rows, groups = layout._rows(y[:1500], np.ones(1500))
        assert groups == holder_groups(rows) == [[0, 2, 4], [1, 3]]
        m = layout.moments(np.ones(1500))
        np.testing.assert_allclose(m.second, make_layout(X[:1500]).moments(np.ones(1500)).second,
                                   rtol=1e-6)
    # no distributed client: one group per chunk
    with dask.config.set(scheduler="threads"):
        threaded = make_layout(da.from_array(X[:1500], chunks=(300, -1)).persist())
        assert threaded._rows(y[:1500], np.ones(1500))[1] == [[i] for i in range(5)]


def test_holder_groups_cover_every_worker_of_a_bigger_cluster(digits):
    """Seven workers, one task each (some releases of distributed list only five
    workers in ``Client.scheduler_info``; the groups must not depend on it)."""
    distributed = pytest.importorskip("distributed")
    from skdigit.linear_model._layout_dask import holder_groups

    X, y = digits
    with distributed.LocalCluster(n_workers=7, threads_per_worker=1, processes=False,
                                  dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        Xd, _ = _dealt(client, X[:1400], 100)  # chunk i on worker i mod 7
        layout = make_layout(Xd)
        rows, groups = layout._rows(y[:1400], np.ones(1400))
        assert groups == holder_groups(rows)
        assert sorted(groups) == [[i, i + 7] for i in range(7)]  # one task per worker
        gW, gb = np.empty((10, X.shape[1])), np.empty(10)
        W, b = np.zeros((10, X.shape[1])), np.zeros(10)
        loss = layout.loss_gradient_sums(y[:1400], np.ones(1400), W, b, gW, gb, False, 1)
        eW, eb = np.empty_like(gW), np.empty_like(gb)
        expected = make_layout(X[:1400]).loss_gradient_sums(
            y[:1400], np.ones(1400), W, b, eW, eb, False, 1)
        np.testing.assert_allclose([loss, *gW.ravel(), *gb], [expected, *eW.ravel(), *eb],
                                   rtol=1e-9, atol=1e-9)  # gb sums to ~0 at W = 0


def test_grid_search_dask_backend(client, digits):
    import joblib
    from sklearn.model_selection import GridSearchCV

    X, y = digits
    grid = {"C": [0.01, 0.1, 1.0]}
    search = GridSearchCV(DigitLogisticClassifier(max_iter=300, n_jobs=1), grid, cv=3)
    from distributed import get_task_stream

    with get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
        search.fit(X, y)
    # the fits ran as tasks on the workers (joblib may batch several per task)
    assert len(stream.data) >= 1
    local = GridSearchCV(DigitLogisticClassifier(max_iter=300, n_jobs=1), grid, cv=3,
                         n_jobs=1).fit(X, y)
    assert search.best_params_ == local.best_params_
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])


def test_lazy_predictions_need_a_fitted_model(digits):
    from sklearn.exceptions import NotFittedError

    Xd = da.from_array(digits[0], chunks=(500, -1))
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(NotFittedError):
            getattr(DigitLogisticClassifier(), method)(Xd)


def test_l1_proximal_solver_on_dask(digits):
    """The proximal solver calls the same two layout methods: the same sparse fit."""
    X, y = digits
    Xd = da.from_array(X, chunks=(450, -1))
    got = _fit(Xd, y, l1_ratio=1.0, C=0.1, tol=1e-8)
    want = _fit(X, y, l1_ratio=1.0, C=0.1, tol=1e-8)
    assert got.solver_ == want.solver_ == "proximal-qn"
    np.testing.assert_array_equal(got.coef_ == 0, want.coef_ == 0)
    assert _rel(got.coef_, want.coef_) < 1e-5


def test_out_of_core_zarr_distributed(client, digits, tmp_path):
    """Workers stream the chunks from the store at every evaluation; none is kept."""
    zarr = pytest.importorskip("zarr")
    X, y = digits
    z = zarr.open_array(tmp_path / "X.zarr", mode="w", shape=X.shape, chunks=(450, 64),
                        dtype="float64")
    z[:] = X
    Xd = da.from_zarr(str(tmp_path / "X.zarr"))
    got = _fit(Xd, y, solver="preconditioned-lbfgs")
    want = _fit(X, y, solver="preconditioned-lbfgs")
    assert _rel(got.coef_, want.coef_) < RTOL
    layout = make_layout(Xd)
    W, b = np.zeros((10, 64)), np.zeros(10)
    layout.loss_gradient_sums(y, np.ones(len(y)), W, b, np.empty_like(W), np.empty_like(b),
                              False, 1)
    held = {str(k).split("-")[0] for keys in client.has_what().values() for k in keys}
    # the labels and weights stay on the workers; no chunk layout does
    assert layout.streams and "skdigit" in held and not held & {"_chunk_layout", "_Rows"}


# --- the CV estimator -----------------------------------------------------------


def _cv(X, y, **params):
    from skdigit import DigitLogisticClassifierCV

    params = {"Cs": 4, "cv": 3, "tol": 1e-8, "max_iter": 3000, **params}
    return DigitLogisticClassifierCV(**params).fit(X, y)


def _refuse_gathering(monkeypatch):
    """Fail if anything turns the whole Dask array into a NumPy one in this process."""
    def gathered(self, *args, **kwargs):
        if self.ndim == 2:  # the labels predicted for the held-out rows come here, X never
            raise AssertionError(f"a Dask array of shape {self.shape} was gathered")
        return np.asarray(self.compute(), *args[:1])

    monkeypatch.setattr(da.Array, "__array__", gathered)


@pytest.mark.parametrize("l1_ratios", [(0.0,), (0.0, 1.0)])
def test_cv_on_dask_equals_numpy_cv(digits, l1_ratios, monkeypatch):
    X, y = digits
    want = _cv(X, y, l1_ratios=l1_ratios)
    Xd = da.from_array(X, chunks=(400, -1))
    _refuse_gathering(monkeypatch)
    with dask.config.set(scheduler="threads"):
        got = _cv(Xd, da.from_array(y, chunks=400), l1_ratios=l1_ratios)
        assert is_dask_array(got.predict(Xd))
    assert (got.C_, got.l1_ratio_) == (want.C_, want.l1_ratio_)
    np.testing.assert_allclose(got.scores_, want.scores_)
    assert _rel(got.coef_, want.coef_) < 1e-4
    assert _rel(got.intercept_, want.intercept_) < 1e-4


def test_cv_on_dask_distributed(client, digits):
    X, y = digits
    Xd = da.from_array(X, chunks=(300, -1)).persist()
    Cs = [0.01, 0.1, 1.0]  # each fit converges in tens of iterations: each is a round trip
    got, want = _cv(Xd, y, Cs=Cs), _cv(X, y, Cs=Cs)
    assert got.C_ == want.C_
    np.testing.assert_allclose(got.scores_, want.scores_)
    assert _rel(got.coef_, want.coef_) < 1e-4


# --- faults: a worker dies, workers cannot run (issue 28) ---------------------------


@pytest.fixture
def fault_client():
    """A LocalCluster of two worker processes (with nannies) of its own: its workers
    are killed or paused."""
    distributed = pytest.importorskip("distributed")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), old]))
    try:
        # no memory limit: no memory monitor that would resume a worker paused here
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.CRITICAL, memory_limit=0,
        )
        with cluster, distributed.Client(cluster) as c:
            yield c
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old


def _after_evaluations(monkeypatch, n, action):
    """Run ``action()`` before the ``n``-th loss evaluation of a Dask fit."""
    real = DaskLayout.loss_gradient_sums
    count = [0]

    def evaluate(self, *args, **kwargs):
        count[0] += 1
        if count[0] == n:
            action()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(DaskLayout, "loss_gradient_sums", evaluate)


def _kill_worker(client, address):
    import signal
    import time

    pid = client.run(os.getpid, workers=[address])[address]
    os.kill(pid, signal.SIGKILL)
    time.sleep(1)  # the scheduler notices


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_worker_dying_with_scattered_chunks_is_a_clear_error(fault_client, digits,
                                                             monkeypatch):
    from skdigit.linear_model._dask_faults import DaskFitError

    X, y = digits
    Xd, workers = _dealt(fault_client, X, 300)
    _after_evaluations(monkeypatch, 3, lambda: _kill_worker(fault_client, workers[0]))
    with pytest.raises(DaskFitError, match=r"A Dask worker died \(or was restarted\) during "
                       r"the fit, and chunks of X it held were lost.*Client\.scatter.*lost "
                       r"dependencies.*from a graph.*fit again"):
        DigitLogisticClassifier(max_iter=100).fit(Xd, y)


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_worker_dying_with_persisted_chunks_recomputes_them(fault_client, digits,
                                                            monkeypatch):
    X, y = digits
    Xd = da.from_array(X, chunks=(300, -1)).persist()
    worker = sorted(fault_client.nthreads())[0]
    _after_evaluations(monkeypatch, 3, lambda: _kill_worker(fault_client, worker))
    got = _fit(Xd, y)
    assert _rel(got.coef_, _fit(X, y).coef_) < RTOL


def _pause_workers(client):
    from distributed.core import Status

    def pause(dask_worker):
        dask_worker.status = Status.paused  # as the memory monitor does, past its threshold

    client.run(pause)


def test_fit_that_cannot_progress_fails_instead_of_hanging(fault_client, digits, monkeypatch):
    import time

    from skdigit.linear_model import _dask_faults

    X, y = digits
    monkeypatch.setattr(_dask_faults, "STALL_TIMEOUT", 3.0)
    monkeypatch.setattr(_dask_faults, "_POLL", 0.2)
    Xd = da.from_array(X, chunks=(300, -1)).persist()
    _after_evaluations(monkeypatch, 2, lambda: _pause_workers(fault_client))
    start = time.monotonic()
    with pytest.raises(_dask_faults.DaskFitError, match=r"The fit made no progress for \d+ s: "
                       r"no Dask worker can run its tasks \(2 paused\).*pause threshold.*"
                       r"Give the workers more memory"):
        DigitLogisticClassifier(max_iter=100).fit(Xd, y)
    assert time.monotonic() - start < 30


def test_workers_dying_again_and_again_is_a_clear_error(digits):
    distributed = pytest.importorskip("distributed")
    from skdigit.linear_model._dask_faults import DaskFitError

    X, y = digits

    def die(block):  # a lazy chunk whose task kills its worker, each time it runs
        os._exit(1)

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
        with cluster, distributed.Client(cluster):
            # (meta given: dask must not call die here to infer it)
            Xd = da.from_array(X, chunks=(900, -1)).map_blocks(
                die, dtype=X.dtype, meta=np.empty((0, 0), X.dtype))
            with pytest.raises(DaskFitError, match=r"Dask workers died again and again "
                               r"while running a task of the fit.*memory limit"):
                DigitLogisticClassifier(max_iter=10).fit(Xd, y)


def test_fit_with_workers_paused_at_their_memory_limit_fails_instead_of_hanging(
        digits, monkeypatch):
    # distributed's own memory monitor pauses the workers: past 10 % of 1 GB, which
    # a worker passes once it has imported skdigit for its first task
    distributed = pytest.importorskip("distributed")
    from skdigit.linear_model import _dask_faults

    X, y = digits
    monkeypatch.setattr(_dask_faults, "STALL_TIMEOUT", 5.0)
    memory = {"distributed.worker.memory.pause": 0.1, "distributed.worker.memory.target": False,
              "distributed.worker.memory.spill": False,
              "distributed.worker.memory.terminate": False}
    old = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), old])))
    with dask.config.set(memory):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.CRITICAL, memory_limit="1GB",
        )
        with cluster, distributed.Client(cluster):
            Xd = da.from_array(X, chunks=(300, -1)).persist()
            with pytest.raises(_dask_faults.DaskFitError, match=r"no progress for \d+ s: no "
                               r"Dask worker can run its tasks \(2 paused\)"):
                DigitLogisticClassifier(max_iter=100).fit(Xd, y)
