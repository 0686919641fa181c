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

The checks of a file's integrity (the joblib checksum, the ``.skops``
archive's sizes, attributes shadowing methods) are in
:mod:`skdigit._model_checks`.
"""

import errno
import functools
import importlib
import inspect
import os
import pkgutil
import stat
import tempfile
import warnings
from pathlib import Path

import joblib
import sklearn
from sklearn.base import BaseEstimator
from sklearn.utils.validation import NotFittedError, check_is_fitted

from ._model_checks import (
    ModelFileError,
    check_no_shadowed_methods,
    check_skops_archive,
    verify_checksum,
    write_checksum,
)
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


def save_model(model, path, *, metadata=None):
    """Save a fitted estimator (joblib, or skops for ``.skops``), atomically.

    The file is written under a temporary name in the destination folder, then
    renamed: a crash mid-write never leaves a half-written file under ``path``.
    A symbolic link at ``path`` is never followed: the rename replaces the link
    itself, not its target (``check_save_path``, which ``skdigit train``
    runs first, refuses one). A joblib file ends with the SHA-256 of its
    content, which :func:`load_model` verifies.

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

    Raises
    ------
    TypeError
        If ``model`` is not a scikit-learn estimator (no ``get_params``).
    IsADirectoryError
        If ``path`` is a folder.
    OSError
        If the file cannot be written (its folder is not writable, the disk
        is full, ...); a file already at ``path`` is then left as it was.

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
    if not (hasattr(model, "get_params") and hasattr(model, "fit")):
        raise TypeError(
            f"save_model saves a scikit-learn estimator, got a {type(model).__name__}; "
            "for other objects use joblib.dump"
        )
    path = Path(path).expanduser().absolute()  # not resolved: a link is not followed
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(errno.EISDIR, "Is a folder; give a file name", str(path))
    setattr(
        model,
        METADATA_ATTR,
        {
            "skdigit_version": __version__,
            "sklearn_version": sklearn.__version__,
            **(metadata or {}),
        },
    )
    if path.suffix == SKOPS_SUFFIX:
        with atomic_write(path) as fh:
            _skops_io().dump(model, fh)
    else:
        with atomic_write(path, "w+b") as fh:
            joblib.dump(model, fh)
            write_checksum(fh)
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
        If the file does not exist (or is a folder), cannot be unpickled, or
        does not hold a fitted scikit-learn estimator; if a joblib file written
        by :func:`save_model` does not match the checksum recorded in it; if a
        ``.skops`` file holds types that are not trusted, declares members
        that inflate beyond the limits of :mod:`skdigit._model_checks`
        (``schema.json`` at most 16 MiB, 1 GiB in all), or sets instance
        attributes that shadow methods.

    Warns
    -----
    UserWarning
        If the model was saved by another version of skdigit or scikit-learn.

    See Also
    --------
    save_model : Write a model file.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise ModelFileError(
            f"{str(path)!r} is a folder, not a model file; give the model file inside it"
        )
    if not path.is_file():
        raise ModelFileError(f"model file {str(path)!r} not found")
    model = _load_skops(path) if path.suffix == SKOPS_SUFFIX else _load_joblib(path)
    if not (hasattr(model, "predict") and hasattr(model, "get_params")):
        raise ModelFileError(
            f"{str(path)!r} holds a {type(model).__name__}, not a scikit-learn "
            "classifier; save one with skdigit train or skdigit.save_model"
        )
    if not _is_fitted(model):
        raise ModelFileError(
            f"{str(path)!r} holds an unfitted model; fit it before saving it"
        )
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


def _is_fitted(model):
    """Whether ``model`` is fitted, not counting the metadata :func:`save_model` adds
    (an attribute ending in ``_``, which ``check_is_fitted`` would take as fitted)."""
    attributes = getattr(model, "__dict__", {})
    saved = attributes.pop(METADATA_ATTR, None) if isinstance(attributes, dict) else None
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    finally:
        if saved is not None:
            attributes[METADATA_ATTR] = saved
    return True


def _load_joblib(path):
    verify_checksum(path)
    try:
        return joblib.load(path)
    except Exception as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a joblib model file ({type(exc).__name__}: {exc})"
        ) from exc


def _load_skops(path):
    sio = _skops_io()
    check_skops_archive(path)
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
        model = sio.load(path, trusted=ours)
    except Exception as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a readable skops model file "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    check_no_shadowed_methods(model, repr(str(path)))
    return model


def check_save_path(path):
    """Check, before any work, that :func:`save_model` can write ``path``.

    Nothing is created: the nearest existing folder is probed with an
    anonymous temporary file. That is the folder :func:`save_model` writes in:
    a symbolic link at ``path`` is refused, never followed (in a shared
    folder such as ``/tmp``, another user could plant one to make the save
    replace a file of yours), and so is an existing file that the sticky bit
    of its folder keeps from being replaced.

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
        If ``path`` is empty, a folder or a symbolic link, or lies under a
        file; if its folder is not writable (or cannot be searched), or its
        sticky bit keeps this user from replacing the file already there.
    skdigit.utils.MissingExtraError
        If ``path`` ends in ``.skops`` and skops is not installed.
    """
    if isinstance(path, (str, bytes)) and not path.strip():
        raise ModelFileError("the model file name is empty; give a file name")
    path = Path(path).expanduser().absolute()
    if path.suffix == SKOPS_SUFFIX:
        _skops_io()
    try:
        return _check_writable(path)
    except OSError as exc:  # a folder on the way that cannot be searched, say
        reason = exc.strerror or str(exc)
        where = exc.filename or path
        raise ModelFileError(f"cannot write {str(path)!r}: {str(where)!r}: {reason}") from None


def _check_writable(path):
    """:func:`check_save_path` once ``path`` is absolute; may raise OSError."""
    if path.is_symlink():
        raise ModelFileError(
            f"{str(path)!r} is a symbolic link (to {os.readlink(path)!r}); skdigit does "
            "not write through links: remove the link or give another file name"
        )
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
    if folder == path.parent and path.exists() and hasattr(os, "getuid"):
        uid, folder_info = os.getuid(), folder.stat()
        if (folder_info.st_mode & stat.S_ISVTX and uid != 0
                and uid not in (folder_info.st_uid, path.stat().st_uid)):
            raise ModelFileError(
                f"cannot replace {str(path)!r}: it belongs to another user, in a folder "
                "whose sticky bit lets only its owner replace it; give another file name"
            )
    return path
