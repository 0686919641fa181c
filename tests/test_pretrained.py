"""The model shipped with skdigit: its file, its loader, the script that makes it,
and the commands that use it when no model is given."""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import skdigit
from skdigit import DigitLogisticClassifier, Scattering2D, _cli, load_pretrained
from skdigit._pretrained import PRETRAINED_PATH, _state, fit_pretrained, save_pretrained

# The test accuracy the README and docs publish for the default model.
PUBLISHED_ACCURACY = "0.9943"


def test_shipped_file_is_small_plain_arrays():
    assert PRETRAINED_PATH.is_file()
    assert PRETRAINED_PATH.stat().st_size < 400 * 1024  # well under 1 MiB
    with zipfile.ZipFile(PRETRAINED_PATH) as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    # readable without pickle: every entry is a plain array
    with np.load(PRETRAINED_PATH, allow_pickle=False) as archive:
        assert all(archive[key].dtype != object for key in archive.files)


def test_load_pretrained_rebuilds_the_default_pipeline():
    model = load_pretrained()
    assert isinstance(model, Pipeline)
    assert list(model.named_steps) == ["deskew", "normalize", "scattering", "scale",
                                       "classifier"]
    assert isinstance(model.named_steps["scattering"], Scattering2D)
    assert isinstance(model.named_steps["scale"], StandardScaler)
    classifier = model.named_steps["classifier"]
    assert isinstance(classifier, DigitLogisticClassifier)
    assert classifier.coef_.shape == (10, 3969)
    assert model.classes_.tolist() == list(range(10))
    assert model.n_features_in_ == 784
    # the parameters of make_digit_pipeline(features="scattering")
    default = skdigit.make_digit_pipeline(features="scattering")
    assert model.get_params(deep=True).keys() == default.get_params(deep=True).keys()
    assert classifier.C == default.named_steps["classifier"].C
    proba = model.predict_proba(np.zeros((2, 784)))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


def test_load_pretrained_refuses_a_foreign_npz(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a skdigit pretrained-model file"):
        load_pretrained(path)


def test_save_and_load_round_trip_small(tmp_path):
    """The state written by save_pretrained rebuilds a pipeline that predicts the same."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = np.kron(X.reshape(-1, 8, 8), np.ones((4, 4)))[:, 2:30, 2:30].reshape(-1, 784)
    X = X * (255 / 16)
    fitted = skdigit.make_digit_pipeline(features="scattering", max_iter=50).fit(X, y)
    path = save_pretrained(fitted, tmp_path / "m.npz")
    rebuilt = load_pretrained(path)
    np.testing.assert_array_equal(rebuilt.predict(X), fitted.predict(X))
    np.testing.assert_allclose(rebuilt.predict_proba(X), fitted.predict_proba(X),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.mnist
def test_shipped_weights_give_the_published_accuracy(mnist_home):
    X, y = skdigit.load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    assert f"{load_pretrained().score(X, y):.4f}" == PUBLISHED_ACCURACY


@pytest.mark.mnist
def test_script_reproduces_the_shipped_weights(mnist_home):
    """``python -m skdigit._pretrained`` on the bundled MNIST gives the shipped arrays."""
    refit = _state(fit_pretrained(data_home=mnist_home))
    with np.load(PRETRAINED_PATH, allow_pickle=False) as archive:
        assert set(archive.files) == set(refit)
        for key in archive.files:
            # The fit stops at tol=1e-4: across scikit-learn releases (1.6's
            # scaler rounds differently) the weights agree to about 1e-4.
            np.testing.assert_allclose(archive[key], refit[key], rtol=1e-4, atol=1e-4,
                                       err_msg=key)


def _digit_png(path):
    """A "7" from the MNIST test set, written as dark ink on white paper."""
    Image = pytest.importorskip("PIL.Image")
    X, y = skdigit.load_mnist(subset="test", return_X_y=True)
    x = X[0]
    assert y[0] == 7
    img = Image.fromarray(255 - x.reshape(28, 28).astype(np.uint8)).resize((112, 112))
    canvas = Image.new("L", (172, 152), 255)
    canvas.paste(img, (30, 20))
    canvas.save(path)
    return str(path)


def test_predict_without_model_uses_the_shipped_one(tmp_path, capsys):
    image = _digit_png(tmp_path / "seven.png")
    assert _cli.main(["predict", image, "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["prediction"] == "7"


def test_read_without_model_uses_the_shipped_one(tmp_path, capsys):
    image = _digit_png(tmp_path / "seven.png")
    assert _cli.main(["read", image, "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["number"] == "7"


def test_model_as_option_or_first_argument(tmp_path, capsys):
    """``--model M`` and the older ``M IMAGE...`` both name the model; an image
    alone uses the shipped one; a model and nothing else is an error."""
    pytest.importorskip("PIL")
    image = _digit_png(tmp_path / "seven.png")
    model = tmp_path / "m.joblib"
    skdigit.save_model(load_pretrained(), model)
    for argv in (["predict", str(model), image], ["predict", "--model", str(model), image]):
        assert _cli.main(argv) == 0
        assert capsys.readouterr().out.startswith(f"{image}: 7")
    assert _cli.main(["predict", str(model)]) == 2
    assert "give the images to read after it" in capsys.readouterr().err
    assert _cli.main(["predict", "--model", str(model), str(model), image]) == 2
    assert "give one model" in capsys.readouterr().err
    missing = tmp_path / "missing.joblib"
    assert _cli.main(["read", str(missing), image]) == 2
    assert "missing.joblib" in capsys.readouterr().err


def test_max_pixels_flag(tmp_path, capsys):
    image = _digit_png(tmp_path / "seven.png")  # 172 x 152 = 26,144 pixels
    assert _cli.main(["predict", image, "--max-pixels", "1000"]) == 2
    err = capsys.readouterr().err
    assert "--max-pixels" in err and "MAX_IMAGE_PIXELS" not in err
    assert "max_pixels=" not in err
    assert _cli.main(["predict", image, "--max-pixels", "0"]) == 0


def test_app_refuses_a_bad_model_before_starting(tmp_path, capsys, monkeypatch):
    pytest.importorskip("streamlit")
    import skdigit.app

    started = []
    monkeypatch.setattr(skdigit.app, "launch", lambda **kw: started.append(kw) or 0)
    detector = tmp_path / "is-2.joblib"
    skdigit.save_model(load_pretrained(), detector, metadata={"positive_label": 2})
    assert _cli.main(["app", "--model", str(detector)]) == 2
    assert "not a ten-class digit model" in capsys.readouterr().err
    assert not started


def test_predict_and_read_compile_nothing_on_a_fresh_install(tmp_path):
    """``skdigit predict IMAGE`` and ``skdigit read IMAGE`` in a fresh process
    with an empty numba cache (a fresh installation), no model argument: the
    right digit, and no kernel compiled (compiling them took about 10 s on two
    cores, the whole of the time to the first answer)."""
    image = _digit_png(tmp_path / "seven.png")
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    for command, expected in (("predict", f"{image}: 7"), ("read", f"{image}: 7")):
        done = subprocess.run([sys.executable, "-m", "skdigit", command, image],
                              capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(expected)
    assert [path.name for path in cache.rglob("*.nbi")] == []


@pytest.mark.mnist
def test_a_few_images_predict_as_a_large_batch(mnist_home, monkeypatch):
    """Batches below NUMPY_TWIN_BELOW images run the kernels' NumPy twins: the
    same predictions as the compiled kernels, probabilities within 1e-5."""
    from skdigit.preprocessing import _deskew, _scattering
    from skdigit.utils._numba_cache import NUMPY_TWIN_BELOW

    X, _ = skdigit.load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    X = X[:40 * (NUMPY_TWIN_BELOW - 1)]
    model = load_pretrained()
    calls = []
    for module, name in ((_scattering, "scatter_images"), (_deskew, "deskew_images")):
        kernel = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args, kernel=kernel, name=name:
                            calls.append(name) or kernel(*args))
    batch = model.predict_proba(X)
    assert sorted(set(calls)) == ["deskew_images", "scatter_images"]
    calls.clear()
    few = np.concatenate([model.predict_proba(X[start:start + NUMPY_TWIN_BELOW - 1])
                          for start in range(0, len(X), NUMPY_TWIN_BELOW - 1)])
    assert calls == []
    np.testing.assert_array_equal(few.argmax(axis=1), batch.argmax(axis=1))
    np.testing.assert_allclose(few, batch, rtol=0, atol=1e-5)


def test_scattering_weights_figure_sums_the_weights_per_position():
    """The report's figure for a scattering model: a 7x7 map per class, the
    absolute weights summed over the 81 paths."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skdigit._report import _scattering_weights

    model = load_pretrained()
    fig = _scattering_weights(model, [str(d) for d in range(10)])
    images = [im.get_array() for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 10 and images[0].shape == (7, 7)
    coef = np.abs(model[-1].coef_).reshape(10, 81, 7, 7)
    np.testing.assert_allclose(np.stack(images), coef.sum(axis=1), rtol=1e-6)
    plt.close(fig)


def test_shipped_file_is_package_data():
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text())
    assert "data/pretrained.npz" in config["tool"]["setuptools"]["package-data"]["skdigit"]
    assert any(dep.startswith("tqdm") for dep in config["project"]["dependencies"])
