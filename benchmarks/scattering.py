"""Scattering section: skdigit's ``Scattering2D`` against kymatio's NumPy frontend.

``run(quick=False)`` times both on the same MNIST test digits (5,000; 200 with
``quick=True``), 28x28, J=2, L=8, float32 in [0, 1], in this process, repeats
interleaved, and returns rows ``{"name", "seconds", "ratio", "notes"}``:
``ratio`` is kymatio's median time over the row's (higher is faster; 1.0 for
kymatio itself). skdigit runs with numba's thread count as set (its groups of
images run on numba's threads) and once more with one thread, against
kymatio's single-threaded NumPy FFTs. One more row times building the filter bank (cold, then cached). Without
kymatio (``pip install kymatio``) only the skdigit rows are timed, with no ratio.

``python -m benchmarks.scattering [--quick]`` prints the rows as a table.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]


def _digits(n):
    """n MNIST test digits as float32 (n, 784) in [0, 1]; load_digits upscaled if absent."""
    import skdigit

    data_home = os.environ.get("SKDIGIT_DATA_HOME") or REPO_ROOT.parent / "shared/data/mnist"
    try:
        X, _ = skdigit.load_mnist(subset="test", data_home=data_home,
                                  return_X_y=True)
        source = "MNIST test"
    except Exception:  # a smoke run still works
        from sklearn.datasets import load_digits

        images = np.kron(load_digits().images, np.ones((3, 3)))
        X = np.pad(images, ((0, 0), (2, 2), (2, 2))).reshape(-1, 784) * (255 / 16)
        source = "load_digits upscaled to 28x28"
    X = np.resize(X, (n, 784))  # repeats images when fewer than n
    return (X / 255.0).astype(np.float32), source


def _kymatio():
    """kymatio's ScatteringNumPy2D, or None (its 0.3 top-level import needs a
    ``scipy.special.sph_harm`` that SciPy >= 1.17 removed: a stand-in, here only)."""
    try:
        import scipy.special

        if not hasattr(scipy.special, "sph_harm"):
            scipy.special.sph_harm = None
        from kymatio.scattering2d.frontend.numpy_frontend import ScatteringNumPy2D
    except ImportError:
        return None
    return ScatteringNumPy2D


def _time(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(quick=False, repeats=None):
    """Time the scattering transforms; return the rows (see the module docstring)."""
    import numba

    from skdigit import Scattering2D
    from skdigit.preprocessing._scattering_filters import scattering_filters
    from skdigit.utils._numba_cache import NUMPY_TWIN_BELOW

    n = 200 if quick else 5000
    repeats = repeats or (1 if quick else 3)
    X, source = _digits(n)
    images = X.reshape(-1, 28, 28)
    threads = numba.get_num_threads()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    scattering_filters.cache_clear()
    build = _time(lambda: scattering_filters((28, 28), 2, 8))
    cached = _time(lambda: scattering_filters((28, 28), 2, 8))
    ours = Scattering2D(J=2, L=8).fit(X[:1])
    # compile (or load from cache) the kernels: fewer images would run the NumPy twin
    ours.transform(X[:NUMPY_TWIN_BELOW])

    def one_thread():
        numba.set_num_threads(1)
        try:
            ours.transform(X)
        finally:
            numba.set_num_threads(threads)

    timed = {f"skdigit Scattering2D ({threads} threads)": lambda: ours.transform(X),
             "skdigit Scattering2D (1 thread)": one_thread}
    Kymatio = _kymatio()
    if Kymatio is not None:
        reference = Kymatio(J=2, shape=(28, 28), L=8)
        timed = {"kymatio ScatteringNumPy2D (NumPy frontend)":
                 lambda: reference.scattering(images), **timed}
    times = {name: [] for name in timed}
    for _ in range(repeats):  # interleaved: a load spike hits every row alike
        for name, fn in timed.items():
            times[name].append(_time(fn))

    base = statistics.median(times[next(iter(times))]) if Kymatio is not None else None
    notes = (f"{n:,} digits ({source}), 28x28, J=2, L=8, float32; median of {repeats}; "
             f"load average {load:.1f} at start")
    rows = []
    for name, values in times.items():
        seconds = statistics.median(values)
        rows.append({"name": name, "seconds": seconds,
                     "ratio": None if base is None else base / seconds, "notes": notes})
    rows.append({"name": "filter bank, 28x28, J=2, L=8 (built, then cached)",
                 "seconds": build, "ratio": None,
                 "notes": f"cached call: {cached * 1e6:.0f} us"})
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    rows = run(quick="--quick" in argv)
    print("| name | seconds | ratio | notes |\n|---|---:|---:|---|")
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        print(f"| {row['name']} | {row['seconds']:.3f} | {ratio} | {row['notes']} |")


if __name__ == "__main__":
    main()
