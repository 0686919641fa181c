"""kernels_on_disk: whether numba has a compiled kernel on disk, and the CLI's notice."""

import importlib
import sys

import numpy as np

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
    monkeypatch.setattr(_cli, "_kernels_compiled", lambda binary: False)

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
