"""Cold start: a fresh interpreter imports skdigit and fits ``load_digits``
(:mod:`benchmarks.cold_child`), with ``NUMBA_CACHE_DIR`` pointing at an empty
folder, then again with the cache it filled; then the same for the whole
``skdigit train`` (its default scattering pipeline, and ``--features pixels``)
and the whole ``skdigit predict photo.png`` (the shipped model; the photo an
MNIST test digit drawn 280x280, dark on white), as a user's first and second
runs after installing; and the first page of ``skdigit app`` in headless
Chromium (:func:`app_runs`)."""

import contextlib
import functools
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
import types
import urllib.request
from pathlib import Path

from benchmarks.harness import REPO_ROOT, free_port, missing, run_child
from benchmarks.report import cell

#: What "the first page is ready" means in :func:`app_runs`, for the table's note.
APP_READY_CRITERION = (
    "the page's heading (\"Handwritten digit recognizer\") and its file uploader "
    "(an ``<input type=file>`` in Streamlit's ``stFileUploader``) are in the DOM; the "
    "page shows the uploader only once it has loaded the model"
)
# Evaluated in the page every 50 ms: true once APP_READY_CRITERION holds.
_APP_READY_JS = """(() => {
  const h1 = document.querySelector('h1');
  return Boolean(h1 && h1.textContent.includes('Handwritten digit recognizer')
      && document.querySelector('[data-testid="stFileUploader"] input[type="file"]'));
})()"""


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
    return {"rows": rows, "train": train, "predict": predict_runs(), "app": app_runs()}


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


@functools.cache
def _chromium():
    """``docs/chromium.py`` (the headless-Chromium helper ``docs/check_site.py``
    uses), imported from its file: ``docs/`` is no package."""
    spec = importlib.util.spec_from_file_location("_skdigit_docs_chromium",
                                                  REPO_ROOT / "docs" / "chromium.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _server_up(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                    timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def app_runs(timeout=120.0, chromium=None):
    """The first page of ``skdigit app`` in headless Chromium, with an empty
    numba cache, then again with the cache the first run filled.

    Each run starts a fresh headless Chromium (an empty profile: nothing in
    the browser's cache) and opens a tab, untimed, as a user's browser is
    already running; then starts ``python -m skdigit app --port PORT`` (a free
    port; the launcher runs Streamlit headless) with ``NUMBA_CACHE_DIR``
    pointing at the run's cache folder. The clock starts just before the
    command. Recorded: the seconds until the server answers on
    ``/_stcore/health`` (polled every 50 ms), then, the tab sent to the page's
    URL at once, until the first page is ready: ``APP_READY_CRITERION`` (the
    page's ``<h1>`` "Handwritten digit recognizer" and the ``<input
    type=file>`` of its ``st.file_uploader`` in the DOM, polled every 50 ms
    through the DevTools protocol; the uploader comes after the model is
    loaded in the page's script). The launcher is then stopped with SIGTERM,
    which it forwards to the server (Streamlit stops cleanly: status 0); its
    exit status is recorded. See :func:`app_page`.

    Parameters
    ----------
    timeout : float, default=120.0
        Seconds to wait for the server, then for the page, before giving up.
    chromium : str, default=None
        The Chromium binary; None finds it on PATH.

    Returns
    -------
    result : dict
        ``{"rows": [{"cache", "server_s", "ready_s", "returncode"}, ...],
        "notes": [str]}``; no rows and a note saying why when Chromium,
        websocket-client or Streamlit is missing.
    """
    absent = missing("streamlit", "websocket")
    if absent:
        extra = {"streamlit": "app", "websocket": "docs"}[absent]
        return {"rows": [], "notes": [f"Skipped: {absent} is not installed "
                                      f"(the {extra} extra)."]}
    helpers = _chromium()
    binary = helpers.find_chromium(chromium)
    if binary is None:
        return {"rows": [], "notes": ["Skipped: Chromium not found "
                                      "(apt-get install -y chromium)."]}
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("empty cache", "warm cache"):
            with app_page(binary, env=env, timeout=timeout) as app:
                pass
            rows.append({"cache": label, "server_s": app.server_s, "ready_s": app.ready_s,
                         "returncode": app.returncode})
    return {"rows": rows, "notes": []}


def _page_ready(page):
    try:
        return page.evaluate(_APP_READY_JS)
    except RuntimeError:  # the page is between documents (navigating)
        return False


@contextlib.contextmanager
def app_page(binary, env=None, timeout=120.0, width=1280, height=900):
    """``skdigit app``'s first page, open in headless Chromium, for the block.

    Starts Chromium (``binary``, a fresh profile) and opens a tab, then starts
    ``python -m skdigit app --port PORT`` (a free port) with ``env`` (default
    ``os.environ``), waits for the server, sends the tab to the page and waits
    until it is ready (``APP_READY_CRITERION``). On leaving the block, SIGTERM
    to the launcher (which forwards it to the server), and Chromium is stopped.

    Yields
    ------
    app : types.SimpleNamespace
        ``page`` (the tab: ``docs/chromium.py``'s ``DevTools``), ``url``,
        ``server_s`` and ``ready_s`` (seconds from the command's start until the
        server answers, and until the page is ready); after the block,
        ``returncode``, the launcher's exit status.
    """
    helpers = _chromium()
    app = types.SimpleNamespace(page=None, url=None, server_s=None, ready_s=None,
                                returncode=None)
    with tempfile.TemporaryDirectory(prefix="cold-start-chromium-") as profile:
        log_path = Path(profile) / "skdigit-app.log"
        browser, endpoint = helpers.start_chromium(binary, profile, width, height)
        launcher = None
        try:
            app.page = helpers.DevTools(helpers.new_page(endpoint), timeout)
            app.page.send("Page.enable")
            app.page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                          deviceScaleFactor=1, mobile=False)
            port = free_port()
            app.url = f"http://127.0.0.1:{port}/"
            with open(log_path, "wb") as log:
                t0 = time.perf_counter()
                launcher = subprocess.Popen(
                    [sys.executable, "-m", "skdigit", "app", "--port", str(port)],
                    env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

            def wait(condition, what):
                deadline = t0 + timeout
                while not condition():
                    if launcher.poll() is not None:
                        raise RuntimeError(
                            f"skdigit app exited ({launcher.returncode}) before {what}: "
                            + log_path.read_text(errors="replace")[-2000:])
                    if time.perf_counter() > deadline:
                        raise RuntimeError(f"no {what} within {timeout:g} s")
                    time.sleep(0.05)
                return time.perf_counter() - t0

            app.server_s = wait(lambda: _server_up(port), "server")
            app.page.send("Page.navigate", url=app.url)
            app.ready_s = wait(lambda: _page_ready(app.page), "first page")
            yield app
        finally:
            if app.page is not None:
                app.page.close()
            helpers.stop_chromium(browser)
            app.returncode = _stop(launcher)


def _stop(launcher, timeout=30):
    """SIGTERM to the launcher (it forwards it to the server); its exit status."""
    if launcher is None:
        return None
    launcher.send_signal(signal.SIGTERM)
    try:
        return launcher.wait(timeout=timeout)
    except subprocess.TimeoutExpired:  # the launcher's session: it and the server
        os.killpg(launcher.pid, signal.SIGKILL)
        launcher.wait()
        raise RuntimeError(f"skdigit app did not stop within {timeout} s of SIGTERM")


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
    if res.get("app"):
        app = res["app"]
        train_table.append({
            "title": "First page of `skdigit app` after installing",
            "header": ["numba cache", "server answers (s)", "first page ready (s)"],
            "rows": [[r["cache"], f"{r['server_s']:.1f}", f"{r['ready_s']:.1f}"]
                     for r in app["rows"]],
            "notes": [f"From the start of `skdigit app` (the shipped model) until the page, "
                      f"opened in headless Chromium as soon as the server answers, is ready: "
                      f"{APP_READY_CRITERION}. Each run in a fresh browser profile."]
            + app.get("notes", [])})
    return [{"title": "Cold start (fresh process: import skdigit, fit load_digits)",
             "header": ["numba cache", "total (s)", "import (s)", "first fit (s)"],
             "rows": [[r["cache"], f"{r['total_s']:.2f}", cell(r.get("import_s"), "{:.2f}"),
                       cell(r.get("first_fit_s"), "{:.2f}")] for r in res["rows"]],
             "notes": []}] + train_table
