"""Model files: skops trusts exactly skdigit's estimators; writes are atomic; stale
temporary files of killed writers are cleaned up, only ours and only stale ones."""

import copy
import importlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

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


# --- files that are replaced or trusted wrongly (issue 28) ------------------------


@pytest.fixture(scope="module")
def iris_model():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return DigitLogisticClassifier(max_iter=500).fit(X, y), X


def test_a_symlink_at_the_destination_is_never_followed(iris_model, tmp_path):
    # in a shared sticky folder another user plants a link to a file of the victim's:
    # check_save_path (skdigit train's check) refuses it; save_model replaces the link
    # itself, not its target
    model, X = iris_model
    victim = tmp_path / "victim" / "precious.txt"
    victim.parent.mkdir()
    victim.write_text("precious")
    shared = tmp_path / "shared"
    shared.mkdir()
    link = shared / "model.joblib"
    link.symlink_to(victim)
    with pytest.raises(ModelFileError, match=r"is a symbolic link \(to .*precious\.txt'\); "
                       r"skdigit does not write through links"):
        check_save_path(link)
    assert link.is_symlink()
    assert save_model(model, link) == link
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and list(shared.iterdir()) == [link]
    np.testing.assert_array_equal(load_model(link).predict(X), model.predict(X))
    dangling = shared / "dangling.joblib"
    dangling.symlink_to(shared / "nowhere")
    with pytest.raises(ModelFileError, match="symbolic link"):
        check_save_path(dangling)
    save_model(model, dangling)
    assert not (shared / "nowhere").exists() and not dangling.is_symlink()


def test_check_save_path_refuses_a_file_the_sticky_bit_protects(tmp_path, monkeypatch):
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    (sticky / "model.joblib").write_bytes(b"someone else's")
    assert check_save_path(sticky / "model.joblib")  # ours: replaceable
    # as another user (neither the folder's owner nor the file's)
    monkeypatch.setattr(os, "getuid", lambda: sticky.stat().st_uid + 4242)
    with pytest.raises(ModelFileError, match="belongs to another user, in a folder whose "
                       "sticky bit"):
        check_save_path(sticky / "model.joblib")
    assert check_save_path(sticky / "new.joblib")  # a new file is fine


def _flip_two_coefficient_bytes(path, model):
    data = bytearray(path.read_bytes())
    start = bytes(data).find(model.coef_.tobytes())
    assert start > 0
    data[start + 3] ^= 0x40
    data[start + 50] ^= 0x01
    path.write_bytes(bytes(data))


def test_load_model_refuses_a_joblib_file_with_flipped_bytes(iris_model, tmp_path):
    import joblib

    model, X = iris_model
    path = save_model(model, tmp_path / "model.joblib")
    np.testing.assert_array_equal(joblib.load(path).coef_, model.coef_)  # joblib reads it
    _flip_two_coefficient_bytes(path, model)
    assert not np.array_equal(joblib.load(path).coef_, model.coef_)  # silently damaged
    with pytest.raises(ModelFileError, match=r"model\.joblib' is damaged: its content does "
                       r"not match the SHA-256 recorded when it was saved"):
        load_model(path)


def test_load_model_accepts_joblib_files_without_a_checksum(iris_model, tmp_path):
    import joblib

    model, X = iris_model
    path = tmp_path / "plain.joblib"
    joblib.dump(model, path)  # by joblib itself: nothing recorded, nothing to verify
    np.testing.assert_array_equal(load_model(path).predict(X), model.predict(X))


def test_unfitted_model_saved_then_loaded_is_refused(tmp_path):
    path = save_model(DigitLogisticClassifier(), tmp_path / "unfitted.joblib")
    with pytest.raises(ModelFileError, match="holds an unfitted model"):
        load_model(path)
    pipeline = make_pipeline(PixelNormalizer(), DigitLogisticClassifier())
    with pytest.raises(ModelFileError, match="holds an unfitted model"):
        load_model(save_model(pipeline, tmp_path / "unfitted-pipeline.joblib"))


def test_save_model_of_something_else_is_a_clear_error(tmp_path):
    with pytest.raises(TypeError, match="save_model saves a scikit-learn estimator, got a "
                       "dict; for other objects use joblib.dump"):
        save_model({"coef": [1, 2]}, tmp_path / "d.joblib")
    assert not list(tmp_path.iterdir())


def test_save_model_to_a_folder_is_a_clear_error(iris_model, tmp_path):
    model, _ = iris_model
    with pytest.raises(IsADirectoryError, match=f"Is a folder; give a file name: "
                       f"{str(tmp_path)!r}"):
        save_model(model, tmp_path)
    assert not list(tmp_path.iterdir())


def test_load_model_of_a_folder_says_folder(tmp_path):
    with pytest.raises(ModelFileError, match="is a folder, not a model file"):
        load_model(tmp_path)


def test_skops_floor_excludes_cve_2025_54412():
    from packaging.requirements import Requirement

    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")

    pyproject = tomllib.loads(
        (Path(skdigit.__file__).parents[1] / "pyproject.toml").read_text()
    )
    (requirement,) = map(Requirement, pyproject["project"]["optional-dependencies"]["skops"])
    assert requirement.name == "skops"
    assert not requirement.specifier.contains("0.11.0")  # affected by CVE-2025-54412
    assert requirement.specifier.contains("0.12.0")


def test_skops_refuses_an_attribute_shadowing_a_method(iris_model, tmp_path):
    pytest.importorskip("skops")
    import skops.io as sio

    model, X = iris_model
    hostile = copy.deepcopy(model)
    hostile.predict = np.negative  # a function skops trusts by default
    path = tmp_path / "hostile.skops"
    with open(path, "wb") as fh:
        sio.dump(make_pipeline(PixelNormalizer(max_value=10), hostile), fh)
    # skops alone loads it, and predict then returns the negated pixels
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    assert loaded[-1].predict is np.negative
    with pytest.raises(ModelFileError, match=r"sets attributes that replace methods of their "
                       r"class: model\.steps\[1\]\[1\]\.predict"):
        load_model(path)


def _skops_with_schema(path, schema_bytes):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", schema_bytes)
    return path


def test_skops_schema_that_inflates_is_refused_before_skops_reads_it(tmp_path, monkeypatch):
    pytest.importorskip("skops")
    import skops.io as sio

    # 20 MiB of spaces: a 20 KB file
    path = _skops_with_schema(tmp_path / "bomb.skops", b"{" + b" " * (20 << 20) + b"}")
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(sio, "get_untrusted_types", pytest.fail)
    monkeypatch.setattr(sio, "load", pytest.fail)
    with pytest.raises(ModelFileError, match=r"bomb\.skops' is not a skops model file skdigit "
                       r"reads: its schema\.json inflates to 20971522 bytes, more than "
                       r"16777216"):
        load_model(path)


def test_skops_members_that_inflate_are_refused(iris_model, tmp_path, monkeypatch):
    pytest.importorskip("skops")
    from skdigit import _model_checks

    model, X = iris_model
    path = save_model(model, tmp_path / "model.skops")
    total = sum(m.file_size for m in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(_model_checks, "SKOPS_MAX_BYTES", total - 1)
    with pytest.raises(ModelFileError, match=f"its members inflate to {total} bytes, more "
                       f"than {total - 1}"):
        load_model(path)
    monkeypatch.setattr(_model_checks, "SKOPS_MAX_BYTES", total)
    np.testing.assert_array_equal(load_model(path).predict(X), model.predict(X))
    with zipfile.ZipFile(tmp_path / "none.skops", "w") as archive:
        archive.writestr("other.json", b"{}")
    with pytest.raises(ModelFileError, match="it has no schema.json"):
        load_model(tmp_path / "none.skops")
