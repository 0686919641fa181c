"""Start the Streamlit page of ``skdigit app`` in a child process."""

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from .._persistence import ModelFileError
from ..utils import import_optional
from ._model import ENV_MODEL

__all__ = ["SCRIPT_PATH", "build_command", "launch", "server_environment"]

SCRIPT_PATH = Path(__file__).resolve().with_name("_streamlit_app.py")
# Signals that stop the launcher and must stop the server with it.
_FORWARDED = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def _forwarding_signals(process):
    """While in the block, SIGTERM/SIGHUP of this process are sent on to ``process``.

    Without this, ``kill`` of ``skdigit app`` would leave the Streamlit server
    running as an orphan, still holding its port. The launcher then waits for
    the child to exit and returns its status.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def forward(signum, frame):
        if process.poll() is None:
            process.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in _FORWARDED}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


#: The largest upload the app accepts, in megabytes: a 12-megapixel JPEG is
#: 3 to 8 MB.
MAX_UPLOAD_MB = 25


#: glibc's threshold (bytes) above which the server's allocations are mapped
#: on their own and given back to the system when freed. By default glibc
#: raises it (up to 32 MB) as large blocks are freed, after which the decoded
#: images of concurrent sessions (each thread with its own heap) are carved
#: from heaps that keep the memory: 8 sessions reading 49-megapixel PNGs took
#: the server's peak from 0.8 GB (1 MB here) to 1.6 GB, and it kept 1.2 GB.
MMAP_THRESHOLD = 1 << 20


def server_environment(environ=None):
    """The environment of the server's process: ``environ`` (default
    ``os.environ``) with glibc's ``MALLOC_MMAP_THRESHOLD_`` set to
    :data:`MMAP_THRESHOLD` unless it is already set (ignored off glibc)."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("MALLOC_MMAP_THRESHOLD_", str(MMAP_THRESHOLD))
    return env


def build_command(port=None, extra_args=()):
    """Return the ``streamlit run`` command line that :func:`launch` runs.

    Parameters
    ----------
    port : int, default=None
        Port to serve on; None lets Streamlit choose (8501, or the next free).
    extra_args : sequence of str, default=()
        More ``streamlit run`` options, e.g. ``["--server.address", "0.0.0.0"]``;
        they come last, so they override the defaults.

    Returns
    -------
    command : list of str
    """
    command = [
        sys.executable, "-m", "streamlit", "run", str(SCRIPT_PATH),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        # no "Deploy" button nor developer menu: the page is the app, not a project
        "--client.toolbarMode", "minimal",
        # uploads and camera photos up to MAX_UPLOAD_MB (Streamlit's default
        # is 200 MB; a phone photo is a few MB): a bound on each upload's work
        "--server.maxUploadSize", str(MAX_UPLOAD_MB),
    ]
    if port is not None:
        port = int(port)
        if not 0 < port < 65536:
            raise ValueError(f"port must be between 1 and 65535, got {port}")
        command += ["--server.port", str(port)]
    return command + [str(arg) for arg in extra_args]


def launch(model_path=None, port=None, data_home=None, extra_args=()):
    """Serve the digit-recognizer web page with Streamlit until interrupted.

    Runs ``python -m streamlit run <skdigit/app/_streamlit_app.py> --server.headless
    true ...`` in a child process (Streamlit prints the URL to open) and waits
    for it. Ctrl-C stops the server; so does SIGTERM (or SIGHUP) of this
    process, which is forwarded to the server.

    Parameters
    ----------
    model_path : str or os.PathLike, default=None
        A model saved by ``skdigit train`` (or :func:`skdigit.save_model`).
        If None, ``$SKDIGIT_APP_MODEL`` is used when set; else the model
        shipped with skdigit (see :mod:`skdigit.app._model`).
    port : int, default=None
        Port to serve on; None lets Streamlit choose (8501 by default).
    data_home : str or os.PathLike, default=None
        Folder holding MNIST, passed to the page as ``$SKDIGIT_DATA_HOME``
        (the page itself no longer trains, so nothing reads it there).
    extra_args : sequence of str, default=()
        More ``streamlit run`` options, passed last.

    Returns
    -------
    returncode : int
        The exit status of Streamlit (0 after a clean stop, also on Ctrl-C;
        128 + N when it was stopped by signal N).

    Raises
    ------
    skdigit.utils.MissingExtraError
        An :class:`ImportError`: Streamlit is not installed (install the
        extra ``app``).
    ModelFileError
        If ``model_path`` is given but no such file exists (checked before
        starting; the page checks its contents).
    ValueError
        If ``port`` is out of range.
    """
    import_optional("streamlit", extra="app", purpose="skdigit app")
    command = build_command(port=port, extra_args=extra_args)
    env = server_environment()
    if model_path is not None:
        path = Path(os.fspath(model_path)).expanduser().resolve()
        if not path.is_file():
            raise ModelFileError(f"model file {str(model_path)!r} not found")
        env[ENV_MODEL] = str(path)
    if data_home is not None:
        env["SKDIGIT_DATA_HOME"] = str(Path(os.fspath(data_home)).expanduser().resolve())
    process = subprocess.Popen(command, env=env)
    try:
        with _forwarding_signals(process):
            returncode = process.wait()
    except KeyboardInterrupt:
        # The terminal sent SIGINT to Streamlit too; let it shut down cleanly.
        try:
            returncode = process.wait(timeout=10)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.terminate()
            returncode = process.wait()
    # a server stopped by signal N: report it as a shell does, 128 + N
    return 128 - returncode if returncode < 0 else returncode
