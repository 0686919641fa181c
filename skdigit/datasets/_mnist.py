"""Loading the MNIST database of handwritten digits: the bundled copy, or a folder."""

import os
import warnings
from importlib.resources import files
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..utils import MNIST_SIDE
from ._idx import read_idx

__all__ = ["MNISTNotFoundError", "load_mnist"]

ENV_DATA_HOME = "SKDIGIT_DATA_HOME"

# How the folder was chosen: the values of MNISTNotFoundError.origin.
_ORIGIN_ARGUMENT = "data_home"
_ORIGIN_ENV = ENV_DATA_HOME
_ORIGIN_BUNDLED = "bundled"

_HOW = {
    _ORIGIN_ARGUMENT: "the folder given by data_home",
    _ORIGIN_ENV: f"the folder given by the {ENV_DATA_HOME} environment variable",
    _ORIGIN_BUNDLED: "the copy bundled with skdigit",
}

_WHAT_TO_DO = {
    _ORIGIN_ARGUMENT: "Pass data_home= a folder that holds the four MNIST IDX files, or "
    "data_home=None to use the copy bundled with skdigit.",
    _ORIGIN_ENV: f"Point {ENV_DATA_HOME} at a folder that holds the four MNIST IDX files, "
    "or unset it to use the copy bundled with skdigit.",
    _ORIGIN_BUNDLED: "The skdigit installation is incomplete: reinstall skdigit, or pass "
    f"data_home= (or set {ENV_DATA_HOME} to) a folder that holds the four MNIST IDX files.",
}

# SHA-256 of the *decompressed* IDX payloads: the same payload is gzipped with
# different settings by different distributions, so the .gz bytes cannot be
# checked. Hashing costs less than decompressing, so every load verifies and no
# verification cache is kept.
_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# The size of the values of each genuine file: the limit of what a header may
# announce, checked before anything is allocated (a forged header or a gzip
# bomb is refused at once, naming the file).
_PAYLOAD_BYTES = {
    "train-images-idx3-ubyte": 60_000 * MNIST_SIDE * MNIST_SIDE,
    "train-labels-idx1-ubyte": 60_000,
    "t10k-images-idx3-ubyte": 10_000 * MNIST_SIDE * MNIST_SIDE,
    "t10k-labels-idx1-ubyte": 10_000,
}

# subset -> the (images, labels) file pairs it is made of, in order.
_SUBSETS = {
    "train": [("train-images-idx3-ubyte", "train-labels-idx1-ubyte")],
    "test": [("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")],
}
_SUBSETS["all"] = _SUBSETS["train"] + _SUBSETS["test"]

_FEATURE_NAMES = [f"pixel_{row}_{col}" for row in range(MNIST_SIDE) for col in range(MNIST_SIDE)]

_DESCR = """\
.. _mnist_dataset:

MNIST database of handwritten digits
------------------------------------

**Data Set Characteristics:**

:Number of Instances: 70,000: 60,000 for training ("train") and 10,000 for
    testing ("test"), in that order in "all"
:Number of Attributes: 784 = 28 x 28 pixels
:Attribute Information: pixel intensities, integers 0-255 (uint8), white ink
    on black: 0 is background, 255 full ink; ``pixel_<row>_<col>``, row-major
:Target: the digit, an integer 0-9
:Missing Attribute Values: None
:Creators: Yann LeCun, Corinna Cortes, Christopher J. C. Burges
:License: Creative Commons Attribution-Share Alike 3.0 (CC BY-SA 3.0)
:Source: http://yann.lecun.com/exdb/mnist/

MNIST is built from NIST's Special Database 3 (Census Bureau employees) and
Special Database 1 (high-school students). The training set holds digits from
about 250 writers; the writers of the test set are disjoint from those of the
training set. Each digit was size-normalised to fit a 20x20 box, preserving its
aspect ratio (anti-aliasing gives grey levels), then centred by its centre of
mass in a 28x28 image.

Training-set class counts, digits 0 to 9: 5923 6742 5958 6131 5842 5421 5918
6265 5851 5949. Test set: 10,000 images.

The data come as four IDX files (format described on the MNIST page), usually
gzipped; skdigit bundles the four gzipped files, unmodified, with their
attribution and license. ``load_mnist`` verifies the SHA-256 of each
*decompressed* payload:

{checksums}

.. topic:: References

  - Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning
    applied to document recognition", Proceedings of the IEEE, 86(11):
    2278-2324, November 1998.
  - Y. LeCun, C. Cortes and C. J. C. Burges, "The MNIST database of
    handwritten digits", http://yann.lecun.com/exdb/mnist/
"""
DESCR = _DESCR.format(
    checksums="\n".join(f"- {name}: {digest}" for name, digest in _SHA256.items())
)


class MNISTNotFoundError(FileNotFoundError):
    """MNIST files are missing from the folder :func:`~skdigit.load_mnist` read.

    Raised when the folder given by ``data_home`` or ``SKDIGIT_DATA_HOME``
    does not exist, is not a folder or lacks some of the IDX files (or, for a
    broken installation, when the bundled copy is incomplete). The message
    lists the missing files, the folder and how it was chosen, and what to do;
    the attributes say the same to a program, so that a caller (the command
    line, say) can word its own message.

    Attributes
    ----------
    missing : list of str
        Base names of the missing IDX files, e.g. ``"train-images-idx3-ubyte"``.
    data_home : pathlib.Path or importlib.resources.abc.Traversable
        The folder that was looked in.
    origin : {"data_home", "SKDIGIT_DATA_HOME", "bundled"}
        How that folder was chosen: the ``data_home`` argument, the
        ``SKDIGIT_DATA_HOME`` environment variable, or the copy bundled with
        skdigit.
    """

    def __init__(self, message, missing=(), data_home=None, origin=None):
        super().__init__(message)
        self.missing = list(missing)
        self.data_home = data_home
        self.origin = origin


def load_mnist(*, subset="train", data_home=None, download="deprecated", return_X_y=False):
    """Load the MNIST database of handwritten digits.

    70,000 grey-level images of 28x28 pixels of the digits 0-9: 60,000 for
    training and 10,000 for testing. A copy is bundled with skdigit, so no
    network access is needed. The SHA-256 of each decompressed IDX file is
    verified on every load.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which images to load: the 60,000 training images, the 10,000 test
        images, or all 70,000 (training images first, then test images).

    data_home : str or os.PathLike, default=None
        A folder that directly holds the IDX files, named as distributed
        (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``), gzipped or
        not, with or without a ``.gz`` suffix; the dotted spelling
        ``train-images.idx3-ubyte`` is accepted too. If None, the folder named
        by the environment variable ``SKDIGIT_DATA_HOME`` is used when it is
        set and non-empty, else the copy bundled with skdigit.

    download : bool, default="deprecated"
        Ignored.

        .. deprecated:: 0.2
           MNIST is bundled with skdigit, so nothing is ever downloaded;
           ``download`` has no effect and will be removed in 0.3.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (n_samples, 784), dtype=uint8
            The images, one flattened row-major 28x28 image per row; pixel
            intensities 0-255, 0 being background and 255 full ink.
            C-contiguous. ``n_samples`` is 60,000 ("train"), 10,000 ("test")
            or 70,000 ("all").
        images : ndarray of shape (n_samples, 28, 28), dtype=uint8
            The same images (a view of the same memory as ``data``).
        target : ndarray of shape (n_samples,), dtype=int64
            The digit each image shows, 0-9.
        feature_names : list of str of length 784
            ``"pixel_<row>_<col>"``, from ``"pixel_0_0"`` to
            ``"pixel_27_27"``, in the column order of ``data``.
        target_names : ndarray of shape (10,), dtype=int64
            The classes, 0 to 9.
        DESCR : str
            Description of the data set: source, sizes, license, checksums
            and references.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` of shape (n_samples, 784) and ``target`` of shape
        (n_samples,), as above.

    Raises
    ------
    ValueError
        If ``subset`` is not one of "train", "test" or "all"; or if a file is
        corrupted, truncated or not the expected MNIST file (its checksum does
        not match). The message names the file and says what to do. Files
        are only read, never written.
    MNISTNotFoundError
        If the folder given by ``data_home`` or ``SKDIGIT_DATA_HOME`` does not
        exist, is not a folder or lacks files of ``subset``. A subclass of
        :class:`FileNotFoundError`; its message and its attributes
        ``missing``, ``data_home`` and ``origin`` say which files are missing,
        where they were looked for and how that folder was chosen.

    See Also
    --------
    load_idx : Read any IDX file into a numpy array.
    sklearn.datasets.fetch_openml : MNIST is also on OpenML ("mnist_784"), as
        floats and string labels.

    Notes
    -----
    The bundled copy is the four gzipped files as distributed (about 11 MB),
    read with ``importlib.resources``. MNIST is by Y. LeCun, C. Cortes and
    C. J. C. Burges and is licensed under CC BY-SA 3.0; see ``DESCR`` and the
    README beside the bundled files.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based
       learning applied to document recognition", Proceedings of the IEEE,
       86(11): 2278-2324, 1998.
    .. [2] Y. LeCun, C. Cortes and C. J. C. Burges, "The MNIST database of
       handwritten digits", http://yann.lecun.com/exdb/mnist/ (also describes
       the IDX file format).

    Examples
    --------
    >>> from skdigit.datasets import load_mnist
    >>> mnist = load_mnist(subset="test")
    >>> mnist.data.shape, mnist.data.dtype, mnist.target[:5]
    ((10000, 784), dtype('uint8'), array([7, 2, 1, 0, 4]))

    A folder given by ``data_home`` must hold the files; missing ones raise an
    error that says which, and where they were looked for:

    >>> import tempfile
    >>> from skdigit.datasets import MNISTNotFoundError
    >>> with tempfile.TemporaryDirectory() as empty_folder:
    ...     try:
    ...         load_mnist(data_home=empty_folder)
    ...     except MNISTNotFoundError as exc:
    ...         print(exc.missing, exc.origin)
    ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'] data_home
    """
    if download != "deprecated":
        warnings.warn(
            "load_mnist(download=...) has no effect since 0.2 (MNIST is bundled) and will "
            "be removed in 0.3; leave the argument out.",
            FutureWarning,
            stacklevel=2,
        )
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {sorted(_SUBSETS)}, got {subset!r}")
    pairs = _SUBSETS[subset]
    folder, origin = _resolve_data_home(data_home)
    paths = _find_files([name for pair in pairs for name in pair], folder, origin)
    images = _concatenate([_load_verified(paths[im], im, origin) for im, _ in pairs])
    labels = _concatenate([_load_verified(paths[lab], lab, origin) for _, lab in pairs])
    data = images.reshape(len(images), -1)
    target = labels.astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        images=images,
        target=target,
        feature_names=list(_FEATURE_NAMES),
        target_names=np.arange(10, dtype=np.int64),
        DESCR=DESCR,
    )


def _concatenate(arrays):
    """Concatenate along the first axis, without a copy for a single array."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _bundled_home():
    """The folder of the MNIST copy bundled with skdigit (a Traversable)."""
    return files(__package__) / "data" / "mnist"


def _resolve_data_home(data_home):
    """Return the data folder and how it was chosen (an ``origin``)."""
    if data_home is not None:
        return Path(os.fspath(data_home)).expanduser(), _ORIGIN_ARGUMENT
    if os.environ.get(ENV_DATA_HOME):
        return Path(os.environ[ENV_DATA_HOME]).expanduser(), _ORIGIN_ENV
    return _bundled_home(), _ORIGIN_BUNDLED


def _local_names(name):
    """File names under which the IDX file ``name`` is accepted, in order."""
    dotted = name.replace("-idx", ".idx")  # "train-images.idx3-ubyte"
    return [name, f"{name}.gz", dotted, f"{dotted}.gz"]


def _find_local(folder, name):
    """Return the path of the IDX file ``name`` in ``folder``, or None."""
    for candidate in _local_names(name):
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def _find_files(names, folder, origin):
    """Return ``{name: path}`` for the IDX files ``names`` in ``folder``."""
    if not folder.is_dir():
        problem = "is not a folder" if _exists(folder) else "does not exist"
        raise _not_found(names, folder, origin, f"{folder} ({_HOW[origin]}) {problem}.")
    paths = {name: _find_local(folder, name) for name in names}
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        raise _not_found(
            missing,
            folder,
            origin,
            f"MNIST file(s) missing from {folder} ({_HOW[origin]}): " + ", ".join(missing)
            + " (each accepted gzipped or not, with or without a .gz suffix).",
        )
    return paths


def _exists(folder):
    """Whether anything (a file, say) is at ``folder``."""
    return folder.exists() if isinstance(folder, Path) else folder.is_file()


def _not_found(missing, folder, origin, problem):
    """Build the :class:`MNISTNotFoundError` for the ``missing`` files."""
    return MNISTNotFoundError(
        f"{problem} {_WHAT_TO_DO[origin]}", missing=missing, data_home=folder, origin=origin
    )


def _load_verified(path, name, origin):
    """Read, verify and decode the IDX file ``name`` at ``path``.

    The file is streamed, its header checked against the size of the genuine
    file before anything is allocated, and the SHA-256 of what was read
    checked last.
    """
    try:
        array, digest = read_idx(path, max_bytes=_PAYLOAD_BYTES[name], sha256=True)
        if digest != _SHA256[name]:
            raise ValueError(
                f"{path}: SHA-256 of the decompressed payload is {digest}, "
                f"expected {_SHA256[name]} for {name}"
            )
        return array
    except ValueError as exc:
        if origin == _ORIGIN_BUNDLED:
            advice = "the copy bundled with skdigit is damaged: reinstall skdigit"
        else:
            advice = "replace it with an intact copy, or use a folder that holds one"
        raise ValueError(
            f"{exc}. The file is corrupted, truncated or not the MNIST {name}: {advice}."
        ) from exc
