"""Tests of the web app (``skdigit app``): its model helpers, launcher and page.

The helpers and the launcher are tested without Streamlit. The page is driven
with ``streamlit.testing.v1.AppTest`` (no browser): a real MNIST test digit,
saved as a dark-on-light PNG as a person would scan it, is uploaded through the
page's file uploader and the digit shown must be its true label. Those tests
need Streamlit >= 1.56 (the first whose AppTest can upload files) and MNIST.
"""

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from skdigit._persistence import ModelFileError, save_model
from skdigit.app import SCRIPT_PATH, _launch, _model, _streamlit_app, launch
from skdigit.datasets import load_mnist
from skdigit.utils import MissingExtraError


def _dummy_digit_model(proba_of_seven=0.5):
    """A tiny fitted ten-class model whose predict_proba favours 7."""
    y = np.r_[np.arange(10), [7] * int(10 * proba_of_seven / (1 - proba_of_seven))]
    return DummyClassifier(strategy="prior").fit(np.zeros((len(y), 784)), y)


def _png(array):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


# --- helpers, no Streamlit needed ---------------------------------------------


def test_importing_skdigit_does_not_import_streamlit():
    code = (
        "import sys, skdigit, skdigit.app, skdigit.app._model, "
        "skdigit.app._streamlit_app\n"
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_resolve_model_path_argument_then_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(_model.ENV_MODEL, raising=False)
    assert _model.resolve_model_path() is None
    monkeypatch.setenv(_model.ENV_MODEL, str(tmp_path / "env.joblib"))
    assert _model.resolve_model_path() == tmp_path / "env.joblib"
    assert _model.resolve_model_path(tmp_path / "arg.joblib") == tmp_path / "arg.joblib"
    monkeypatch.setenv(_model.ENV_MODEL, "")
    assert _model.resolve_model_path() is None


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv(_model.ENV_CACHE_DIR, str(tmp_path / "c"))
    assert _model.default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv(_model.ENV_CACHE_DIR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _model.default_cache_dir() == tmp_path / "xdg" / "skdigit"
    path = _model.quick_model_path(tmp_path, n_train=123)
    assert path.parent == tmp_path and "mnist123" in path.name
    assert path.suffix == ".joblib"


def test_check_digit_model_rejects_a_one_digit_detector():
    binary = DummyClassifier().fit(np.zeros((4, 784)), [0, 1, 0, 1])
    with pytest.raises(ModelFileError, match="not a ten-class digit model"):
        _model.check_digit_model(binary)
    model = _dummy_digit_model()
    assert _model.check_digit_model(model) is model


def test_get_model_without_a_file_uses_the_shipped_model(monkeypatch):
    """No model file: the shipped model, at once; nothing is trained or cached."""
    monkeypatch.delenv(_model.ENV_MODEL, raising=False)
    monkeypatch.setattr(_model, "train_quick_model", pytest.fail)
    model, how = _model.get_model()
    assert how == _model.SHIPPED_DESCRIPTION and "/" not in how
    assert list(model.named_steps)[-1] == "classifier"
    np.testing.assert_array_equal(model.classes_, np.arange(10))


def test_get_model_given_file(monkeypatch, tmp_path):
    monkeypatch.setattr(_model, "train_quick_model", pytest.fail)
    path = save_model(_dummy_digit_model(), tmp_path / "m.joblib")
    model, how = _model.get_model(path)
    assert how == "the model file m.joblib"
    monkeypatch.setenv(_model.ENV_MODEL, str(path))
    assert _model.get_model()[1] == how
    with pytest.raises(ModelFileError, match="not found"):
        _model.get_model(tmp_path / "missing.joblib")
    binary = save_model(DummyClassifier().fit(np.zeros((2, 784)), [0, 1]), tmp_path / "b.joblib")
    with pytest.raises(ModelFileError, match="binary-digit"):
        _model.get_model(binary)


def test_check_digit_model_rejects_other_image_sizes():
    small = DummyClassifier().fit(np.zeros((10, 64)), np.arange(10))  # 8x8 images
    with pytest.raises(ModelFileError, match=r"64 pixels per image \(8x8 images\)"):
        _model.check_digit_model(small, "'m.joblib'")


def test_predict_digit_and_upscale():
    prediction = _model.predict_digit(_dummy_digit_model(0.5), np.zeros(784, np.uint8))
    assert prediction.digit == 7
    assert prediction.probabilities.shape == (10,)
    assert prediction.probability == pytest.approx(prediction.probabilities[7])
    assert prediction.probabilities.sum() == pytest.approx(1)

    x = np.arange(784) % 256
    big = _model.upscale(x, scale=3)
    assert big.shape == (84, 84) and big.dtype == np.uint8
    np.testing.assert_array_equal(big[::3, ::3], x.reshape(28, 28))
    np.testing.assert_array_equal(big[2::3, 1::3], x.reshape(28, 28))
    assert _model.deskewed_view(_dummy_digit_model(), x) is None


def test_page_reads_an_uploaded_image_and_names_it():
    pytest.importorskip("PIL")
    from skdigit._digit_model import image_error_message

    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    for png in (_png(digit), _png(255 - digit)):  # light on dark, dark on light
        x = _streamlit_app._read_digit(png, "digit.png")
        assert x.shape == (784,) and x.dtype == np.uint8
        assert x.reshape(28, 28)[:, 10:18].sum() > 0.9 * x.sum()  # the bar stays put
    with pytest.raises(ValueError) as exc_info:
        _streamlit_app._read_digit(b"not an image", "scan.png")
    assert "scan.png" in str(exc_info.value) and "<bytes" not in str(exc_info.value)
    message = image_error_message(exc_info.value, "scan.png")
    assert "scan.png" not in message and message  # the page names the file once


def test_build_command():
    command = _launch.build_command(port=8600, extra_args=["--server.address", "0.0.0.0"])
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(SCRIPT_PATH)]
    assert SCRIPT_PATH.is_file()
    text = " ".join(command)
    assert "--server.headless true" in text and "--server.port 8600" in text
    assert "--client.toolbarMode minimal" in text  # no "Deploy" button
    assert f"--server.maxUploadSize {_launch.MAX_UPLOAD_MB}" in text
    assert command[-2:] == ["--server.address", "0.0.0.0"]
    assert "--server.port" not in _launch.build_command()
    with pytest.raises(ValueError, match="port"):
        _launch.build_command(port=0)


def test_launch(monkeypatch, tmp_path):
    started = {}

    class FakePopen:
        def __init__(self, command, env):
            started.update(command=command, env=env)

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(_launch.subprocess, "Popen", FakePopen)
    monkeypatch.setattr(_launch, "import_optional", lambda *args, **kwargs: None)
    model = save_model(_dummy_digit_model(), tmp_path / "m.joblib")
    assert launch(model_path=model, port=8600, data_home=tmp_path, extra_args=["--x"]) == 0
    assert started["env"][_model.ENV_MODEL] == str(model)
    assert started["env"]["SKDIGIT_DATA_HOME"] == str(tmp_path.resolve())
    assert started["command"][-1] == "--x"

    with pytest.raises(ModelFileError, match="not found"):
        launch(model_path=tmp_path / "missing.joblib")
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "streamlit", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"skdigit\[app\]"):
        launch()


_SERVER_STANDIN = textwrap.dedent("""
    import os, signal, sys, time
    from skdigit.app import _launch
    # the "server": a child that prints its pid and waits to be stopped
    child = [sys.executable, "-c", "import os, time; print(os.getpid(), flush=True); "
             "time.sleep(120)"]
    _launch.build_command = lambda **kwargs: child
    _launch.import_optional = lambda *args, **kwargs: None
    sys.exit(_launch.launch())
""")


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix",
                    reason="POSIX signals")
def test_sigterm_of_the_launcher_stops_the_server(tmp_path):
    """``kill`` of ``skdigit app`` must not leave Streamlit running as an orphan."""
    launcher = subprocess.Popen([sys.executable, "-c", _SERVER_STANDIN],
                                stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        server_pid = int(launcher.stdout.readline())
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=30) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(server_pid, signal.SIGKILL)
            pytest.fail("the server outlived its launcher")
    finally:
        if launcher.poll() is None:
            launcher.kill()


# --- the page, with Streamlit's AppTest ----------------------------------------


@pytest.fixture(scope="module")
def app_test():
    """``AppTest``, skipping when Streamlit (or its file-upload testing) is missing."""
    testing = pytest.importorskip("streamlit.testing.v1")
    from streamlit.testing.v1 import element_tree

    if not hasattr(element_tree, "FileUploader"):
        pytest.skip("this Streamlit's AppTest cannot upload files (needs streamlit>=1.56)")
    return testing.AppTest


@pytest.fixture(scope="module")
def digit_model_path(mnist_home, tmp_path_factory):
    """The app's own model (the shipped scattering pipeline), saved to a file."""
    from skdigit import load_pretrained

    return save_model(load_pretrained(), tmp_path_factory.mktemp("app") / "model.joblib")


@pytest.fixture(scope="module")
def confident_test_digit(digit_model_path, mnist_home):
    """A MNIST test image the model classifies right with probability >= 0.999."""
    model = _model.load_digit_model(digit_model_path)
    X, y = load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    X, y = X[:2000], y[:2000]
    p_true = model.predict_proba(X)[np.arange(len(y)), y]
    best = int(np.argmax(p_true))
    assert p_true[best] >= 0.999
    return X[best].reshape(28, 28), int(y[best])


@pytest.fixture
def page_env(monkeypatch, tmp_path):
    """No model, MNIST or cache reachable unless a test says otherwise."""
    monkeypatch.delenv(_model.ENV_MODEL, raising=False)
    monkeypatch.setenv(_model.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(tmp_path / "no-mnist"))
    return monkeypatch


def _chart_probabilities(at):
    """The (digits, probabilities) drawn in the page's bar chart."""
    import pyarrow as pa

    (chart,) = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]
    (dataset,) = chart.proto.datasets
    table = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
    return table["digit"].tolist(), table["probability"].to_numpy()


def test_page_upload_shows_the_right_digit(
    app_test, page_env, digit_model_path, confident_test_digit
):
    image, label = confident_test_digit
    page_env.setenv(_model.ENV_MODEL, str(digit_model_path))
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    assert not at.exception and not at.error
    assert at.info[0].value.startswith("Upload")
    assert not at.metric

    # dark ink on white paper, 4x larger, as a person would scan or draw it
    paper = np.kron(255 - image, np.ones((4, 4), np.uint8))
    at.file_uploader[0].set_value(("digit.png", _png(paper), "image/png")).run()
    assert not at.exception and not at.error
    (metric,) = at.metric
    assert metric.label == "Predicted digit"
    assert metric.value == str(label)
    assert "probability" in at.markdown[0].value
    digits, probabilities = _chart_probabilities(at)
    assert digits == [str(d) for d in range(10)]
    assert probabilities.sum() == pytest.approx(1)
    assert int(np.argmax(probabilities)) == label

    at.file_uploader[0].set_value(("broken.png", b"not an image", "image/png")).run()
    assert not at.exception and not at.metric
    message = at.error[0].value
    assert "Cannot read broken.png" in message
    assert message.count("broken.png") == 1 and "<bytes" not in message


def test_page_without_a_model_uses_the_shipped_one(app_test, page_env):
    """No model given and no MNIST: the page uses the shipped model, names it, and
    shows no file path."""
    import time

    start = time.perf_counter()
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    assert time.perf_counter() - start < 30  # loads, does not train
    assert not at.exception and not at.error
    caption = at.caption[0].value
    assert "skdigit scattering model shipped with skdigit" in caption
    assert "99.43%" in caption and "/" not in caption and "quick" not in caption
    assert at.file_uploader


def test_first_page_and_first_prediction_call_no_numba_kernel(
    app_test, page_env, confident_test_digit
):
    """With the shipped model, the first page and the first upload's prediction run
    the kernels' NumPy twins: after installing, nothing waits for numba to compile."""
    import streamlit as st

    from skdigit.preprocessing import _deskew, _scattering

    def refuse(*args):
        raise AssertionError("a numba kernel was called")

    for module, name in ((_scattering, "scatter_images"), (_deskew, "deskew_images"),
                         (_deskew, "image_skews")):
        page_env.setattr(module, name, refuse)
    st.cache_resource.clear()  # the model is loaded again, by this run
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    assert not at.exception and not at.error
    image, label = confident_test_digit
    paper = np.kron(255 - image, np.ones((4, 4), np.uint8))
    at.file_uploader[0].set_value(("digit.png", _png(paper), "image/png")).run()
    assert not at.exception and not at.error
    (metric,) = at.metric
    assert metric.value == str(label)


def test_page_invert_control(app_test, page_env, confident_test_digit):
    """The page's "Ink" choice is the reader's invert: forcing the wrong one
    changes what the model sees; the right one reads the digit."""
    image, label = confident_test_digit
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    light_on_dark = np.kron(image, np.ones((4, 4), np.uint8))  # MNIST's own polarity
    at.file_uploader[0].set_value(("digit.png", _png(light_on_dark), "image/png")).run()
    (ink,) = [r for r in at.radio if r.label == "Ink"]
    assert ink.options == ["Decide for me", "Dark ink on light paper",
                           "Light ink on a dark background"]
    ink.set_value("Light ink on a dark background").run()
    assert not at.exception and not at.error
    assert at.metric[0].value == str(label)


def test_page_wording_names_the_control():
    from skdigit.app._streamlit_app import _page_wording

    worded = _page_wording("the image is blank; pass invert=True/False to choose")
    assert "invert=" not in worded and "'Ink'" in worded


def test_page_bad_model_file(app_test, page_env, tmp_path):
    page_env.setenv(_model.ENV_MODEL, str(tmp_path / "missing.joblib"))
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    assert not at.exception
    assert "Cannot use the model" in at.error[0].value
    assert "not found" in at.error[0].value
    assert not at.file_uploader


def test_page_model_for_other_image_sizes(app_test, page_env, tmp_path):
    small = DummyClassifier().fit(np.zeros((10, 64)), np.arange(10))  # 8x8 images
    page_env.setenv(_model.ENV_MODEL, str(save_model(small, tmp_path / "small.joblib")))
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    assert not at.exception
    assert "Cannot use the model" in at.error[0].value
    assert "64 pixels per image" in at.error[0].value
    assert not at.file_uploader


def test_page_reads_a_number(app_test, page_env, digit_model_path, confident_test_digit):
    image, label = confident_test_digit
    page_env.setenv(_model.ENV_MODEL, str(digit_model_path))
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    digit = np.kron(255 - image, np.ones((4, 4), np.uint8))
    width = digit.shape[1]
    paper = np.full((digit.shape[0], 3 * width), 255, dtype=np.uint8)
    paper[:, :width] = paper[:, 2 * width :] = digit  # the digit twice, apart
    at.file_uploader[0].set_value(("number.png", _png(paper), "image/png")).run()
    at.toggle[0].set_value(True).run()
    assert not at.exception and not at.error
    (metric,) = at.metric
    assert metric.label == "Number read" and metric.value == str(label) * 2


def test_page_reads_a_photo_from_the_camera(app_test, page_env, digit_model_path,
                                            confident_test_digit):
    image, label = confident_test_digit
    page_env.setenv(_model.ENV_MODEL, str(digit_model_path))
    at = app_test.from_file(str(SCRIPT_PATH), default_timeout=60).run()
    (mode,) = [r for r in at.radio if r.label == "Input"]
    assert "Take a photo" in mode.options
    mode.set_value("Take a photo").run()
    assert len(at.camera_input) == 1
    digit = np.kron(255 - image, np.ones((6, 6), np.uint8))
    photo = np.full((3 * digit.shape[0], 3 * digit.shape[1]), 255, dtype=np.uint8)
    photo[digit.shape[0]: 2 * digit.shape[0], digit.shape[1]: 2 * digit.shape[1]] = digit
    from PIL import Image

    jpeg = io.BytesIO()
    Image.fromarray(photo).save(jpeg, format="JPEG", quality=92)
    at.camera_input[0].set_value(("photo.jpg", jpeg.getvalue(), "image/jpeg")).run()
    assert not at.exception and not at.error
    (metric,) = at.metric
    assert metric.label == "Number read" and metric.value == str(label)


# --- the page in headless Chromium ----------------------------------------------

# The rectangles of the drawing canvas's toolbar (streamlit-drawable-canvas >= 0.13
# draws it in its shadow root, above the canvas's top right corner, while the
# pointer is over the canvas) and of every line of text on the page.
_TOOLBAR_AND_TEXT_JS = """(() => {
  const box = r => [r.left, r.top, r.right, r.bottom];
  const host = Array.from(document.querySelectorAll('*'))
      .find(e => e.shadowRoot && e.shadowRoot.querySelector('.dc-toolbar-card'));
  if (!host) return null;
  const toolbar = host.shadowRoot.querySelector('.dc-toolbar');
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects())
      if (r.width > 0 && r.height > 0) texts.push([node.textContent.trim(), box(r)]);
  }
  return {canvas: box(host.shadowRoot.querySelector('.dc-canvas').getBoundingClientRect()),
          toolbar: box(host.shadowRoot.querySelector('.dc-toolbar-card')
                           .getBoundingClientRect()),
          visible: getComputedStyle(toolbar).opacity === '1'
                   && getComputedStyle(toolbar).display !== 'none',
          texts: texts};
})()"""


def _app_in_chromium():
    """``benchmarks.cold_start`` (whose ``app_page`` opens the app in headless
    Chromium) and the Chromium binary; skips without Chromium or the extras."""
    pytest.importorskip("streamlit")
    pytest.importorskip("websocket")  # websocket-client, the docs extra
    root = str(Path(__file__).resolve().parents[1])  # benchmarks/ is not installed
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks import cold_start

    binary = cold_start._chromium().find_chromium()
    if binary is None:
        pytest.skip("Chromium not found (apt-get install -y chromium)")
    return cold_start, binary


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_canvas_toolbar_clears_the_text_in_chromium(width):
    """The drawing canvas's toolbar, shown while the pointer is over the canvas,
    covers no text of the page (it covered the instructions above the canvas)."""
    cold_start, binary = _app_in_chromium()
    with cold_start.app_page(binary, width=width, height=900) as app:
        page = app.page
        assert page.evaluate("""(() => {
          for (const label of document.querySelectorAll('label'))
            if (label.textContent.includes('Draw a digit')) { label.click(); return true; }
          return false; })()"""), "no 'Draw a digit' input (streamlit-drawable-canvas?)"
        deadline = time.monotonic() + 60
        while (state := page.evaluate(_TOOLBAR_AND_TEXT_JS)) is None:
            assert time.monotonic() < deadline, "the drawing canvas did not appear"
            time.sleep(0.2)
        # On a loaded machine the page may still be laying out when the canvas
        # first appears, so the pointer is moved to where the canvas is now,
        # again and again, until the toolbar has faded in (0.25 s) or 30 s pass.
        deadline = time.monotonic() + 30
        while True:
            left, top, right, bottom = state["canvas"]
            page.send("Input.dispatchMouseEvent", type="mouseMoved",
                      x=(left + right) / 2 + 1, y=(top + bottom) / 2)
            time.sleep(0.5)
            state = page.evaluate(_TOOLBAR_AND_TEXT_JS)
            if state["visible"] or time.monotonic() > deadline:
                break
            page.send("Input.dispatchMouseEvent", type="mouseMoved", x=1, y=1)
    assert state["visible"], "the toolbar did not show with the pointer over the canvas"
    x0, y0, x1, y1 = state["toolbar"]
    assert y1 <= state["canvas"][1]  # above the canvas, as this version draws it
    covered = [text for text, (a0, b0, a1, b1) in state["texts"]
               if a0 < x1 and x0 < a1 and b0 < y1 and y0 < b1]
    assert not covered, f"the canvas toolbar {state['toolbar']} covers {covered}"
    assert app.returncode == 0  # the server stopped cleanly on SIGTERM
