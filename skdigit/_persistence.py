"""Saving and loading fitted models, atomically and with versions recorded.

Two formats, chosen by the file's suffix:

- joblib (any suffix but ``.skops``): what scikit-learn users expect, and what
  ``joblib.load`` reads back. Like every pickle, **loading a joblib file can run
  arbitrary code**: load only files you trust.
- skops (``.skops``, optional extra ``skops``): a format that stores no code;
  loading refuses any type that is not known to be safe. :func:`load_model`
  trusts exactly skdigit's public estimator classes (see :func:`trusted_types`)
  plus what skops trusts by default (numpy, scipy, scikit-learn types), and
  rejects files holding anything else: never a function, never a name merely
  because it starts with ``skdigit.``.
"""

import errno
import functools
import importlib
import inspect
import pkgutil
import tempfile
import warnings
from pathlib import Path

import joblib
import sklearn
from sklearn.base import BaseEstimator
from sklearn.utils.validation import NotFittedError, check_is_fitted

from ._version import __version__
from .utils import atomic_write, import_optional

METADATA_ATTR = "skdigit_metadata_"
SKOPS_SUFFIX = ".skops"
_WRITE_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT)


# skops is imported when a .skops file is written or read
_skops_io = functools.partial(
    import_optional, "skops.io", extra="skops", purpose="the .skops format"
)


@functools.cache
def trusted_types():
    """The names of skdigit's types that :func:`load_model` trusts in ``.skops`` files.

    Exactly the estimator classes exported (listed in ``__all__``) by
    :mod:`skdigit` and its public subpackages (:mod:`skdigit.preprocessing`,
    :mod:`skdigit.linear_model`, ...), named where they are defined, as skops
    names them. Functions, exceptions and anything merely imported into a
    skdigit module are never trusted. A new estimator is trusted as soon as it
    is exported.

    Returns
    -------
    names : tuple of str
        Sorted, e.g. ``"skdigit.preprocessing._deskew.Deskew"``.
    """
    import skdigit

    packages = [skdigit]
    for info in pkgutil.iter_modules(skdigit.__path__):
        if not info.name.startswith("_"):
            try:
                packages.append(importlib.import_module(f"skdigit.{info.name}"))
            except ImportError:  # a subpackage needing a missing extra exports none
                continue
    names = set()
    for package in packages:
        for name in getattr(package, "__all__", ()):
            obj = getattr(package, name, None)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and obj.__module__.split(".")[0] == "skdigit"
            ):
                names.add(f"{obj.__module__}.{obj.__qualname__}")
    return tuple(sorted(names))


class ModelFileError(ValueError):
    """A model file is missing, unreadable, or does not hold a fitted classifier."""


def save_model(model, path, *, metadata=None):
    """Save a fitted estimator (joblib, or skops for ``.skops``), atomically.

    The file is written under a temporary name in the destination folder, then
    renamed: a crash mid-write never leaves a half-written file under ``path``.

    The skdigit and scikit-learn versions (and ``metadata``) are recorded on the
    model as the attribute ``skdigit_metadata_``; :func:`load_model` warns when
    they differ from the running versions.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn estimator, e.g. the pipeline of
        :func:`~skdigit.make_digit_pipeline`.
    path : str or os.PathLike
        Destination file; its folder is created if needed. A ``.skops`` suffix
        selects the skops format (no code is stored; needs ``skops``), any other
        suffix joblib.
    metadata : dict, default=None
        Extra JSON-like facts to keep with the model (the training task, say).

    Returns
    -------
    path : pathlib.Path
        The absolute path written.

    See Also
    --------
    load_model : Load it back, with checks.
    joblib.dump : What writes joblib files. Like any pickle, a joblib file can
        run code when loaded: load only files you trust.
    skops.io.dump : What writes ``.skops`` files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import DigitLogisticClassifier, save_model, load_model
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DigitLogisticClassifier(max_iter=300).fit(X / 16, y)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = save_model(clf, folder / "digits.joblib")
    >>> restored = load_model(path)
    >>> bool((restored.predict(X / 16) == clf.predict(X / 16)).all())
    True
    >>> sorted(restored.skdigit_metadata_)
    ['skdigit_version', 'sklearn_version']
    """
    path = Path(path).expanduser().resolve()
    setattr(
        model,
        METADATA_ATTR,
        {
            "skdigit_version": __version__,
            "sklearn_version": sklearn.__version__,
            **(metadata or {}),
        },
    )
    dump = _skops_io().dump if path.suffix == SKOPS_SUFFIX else joblib.dump
    with atomic_write(path) as fh:
        dump(model, fh)
    return path


def load_model(path):
    """Load a model saved by :func:`save_model` (or any joblib-pickled classifier).

    ``.skops`` files are loaded with skops, trusting skdigit's own classes and
    the types skops trusts by default, nothing else. Any other file is loaded
    with joblib, which, like every pickle, can run code: load only files you
    trust.

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
        fitted scikit-learn estimator, or if a ``.skops`` file holds types that
        are not trusted.

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
    model = _load_skops(path) if path.suffix == SKOPS_SUFFIX else _load_joblib(path)
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


def _load_joblib(path):
    try:
        return joblib.load(path)
    except Exception as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a joblib model file ({type(exc).__name__}: {exc})"
        ) from exc


def _load_skops(path):
    sio = _skops_io()
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a skops model file ({type(exc).__name__}: {exc})"
        ) from exc
    trusted = set(trusted_types())
    ours = [name for name in untrusted if name in trusted]
    foreign = sorted(set(untrusted) - trusted)
    if foreign:
        raise ModelFileError(
            f"{str(path)!r} holds types skdigit does not trust: {', '.join(foreign)}; "
            "if you trust the file, load it in Python with "
            "skops.io.load(path, trusted=[...])"
        )
    try:
        return sio.load(path, trusted=ours)
    except Exception as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a readable skops model file "
            f"({type(exc).__name__}: {exc})"
        ) from exc


def check_save_path(path):
    """Check, before any work, that :func:`save_model` can write ``path``.

    Nothing is created: the nearest existing folder is probed with an
    anonymous temporary file.

    Parameters
    ----------
    path : str or os.PathLike
        The model file to write.

    Returns
    -------
    path : pathlib.Path
        The absolute path.

    Raises
    ------
    ModelFileError
        If ``path`` is a folder, lies under a file, or its folder is not
        writable.
    skdigit.utils.MissingExtraError
        If ``path`` ends in ``.skops`` and skops is not installed.
    """
    path = Path(path).expanduser().absolute()
    if path.suffix == SKOPS_SUFFIX:
        _skops_io()
    if path.is_dir():
        raise ModelFileError(f"{str(path)!r} is a folder; give a file name")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ModelFileError(f"cannot write {str(path)!r}: {str(folder)!r} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = f" ({exc.strerror})" if exc.errno in _WRITE_ERRNOS else ""
        raise ModelFileError(
            f"cannot write {str(path)!r}: {str(folder)!r} is not writable{reason}"
        ) from None
    return path
