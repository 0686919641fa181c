"""kernels_on_disk: whether numba has a compiled kernel on disk, and the CLI's notice."""

import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import skdigit

from skdigit import _cli
from skdigit.utils._numba_cache import kernels_on_disk


def test_kernels_on_disk_before_and_after_the_first_call(tmp_path, monkeypatch):
    (tmp_path / "fresh_kernel.py").write_text(
        "from numba import njit\n\n@njit(cache=True)\ndef twice(x):\n    return 2 * x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("fresh_kernel")
    try:
        assert not kernels_on_disk(module.twice)
        assert module.twice(3) == 6
        assert kernels_on_disk(module.twice)
    finally:
        sys.modules.pop("fresh_kernel", None)


def test_plain_functions_count_as_cached():
    assert kernels_on_disk(len, lambda x: x)


def test_train_says_when_the_kernels_compile(monkeypatch, capsys):
    monkeypatch.setattr(_cli, "_kernels_compiled", lambda binary, features: False)

    class Stop(Exception):
        pass

    real_stage = _cli._stage

    def stage(message, quiet):
        if message.startswith("Fitting"):  # stop right after the notice
            raise Stop
        return real_stage(message, quiet)

    X = np.zeros((20, 784), dtype=np.uint8)
    y = np.arange(20) % 10
    monkeypatch.setattr(_cli, "_stage", stage)
    monkeypatch.setattr(_cli, "_load", lambda subset, args: (X, y))
    try:
        _cli._train(_cli.build_parser().parse_args(["train", "--features", "pixels"]))
    except Stop:
        pass
    assert "numba compiles skdigit's kernels once" in capsys.readouterr().err


_FIT_AND_REPORT = """
import json, sys
import numpy as np
import skdigit
from skdigit import DigitLogisticClassifier
from skdigit.linear_model import _kernels_csr
from skdigit.utils._numba_cache import kernels_on_disk

loss = _kernels_csr._MULTINOMIAL_CSR[2].chunk_sums  # its compiled part
before = kernels_on_disk(loss)
rng = np.random.default_rng(0)
X = (rng.random((60, 784)) < 0.2) * rng.random((60, 784))  # sparse pixels: the CSR kernel
DigitLogisticClassifier(max_iter=5).fit(X.astype(np.float32), np.arange(60) % 10)
print(json.dumps({"package": skdigit.__file__, "before": before,
                  "after": kernels_on_disk(loss),
                  "index": loss._cache._cache_file._index_path}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_kernels_are_cached_per_user_on_a_read_only_install():
    """A read-only site-packages: numba caches in the user's cache folder instead."""
    # not pytest's tmp_path: its parent folder is private to the user running the tests
    with tempfile.TemporaryDirectory() as folder:
        _check_read_only_install(Path(folder))


def _check_read_only_install(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(
        Path(skdigit.__file__).parent, site / "skdigit",
        ignore=shutil.ignore_patterns("__pycache__", "*.gz"),
    )
    home = tmp_path / "home"
    home.mkdir()
    for path in [site, *site.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)  # read-only for everyone
    tmp_path.chmod(0o755)
    home.chmod(0o777)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PYTHONPATH": str(site),
           "NUMBA_NUM_THREADS": "1"}
    command = [sys.executable, "-c", _FIT_AND_REPORT]
    if os.geteuid() == 0:  # root writes anywhere: run as an ordinary user
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("running as root, and setpriv (util-linux) is missing to drop to a user")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        probe = subprocess.run([*command[:-2], "-c", "import numba, sklearn"], env=env,
                               cwd=home, capture_output=True, timeout=120)
        if probe.returncode:  # e.g. a virtual environment inside a private folder
            pytest.skip("running as root, and the unprivileged user cannot run this "
                        "interpreter with its packages (their folders are private)")
    try:
        runs = []
        for _ in range(2):
            done = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True,
                                  timeout=600)
            assert done.returncode == 0, done.stderr
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        for path in [site, *site.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    first, second = runs
    assert first["package"].startswith(str(site))  # the read-only copy was imported
    assert not first["before"] and first["after"]  # compiled once, and saved...
    assert Path(first["index"]).is_relative_to(home)  # ...under the user's home
    assert not list(site.rglob("*.nbi"))  # nothing written into the package
    assert second["before"]  # the next process finds it
