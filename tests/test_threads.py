"""The thread policy (skdigit.utils._threads): run_parts."""

import os
import threading

import numpy as np
import pytest

from skdigit.utils._threads import available_cpus, resolve_n_threads, row_ranges, run_parts


def test_run_parts_returns_results_in_order_and_runs_in_parallel():
    started, release = [], threading.Event()

    def part(k):
        started.append(k)
        if len(started) == 3:
            release.set()
        if k == 0:  # the caller's part: the others must start while it waits
            assert release.wait(timeout=10)
        return k * k

    assert run_parts(part, [(k,) for k in range(3)]) == [0, 1, 4]
    assert sorted(started) == [0, 1, 2]


def test_run_parts_one_part_runs_in_the_caller():
    seen = []
    assert run_parts(lambda: seen.append(threading.get_ident()) or 7, [()]) == [7]
    assert seen == [threading.get_ident()]
    assert run_parts(lambda: 1, []) == []


def test_run_parts_from_several_threads_at_once():
    # callers in several threads share the executor: no deadlock, no mixing
    results = {}

    def caller(c):
        results[c] = run_parts(lambda a, b: a + b, [(c, k) for k in range(4)])

    threads = [threading.Thread(target=caller, args=(c,)) for c in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == {c: [c + k for k in range(4)] for c in range(6)}


def test_run_parts_propagates_an_exception():
    def part(k):
        if k == 2:
            raise ValueError("part 2 failed")
        return k

    with pytest.raises(ValueError, match="part 2 failed"):
        run_parts(part, [(k,) for k in range(3)])
    assert run_parts(part, [(0,), (1,)]) == [0, 1]  # still usable


def test_row_ranges_cover_the_rows_in_order():
    for n_rows, n_parts in [(10, 3), (10, 4), (5, 8), (0, 2), (7, 1)]:
        ranges = row_ranges(n_rows, n_parts)
        assert len(ranges) == n_parts
        assert [i for lo, hi in ranges for i in range(lo, hi)] == list(range(n_rows))
    assert row_ranges(10, 4) == [(0, 3), (3, 6), (6, 9), (9, 10)]


# --- n_jobs far above the core count (issue 28) ------------------------------------


def _kernel_threads():
    return [t for t in threading.enumerate() if t.name.startswith("skdigit-kernel")]


def test_resolve_n_threads_is_capped_at_the_cpus_available(monkeypatch):
    from skdigit.utils import _threads

    assert 1 <= _threads.available_cpus() <= (os.cpu_count() or 1)
    monkeypatch.setattr(_threads, "available_cpus", lambda: 2)
    assert [resolve_n_threads(n) for n in (1, 2, 3, 1000, 20_000)] == [1, 2, 2, 2, 2]
    assert resolve_n_threads(None) <= 2 and resolve_n_threads(-1) <= 2


def test_available_cpus_follows_the_affinity(monkeypatch):
    from skdigit.utils import _threads

    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity here")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5})
    assert _threads.available_cpus() == 3


def test_run_parts_keeps_no_pool_sized_by_the_largest_request():
    n_cpus = available_cpus()
    assert run_parts(lambda k: k, [(k,) for k in range(200)]) == list(range(200))
    assert len(_kernel_threads()) <= n_cpus


def test_n_jobs_far_above_the_cores_fits_like_the_core_count(digits):
    from skdigit import DigitLogisticClassifier

    X, y = digits
    huge = DigitLogisticClassifier(n_jobs=1000, max_iter=20).fit(X, y)
    assert len(_kernel_threads()) <= available_cpus()
    capped = DigitLogisticClassifier(n_jobs=available_cpus(), max_iter=20).fit(X, y)
    np.testing.assert_array_equal(huge.coef_, capped.coef_)
