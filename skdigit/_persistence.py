"""Saving and loading fitted models with joblib, atomically and with versions recorded."""

import os
import tempfile
import warnings
from pathlib import Path

import joblib
import sklearn
from sklearn.utils.validation import NotFittedError, check_is_fitted

from ._version import __version__

METADATA_ATTR = "skdigit_metadata_"


class ModelFileError(ValueError):
    """A model file is missing, unreadable, or does not hold a fitted classifier."""


def save_model(model, path, *, metadata=None):
    """Save a fitted estimator with joblib, writing a temporary file then renaming it.

    The skdigit and scikit-learn versions (and ``metadata``) are recorded on the
    model as the attribute ``skdigit_metadata_``; :func:`load_model` warns when
    they differ from the running versions. A crash mid-write never leaves a
    half-written file under ``path``.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn estimator, e.g. the pipeline of
        :func:`~skdigit.make_digit_pipeline`.
    path : str or os.PathLike
        Destination file; its folder is created if needed.
    metadata : dict, default=None
        Extra JSON-like facts to keep with the model (the training task, say).

    Returns
    -------
    path : pathlib.Path
        The absolute path written.

    See Also
    --------
    load_model : Load it back, with checks.
    joblib.dump : What writes the file. Like any pickle, a joblib file can run
        code when loaded: load only files you trust.
    """
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    setattr(
        model,
        METADATA_ATTR,
        {
            "skdigit_version": __version__,
            "sklearn_version": sklearn.__version__,
            **(metadata or {}),
        },
    )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            joblib.dump(model, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_model(path):
    """Load a model saved by :func:`save_model` (or any joblib-pickled classifier).

    Parameters
    ----------
    path : str or os.PathLike
        The model file.

    Returns
    -------
    model : estimator
        The fitted estimator.

    Raises
    ------
    ModelFileError
        If the file does not exist, cannot be unpickled, or does not hold a
        fitted scikit-learn classifier (an object with ``predict`` and
        ``classes_``).

    Warns
    -----
    UserWarning
        If the model was saved by another version of skdigit or scikit-learn.

    See Also
    --------
    save_model : Write a model file.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise ModelFileError(f"model file {str(path)!r} not found")
    try:
        model = joblib.load(path)
    except Exception as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a joblib model file ({type(exc).__name__}: {exc})"
        ) from exc
    if not (hasattr(model, "predict") and hasattr(model, "get_params")):
        raise ModelFileError(
            f"{str(path)!r} holds a {type(model).__name__}, not a scikit-learn "
            "classifier; save one with skdigit train or skdigit.save_model"
        )
    try:
        check_is_fitted(model)
    except NotFittedError as exc:
        raise ModelFileError(f"{str(path)!r} holds an unfitted model") from exc
    saved = getattr(model, METADATA_ATTR, {})
    for name, running in (
        ("skdigit_version", __version__),
        ("sklearn_version", sklearn.__version__),
    ):
        if name in saved and saved[name] != running:
            warnings.warn(
                f"{str(path)!r} was saved with {name.split('_')[0]} {saved[name]}, "
                f"this is {running}; predictions may differ. Retrain to be sure.",
                UserWarning,
            )
    return model
