"""Validate or infer the 2-D shape of the images stored as rows of ``X``.

Image transformers receive flattened images: each row of ``X`` of shape
``(n_samples, n_features)`` is one image of shape ``(n_rows, n_cols)`` stored in
row-major (C) order, with ``n_rows * n_cols == n_features``.
"""

import math
from numbers import Integral

__all__ = ["check_image_shape", "infer_image_shape"]


def infer_image_shape(n_features):
    """Infer a square image shape from a feature count.

    Parameters
    ----------
    n_features : int
        Number of features (pixels) per sample.

    Returns
    -------
    image_shape : tuple of (int, int)
        ``(side, side)`` with ``side * side == n_features``.

    Raises
    ------
    ValueError
        If ``n_features`` is not a positive perfect square.

    Examples
    --------
    >>> from skdigit.utils import infer_image_shape
    >>> infer_image_shape(784)
    (28, 28)
    >>> infer_image_shape(64)
    (8, 8)
    """
    n_features = int(n_features)
    side = math.isqrt(n_features) if n_features > 0 else 0
    if n_features <= 0 or side * side != n_features:
        raise ValueError(
            f"Cannot infer image_shape: X has {n_features} features, which is not "
            "a perfect square. Pass image_shape=(n_rows, n_cols) with "
            f"n_rows * n_cols == {n_features}, or with one side -1 to infer it "
            "(for example image_shape=(28, 28) or (-1, 28) for MNIST, whose rows "
            "hold 784 pixels)."
        )
    return (side, side)


def check_image_shape(image_shape, n_features):
    """Validate a user-given image shape, or infer it when it is None.

    Parameters
    ----------
    image_shape : tuple of (int, int) or None
        ``(n_rows, n_cols)`` of each image. One of the two may be -1, inferred
        from ``n_features`` as in :func:`numpy.reshape` (``(-1, 28)``: rows of
        28 pixels; ``(1, -1)``: a single row). ``None`` infers a square shape
        from ``n_features`` (784 -> ``(28, 28)``, 64 -> ``(8, 8)``).
    n_features : int
        Number of features (pixels) per sample; each row of ``X`` is one image
        flattened in row-major (C) order.

    Returns
    -------
    image_shape : tuple of (int, int)
        The validated shape, as a tuple of positive Python ints whose product
        is ``n_features``.

    Raises
    ------
    ValueError
        If ``image_shape`` is not a pair of positive integers (one may be -1),
        if their product is not ``n_features``, or if it is None and
        ``n_features`` is not a perfect square.

    Examples
    --------
    >>> from skdigit.utils import check_image_shape
    >>> check_image_shape(None, 784)
    (28, 28)
    >>> check_image_shape((4, 16), 64)
    (4, 16)
    >>> check_image_shape((-1, 28), 784)
    (28, 28)
    >>> check_image_shape((28, 28), 785)
    Traceback (most recent call last):
        ...
    ValueError: image_shape=(28, 28) holds 784 pixels, but X has 785 features...
    """
    if image_shape is None:
        return infer_image_shape(n_features)
    shape = tuple(image_shape)
    if (
        len(shape) != 2
        or not all(
            isinstance(s, Integral) and not isinstance(s, bool) and (s > 0 or s == -1)
            for s in shape
        )
        or shape == (-1, -1)
    ):
        raise ValueError(
            "image_shape must be None or a pair of positive integers (n_rows, "
            f"n_cols), one of which may be -1 (inferred); got {image_shape!r}."
        )
    shape = (int(shape[0]), int(shape[1]))
    if -1 in shape:
        known = shape[0] * shape[1] * -1
        if n_features % known:
            raise ValueError(
                f"image_shape={shape} cannot hold X's {n_features} features: "
                f"{n_features} is not a multiple of {known}."
            )
        shape = tuple(n_features // known if s == -1 else s for s in shape)
    if shape[0] * shape[1] != n_features:
        raise ValueError(
            f"image_shape={shape} holds {shape[0] * shape[1]} pixels, but X has "
            f"{n_features} features; each row of X must be one image flattened in "
            "row-major order, so n_rows * n_cols must equal n_features."
        )
    return shape
