"""The command line: the main job on real MNIST, and every user error it must catch."""

import json
import os
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.pipeline import Pipeline

from skdigit import DigitLogisticClassifier, _cli
from skdigit._persistence import ModelFileError, load_model, save_model


def _run(argv, capsys):
    status = _cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def small_mnist(monkeypatch):
    """Stand-in for load_mnist: load_digits images upscaled into 28x28, 0-255."""
    digits = load_digits()
    images = np.kron(digits.images, np.ones((3, 3)))  # 24 x 24
    images = np.pad(images, ((0, 0), (2, 2), (2, 2))) * (255 / 16)
    X = images.reshape(len(images), -1).round().astype(np.uint8)
    y = digits.target.astype(np.int64)
    calls = []

    def fake_load_mnist(*, subset, data_home, return_X_y):
        calls.append({"subset": subset, "data_home": data_home})
        half = len(y) * 2 // 3
        part = slice(None, half) if subset == "train" else slice(half, None)
        return X[part], y[part]

    monkeypatch.setattr(_cli, "load_mnist", fake_load_mnist)
    return calls


def test_train_then_evaluate_small(small_mnist, tmp_path, capsys):
    model_path = tmp_path / "sub" / "model.joblib"
    status, out, err = _run(
        ["train", "--output", str(model_path), "--C", "0.5", "--data-home", "DH"], capsys
    )
    assert status == 0, err
    assert {call["subset"] for call in small_mnist} == {"train", "test"}
    assert all(call["data_home"] == "DH" for call in small_mnist)
    assert "Fitting Deskew -> PixelNormalizer -> DigitLogisticClassifier" in err
    assert "[lbfgs] iteration" in out or "solver iterations" in err
    assert "Confusion matrix" in out and "precision" in out
    assert f"Model saved to {model_path}" in out
    model = joblib.load(model_path)
    assert isinstance(model, Pipeline)
    assert model.named_steps["classifier"].C == 0.5
    meta = model.skdigit_metadata_
    assert meta["task"] == "multiclass" and meta["test_accuracy"] > 0.9
    assert not list(tmp_path.glob("sub/.*.tmp"))  # no temp file left behind

    status, out, err = _run(["evaluate", str(model_path)], capsys)
    assert status == 0, err
    assert f"accuracy {meta['test_accuracy']:.4f}" in out


def test_train_binary_detector_with_cv(small_mnist, tmp_path, capsys):
    model_path = tmp_path / "two.joblib"
    status, out, err = _run(
        ["train", "--binary-digit", "2", "--cv", "3", "--no-deskew", "--quiet",
         "--output", str(model_path)],
        capsys,
    )
    assert status == 0, err
    assert err == ""  # --quiet
    assert "cross_val_score (cv=3) accuracy" in out
    assert "is it a 2?" in out and "not 2" in out
    model = load_model(model_path)
    assert model.named_steps["deskew"] == "passthrough"
    assert model.skdigit_metadata_["positive_label"] == 2
    np.testing.assert_array_equal(model.classes_, [0, 1])
    status, out, _ = _run(["evaluate", str(model_path)], capsys)
    assert status == 0 and "is it a 2?" in out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["train", "--C", "-1"], "must be positive"),
        (["train", "--C", "abc"], "is not a number"),
        (["train", "--binary-digit", "12"], "must be a digit 0-9"),
        (["train", "--cv", "1"], "at least 2 folds"),
        (["train", "--max-iter", "0"], "at least 1"),
        (["fly"], "invalid choice"),
        ([], "required"),
        (["evaluate"], "required"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv, fragment, capsys):
    with pytest.raises(SystemExit) as exc_info:
        _cli.main(argv)
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1


def test_evaluate_missing_model(tmp_path, capsys):
    status, _, err = _run(["evaluate", str(tmp_path / "nope.joblib")], capsys)
    assert status == 2
    assert err.strip().splitlines() == [
        f"skdigit evaluate: error: model file {str(tmp_path / 'nope.joblib')!r} not found"
    ]


def test_evaluate_wrong_kind_of_file(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    status, _, err = _run(["evaluate", str(text)], capsys)
    assert status == 2 and "is not a joblib model file" in err
    assert len(err.strip().splitlines()) == 1

    a_list = tmp_path / "list.joblib"
    joblib.dump([1, 2, 3], a_list)
    status, _, err = _run(["evaluate", str(a_list)], capsys)
    assert status == 2 and "holds a list, not a scikit-learn classifier" in err

    X, y = load_iris(return_X_y=True)
    iris = tmp_path / "iris.joblib"
    save_model(DigitLogisticClassifier(max_iter=500).fit(X[:, :2], y), iris)
    status, _, err = _run(["evaluate", str(iris)], capsys)
    assert status == 2 and "not an MNIST digit model" in err


def test_missing_mnist_is_a_clear_error(tmp_path, capsys):
    status, _, err = _run(["train", "--data-home", str(tmp_path), "--quiet"], capsys)
    assert status == 2
    assert err == (
        f"skdigit train: error: --data-home {tmp_path} lacks the MNIST file(s) "
        "train-images-idx3-ubyte, train-labels-idx1-ubyte: give a folder holding the four "
        "MNIST IDX files, or leave out --data-home to use the copy bundled with skdigit\n"
    )


@pytest.mark.parametrize("env", [False, True], ids=["flag", "env"])
def test_mnist_folder_that_is_a_file_is_one_line(tmp_path, capsys, monkeypatch, env):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    argv = ["train", "--quiet"] if env else ["train", "--quiet", "--data-home", str(blocker)]
    if env:
        monkeypatch.setenv("SKDIGIT_DATA_HOME", str(blocker))
    status, _, err = _run(argv, capsys)
    given = "$SKDIGIT_DATA_HOME" if env else "--data-home"
    otherwise = "unset SKDIGIT_DATA_HOME" if env else "leave out --data-home"
    assert status == 2
    assert err.startswith(f"skdigit train: error: {given} {blocker} is not a folder: ")
    assert err.endswith(f"or {otherwise} to use the copy bundled with skdigit\n")
    assert err.count("\n") == 1 and "Errno" not in err and "data_home=" not in err


def test_unreadable_mnist_file_is_one_line(monkeypatch, capsys):
    def unreadable(**kwargs):
        raise PermissionError(13, "Permission denied", "/mnist/train-images-idx3-ubyte.gz")

    monkeypatch.setattr(_cli, "load_mnist", unreadable)
    status, _, err = _run(["train", "--quiet"], capsys)
    assert status == 2
    assert err == (
        "skdigit train: error: cannot read /mnist/train-images-idx3-ubyte.gz: "
        "Permission denied\n"
    )


def test_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "skdigit", "--version"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("skdigit ")


def test_save_model_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"previous model")

    def broken_dump(obj, fh):
        fh.write(b"half a pickle")
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", broken_dump)
    X, y = load_iris(return_X_y=True)
    with pytest.raises(OSError, match="disk full"):
        save_model(DigitLogisticClassifier().fit(X, y), target)
    assert target.read_bytes() == b"previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.joblib"]


def test_load_model_warns_on_version_mismatch(tmp_path):
    X, y = load_iris(return_X_y=True)
    path = save_model(DigitLogisticClassifier(max_iter=500).fit(X, y), tmp_path / "m")
    model = joblib.load(path)
    model.skdigit_metadata_["skdigit_version"] = "0.0.1"
    joblib.dump(model, path)
    with pytest.warns(UserWarning, match="saved with skdigit 0.0.1"):
        load_model(path)


def test_load_model_rejects_unfitted(tmp_path):
    path = tmp_path / "unfitted.joblib"
    joblib.dump(DigitLogisticClassifier(), path)
    with pytest.raises(ModelFileError, match="unfitted"):
        load_model(path)


@pytest.mark.mnist
def test_main_job_on_real_mnist(mnist_home, tmp_path, capsys):
    """The issue's acceptance figures: deskewed >= 0.955, raw pixels >= 0.925."""
    deskewed = tmp_path / "deskew.joblib"
    status, out, err = _run(
        ["train", "--data-home", str(mnist_home), "--output", str(deskewed)],
        capsys,
    )
    assert status == 0, err
    accuracy = load_model(deskewed).skdigit_metadata_["test_accuracy"]
    print(f"MNIST test accuracy, Deskew -> PixelNormalizer -> classifier: {accuracy}")
    assert accuracy >= 0.955

    raw = tmp_path / "raw.joblib"
    status, out, err = _run(
        ["train", "--data-home", str(mnist_home), "--no-deskew", "--quiet",
         "--output", str(raw)],
        capsys,
    )
    assert status == 0, err
    accuracy_raw = load_model(raw).skdigit_metadata_["test_accuracy"]
    print(f"MNIST test accuracy, PixelNormalizer -> classifier: {accuracy_raw}")
    assert accuracy_raw >= 0.925

    status, out, err = _run(
        ["evaluate", str(raw), "--data-home", str(mnist_home)], capsys
    )
    assert status == 0, err
    assert f"accuracy {accuracy_raw:.4f}" in out


@pytest.mark.mnist
def test_binary_two_detector_cross_validation_on_real_mnist(mnist_home, tmp_path, capsys):
    """The classic "is it a 2?" task: mean cross_val_score(cv=3) >= 0.97."""
    status, out, err = _run(
        ["train", "--data-home", str(mnist_home), "--binary-digit", "2", "--cv", "3",
         "--no-deskew", "--quiet", "--output", str(tmp_path / "two.joblib")],
        capsys,
    )
    assert status == 0, err
    line = next(l for l in out.splitlines() if l.startswith("cross_val_score"))
    mean = float(line.split("accuracy:")[1].split()[0])
    print(line)
    assert mean >= 0.97


def _double(X):
    return X * 2


def test_skops_round_trip_and_untrusted_types(tmp_path):
    pytest.importorskip("skops")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skdigit import Deskew, PixelNormalizer

    X, y = load_digits(return_X_y=True)
    X = X * (255 / 16)
    model = make_pipeline(
        Deskew(), PixelNormalizer(), DigitLogisticClassifier(max_iter=300)
    ).fit(X, y)
    path = save_model(model, tmp_path / "digits.skops", metadata={"task": "multiclass"})
    with open(path, "rb") as fh:
        assert fh.read(2) == b"PK"  # a zip archive, not a pickle
    restored = load_model(path)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.skdigit_metadata_["task"] == "multiclass"

    foreign = make_pipeline(FunctionTransformer(_double), DigitLogisticClassifier())
    foreign.fit(X / 255, y)
    bad = save_model(foreign, tmp_path / "foreign.skops")
    with pytest.raises(ModelFileError, match="does not trust: .*_double"):
        load_model(bad)


def test_saved_model_file_has_normal_permissions(tmp_path):
    X, y = load_iris(return_X_y=True)
    path = save_model(DigitLogisticClassifier(max_iter=500).fit(X, y), tmp_path / "m")
    mode = path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


@pytest.fixture
def small_model(small_mnist, tmp_path, capsys):
    """A ten-digit model trained by ``skdigit train`` on the small stand-in data."""
    path = tmp_path / "small.joblib"
    status, _, err = _run(["train", "--quiet", "--output", str(path)], capsys)
    assert status == 0, err
    return path


def test_evaluate_writes_report(small_model, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    report = tmp_path / "report"
    status, out, err = _run(["evaluate", str(small_model), "--report", str(report)],
                            capsys)
    assert status == 0, err
    metrics = json.loads((report / "metrics.json").read_text())
    assert f"accuracy {metrics['accuracy']:.4f}" in out
    assert sum(map(sum, metrics["confusion_matrix"])) == metrics["n_samples"]
    assert set(metrics["per_class"]) == {str(d) for d in range(10)}
    assert metrics["model"]["task"] == "multiclass"
    markdown = (report / "report.md").read_text()
    assert f"**{metrics['accuracy']:.4f}**" in markdown
    for name in ("confusion_matrix", "misclassified", "coefficients", "precision_recall"):
        png = report / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"({name}.png)" in markdown
    assert not list(report.glob(".*.tmp"))


def _digit_png(x, path, *, size=112):
    """Save a 28x28 MNIST-style digit as a person would: dark ink on white paper."""
    Image = pytest.importorskip("PIL.Image")
    img = Image.fromarray(255 - x.reshape(28, 28).astype(np.uint8)).resize(
        (size, size), Image.Resampling.BILINEAR
    )
    canvas = Image.new("L", (size + 60, size + 40), 255)
    canvas.paste(img, (45, 10))  # off-centre, with margins
    canvas.save(path)
    return path


def test_predict_own_images(small_model, small_mnist, tmp_path, capsys):
    from skdigit._cli import load_mnist as fake_load

    X_test, y_test = fake_load(subset="test", data_home=None, return_X_y=True)
    model = load_model(small_model)
    # digits the model gets right from the arrays, one per class where possible
    right = np.flatnonzero(model.predict(X_test) == y_test)
    picks = [right[y_test[right] == d][0] for d in range(10)]
    files = [str(_digit_png(X_test[i], tmp_path / f"d{i}.png")) for i in picks]
    status, out, err = _run(["predict", str(small_model), *files], capsys)
    assert status == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == len(files)
    predicted = [int(line.split(": ")[1].split()[0]) for line in lines]
    assert np.mean(np.array(predicted) == y_test[picks]) >= 0.8

    status, out, _ = _run(["predict", str(small_model), files[0], "--json", "--top", "3"],
                          capsys)
    assert status == 0
    (entry,) = json.loads(out)
    assert entry["file"] == files[0] and len(entry["top"]) == 3
    probs = [t["probability"] for t in entry["top"]]
    assert probs == sorted(probs, reverse=True) and entry["probability"] == probs[0]


def test_predict_reports_bad_files_and_goes_on(small_model, small_mnist, tmp_path, capsys):
    pytest.importorskip("PIL")
    not_image = tmp_path / "notes.png"
    not_image.write_text("hello")
    stroke = np.pad(np.full((20, 4), 255, np.uint8), ((4, 4), (12, 12)))  # a "1"
    good = _digit_png(stroke.ravel(), tmp_path / "one.png")
    status, out, err = _run(["predict", str(small_model), str(not_image), str(good)],
                            capsys)
    assert status == 2
    assert f"skdigit predict: error: {not_image}:" in err
    assert out.startswith(f"{good}: ")


def test_app_with_missing_model_is_a_clear_error(tmp_path, capsys):
    status, _, err = _run(["app", "--model", str(tmp_path / "none.joblib")], capsys)
    assert status == 2
    assert err.strip().splitlines() == [
        f"skdigit app: error: model file {str(tmp_path / 'none.joblib')!r} not found"
    ]
