"""Tests for skdigit.plotting: figures for digit classifiers."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    confusion_matrix,
    precision_recall_fscore_support,
)

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from skdigit import DigitLogisticClassifier, make_digit_pipeline  # noqa: E402
from skdigit.plotting import (  # noqa: E402
    plot_coefficients,
    plot_confusion_matrix,
    plot_misclassified,
    plot_precision_recall,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    """load_digits scaled to 0-255 (8x8 images), a fitted classifier and its predictions."""
    X, y = load_digits(return_X_y=True)
    X = X * (255 / 16)
    clf = DigitLogisticClassifier(C=0.01).fit(X[:1000] / 255, y[:1000])
    X_test, y_test = X[1000:], y[1000:]
    return X_test, y_test, clf, clf.predict(X_test / 255), clf.predict_proba(X_test / 255)


def test_importing_plotting_does_not_import_matplotlib():
    code = "import sys, skdigit, skdigit.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False"]


@pytest.mark.parametrize(
    "call",
    [
        lambda: plot_confusion_matrix([0, 1], [0, 1]),
        lambda: plot_precision_recall([0, 1], [0, 1]),
        lambda: plot_misclassified(np.zeros((2, 4)), [0, 1], [1, 1]),
    ],
)
def test_missing_matplotlib_gives_install_hint(monkeypatch, call):
    for name in ("matplotlib", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "skdigit\[plot\]"'):
        call()


# --------------------------------------------------------------------------
# plot_confusion_matrix
# --------------------------------------------------------------------------


def test_confusion_matrix_equals_sklearn(digits):
    _, y, _, y_pred, _ = digits
    disp = plot_confusion_matrix(y, y_pred)
    assert isinstance(disp, ConfusionMatrixDisplay)
    assert isinstance(disp.figure_, Figure)
    assert_array_equal(disp.confusion_matrix, confusion_matrix(y, y_pred))
    assert disp.confusion_matrix.sum() == len(y)
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [str(i) for i in range(10)]
    assert disp.ax_.get_title() == "Confusion matrix"


def test_confusion_matrix_options(digits):
    _, y, _, y_pred, _ = digits
    disp = plot_confusion_matrix(y, y_pred, normalize="true", labels=[9, 8, 7])
    expected = confusion_matrix(y, y_pred, labels=[9, 8, 7], normalize="true")
    assert_allclose(disp.confusion_matrix, expected)
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["9", "8", "7"]
    assert "normalized over true labels" in disp.ax_.get_title()
    disp = plot_confusion_matrix(y == 2, y_pred == 2, display_labels=["not 2", "2"])
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["not 2", "2"]
    assert_array_equal(disp.confusion_matrix, confusion_matrix(y == 2, y_pred == 2))
    fig, ax = plt.subplots()
    disp = plot_confusion_matrix(y, y_pred, ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig


# --------------------------------------------------------------------------
# plot_misclassified
# --------------------------------------------------------------------------


def test_misclassified_grid(digits):
    X, y, _, y_pred, _ = digits
    wrong = np.flatnonzero(y != y_pred)
    assert len(wrong) > 12  # C=0.01 leaves enough mistakes to fill the grid
    fig = plot_misclassified(X, y, y_pred, n=12)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 12
    for ax, i in zip(fig.axes, wrong[:12]):  # in the order of the samples
        assert ax.get_title() == f"true {y[i]} / pred {y_pred[i]}"
        (image,) = ax.get_images()
        assert_array_equal(image.get_array(), X[i].reshape(8, 8))
        assert image.get_clim() == (0, 255)
    assert f"{len(wrong)} of {len(y)} misclassified" in fig._suptitle.get_text()


def test_misclassified_with_proba_shows_confident_mistakes_first(digits):
    X, y, _, y_pred, proba = digits
    fig = plot_misclassified(X / 255, y, y_pred, proba=proba)  # [0, 1] intensities
    wrong = np.flatnonzero(y != y_pred)
    assert len(fig.axes) == min(25, len(wrong))
    confidences = [float(ax.get_title().rsplit("(", 1)[1].rstrip(")")) for ax in fig.axes]
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[0] == pytest.approx(proba[wrong].max(), abs=0.005)
    assert fig.axes[0].get_images()[0].get_clim() == (0, 1)


def test_misclassified_shapes_and_errors():
    images = np.arange(3 * 64).reshape(3, 64)
    fig = plot_misclassified(images, [1, 2, 3], [1, 2, 0], image_shape=(4, 16))
    assert fig.axes[0].get_images()[0].get_array().shape == (4, 16)
    fig = plot_misclassified(images, [1, 2, 3], [1, 2, 3])
    assert len(fig.axes) == 1 and not fig.axes[0].get_images()
    assert "No misclassified digits (out of 3)" in fig.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match="same length"):
        plot_misclassified(images, [1, 2], [1, 2])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        plot_misclassified(images, [1, 2, 3], [1, 2, 0], n=0)
    with pytest.raises(ValueError, match="image_shape"):
        plot_misclassified(images, [1, 2, 3], [1, 2, 0], image_shape=(5, 5))
    with pytest.raises(ValueError, match="proba must have shape"):
        plot_misclassified(images, [1, 2, 3], [1, 2, 0], proba=np.ones((2, 4)))
    # A figure given is reused, cleared.
    fig = plt.figure()
    fig.add_subplot().plot([1, 2])
    assert plot_misclassified(images, [1, 2, 3], [0, 2, 0], fig=fig) is fig
    assert len(fig.axes) == 2


# --------------------------------------------------------------------------
# plot_coefficients
# --------------------------------------------------------------------------


def test_coefficients_multiclass(digits):
    _, _, clf, _, _ = digits
    fig = plot_coefficients(clf, percentile=100)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 10
    assert len(fig.axes) == 11  # and the colorbar
    vmax = np.abs(clf.coef_).max()
    for k, image in enumerate(images):
        assert image.get_clim() == pytest.approx((-vmax, vmax))  # symmetric, shared
        assert_allclose(image.get_array(), clf.coef_[k].reshape(8, 8))
    assert [ax.get_title() for ax in fig.axes[:10]] == [str(c) for c in range(10)]


def test_coefficients_robust_scale_and_smoothing():
    """A few huge weights on rarely inked pixels must not wash out the images."""
    from scipy.ndimage import gaussian_filter

    X, y = load_digits(return_X_y=True)
    clf = DigitLogisticClassifier(C=0.05).fit(X / 16, y)
    clf.coef_ = clf.coef_.copy()
    clf.coef_[:3, 0] = 50 * np.abs(clf.coef_).max()  # a corner pixel, never inked
    fig = plot_coefficients(clf)  # default: the 99th percentile
    low, high = fig.axes[0].get_images()[0].get_clim()
    assert low == -high
    assert high == pytest.approx(np.percentile(np.abs(clf.coef_), 99))
    assert high < np.abs(clf.coef_[:, 1:]).max()  # the outliers saturate
    assert fig.axes[-1].get_ylabel() == "weight"

    fig = plot_coefficients(clf, smooth=1.0, percentile=100)
    shown = fig.axes[3].get_images()[0].get_array()
    assert_allclose(shown, gaussian_filter(clf.coef_[3].reshape(8, 8), sigma=1.0))
    assert "sigma 1 px" in fig.axes[-1].get_ylabel()
    for bad in ({"percentile": 0}, {"percentile": 101}, {"smooth": -1}):
        with pytest.raises(ValueError):
            plot_coefficients(clf, **bad)


def test_coefficients_binary_and_pipeline():
    X, y = load_digits(n_class=2, return_X_y=True)
    clf = DigitLogisticClassifier().fit(X / 16, np.where(y == 1, "one", "zero"))
    fig = plot_coefficients(clf, percentile=100)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 1 and len(fig.axes) == 2
    assert fig.axes[0].get_title() == "zero vs one"
    low, high = images[0].get_clim()
    assert low == -high == pytest.approx(-np.abs(clf.coef_).max())
    fig = plot_coefficients(clf, display_labels=["not 2", "2"])
    assert fig.axes[0].get_title() == "2 vs not 2"
    # one panel is drawn large enough to read in a report (was 272x223 pixels)
    width, height = fig.get_size_inches() * 100
    assert width >= 400 and height >= 300
    with pytest.raises(ValueError, match="display_labels"):
        plot_coefficients(clf, display_labels=["2"])

    pipe = make_digit_pipeline(C=0.1).fit(X * (255 / 16), y)
    fig = plot_coefficients(pipe)
    assert_allclose(fig.axes[0].get_images()[0].get_array(),
                    pipe[-1].coef_.reshape(8, 8))


def test_coefficients_errors():
    X, y = load_digits(n_class=3, return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        plot_coefficients(DigitLogisticClassifier())
    with pytest.raises(NotFittedError, match="not fitted yet"):
        plot_coefficients(make_digit_pipeline())
    forest = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="RandomForestClassifier has none"):
        plot_coefficients(forest)
    clf = DigitLogisticClassifier().fit(X[:, :60] / 16, y)  # 60 pixels: not square
    with pytest.raises(ValueError, match="image_shape"):
        plot_coefficients(clf)
    fig = plot_coefficients(clf, image_shape=(6, 10))
    assert fig.axes[0].get_images()[0].get_array().shape == (6, 10)


# --------------------------------------------------------------------------
# plot_precision_recall
# --------------------------------------------------------------------------


def test_precision_recall_bars(digits):
    _, y, _, y_pred, _ = digits
    fig = plot_precision_recall(y, y_pred)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    precision, recall, _, support = precision_recall_fscore_support(y, y_pred)
    assert len(ax.patches) == 20
    assert_allclose([b.get_height() for b in ax.containers[0]], precision)
    assert_allclose([b.get_height() for b in ax.containers[1]], recall)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [f"{c}\n(n={s})" for c, s in zip(range(10), support)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["precision", "recall"]


def test_precision_recall_labels_and_unpredicted_class():
    fig = plot_precision_recall([0, 1, 2, 2], [0, 1, 1, 1], labels=[2, 0],
                                display_labels=["two", "zero"])
    ax = fig.axes[0]
    assert [b.get_height() for b in ax.containers[0]] == [0, 1]  # 2 never predicted
    assert [b.get_height() for b in ax.containers[1]] == [0, 1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["two\n(n=2)", "zero\n(n=1)"]
    with pytest.raises(ValueError, match="display_labels has 1 names for 2 labels"):
        plot_precision_recall([0, 1], [0, 1], display_labels=["zero"])


# --------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------


def test_every_figure_saves_as_png(digits, tmp_path):
    X, y, clf, y_pred, proba = digits
    figures = {
        "confusion": plot_confusion_matrix(y, y_pred).figure_,
        "misclassified": plot_misclassified(X, y, y_pred, proba=proba),
        "coefficients": plot_coefficients(clf),
        "precision_recall": plot_precision_recall(y, y_pred),
    }
    for name, fig in figures.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=60)
        plt.close(fig)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 2000


def test_precision_recall_axis_shows_hundredths():
    y_true = np.repeat(np.arange(3), 100)
    y_pred = y_true.copy()
    y_pred[[0, 1, 2, 150, 151, 299]] = [1, 1, 2, 0, 2, 0]  # scores 0.95-0.99
    ax = plot_precision_recall(y_true, y_pred).axes[0]
    low, high = ax.get_ylim()
    heights = [bar.get_height() for c in ax.containers for bar in c]
    # starts a little below the lowest bar, at a round value, not at 0
    assert min(heights) - 0.07 < low <= min(heights) - 0.02
    assert round(low * 20, 9) == int(round(low * 20))
    assert 1.0 < high <= 1.02  # not 1.2: room for the value labels only
    assert f"{low:.2f}" in ax.get_ylabel()
    fig = plot_precision_recall([0, 0, 1, 1], [1, 1, 0, 0])  # all wrong: from 0
    assert fig.axes[0].get_ylim()[0] == 0 and fig.axes[0].get_ylabel() == "score"


def test_misclassified_display_labels():
    images = np.zeros((3, 4))
    fig = plot_misclassified(images, [0, 1, 1], [1, 1, 0], labels=[0, 1],
                             display_labels=["not 2", "2"])
    assert [ax.get_title() for ax in fig.axes] == [
        "true not 2 / pred 2", "true 2 / pred not 2"]
    with pytest.raises(ValueError, match="display_labels"):
        plot_misclassified(images, [0, 1, 1], [1, 1, 0], display_labels=["2"])
