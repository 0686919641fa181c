"""The web app's model and image helpers, free of Streamlit so they can be tested alone.

The app needs a fitted ten-class digit classifier. It is found, in order:

1. the ``model_path`` argument (``skdigit app --model PATH``);
2. the environment variable ``SKDIGIT_APP_MODEL``;
3. otherwise the model shipped with skdigit (:func:`skdigit.load_pretrained`,
   the default scattering pipeline fitted on all of MNIST's training images):
   the first page needs no training.

:func:`train_quick_model` (and the cache folder helpers) remain for code
that wants to fit the app's pipeline on a subset.

Models are loaded and checked by :func:`skdigit._digit_model.load_digit_model`,
as ``skdigit evaluate`` and ``skdigit predict`` load them.
"""

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import sklearn

from .. import _digit_model
from .._pipeline import make_digit_pipeline
from .._version import __version__
from ..utils import MNIST_SHAPE

ENV_MODEL = "SKDIGIT_APP_MODEL"
ENV_CACHE_DIR = "SKDIGIT_CACHE_DIR"
# The app's own model, trained on first run: what ``skdigit train`` trains by default
QUICK_FEATURES = "scattering"
QUICK_N_TRAIN = 60_000
N_PIXELS = MNIST_SHAPE[0] * MNIST_SHAPE[1]


class DigitPrediction(NamedTuple):
    """What the model says about one image.

    Attributes
    ----------
    digit : int
        The predicted digit, 0-9.
    probability : float
        The predicted probability of ``digit``.
    probabilities : ndarray of shape (10,)
        The probability of each digit 0-9, in that order.
    is_digit : bool
        Whether it is reported as a digit: ``probability`` at least 0.5 and
        the image digit-like to skdigit's digit detector
        (:func:`skdigit.image.digit_likeness`); False for a letter, a
        scribble or a smudge.
    """

    digit: int
    probability: float
    probabilities: np.ndarray
    is_digit: bool = True


def resolve_model_path(model_path=None):
    """Return the model file the app was asked to use, or None for the shipped model.

    Parameters
    ----------
    model_path : str or os.PathLike, default=None
        An explicit model file. If None, the environment variable
        ``SKDIGIT_APP_MODEL`` is used when set and non-empty.

    Returns
    -------
    path : pathlib.Path or None
        The model file (not checked here), or None when none was given.
    """
    if model_path is None or str(model_path) == "":
        model_path = os.environ.get(ENV_MODEL) or None
    return None if model_path is None else Path(os.fspath(model_path)).expanduser()


def default_cache_dir():
    """Return the folder where the app caches the quick model it trains.

    Returns
    -------
    folder : pathlib.Path
        ``$SKDIGIT_CACHE_DIR`` when set and non-empty, else
        ``$XDG_CACHE_HOME/skdigit``, else ``~/.cache/skdigit``. Not created here.
    """
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "skdigit"


def quick_model_path(cache_dir=None, n_train=QUICK_N_TRAIN):
    """Return the file under which the quick model is cached.

    The name holds the number of training images and the skdigit and
    scikit-learn versions, so that another version never loads a stale pickle.

    Parameters
    ----------
    cache_dir : str or os.PathLike, default=None
        The cache folder; None means :func:`default_cache_dir`.
    n_train : int, default=QUICK_N_TRAIN
        Number of MNIST training images the model is fitted on.

    Returns
    -------
    path : pathlib.Path
    """
    folder = default_cache_dir() if cache_dir is None else Path(cache_dir).expanduser()
    return folder / (
        f"app-model-{QUICK_FEATURES}-mnist{int(n_train)}-skdigit{__version__}"
        f"-sklearn{sklearn.__version__}.joblib"
    )


def check_digit_model(model, source="the model"):
    """Check that ``model`` is a fitted ten-class classifier of 28x28 digits.

    Parameters
    ----------
    model : estimator
        A fitted classifier.
    source : str, default="the model"
        How to name it in the error message (its file, say).

    Returns
    -------
    model : estimator
        The same object.

    Raises
    ------
    ModelFileError
        If it has no ``predict_proba``, its ``classes_`` are not the digits 0
        to 9 (a one-digit detector from ``skdigit train --binary-digit``, say),
        or it expects other images than MNIST's 28x28.
    """
    _digit_model.check_digit_model(model, source, ten_classes=True)
    return model


def load_digit_model(path):
    """Load a saved model and check it is a ten-class digit classifier.

    Parameters
    ----------
    path : str or os.PathLike
        A model file written by ``skdigit train`` or
        :func:`~skdigit._persistence.save_model`.

    Returns
    -------
    model : estimator

    Raises
    ------
    ModelFileError
        If the file is missing, unreadable or untrusted, or does not hold a
        fitted ten-class digit classifier.
    """
    return _digit_model.load_digit_model(path, ten_classes=True)[0]


def train_quick_model(*, n_train=QUICK_N_TRAIN, data_home=None, random_state=0):
    """Fit the app's pipeline (``features=QUICK_FEATURES``) on MNIST training images.

    Parameters
    ----------
    n_train : int, default=QUICK_N_TRAIN
        Number of training images (at most 60,000; fewer are drawn at random,
        without replacement).
    data_home : str or os.PathLike, default=None
        Where MNIST is, as for :func:`skdigit.load_mnist` (None: its default,
        ``$SKDIGIT_DATA_HOME`` or scikit-learn's data home).
    random_state : int, default=0
        Seed of the subset drawn.

    Returns
    -------
    model : sklearn.pipeline.Pipeline
        ``make_digit_pipeline(features=QUICK_FEATURES)``, fitted.

    Raises
    ------
    skdigit.datasets.MNISTNotFoundError
        If MNIST cannot be found.
    """
    from ..datasets import load_mnist

    X, y = load_mnist(subset="train", data_home=data_home, return_X_y=True)
    n_train = min(int(n_train), len(y))
    idx = np.random.default_rng(random_state).choice(len(y), size=n_train, replace=False)
    idx.sort()
    return make_digit_pipeline(features=QUICK_FEATURES).fit(X[idx], y[idx])


SHIPPED_DESCRIPTION = (
    "the skdigit scattering model shipped with skdigit (99.43% accuracy on the "
    "10,000 MNIST test images)"
)


def get_model(model_path=None):
    """Return the app's model and a sentence saying where it came from.

    A given model file (argument or ``SKDIGIT_APP_MODEL``) is loaded and
    checked; otherwise the model shipped with skdigit
    (:func:`skdigit.load_pretrained`, a second or two) is used: nothing is
    trained.

    Parameters
    ----------
    model_path : str or os.PathLike, default=None
        A model file; None means ``$SKDIGIT_APP_MODEL``, else the shipped model.

    Returns
    -------
    model : estimator
        A fitted ten-class digit classifier with ``predict_proba``.
    description : str
        Where the model came from, for the page.

    Raises
    ------
    ModelFileError
        If a given model file is missing, unreadable or not a digit model.
    """
    path = resolve_model_path(model_path)
    if path is not None:
        return load_digit_model(path), f"the model file {path.name}"
    from .._pretrained import load_pretrained

    return load_pretrained(), SHIPPED_DESCRIPTION


def predict_digit(model, x):
    """Predict the digit shown by one image.

    Parameters
    ----------
    model : estimator
        A fitted ten-class digit classifier (see :func:`check_digit_model`).
    x : array-like of shape (784,) or (28, 28)
        Pixel intensities 0-255, white ink on black, as in MNIST.

    Returns
    -------
    prediction : DigitPrediction
    """
    from ..image._sure import is_digit

    x = np.asarray(x).reshape(1, N_PIXELS)
    proba = np.asarray(model.predict_proba(x), float)
    (digit,), (probability,) = _digit_model.top_k(proba, 1)
    sure = bool(is_digit(x, probability)[0])
    return DigitPrediction(int(digit[0]), float(probability[0]), proba[0], sure)


def upscale(x, scale=8):
    """Enlarge a 28x28 image by pixel repetition (nearest neighbour) for display.

    Parameters
    ----------
    x : array-like of shape (784,) or (28, 28)
        Pixel intensities 0-255 (values outside are clipped).
    scale : int, default=8
        Each pixel becomes a ``scale`` x ``scale`` square.

    Returns
    -------
    image : ndarray of shape (28 * scale, 28 * scale), dtype=uint8

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit.app._model import upscale
    >>> upscale(np.arange(784) % 256, scale=2).shape
    (56, 56)
    """
    img = np.clip(np.asarray(x, dtype=np.float64).reshape(MNIST_SHAPE), 0, 255)
    img = np.rint(img).astype(np.uint8)
    return np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)


def deskewed_view(model, x):
    """The image after the model's deskewing step, or None if it has none.

    Parameters
    ----------
    model : estimator
        The model; a :class:`~sklearn.pipeline.Pipeline` whose first step is
        named ``"deskew"`` (as :func:`~skdigit.make_digit_pipeline` builds it)
        gives a view, anything else None.
    x : array-like of shape (784,)
        Pixel intensities 0-255.

    Returns
    -------
    image : ndarray of shape (784,) or None
    """
    steps = getattr(model, "named_steps", None)
    step = None if steps is None else steps.get("deskew")
    if step is None or step == "passthrough" or not hasattr(step, "transform"):
        return None
    return np.asarray(step.transform(np.asarray(x).reshape(1, N_PIXELS)))[0]
