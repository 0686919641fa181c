#!/usr/bin/env python
"""Open the built documentation in headless Chromium and check it as a reader sees it.

Serves ``docs/_build/html`` on 127.0.0.1 (Python's ``http.server``, in a
thread), opens pages in headless Chromium, drives it over the Chrome DevTools
Protocol (a websocket, with the ``websocket-client`` package) and fails when,
on any page:

- the page does not load (HTTP error, or no ``<h1>``),
- an ``<img>`` does not load (not complete, or zero natural width), or the page
  has fewer images than expected,
- a request fails (a 4xx/5xx response, or a network error: with no network,
  this catches anything fetched from another site, such as a CDN),
- the console shows an error, or a JavaScript exception is thrown,
- the page has math that MathJax did not typeset.

A full-page screenshot of each page is saved to the folder given with
``--screenshots``. Exit status: 0 when every page passes, 1 otherwise, 2 when
the check itself cannot run (no Chromium, no built site).

Usage::

    python docs/check_site.py --screenshots docs/_build/screenshots

Chromium comes from Debian's ``chromium`` package (``apt-get install -y
chromium``); ``--chromium PATH`` picks another binary.
"""

import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import websocket  # websocket-client

HERE = Path(__file__).resolve().parent

# page path (relative to the site root) -> the fewest <img> its content (the
# <main> element: not the logo) must show; every image must load in any case
DEFAULT_PAGES = {
    "index.html": 0,
    "generated/skdigit.DigitLogisticClassifier.html": 1,  # gallery thumbnails
    "auto_examples/classification/plot_ten_digits.html": 2,  # its two figures
}

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; records the paths it could not serve."""

    def __init__(self, *args, failures, **kwargs):
        self._failures = failures
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        self._failures.append(f"{code} {self.path}")
        super().send_error(code, message, explain)


def serve(root):
    """Serve ``root`` on 127.0.0.1 in a daemon thread; return (server, base URL, failures)."""
    failures = []
    handler = functools.partial(_QuietHandler, directory=str(root), failures=failures)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/", failures


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, ws_url, timeout):
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.timeout = timeout
        self.next_id = 0
        self.events = []

    def send(self, method, **params):
        self.next_id += 1
        msg_id = self.next_id
        self.ws.settimeout(self.timeout)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == msg_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event, timeout):
        """Wait until ``event`` arrives (or was already received)."""
        deadline = time.monotonic() + timeout
        start = len(self.events)
        while time.monotonic() < deadline:
            if any(e["method"] == event for e in self.events[start:]):
                return True
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if "method" in message:
                self.events.append(message)
        return any(e["method"] == event for e in self.events[start:])

    def drain(self, seconds):
        """Collect events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.ws.settimeout(left)
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                return
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        self.ws.close()


def find_chromium(explicit):
    for candidate in [explicit, "chromium", "chromium-browser", "google-chrome"]:
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


def start_chromium(binary, profile, width, height):
    """Start Chromium with a DevTools port; return (process, http endpoint)."""
    process = subprocess.Popen(
        [
            binary,
            *CHROMIUM_FLAGS,
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--hide-scrollbars",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    port_file = Path(profile) / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Chromium exited with status {process.returncode}: "
                + process.stderr.read().decode(errors="replace")[-2000:]
            )
        if port_file.is_file() and port_file.read_text().strip():
            port = port_file.read_text().split()[0]
            return process, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("Chromium did not open its DevTools port within 30 s")


def new_page(endpoint):
    """Open a new tab; return its websocket URL."""
    request = urllib.request.Request(f"{endpoint}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["webSocketDebuggerUrl"]


# Run in the page once it has loaded: what a reader would notice.
PAGE_STATE_JS = """
(async () => {
  const hasMath = document.querySelector('.math, div.math, span.math') !== null;
  // MathJax typesets asynchronously: wait for it (at most 15 s)
  if (hasMath) {
    for (let i = 0; i < 150; i++) {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise; break;
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }
  // images below the fold load lazily in some themes: make them load
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null :
      new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r);
                         setTimeout(r, 10000); })));
  return {
    title: document.title,
    h1: (document.querySelector('h1') || {}).textContent || null,
    textLength: document.body ? document.body.innerText.length : 0,
    images: imgs.length,
    contentImages: (document.querySelector('main') || document.body)
                       .querySelectorAll('img').length,
    brokenImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                      .map(i => i.currentSrc || i.src),
    hasMath: hasMath,
    typesetMath: document.querySelectorAll('mjx-container').length,
    height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),
  };
})()
"""


def check_page(endpoint, url, min_images, screenshot, width, height, timeout):
    """Open ``url`` in a new tab; return (problems, summary)."""
    page = DevTools(new_page(endpoint), timeout)
    problems = []
    try:
        for domain in ["Page", "Runtime", "Log", "Network"]:
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width, height=height, deviceScaleFactor=1, mobile=False,
        )
        page.send("Page.navigate", url=url)
        if not page.wait_for("Page.loadEventFired", timeout):
            problems.append(f"the page did not finish loading within {timeout} s")
        state = page.evaluate(PAGE_STATE_JS)
        page.drain(1.0)  # late console messages and requests

        requests = {}
        for event in page.events:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                requests[params["requestId"]] = params["request"]["url"]
            elif method == "Network.responseReceived":
                status = params["response"]["status"]
                if status >= 400:
                    problems.append(f"HTTP {status}: {params['response']['url']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                problems.append(
                    f"request failed ({params.get('errorText')}): "
                    f"{requests.get(params['requestId'], '?')}"
                )
            elif method == "Runtime.consoleAPICalled" and params["type"] in {"error", "assert"}:
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params["args"]
                )
                problems.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                problems.append(f"JavaScript exception: {text}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                problems.append(f"console error ({entry['source']}): {entry['text']} "
                                f"{entry.get('url', '')}".rstrip())

        if not state["h1"]:
            problems.append("no <h1> heading: the page did not render")
        if state["textLength"] < 200:
            problems.append(f"only {state['textLength']} characters of text")
        for src in state["brokenImages"]:
            problems.append(f"image did not load: {src}")
        if state["contentImages"] < min_images:
            problems.append(
                f"{state['contentImages']} images in the page's content, expected at "
                f"least {min_images}"
            )
        if state["hasMath"] and state["typesetMath"] == 0:
            problems.append("the page has math, but MathJax typeset none of it")

        full_height = min(int(state["height"] or height), 6000)
        shot = page.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": full_height, "scale": 1},
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        summary = (
            f"{state['title']!r}: {state['images']} images "
            f"({state['contentImages']} in the content), "
            f"{state['typesetMath']} formulas typeset, screenshot {screenshot}"
        )
        return problems, summary
    finally:
        page.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site", default=str(HERE / "_build" / "html"),
        help="the built site (default: docs/_build/html)",
    )
    parser.add_argument(
        "--screenshots", required=True, metavar="DIR",
        help="folder for the screenshots (created if needed)",
    )
    parser.add_argument(
        "--page", action="append", metavar="PATH[:MIN_IMAGES]",
        help="a page to check, relative to the site root (repeatable; default: "
        + ", ".join(f"{p}:{n}" for p, n in DEFAULT_PAGES.items()) + ")",
    )
    parser.add_argument("--chromium", help="the Chromium binary (default: found on PATH)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per page")
    args = parser.parse_args(argv)

    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"check_site: no built site at {site} (run: make -C docs html)", file=sys.stderr)
        return 2
    binary = find_chromium(args.chromium)
    if binary is None:
        print("check_site: Chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    pages = {}
    for spec in args.page or [f"{p}:{n}" for p, n in DEFAULT_PAGES.items()]:
        path, _, count = spec.partition(":")
        pages[path] = int(count or 0)
    missing = [p for p in pages if not (site / p).is_file()]
    if missing:
        print(f"check_site: pages not in the site: {', '.join(missing)}", file=sys.stderr)
        return 1

    shots = Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    server, base, server_failures = serve(site)
    failed = False
    with tempfile.TemporaryDirectory(prefix="check-site-chromium-") as profile:
        try:
            process, endpoint = start_chromium(binary, profile, args.width, args.height)
        except RuntimeError as exc:
            print(f"check_site: {exc}", file=sys.stderr)
            server.shutdown()
            return 2
        try:
            for path, min_images in pages.items():
                name = path.replace("/", "__").removesuffix(".html") + ".png"
                before = len(server_failures)
                problems, summary = check_page(
                    endpoint, base + path, min_images, shots / name,
                    args.width, args.height, args.timeout,
                )
                problems += [f"server: {f}" for f in server_failures[before:]]
                status = "FAIL" if problems else "ok"
                print(f"[{status}] {path}: {summary}")
                for problem in dict.fromkeys(problems):
                    print(f"    - {problem}")
                failed = failed or bool(problems)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            server.shutdown()
    print("check_site:", "FAILED" if failed else f"{len(pages)} pages passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
