"""Model files: skops trusts exactly skdigit's estimators; writes are atomic; stale
temporary files of killed writers are cleaned up, only ours and only stale ones."""

import importlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skdigit
from skdigit import (
    Deskew,
    DigitLogisticClassifier,
    ModelFileError,
    PixelNormalizer,
    TargetBinarizer,
    load_model,
    save_model,
)
from skdigit._persistence import check_save_path, trusted_types
from skdigit.utils import _atomic, atomic_write

# --- skops: trust exactly what is documented --------------------------------------


def _double(X):
    return X * 2


@pytest.fixture(scope="module")
def digits_255(digits):
    X, y = digits  # the shared fixture, back to pixel intensities 0-255
    return X * 255, y


def test_trusted_types_are_exactly_the_public_estimators():
    names = trusted_types()
    expected = {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in (DigitLogisticClassifier, Deskew, PixelNormalizer, TargetBinarizer)
    }
    assert expected <= set(names)
    packages = [skdigit] + [
        importlib.import_module(f"skdigit.{sub}")
        for sub in ("linear_model", "preprocessing", "datasets", "plotting", "app", "utils")
    ]
    for name in names:  # each one an estimator class that skdigit exports
        module, _, attr = name.rpartition(".")
        obj = getattr(sys.modules[module], attr)
        assert isinstance(obj, type) and hasattr(obj, "get_params")
        assert any(
            getattr(package, n, None) is obj
            for package in packages
            for n in getattr(package, "__all__", ())
        )
    assert not any("Error" in name or "load" in name for name in names)


def test_skops_round_trip(digits_255, tmp_path):
    pytest.importorskip("skops")
    X, y = digits_255
    model = make_pipeline(
        Deskew(), PixelNormalizer(), DigitLogisticClassifier(max_iter=100)
    ).fit(X, y)
    path = save_model(model, tmp_path / "digits.skops", metadata={"task": "multiclass"})
    with open(path, "rb") as fh:
        assert fh.read(2) == b"PK"  # a zip archive, not a pickle
    restored = load_model(path)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.skdigit_metadata_["task"] == "multiclass"


def _rewrite_schema(path, old, new):
    """Rename the object ``old`` (module, name) to ``new`` inside a .skops file's
    schema, as a hostile author would."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    found = []

    def walk(node):
        if isinstance(node, dict):
            if (node.get("__module__"), node.get("__class__")) == old:
                node["__module__"], node["__class__"] = new
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    schema = json.loads(members["schema.json"])
    walk(schema)
    assert found, f"{old} is not in the file"
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "module, name, why",
    [
        # scikit-learn's function, imported into a skdigit module
        ("skdigit._persistence", "check_is_fitted", "a function imported into ours"),
        # skdigit's own function
        ("skdigit.utils._atomic", "atomic_write", "a function of ours"),
        # a module re-exported by ours (skdigit._persistence imports joblib)
        ("skdigit._persistence", "joblib", "a module re-exported by ours"),
        # a skdigit class that is not an estimator
        ("skdigit._persistence", "ModelFileError", "a class of ours, not an estimator"),
        # one of our estimators, under a name that is not where it is defined
        ("skdigit", "DigitLogisticClassifier", "an estimator under an alias"),
    ],
)
def test_skops_refuses_crafted_names_inside_skdigit(module, name, why, digits_255, tmp_path):
    pytest.importorskip("skops")
    X, y = digits_255
    model = make_pipeline(FunctionTransformer(_double), DigitLogisticClassifier(max_iter=50))
    path = save_model(model.fit(X / 255, y), tmp_path / "crafted.skops")
    _rewrite_schema(path, (__name__, "_double"), (module, name))
    with pytest.raises(ModelFileError, match=f"does not trust: .*{module}.{name}"):
        load_model(path)


def test_skops_refuses_foreign_types(digits_255, tmp_path):
    pytest.importorskip("skops")
    X, y = digits_255
    model = make_pipeline(FunctionTransformer(_double), DigitLogisticClassifier(max_iter=50))
    path = save_model(model.fit(X / 255, y), tmp_path / "foreign.skops")
    with pytest.raises(ModelFileError, match=f"does not trust: {__name__}._double"):
        load_model(path)
    # a network function, named where it lives
    _rewrite_schema(path, (__name__, "_double"), ("urllib.request", "urlopen"))
    with pytest.raises(ModelFileError, match="does not trust: urllib.request.urlopen"):
        load_model(path)


# --- where a model can be written -------------------------------------------------


def test_check_save_path(tmp_path):
    (tmp_path / "file").write_text("")
    assert check_save_path(tmp_path / "new" / "deeper" / "m.joblib") == (
        tmp_path / "new" / "deeper" / "m.joblib"
    )
    assert not (tmp_path / "new").exists()  # nothing is created
    with pytest.raises(ModelFileError, match="is a folder"):
        check_save_path(tmp_path)
    with pytest.raises(ModelFileError, match="is not a folder"):
        check_save_path(tmp_path / "file" / "m.joblib")
    assert list(tmp_path.iterdir()) == [tmp_path / "file"]  # the probe left nothing


# --- stale temporary files ---------------------------------------------------------


def _age(path, seconds):
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_atomic_write_removes_only_our_stale_temporaries(tmp_path):
    target = tmp_path / "m.joblib"
    dead, alive = _dead_pid(), os.getpid()
    stale = tmp_path / f".m.joblib.{dead}.abcd_123.tmp"
    fresh = tmp_path / f".m.joblib.{dead}.abcd_124.tmp"  # just written: maybe in use
    live = tmp_path / f".m.joblib.{alive}.abcd_125.tmp"  # its writer is running
    other_name = tmp_path / f".other.joblib.{dead}.abcd_126.tmp"
    not_ours = tmp_path / f".m.joblib.{dead}.not-mkstemp.tmp"
    ancient = tmp_path / ".m.joblib.abcd_127.tmp"  # no pid (older skdigit), a day old
    for path in (stale, fresh, live, other_name, not_ours, ancient):
        path.write_bytes(b"")
    for path in (stale, live, other_name, not_ours):
        _age(path, 60)
    _age(ancient, 2 * 24 * 3600)
    link = tmp_path / f".m.joblib.{dead}.abcd_128.tmp"
    link.symlink_to(tmp_path / "elsewhere")
    with atomic_write(target) as fh:
        fh.write(b"model")
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {p.name for p in (target, fresh, live, other_name, not_ours, link)}
    assert target.read_bytes() == b"model"


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_kill_9_during_a_save_then_the_next_save_cleans_up(tmp_path):
    target = tmp_path / "model.joblib"
    writer = textwrap.dedent(f"""
        import sys, time
        from skdigit.utils import atomic_write
        with atomic_write({str(target)!r}) as fh:
            fh.write(b"half")
            fh.flush()
            print("writing", flush=True)
            time.sleep(120)
    """)
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE,
                               text=True, cwd=os.getcwd())
    try:
        assert process.stdout.readline().strip() == "writing"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    (left,) = tmp_path.glob(".model.joblib.*.tmp")  # what kill -9 leaves
    assert not target.exists()
    _age(left, _atomic.STALE_AFTER + 5)
    with atomic_write(target) as fh:
        fh.write(b"complete")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.joblib"]
    assert target.read_bytes() == b"complete"
