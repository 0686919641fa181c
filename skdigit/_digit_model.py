"""A saved digit model, loaded and checked once, and its top-k predictions.

Shared by the command line (``skdigit evaluate``, ``skdigit predict``) and the
web app (``skdigit app``), so that both accept and refuse the same files with
the same messages.
"""

import numpy as np

from ._persistence import METADATA_ATTR, ModelFileError, load_model
from .utils import MNIST_SHAPE

N_PIXELS = MNIST_SHAPE[0] * MNIST_SHAPE[1]


def positive_label_of(model):
    """The digit a one-digit detector detects (``skdigit train --binary-digit``),
    as recorded in the model's metadata; None for a ten-digit model."""
    return getattr(model, METADATA_ATTR, {}).get("positive_label")


def class_names(positive_label):
    """Display names of the classes: ``"0"`` .. ``"9"``, or ``["not D", "D"]``
    for a detector of the digit ``D``."""
    if positive_label is None:
        return [str(d) for d in range(10)]
    return [f"not {positive_label}", str(positive_label)]


def check_digit_model(model, source="the model", *, ten_classes=False):
    """Check that ``model`` classifies 28x28 MNIST-style images into digits.

    Parameters
    ----------
    model : estimator
        A fitted classifier (or pipeline).
    source : str, default="the model"
        How to name it in messages (its file, say).
    ten_classes : bool, default=False
        Refuse one-digit detectors; also require ``predict_proba``.

    Returns
    -------
    positive_label : int or None
        The detected digit of a one-digit detector, None for ten digits.

    Raises
    ------
    ModelFileError
        If its classes are not the digits 0-9 (or 0/1 for a detector), it
        expects another number of pixels than 784, or (``ten_classes``) it is
        a detector or has no ``predict_proba``.
    """
    positive_label = positive_label_of(model)
    classes = getattr(model, "classes_", None)
    expected = np.arange(10) if positive_label is None else np.arange(2)
    if classes is None or not np.array_equal(np.asarray(classes), expected):
        found = None if classes is None else np.asarray(classes).tolist()
        if ten_classes:
            raise ModelFileError(
                f"{source} is not a ten-class digit model: its classes are {found}, "
                "not 0-9; train one with 'skdigit train' (without --binary-digit)"
            )
        raise ModelFileError(
            f"{source} is not an MNIST digit model: its classes are {found}, not "
            f"{expected.tolist()}; train one with 'skdigit train'"
        )
    if ten_classes and positive_label is not None:
        raise ModelFileError(
            f"{source} is a one-digit detector ('is it a {positive_label}?'), not a "
            "ten-class digit model; train one with 'skdigit train' (without "
            "--binary-digit)"
        )
    n_features = getattr(model, "n_features_in_", N_PIXELS)
    if n_features != N_PIXELS:
        side = int(round(np.sqrt(n_features)))
        shape = f" ({side}x{side} images)" if side * side == n_features else ""
        raise ModelFileError(
            f"{source} was trained on {n_features} pixels per image{shape}, not "
            f"MNIST's {N_PIXELS} (28x28); train a model on MNIST with 'skdigit train'"
        )
    if ten_classes and not hasattr(model, "predict_proba"):
        raise ModelFileError(f"{source} has no predict_proba; probabilities are needed")
    return positive_label


def load_digit_model(path, *, ten_classes=False):
    """Load a model file and check it is a digit model (see :func:`check_digit_model`).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by ``skdigit train`` or :func:`skdigit.save_model`.
    ten_classes : bool, default=False
        Refuse one-digit detectors.

    Returns
    -------
    model : estimator
    positive_label : int or None

    Raises
    ------
    ModelFileError
        If the file is missing, unreadable, untrusted or not a digit model.
    """
    model = load_model(path)
    return model, check_digit_model(model, repr(str(path)), ten_classes=ten_classes)


def top_k(proba, k):
    """The ``k`` most probable classes of each row, most probable first.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Class probabilities, columns in the order of the classes (``0 ..
        n_classes - 1`` for a digit model).
    k : int
        How many classes to keep (at most ``n_classes``).

    Returns
    -------
    classes : ndarray of shape (n_samples, min(k, n_classes)), dtype=intp
        Column indices, most probable first (ties: the smaller class first).
    probabilities : ndarray of shape (n_samples, min(k, n_classes))
        Their probabilities.

    Examples
    --------
    >>> from skdigit._digit_model import top_k
    >>> classes, probabilities = top_k([[0.1, 0.6, 0.3]], 2)
    >>> classes.tolist(), probabilities.tolist()
    ([[1, 2]], [[0.6, 0.3]])
    """
    proba = np.asarray(proba, dtype=np.float64)
    order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(proba, order, axis=1)


def image_error_message(exc, name):
    """The message of an image-reading error without its leading ``"NAME: "``.

    The reader's messages start with the file's name; a caller that names the
    file itself (``skdigit predict``, the app) shows it once.

    Parameters
    ----------
    exc : Exception
        The error raised while reading the image.
    name : str
        The file's name as the caller shows it.

    Returns
    -------
    message : str
    """
    message = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        message = exc.strerror  # "[Errno 2] No such file or directory: 'x'": the reason
    for prefix in {name, getattr(exc, "source", None)} - {None}:
        if message.startswith(f"{prefix}: "):
            message = message[len(prefix) + 2:]
    return message
