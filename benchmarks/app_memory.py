"""Peak memory of ``skdigit app`` with many sessions uploading phone photos at once.

Issue 28's target: the app's server stays under 2 GB while 20 concurrent
sessions upload a 12-megapixel photo each. This starts the page as ``skdigit
app`` does (:func:`skdigit.app._launch.build_command`, on a free port,
headless), then drives N sessions through the server's own protocol, as a
browser does, with no browser:

1. open the websocket ``/_stcore/stream`` and ask for a run of the page (a
   ``BackMsg`` ``rerun_script``); read the session's id and the id of the
   ``st.file_uploader`` widget from the ``ForwardMsg`` s;
2. ask for an upload URL (``file_urls_request``) and ``PUT`` the JPEG there
   (multipart, as the browser's uploader does);
3. rerun the page with the uploader's state naming the file, and wait for the
   run to finish (the page reads the photo and shows the predicted digit).

The server runs with the environment and options of ``skdigit app``
(:func:`~skdigit.app._launch.server_environment`). All N sessions run step 1 first, then steps 2-3 at the same moment. The
server's resident memory (its process and any children) is sampled every 20
ms from its start to a few seconds after the last run; printed: before the
uploads, the peak, and after. XSRF protection is turned off for the
benchmark's server (the uploads come from a script, not from a page that has
the cookie); it plays no part in the memory.

``python -m benchmarks.app_memory [--sessions 20] [--megapixels 12] [--format JPEG]``
"""

import argparse
import asyncio
import io
import json
import subprocess
import sys
import threading
import time
import uuid

import numpy as np

from benchmarks.harness import free_port


def make_photo(megapixels=12.0, seed=0, image_format="JPEG"):
    """A photo of ``megapixels`` (4:3) of one dark digit on paper, as JPEG or PNG.

    The JPEG has grain (per-pixel noise), which makes it as large as a
    phone's photo, a few MB; the PNG is flat paper (a small file that
    decodes to many pixels, as issue 28's 7,000 x 7,000 PNG).
    """
    from PIL import Image, ImageDraw

    width = int(round((megapixels * 1e6 * 4 / 3) ** 0.5))
    height = int(round(width * 3 / 4))
    rng = np.random.default_rng(seed)
    base = np.empty((height, width, 3), np.uint8)
    for top in range(0, height, 256):  # in bands: no float copy of 12 MP x 3
        rows = min(256, height - top)
        base[top:top + rows] = 225 if image_format == "PNG" else np.clip(
            rng.normal(225, 12, (rows, width, 3)), 0, 255).astype(np.uint8)
    img = Image.fromarray(base, "RGB")
    side = height // 2
    x0, y0 = (width - side // 2) // 2, (height - side) // 2
    ImageDraw.Draw(img).line([(x0, y0), (x0 + side // 2, y0), (x0 + side // 6, y0 + side)],
                             fill=(30, 30, 40), width=max(8, side // 12))
    out = io.BytesIO()
    img.save(out, format=image_format, **({"quality": 92} if image_format == "JPEG" else {}))
    return out.getvalue()


def _rss(pid):
    """Resident memory of ``pid`` and its children, in bytes (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        try:
            with open(f"/proc/{pid}/status") as f:
                return next(int(line.split()[1]) * 1024 for line in f
                            if line.startswith("VmRSS:"))
        except OSError:  # the server has exited
            return 0
    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


class _Sampler(threading.Thread):
    def __init__(self, pid, period=0.02):
        super().__init__(daemon=True)
        self.pid, self.period = pid, period
        self.samples = []  # (time, bytes)
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.samples.append((time.perf_counter(), _rss(self.pid)))
            time.sleep(self.period)

    def peak(self, since=0.0):
        return max((b for t, b in self.samples if t >= since), default=0)

    def last(self):
        return self.samples[-1][1] if self.samples else 0


async def _wait_health(port, process, timeout=120):
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError

    client = AsyncHTTPClient()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            await client.fetch(f"http://127.0.0.1:{port}/_stcore/health", request_timeout=2)
            return
        except (HTTPClientError, OSError):
            await asyncio.sleep(0.25)
    raise RuntimeError(f"the server did not answer within {timeout} s")


class _Session:
    """One browser-less session of the page."""

    def __init__(self, port):
        self.port = port
        self.ws = None
        self.session_id = None
        self.uploader_id = None
        self.texts = []  # markdown and metric values of the last run

    async def _read_until(self, kind, timeout=600):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        deadline = time.monotonic() + timeout
        while True:
            raw = await asyncio.wait_for(self.ws.read_message(),
                                         max(1.0, deadline - time.monotonic()))
            if raw is None:
                raise RuntimeError("the server closed the websocket")
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            which = msg.WhichOneof("type")
            if which == "new_session":
                self.session_id = msg.new_session.initialize.session_id
            elif which == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                element_type = element.WhichOneof("type")
                if element_type == "file_uploader":
                    self.uploader_id = element.file_uploader.id
                elif element_type == "metric":
                    self.texts.append(f"{element.metric.label}: {element.metric.body}")
                elif element_type == "alert":
                    self.texts.append(element.alert.body)
            if which == kind:
                return msg

    async def _send(self, **fields):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        await self.ws.write_message(BackMsg(**fields).SerializeToString(), binary=True)

    async def open(self):
        from streamlit.proto.ClientState_pb2 import ClientState
        from streamlit.proto.WidgetStates_pb2 import WidgetStates
        from tornado.websocket import websocket_connect

        self.ws = await websocket_connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            max_message_size=64 * 2**20,
        )
        await self._send(rerun_script=ClientState(query_string="",
                                                  widget_states=WidgetStates()))
        await self._read_until("script_finished")
        if not (self.session_id and self.uploader_id):
            raise RuntimeError("no session id or no file uploader in the page's first run")

    async def upload_and_run(self, data, name="photo.jpg"):
        from streamlit.proto.ClientState_pb2 import ClientState
        from streamlit.proto.Common_pb2 import (
            FileURLsRequest,
            FileUploaderState,
            UploadedFileInfo,
        )
        from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
        from tornado.httpclient import AsyncHTTPClient

        await self._send(file_urls_request=FileURLsRequest(
            request_id=uuid.uuid4().hex, file_names=[name], session_id=self.session_id))
        urls = (await self._read_until("file_urls_response")).file_urls_response.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        url = urls.upload_url
        if url.startswith("/"):
            url = f"http://127.0.0.1:{self.port}{url}"
        await AsyncHTTPClient().fetch(
            url, method="PUT", body=body, request_timeout=600,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id,
                                file_urls=urls)
        state = WidgetState(id=self.uploader_id,
                            file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))
        self.texts = []
        await self._send(rerun_script=ClientState(
            query_string="", widget_states=WidgetStates(widgets=[state])))
        await self._read_until("script_finished")
        return list(self.texts)

    def close(self):
        if self.ws is not None:
            self.ws.close()


async def _drive(port, process, sampler, n_sessions, photo):
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=max(10, 2 * n_sessions))
    await _wait_health(port, process)
    sessions = [_Session(port) for _ in range(n_sessions)]
    await asyncio.gather(*(s.open() for s in sessions))
    await asyncio.sleep(1.0)
    before = sampler.last()
    t0 = time.perf_counter()
    results = await asyncio.gather(*(s.upload_and_run(photo) for s in sessions),
                                   return_exceptions=True)
    seconds = time.perf_counter() - t0
    await asyncio.sleep(3.0)
    after_runs = sampler.last()
    for s in sessions:
        s.close()
    await asyncio.sleep(2.0)
    return before, t0, seconds, after_runs, results


def run(n_sessions=20, megapixels=12.0, image_format="JPEG", extra_args=()):
    """Measure; returns a dict (bytes, seconds) and the sessions' outcomes."""
    from skdigit.app._launch import build_command, server_environment

    photo = make_photo(megapixels, image_format=image_format)
    port = free_port()
    command = build_command(port=port, extra_args=[
        "--server.enableXsrfProtection", "false", "--server.enableCORS", "false",
        "--server.fileWatcherType", "none", "--logger.level", "warning", *extra_args,
    ])
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=server_environment())
    sampler = _Sampler(process.pid)
    sampler.start()
    try:
        before, t0, seconds, after_runs, results = asyncio.run(
            _drive(port, process, sampler, n_sessions, photo))
    finally:
        sampler.stopped.set()
        sampler.join()
        after_close = _rss(process.pid)
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    failed = [r for r in results if isinstance(r, BaseException)]
    predicted = [r for r in results if not isinstance(r, BaseException)
                 and any(t.startswith("Predicted digit") for t in r)]
    return {
        "sessions": n_sessions, "megapixels": megapixels, "format": image_format,
        "photo_bytes": len(photo),
        "before": before, "peak": sampler.peak(since=t0), "after_runs": after_runs,
        "after_close": after_close, "seconds": seconds,
        "predicted": len(predicted), "failed": [repr(e) for e in failed][:3],
        "outcomes": [r if not isinstance(r, BaseException) else repr(r) for r in results][:2],
        "server_stderr_tail": stderr.decode(errors="replace")[-2000:] if failed else "",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--format", choices=["JPEG", "PNG"], default="JPEG")
    args = parser.parse_args(argv)
    res = run(args.sessions, args.megapixels, args.format)
    mb = {k: f"{res[k] / 2**20:.0f} MB" for k in ("before", "peak", "after_runs", "after_close")}
    print(json.dumps({**res, **mb}, indent=1))
    return 0 if not res["failed"] and res["predicted"] == res["sessions"] else 1


if __name__ == "__main__":
    sys.exit(main())
