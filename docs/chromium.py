"""Headless Chromium, driven over the Chrome DevTools Protocol.

A small shared helper: ``docs/check_site.py`` checks the built site with it,
and ``benchmarks/cold_start.py`` times the first page of ``skdigit app`` with
it. Needs the ``websocket-client`` package (the ``docs`` extra) and a
Chromium binary (Debian's ``chromium`` package: ``apt-get install -y
chromium``).
"""

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import websocket  # websocket-client

__all__ = ["CHROMIUM_FLAGS", "DevTools", "find_chromium", "new_page", "save_screenshot",
           "start_chromium", "stop_chromium"]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


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
            if not self._receive(max(0.05, deadline - time.monotonic())):
                break
        return any(e["method"] == event for e in self.events[start:])

    def drain(self, seconds):
        """Collect events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self._receive(left):
                return

    def _receive(self, timeout):
        """Receive one message within ``timeout`` seconds, keeping it if it is an
        event; False if none came."""
        self.ws.settimeout(timeout)
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return False
        if "method" in message:
            self.events.append(message)
        return True

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        self.ws.close()


def find_chromium(explicit=None):
    """The path of ``explicit``, else of the first Chromium found on PATH, else None."""
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


def stop_chromium(process):
    """Stop the Chromium started by :func:`start_chromium` (killed after 10 s)."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def new_page(endpoint):
    """Open a new tab; return its websocket URL."""
    request = urllib.request.Request(f"{endpoint}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["webSocketDebuggerUrl"]


def save_screenshot(page, path, width, height, max_height=6000):
    """Save a PNG of ``page`` (a :class:`DevTools`), ``width`` wide and ``height``
    tall (at most ``max_height``), beyond the viewport if need be."""
    shot = page.send(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": width, "height": min(int(height), max_height),
              "scale": 1},
    )
    Path(path).write_bytes(base64.b64decode(shot["data"]))
    return Path(path)
