"""Loading (and, if needed, downloading) the MNIST database of handwritten digits."""

import hashlib
import os
import socket
import sys
import time
import uuid
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import numpy as np
from sklearn.datasets import get_data_home
from sklearn.utils import Bunch

from .._version import __version__
from ._idx import _is_gzip, _parse_idx, _read_payload

__all__ = ["MNISTNotFoundError", "load_mnist"]

ENV_DATA_HOME = "SKDIGIT_DATA_HOME"

# Base URLs tried in turn; each serves the four ``<name>.gz`` files. Tests
# monkeypatch this list.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]

# SHA-256 of the *decompressed* IDX payloads: the same payload is gzipped with
# different settings by different mirrors, so the .gz bytes cannot be checked.
# Hashing the 47 MB training images takes ~0.03 s next to ~0.12 s to decompress
# them, so every load verifies; no verification cache is kept.
_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# subset -> the (images, labels) file pairs it is made of, in order.
_SUBSETS = {
    "train": [("train-images-idx3-ubyte", "train-labels-idx1-ubyte")],
    "test": [("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")],
}
_SUBSETS["all"] = _SUBSETS["train"] + _SUBSETS["test"]

_TIMEOUT_S = 15  # per socket operation, not for the whole download
_ATTEMPTS = 3  # per mirror, for transient errors only
_BACKOFF_S = 0.5  # sleep before the second attempt, doubled after each failure
_CHUNK_BYTES = 1 << 16

_N_ROWS = _N_COLS = 28
_FEATURE_NAMES = [f"pixel_{row}_{col}" for row in range(_N_ROWS) for col in range(_N_COLS)]

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
gzipped. ``load_mnist`` verifies the SHA-256 of each *decompressed* payload:

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
    """MNIST files are missing from the data home and could not be downloaded.

    The message lists the missing files, the folder looked in and how it was
    chosen, why downloading failed (or that it was not attempted), and how to
    provide the files.

    Attributes
    ----------
    missing : list of str
        Base names of the missing IDX files, e.g. ``"train-images-idx3-ubyte"``.
    data_home : pathlib.Path or None
        The folder that was looked in.
    """

    def __init__(self, message, missing=(), data_home=None):
        super().__init__(message)
        self.missing = list(missing)
        self.data_home = data_home


def load_mnist(*, subset="train", data_home=None, download=True, return_X_y=False):
    """Load the MNIST database of handwritten digits (downloading it if needed).

    70,000 grey-level images of 28x28 pixels of the digits 0-9: 60,000 for
    training and 10,000 for testing. The SHA-256 of each decompressed IDX file
    is verified on every load.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which images to load: the 60,000 training images, the 10,000 test
        images, or all 70,000 (training images first, then test images).

    data_home : str or os.PathLike, default=None
        The folder that directly holds the IDX files, named as distributed
        (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``), gzipped or
        not, with or without a ``.gz`` suffix; the dotted spelling
        ``train-images.idx3-ubyte`` is accepted too. If None, the environment
        variable ``SKDIGIT_DATA_HOME`` is used when set and non-empty, else
        ``sklearn.datasets.get_data_home() / "mnist"``.

    download : bool, default=True
        If True, download the missing files from the public mirrors in
        ``skdigit.datasets._mnist.MIRRORS``, tried in turn, into ``data_home``
        (created if needed). Each file is written to a temporary file in that
        folder and renamed into place only once its checksum holds. If False,
        missing files raise :class:`~skdigit.datasets.MNISTNotFoundError`.

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
        If ``subset`` is not one of "train", "test" or "all"; or if a file
        found in ``data_home`` is corrupted, truncated or not the expected
        MNIST file (its checksum does not match). The message names the file
        and says what to do: delete it so that it is downloaded again, or point
        ``data_home`` elsewhere. Files found locally are never overwritten.
    MNISTNotFoundError
        If files are missing and ``download`` is False, or downloading them
        failed from every mirror (e.g. offline). A subclass of
        :class:`FileNotFoundError`; its message lists the missing files, where
        they were looked for and how to provide them.

    See Also
    --------
    load_idx : Read any IDX file into a numpy array.
    sklearn.datasets.fetch_openml : MNIST is also on OpenML ("mnist_784"), as
        floats and string labels.

    Notes
    -----
    Files are downloaded as gzipped (about 11 MB in all) and loaded from
    there; decompressing and verifying all four takes a fraction of a second.

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
    Loading needs the files, or network access to download them (about 11 MB):

    >>> from skdigit.datasets import load_mnist
    >>> mnist = load_mnist(subset="test")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.data.dtype, mnist.target[:5]  # doctest: +SKIP
    ((10000, 784), dtype('uint8'), array([7, 2, 1, 0, 4]))

    Without ``download``, missing files raise an error that says where they
    were looked for:

    >>> import tempfile
    >>> from skdigit.datasets import MNISTNotFoundError
    >>> with tempfile.TemporaryDirectory() as empty_folder:
    ...     try:
    ...         load_mnist(data_home=empty_folder, download=False)
    ...     except MNISTNotFoundError as exc:
    ...         print(exc.missing)
    ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']
    """
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {sorted(_SUBSETS)}, got {subset!r}")
    pairs = _SUBSETS[subset]
    folder, origin = _resolve_data_home(data_home)
    paths = _ensure_files([name for pair in pairs for name in pair], folder, origin, download)
    images = _concatenate([_load_verified(paths[images], images) for images, _ in pairs])
    labels = _concatenate([_load_verified(paths[labels], labels) for _, labels in pairs])
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


def _resolve_data_home(data_home):
    """Return the data folder and a phrase saying how it was chosen."""
    if data_home is not None:
        return Path(os.fspath(data_home)).expanduser(), "the data_home argument"
    if os.environ.get(ENV_DATA_HOME):
        return (
            Path(os.environ[ENV_DATA_HOME]).expanduser(),
            f"the {ENV_DATA_HOME} environment variable",
        )
    return (
        Path(get_data_home()) / "mnist",
        f"the default, sklearn.datasets.get_data_home()/mnist, as {ENV_DATA_HOME} is not set",
    )


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


def _ensure_files(names, folder, origin, download):
    """Return ``{name: path}`` for the IDX files, downloading missing ones."""
    paths = {name: _find_local(folder, name) for name in names}
    missing = [name for name, path in paths.items() if path is None]
    if not missing:
        return paths
    if not download:
        raise _not_found(missing, folder, origin, ["not attempted (download=False)"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in missing:
            paths[name] = _download_from_mirrors(name, folder)
    except (_MirrorsFailed, OSError) as exc:
        still_missing = [name for name in names if paths[name] is None]
        reasons = exc.failures if isinstance(exc, _MirrorsFailed) else [str(exc)]
        raise _not_found(still_missing, folder, origin, reasons) from exc
    return paths


def _not_found(missing, folder, origin, reasons):
    """Build the :class:`MNISTNotFoundError` for ``missing`` files."""
    example = _url(MIRRORS[0], missing[0]) if MIRRORS else None
    lines = [
        f"MNIST file(s) missing from {folder} (data home chosen by {origin}): "
        + ", ".join(missing)
        + " (each also accepted gzipped, with a .gz suffix).",
        "Downloading them:",
        *(f"  - {reason}" for reason in reasons),
        "To provide them, download each missing file as <name>.gz from a mirror"
        + (f" (e.g. {example})" if example else "")
        + f" into {folder}, or pass data_home= or set {ENV_DATA_HOME} to a folder "
        "that holds them.",
    ]
    return MNISTNotFoundError("\n".join(lines), missing=missing, data_home=folder)


def _load_verified(path, name):
    """Read, verify and decode the local IDX file ``name`` at ``path``."""
    try:
        payload = _read_payload(path)
        _check_sha256(payload, name, path)
        return _parse_idx(payload, path)
    except ValueError as exc:
        raise ValueError(
            f"{exc}\nThe file is corrupted, truncated or not the MNIST {name}. "
            f"Delete {path} and call load_mnist(download=True) to download it again, "
            f"or point data_home (or {ENV_DATA_HOME}) at a folder holding an intact copy."
        ) from exc


def _check_sha256(payload, name, source):
    """Raise ValueError unless ``payload`` is the expected content of ``name``."""
    digest = hashlib.sha256(payload).hexdigest()
    if digest != _SHA256[name]:
        raise ValueError(
            f"{source}: SHA-256 of the decompressed payload is {digest}, "
            f"expected {_SHA256[name]} for {name}"
        )


class _MirrorsFailed(Exception):
    """Every mirror failed for one file; ``failures`` says why, per URL."""

    def __init__(self, failures):
        super().__init__("; ".join(failures))
        self.failures = failures


def _download_from_mirrors(name, folder):
    """Download ``name`` into ``folder`` from the first mirror that works."""
    failures = []
    for mirror in MIRRORS:
        url = _url(mirror, name)
        try:
            return _download_with_retries(url, name, folder)
        except (OSError, ValueError, HTTPException) as exc:
            failures.append(f"{url} failed: {exc}")
    raise _MirrorsFailed(failures or ["no mirrors configured"])


def _url(mirror, name):
    """The URL of the gzipped IDX file ``name`` on ``mirror``."""
    return mirror.rstrip("/") + f"/{name}.gz"


def _download_with_retries(url, name, folder):
    """:func:`_download`, retried with exponential backoff on transient errors."""
    for attempt in range(_ATTEMPTS):
        try:
            return _download(url, name, folder)
        except (OSError, HTTPException) as exc:
            if attempt + 1 == _ATTEMPTS or not _is_transient(exc):
                raise
            time.sleep(_BACKOFF_S * 2**attempt)


def _is_transient(exc):
    """Whether a download error may go away on retrying."""
    if isinstance(exc, HTTPError):
        return exc.code >= 500 or exc.code == 429
    if isinstance(exc, URLError):
        # An unresolvable host name (offline, typo) will not resolve a second later.
        return not isinstance(exc.reason, socket.gaierror)
    return isinstance(exc, (TimeoutError, ConnectionError, HTTPException))


def _download(url, name, folder):
    """Download ``url`` and verify it; put it in place as ``name`` in ``folder``.

    urllib rather than ``sklearn.datasets.fetch_file``: the latter can only
    check the SHA-256 of the downloaded (gzipped) bytes, while the checksums
    are of the decompressed payloads, and it fixes the final file name itself.
    """
    request = Request(url, headers={"User-Agent": f"skdigit/{__version__}"})
    with urlopen(request, timeout=_TIMEOUT_S) as response:
        temp = folder / f".{name}.{uuid.uuid4().hex}.part"
        try:
            _copy_with_progress(response, temp, name, url)
            _check_sha256(_read_payload(temp, source=url), name, url)
            final = folder / (f"{name}.gz" if _is_gzip(temp) else name)
            os.replace(temp, final)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    return final


def _copy_with_progress(response, path, name, url):
    """Write the body of ``response`` to the new file ``path``, durably."""
    total = int(response.headers.get("Content-Length") or 0) or None
    received = 0
    with open(path, "xb") as out, _progress(total, name, url) as progress:
        while chunk := response.read(_CHUNK_BYTES):
            out.write(chunk)
            received += len(chunk)
            progress.update(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    # http.client's read(amt) returns b"" on a connection closed early, no error.
    if total is not None and received != total:
        raise ConnectionError(f"connection closed after {received} of {total} bytes")


def _progress(total, name, url):
    """A progress bar (tqdm, an optional dependency) or a one-line notice."""
    try:
        from tqdm import tqdm
    except ImportError:
        print(f"Downloading {url}", file=sys.stderr)
        return _NoProgress()
    return tqdm(
        total=total, desc=f"Downloading {name}.gz", unit="B", unit_scale=True, unit_divisor=1024
    )


class _NoProgress:
    """Stands in for a tqdm bar when tqdm is not installed."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n):
        pass
