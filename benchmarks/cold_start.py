"""Cold start: a fresh interpreter imports skdigit and fits ``load_digits``
(:mod:`benchmarks.cold_child`), with ``NUMBA_CACHE_DIR`` pointing at an empty
folder, then again with the cache it filled; then the same for the whole
``skdigit train`` (its default scattering pipeline, and ``--features pixels``)
and the whole ``skdigit predict photo.png`` (the shipped model; the photo an
MNIST test digit drawn 280x280, dark on white), as a user's first and second
runs after installing."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    if quick:
        return rows
    train = []
    for features in ("scattering", "pixels"):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            for label in ("empty cache", "warm cache"):
                cmd = [sys.executable, "-m", "skdigit", "train", "--features", features,
                       "--quiet", "--output", str(Path(cache, "model.joblib"))]
                t0 = time.perf_counter()
                subprocess.run(cmd, env=env, check=True, capture_output=True)
                train.append({"features": features, "cache": label,
                              "total_s": time.perf_counter() - t0})
    return {"rows": rows, "train": train, "predict": predict_runs()}


def predict_runs():
    """``skdigit predict photo.png`` with an empty numba cache, then again."""
    predict = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        photo = _photo(Path(cache, "photo.png"))
        for label in ("empty cache", "warm cache"):
            cmd = [sys.executable, "-m", "skdigit", "predict", photo]
            t0 = time.perf_counter()
            done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            predict.append({"cache": label, "total_s": time.perf_counter() - t0,
                            "output": done.stdout.strip().rsplit(": ", 1)[-1]})
    return predict


def _photo(path):
    """The first MNIST test digit (a 7), dark ink on white, 280x280, as a PNG."""
    import numpy as np
    from PIL import Image

    from skdigit import load_mnist

    X, _ = load_mnist(subset="test", return_X_y=True)
    image = Image.fromarray(255 - X[0].reshape(28, 28).astype(np.uint8))
    image.resize((280, 280), Image.Resampling.BILINEAR).save(path)
    return str(path)


def tables(res):
    train = res.get("train", [])
    by = {(r["features"], r["cache"]): r["total_s"] for r in train}
    train_table = [{
        "title": "First and second `skdigit train` after installing (whole command)",
        "header": ["features", "numba cache", "total (s)", "over the warm run"],
        "rows": [[r["features"], r["cache"], f"{r['total_s']:.1f}",
                  f"{r['total_s'] / by[(r['features'], 'warm cache')]:.2f}x"] for r in train],
        "notes": []}] if train else []
    if res.get("predict"):
        train_table.append({
            "title": "First and second `skdigit predict photo.png` after installing (whole "
                     "command, the shipped model)",
            "header": ["numba cache", "total (s)", "printed"],
            "rows": [[r["cache"], f"{r['total_s']:.2f}", r["output"]] for r in res["predict"]],
            "notes": ["Fewer than 32 images run the NumPy twins of the deskewing and "
                      "scattering kernels: nothing is compiled."]})
    return [{"title": "Cold start (fresh process: import skdigit, fit load_digits)",
             "header": ["numba cache", "total (s)", "import (s)", "first fit (s)"],
             "rows": [[r["cache"], f"{r['total_s']:.2f}", cell(r.get("import_s"), "{:.2f}"),
                       cell(r.get("first_fit_s"), "{:.2f}")] for r in res["rows"]],
             "notes": []}] + train_table
