"""Random deformations of real digits, in the manner of InfiMNIST (elastic + affine)."""

import functools
import sys
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array, check_consistent_length, column_or_1d

from ..utils import check_image_shape, parallel_kernel_lock, single_threaded_blas
from ._deform_kernels import deform_images

__all__ = ["make_deformed_digits"]

# The unit of randomness: the random numbers of copy c of the source images
# [b * RANDOM_BLOCK, (b + 1) * RANDOM_BLOCK) come from one generator seeded by
# SeedSequence(root entropy, spawn_key=(c, b)). Every batch or dask chunk draws
# the blocks it overlaps and keeps its rows, so the digits depend on the image's
# position in X and on the copy, never on how the work is cut. Changing this
# constant changes the digits of a given random_state.
RANDOM_BLOCK = 256

# Images per batch of the kernel (a multiple of RANDOM_BLOCK: no waste).
_BATCH = 4 * RANDOM_BLOCK

# The field passed when alpha == 0 (the kernel does not read it).
_NO_FIELD = np.zeros((1, 2, 1))

# Gaussian taps out to 4 standard deviations, as scipy.ndimage.gaussian_filter.
_TRUNCATE = 4.0


def _gaussian_weights(sigma):
    """Normalized taps of scipy.ndimage.gaussian_filter1d (``truncate=4``)."""
    radius = int(_TRUNCATE * float(sigma) + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 / float(sigma) ** 2 * x * x)
    return w / w.sum()


@functools.lru_cache(maxsize=16)
def _smoothing_matrix(n, sigma):
    """``G`` of shape (n, n): ``G @ v`` is the Gaussian filter of ``v`` with mirrored borders.

    Folds the taps falling outside ``[0, n)`` back in by half-sample symmetric
    reflection (scipy.ndimage's ``mode="reflect"``), so the product equals
    ``scipy.ndimage.gaussian_filter1d(v, sigma, mode="reflect", truncate=4)``.
    """
    w = _gaussian_weights(sigma)
    radius = (w.size - 1) // 2
    j = np.arange(n)[:, None] + np.arange(-radius, radius + 1)[None, :]
    j = j % (2 * n)
    j = np.where(j >= n, 2 * n - 1 - j, j)
    G = np.zeros((n, n))
    np.add.at(G, (np.repeat(np.arange(n), w.size), j.ravel()), np.tile(w, n))
    G.flags.writeable = False
    return G


def _smooth_noise(noise, image_shape, sigma):
    """Gaussian-smoothed noise, shape ``(m, 2, n_pix)``: ``G_rows @ U @ G_cols.T`` per field.

    Separable smoothing as two matrix products, the first one a single
    ``(2 m n_rows, n_cols) @ (n_cols, n_cols)`` product.
    """
    n_rows, n_cols = image_shape
    m = noise.shape[0]
    along_rows = noise.reshape(-1, n_cols) @ _smoothing_matrix(n_cols, sigma).T
    field = np.matmul(_smoothing_matrix(n_rows, sigma), along_rows.reshape(-1, n_rows, n_cols))
    return field.reshape(m, 2, n_rows * n_cols)


def _root_entropy(random_state):
    """The entropy every block's seed is derived from (fixed once per call)."""
    if random_state is None:
        return np.random.SeedSequence().entropy
    if isinstance(random_state, Integral):
        return int(random_state)
    rng = check_random_state(random_state)
    return [int(v) for v in rng.randint(0, 2**32, size=4, dtype=np.uint64)]


def _draw(entropy, copy, start, stop, n_pix, settings):
    """``(noise, affine)`` for rows ``[start, stop)`` of copy ``copy``.

    ``noise`` (float64, shape ``(stop - start, 2, n_pix)``, uniform in [-1, 1))
    is None when ``alpha == 0``; ``affine`` (float64, ``(stop - start, 5)``)
    holds the columns of :data:`~skdigit.datasets._deform_kernels.AFFINE_FIELDS`.
    """
    alpha, _, max_rotation, max_scale, max_shear, max_shift = settings
    first, last = start // RANDOM_BLOCK, (stop - 1) // RANDOM_BLOCK
    n_blocks = last + 1 - first
    unif = np.empty((n_blocks * RANDOM_BLOCK, 5))
    noise = np.empty((n_blocks * RANDOM_BLOCK, 2, n_pix)) if alpha != 0 else None
    for i, b in enumerate(range(first, last + 1)):
        rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(copy, b)))
        rows = slice(i * RANDOM_BLOCK, (i + 1) * RANDOM_BLOCK)
        # the affine parameters first: they stay the same whatever alpha is
        rng.random(out=unif[rows])
        if noise is not None:
            rng.random(out=noise[rows])
    keep = slice(start - first * RANDOM_BLOCK, stop - first * RANDOM_BLOCK)
    affine = (2.0 * unif[keep] - 1.0) * np.array(
        [np.deg2rad(max_rotation), max_scale, max_shear, max_shift, max_shift])
    affine[:, 1] += 1.0
    if noise is not None:
        noise = noise[keep]
        noise *= 2.0
        noise -= 1.0
    return noise, affine


def _deform_rows(X, start, copy, entropy, image_shape, settings, out=None):
    """Copy ``copy`` of the flattened images ``X``, rows ``start...`` of the source (uint8).

    Works through batches of ``_BATCH`` images, which bound the temporary
    memory (the noise and the field: 25 KB per 28x28 image).
    """
    n_rows, n_cols = image_shape
    n_pix = n_rows * n_cols
    alpha, sigma = float(settings[0]), settings[1]
    if out is None:
        out = np.empty((X.shape[0], n_pix), dtype=np.uint8)
    X = np.ascontiguousarray(X, dtype=np.uint8 if X.dtype == np.uint8 else np.float64)
    for lo in range(0, X.shape[0], _BATCH):
        hi = min(lo + _BATCH, X.shape[0])
        noise, affine = _draw(entropy, copy, start + lo, start + hi, n_pix, settings)
        if noise is None:
            field = _NO_FIELD
        else:
            with single_threaded_blas():  # small products: threads cost more than they give
                field = _smooth_noise(noise, image_shape, sigma)
        with parallel_kernel_lock():
            deform_images(X[lo:hi], n_rows, n_cols, field, affine, alpha, True, out[lo:hi])
    return out


def _to_uint8(X):
    """Intensities 0-255 as uint8, rounded half up and clipped (as the deformed copies)."""
    if X.dtype == np.uint8:
        return np.array(X)
    return np.floor(np.clip(X, 0, 255) + 0.5).astype(np.uint8)


def _is_dask_array(X):
    """Whether ``X`` is a dask array, without importing dask (none exists unless it is)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(X, da.Array)


def _resolve_image_shape(shape, image_shape):
    """The ``(n_rows, n_cols)`` of the images of an array of shape ``shape``."""
    if len(shape) == 3:
        if image_shape is not None and tuple(image_shape) != tuple(shape[1:]):
            raise ValueError(
                f"X holds images of shape {tuple(shape[1:])}, but image_shape="
                f"{image_shape!r}; leave image_shape=None for 3-D X.")
        return int(shape[1]), int(shape[2])
    return check_image_shape(image_shape, shape[1])


def _check_X(X):
    """Validated NumPy ``X`` of shape (n, n_pixels) or (n, n_rows, n_cols), values 0-255."""
    X = check_array(X, dtype="numeric", allow_nd=True, input_name="X")
    if X.ndim not in (2, 3):
        raise ValueError(
            f"X must hold flattened images, shape (n_samples, n_pixels), or images, "
            f"shape (n_samples, n_rows, n_cols); got an array of shape {X.shape}.")
    if X.dtype != np.uint8 and (X.min() < 0 or X.max() > 255):
        raise ValueError(
            f"X must hold pixel intensities 0-255 like MNIST; its values range from "
            f"{X.min().item()!r} to {X.max().item()!r}. Pass the raw images, before "
            "any scaling (multiply images in [0, 1] by 255).")
    return X


def _check_dask_X(X):
    if X.ndim not in (2, 3) or X.dtype.kind not in "uifb":
        raise ValueError(
            "X must be a numeric dask array of flattened images, shape (n_samples, "
            "n_pixels), or images, shape (n_samples, n_rows, n_cols); got shape "
            f"{X.shape} and dtype {X.dtype}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X is a dask array with unknown chunk sizes; the deformations depend on "
            "each image's position, so call X.compute_chunk_sizes() first.")
    return X


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like", None],
        "n_copies": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "max_rotation": [Interval(Real, 0, 180, closed="both")],
        "max_scale": [Interval(Real, 0, 1, closed="left")],
        "max_shear": [Interval(Real, 0, None, closed="left")],
        "max_shift": [Interval(Real, 0, None, closed="left")],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
        "chunk_size": [Interval(Integral, 1, None, closed="left")],
        "include_original": ["boolean"],
        "lazy": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_deformed_digits(X, y=None, *, n_copies=1, alpha=20.0, sigma=5.0, max_rotation=10.0,
                         max_scale=0.1, max_shear=0.1, max_shift=1.0, image_shape=None,
                         random_state=None, chunk_size=8192, include_original=False,
                         lazy=False):
    r"""Random deformations of real digits: elastic distortions plus small affine changes.

    Each copy of each image is resampled through a smooth random displacement
    field (the elastic distortions of Simard, Steinkraus and Platt [1]_) composed
    with a small random rotation, scaling, shear and translation, as the
    InfiMNIST generator does [2]_ (MNIST8M, 8.1 million digits, is 135 such copies
    of each MNIST training digit). The digits stay legible: a model trained on
    the originals reads most of them with the default settings.

    Parameters
    ----------
    X : array-like or dask array of shape (n_samples, n_pixels) or (n_samples, n_rows, n_cols)
        Images with intensities 0-255 (uint8 like MNIST, or any real dtype),
        flattened in row-major order or as 2-D images. A dask array gives lazy
        output (its chunks along the first axis are the chunks of each copy).
    y : array-like of shape (n_samples,), default=None
        Labels, repeated for the copies (``None`` gives ``y_def=None``).
    n_copies : int, default=1
        Number of deformed copies of each image.
    alpha : float, default=20.0
        Scale of the elastic displacement field, in pixels (0: no elastic part).
        Simard et al. [1]_ used ``alpha=34, sigma=4``: wobblier digits, still
        legible to people but harder for a linear model (see the user guide).
    sigma : float, default=5.0
        Standard deviation of the Gaussian that smooths the field, in pixels:
        small ``sigma`` gives wiggles, large ``sigma`` near-rigid moves.
    max_rotation : float, default=10.0
        Rotation angle drawn uniformly in ``[-max_rotation, max_rotation]``, in degrees.
    max_scale : float, default=0.1
        Scale factor drawn uniformly in ``[1 - max_scale, 1 + max_scale]``.
    max_shear : float, default=0.1
        Shear drawn uniformly in ``[-max_shear, max_shear]``: columns shifted by
        that many pixels per row (a slant).
    max_shift : float, default=1.0
        Translation along each axis drawn uniformly in ``[-max_shift,
        max_shift]``, in pixels.
    image_shape : tuple of (int, int), default=None
        ``(n_rows, n_cols)`` of flattened images (one side may be -1); None
        infers a square (784 -> ``(28, 28)``). Must be None or match for 3-D ``X``.
    random_state : int, RandomState instance or None, default=None
        Seeds the deformations (see Notes): an int gives the same digits on
        every call, a RandomState instance gives entropy drawn from it, and
        None fresh entropy from the operating system (other digits each call).
    chunk_size : int, default=8192
        Rows of each chunk of a lazy output made from a NumPy ``X`` (a dask
        ``X`` keeps its own chunks); not used for NumPy output. The digits do
        not depend on it.
    include_original : bool, default=False
        Put the originals (as uint8) before the copies.
    lazy : bool, default=False
        Return dask arrays built chunk by chunk when computed (``pip install
        "skdigit[dask]"``). Implied when ``X`` or ``y`` is a dask array.

    Returns
    -------
    X_def : ndarray or dask array of uint8, shape (n_out, ...) like ``X``
        ``n_out = (n_copies + include_original) * n_samples`` images of the same
        shape as those of ``X``, intensities 0-255 rounded and clipped, ordered
        copy by copy: row ``c * n_samples + i`` (after the originals, if
        included) is copy ``c`` of image ``i``.
    y_def : ndarray or dask array of shape (n_out,), or None
        The label of each row of ``X_def`` (``y`` tiled).

    Raises
    ------
    ValueError
        If a parameter is out of range, ``X`` is not 2-D or 3-D, has values
        outside 0-255 or non-finite values, ``image_shape`` does not fit, ``y``
        does not match ``X``, or a dask ``X`` has unknown chunk sizes.
    skdigit.utils.MissingExtraError
        If ``lazy=True`` and dask is not installed.

    See Also
    --------
    skdigit.load_mnist : The digits to deform.
    skdigit.Deskew : Moment-based deskewing, which undoes part of a shear.
    scipy.ndimage.map_coordinates : The resampling the kernel reproduces (``order=1``).

    Notes
    -----
    With row :math:`y`, column :math:`x` and the image centre :math:`r =
    ((H - 1)/2, (W - 1)/2)`, the output pixel :math:`p` takes the input at

    .. math::

        q = r + M^{-1} (p - r - t) + \alpha \, (G_\sigma * u)(p), \qquad
        M = R(\theta) \, s \, \begin{pmatrix} 1 & 0 \\ k & 1 \end{pmatrix},

    interpolated bilinearly with zeros outside the image, where :math:`u` holds
    uniform random numbers in [-1, 1] (one per pixel and axis), :math:`G_\sigma`
    is a Gaussian of standard deviation ``sigma`` (truncated at 4 sigma,
    mirrored borders, as :func:`scipy.ndimage.gaussian_filter`),
    :math:`\theta, s, k, t` the rotation, scale, shear and translation. A
    compiled (numba) kernel deforms the images in parallel.

    Determinism: the random numbers of copy ``c`` of images ``256 b`` to ``256 b
    + 255`` come from ``SeedSequence(entropy, spawn_key=(c, b))``, the entropy
    taken from ``random_state``. The digits therefore depend only on
    ``random_state``, on the position of each image in ``X`` and on the copy:
    NumPy and dask output agree, whatever the ``chunk_size`` or the chunks.
    Values of a dask ``X`` are not checked (they are clipped to 0-255).

    References
    ----------
    .. [1] P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for
       convolutional neural networks applied to visual document analysis",
       ICDAR 2003, pp. 958-963.
    .. [2] G. Loosli, S. Canu and L. Bottou, "Training invariant support vector
       machines using selective sampling", in Large Scale Kernel Machines,
       MIT Press, 2007, pp. 301-320.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit import load_mnist
    >>> from skdigit.datasets import make_deformed_digits
    >>> X, y = load_mnist(subset="test", return_X_y=True)
    >>> X_def, y_def = make_deformed_digits(X[:100], y[:100], n_copies=3, random_state=0)
    >>> X_def.shape, X_def.dtype, y_def.shape
    ((300, 784), dtype('uint8'), (300,))
    >>> bool(np.array_equal(y_def[200:], y[:100]))
    True
    >>> again, _ = make_deformed_digits(X[:100], y[:100], n_copies=3, random_state=0)
    >>> bool(np.array_equal(X_def, again))
    True

    Images in, images out; lazily with dask:

    >>> images = load_mnist(subset="test").images[:100]
    >>> make_deformed_digits(images, random_state=0)[0].shape
    (100, 28, 28)
    >>> X_lazy, y_lazy = make_deformed_digits(X[:100], y[:100], n_copies=3,
    ...                                       random_state=0, lazy=True, chunk_size=30)
    >>> X_lazy.chunksize
    (30, 784)
    >>> bool(np.array_equal(X_lazy.compute(), X_def))
    True
    """
    settings = (alpha, sigma, max_rotation, max_scale, max_shear, max_shift)
    entropy = _root_entropy(random_state)
    dask_X = _is_dask_array(X)
    X = _check_dask_X(X) if dask_X else _check_X(X)
    shape = _resolve_image_shape(X.shape, image_shape)
    if y is not None and not _is_dask_array(y):
        y = column_or_1d(y)
        if not dask_X:
            check_consistent_length(X, y)
    if y is not None and not np.isnan(X.shape[0]) and not np.isnan(y.shape[0]) \
            and y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} images but y has {y.shape[0]} labels.")
    reps = n_copies + bool(include_original)
    if dask_X or lazy or _is_dask_array(y):
        from ._deform_dask import deform_lazily

        return deform_lazily(X, y, reps, include_original, chunk_size, shape, entropy, settings)

    n = X.shape[0]
    flat = X.reshape(n, -1)
    out = np.empty((reps * n, flat.shape[1]), dtype=np.uint8)
    if include_original:
        out[:n] = _to_uint8(flat)
    for c in range(n_copies):
        offset = (c + bool(include_original)) * n
        _deform_rows(flat, 0, c, entropy, shape, settings, out=out[offset:offset + n])
    y_def = None if y is None else np.tile(y, reps)
    return out.reshape((reps * n,) + X.shape[1:]), y_def
