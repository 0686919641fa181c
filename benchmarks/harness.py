"""The benchmark harness: data, timing, child processes, sections, JSON.

A section is a module ``benchmarks.<name>`` with a function
``run(quick=False, **context)`` returning a list of row dicts, or a dict with
``rows`` (and any other JSON-able keys: ``ratios``, ``note``...), or
``{"skipped": "why"}``. The harness passes only the keywords its signature
names, out of:

``quick`` (bool, a smoke run on small data), ``data`` (:class:`Data`),
``repeats`` (int), ``options`` (the parsed command line).

A section may also define ``tables(result) -> list[dict]`` (see
:mod:`benchmarks.report`); without it its rows render as one table.
"""

import argparse
import importlib
import inspect
import json
import os
import platform
import socket
import subprocess
import sys
import time
from functools import cached_property
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SECTIONS = ("kernel", "fit", "workflows", "cv", "predict", "memory", "cold_start", "peers",
            "l1", "scattering", "wide", "shapes", "deform", "dask_fit",
            "infimnist", "infimnist_scattering", "onnx_export", "handwriting",
            "kernel_features")
DEFAULT_SECTIONS = ("kernel", "fit", "workflows", "predict", "memory", "cold_start")


def log(message):
    """Progress goes to standard error; standard output carries the report."""
    print(message, file=sys.stderr, flush=True)


class Data:
    """MNIST as uint8 (``X8, y, Xt8, yt``), loaded on first use.

    Falls back to ``load_digits`` scaled to 0-255 when MNIST is not in
    ``data_home``; ``n_train`` / ``n_test`` keep the first images (a smoke run).
    """

    def __init__(self, data_home, n_train=None, n_test=None):
        self.data_home, self.n_train, self.n_test = data_home, n_train, n_test
        self._forms = {}

    @cached_property
    def _arrays(self):
        import skdigit

        try:
            X, y = skdigit.load_mnist(subset="train", data_home=self.data_home,
                                      return_X_y=True)
            Xt, yt = skdigit.load_mnist(subset="test", data_home=self.data_home,
                                        return_X_y=True)
            self.name = "MNIST"
        except Exception as exc:  # no MNIST here: a smoke run still works
            from sklearn.datasets import load_digits

            log(f"(MNIST not found: {exc}; using load_digits)")
            Xd, yd = load_digits(return_X_y=True)
            Xd = np.round(Xd * (255 / 16)).astype(np.uint8)
            X, y, Xt, yt = Xd[:1300], yd[:1300], Xd[1300:], yd[1300:]
            self.name = "load_digits"
        X, y, Xt, yt = X[:self.n_train], y[:self.n_train], Xt[:self.n_test], yt[:self.n_test]
        return np.ascontiguousarray(X), y, np.ascontiguousarray(Xt), yt

    X8 = property(lambda self: self._arrays[0])
    y = property(lambda self: self._arrays[1])
    Xt8 = property(lambda self: self._arrays[2])
    yt = property(lambda self: self._arrays[3])

    def forms(self, test=False):
        """What users pass: {"dense float64", "dense float32", "CSR float64", "CSR float32"}.

        Built once per split and shared by the sections: never modify them.
        """
        if test not in self._forms:
            self._forms[test] = self._make_forms(test)
        return self._forms[test]

    def _make_forms(self, test):
        from scipy import sparse

        X64 = (self.Xt8 if test else self.X8) / 255.0
        X32 = X64.astype(np.float32)
        return {"dense float64": X64, "dense float32": X32,
                "CSR float64": sparse.csr_matrix(X64), "CSR float32": sparse.csr_matrix(X32)}


def interleaved(fns, repeats, settle_s=0.1):
    """Time each callable ``repeats`` times, round-robin: ``{name: [seconds]}``.

    A short pause precedes each call: OpenBLAS worker threads keep spinning for
    a while after a BLAS call and would take the cores from whatever runs next.
    """
    times = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            time.sleep(settle_s)
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def timed(fn, *args, **kwargs):
    """``(result, seconds)`` of one call."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def run_child(module, *args, env=None):
    """Run ``python -m benchmarks.<module> args`` in a fresh interpreter.

    The child prints one JSON object on its last line of standard output;
    returns it, with ``wall_s`` (the child's whole life, interpreter start included).
    """
    cmd = [sys.executable, "-m", f"benchmarks.{module}", *map(str, args)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stderr[-2000:]}")
    return {**json.loads(res.stdout.strip().splitlines()[-1]), "wall_s": wall}


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server to start on)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing(*modules):
    """The first of ``modules`` that cannot be imported, or None (for skip notes)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def run_section(name, context):
    """Import ``benchmarks.<name>`` and call its ``run`` with the context it asks for."""
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"benchmarks.{name}":
            raise
        return {"skipped": f"no module benchmarks.{name} in this checkout"}
    params = inspect.signature(module.run).parameters
    kwargs = {k: v for k, v in context.items() if k in params}
    result = module.run(**kwargs)
    return {"rows": result} if isinstance(result, list) else result


def metadata(data, quick):
    import numba
    import sklearn

    import skdigit

    return {
        "n_train": int(data.X8.shape[0]), "data": data.name,
        "n_features": int(data.X8.shape[1]), "quick": quick,
        "cpu_count": os.cpu_count(), "python": sys.version.split()[0],
        "platform": platform.platform(), "machine": platform.processor() or platform.machine(),
        "loadavg_start": os.getloadavg()[0], "date": time.strftime("%Y-%m-%d"),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "versions": {"skdigit": skdigit.__version__, "sklearn": sklearn.__version__,
                     "numpy": np.__version__, "numba": numba.__version__},
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="skdigit against scikit-learn and its "
        "peers, side by side in one run (see benchmarks/README.md).")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run on a small subsample, to check that everything runs")
    parser.add_argument("--data-home", default=None,
                        help="MNIST folder (default: load_mnist's own search order)")
    parser.add_argument("--sections", default=",".join(DEFAULT_SECTIONS),
                        help=f"comma-separated, out of {','.join(SECTIONS)} "
                        "(or 'all'; 'misc' = predict,memory,cold_start)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--skdigit-tol", type=float, default=1e-4,
                        help="tol of skdigit's fit (sklearn always runs tol=1e-4)")
    parser.add_argument("--workflow-samples", type=int, default=10_000)
    parser.add_argument("--cv-full", action="store_true",
                        help="the cv section also on all 60,000 images (L2 and L1; long)")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="n_jobs of the GridSearchCV (the same for both)")
    parser.add_argument("--peer-budget", type=float, default=300.0,
                        help="seconds after which a solver's tol ladder stops (peers, l1)")
    parser.add_argument("--output", default=None, help="JSON file to write")
    parser.add_argument("--publish", action="store_true",
                        help="also render the docs' results page and figure from this run")
    args = parser.parse_args(argv)
    if args.publish and args.quick:
        parser.error("--publish writes the docs' figures: not from a --quick run")
    names = args.sections.replace("misc", "predict,memory,cold_start")
    args.sections = list(SECTIONS) if names == "all" else [s for s in names.split(",") if s]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def main(argv=None):
    from benchmarks import report

    args = parse_args(argv)
    quick = args.quick
    data = Data(args.data_home, *((2000, 500) if quick else (None, None)))
    context = {"quick": quick, "data": data, "options": args,
               "repeats": args.repeats or (3 if quick else 7)}
    res = {"meta": metadata(data, quick)}
    for name in args.sections:
        log(f"{name} ...")
        res[name] = run_section(name, context)
    res["meta"]["loadavg_end"] = os.getloadavg()[0]
    print(report.markdown(res))
    out = Path(args.output) if args.output else (
        RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}{'-quick' if quick else ''}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=str))
    log(f"JSON written to {out}")
    if args.publish:
        report.publish(res)
    return res
