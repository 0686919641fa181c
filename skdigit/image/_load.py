"""Reading one digit image, or many, into MNIST-style vectors."""

import os

import numpy as np

from ..utils import MNIST_SIDE
from ._decode import import_pil, to_gray
from ._errors import (
    MAX_PIXELS,
    DigitImageError,
    check_frame,
    check_invert,
    check_max_pixels,
    describe,
)
from ._fit import fit_and_centre
from ._ink import ink_image
from ._stroke import normalize_stroke

__all__ = ["load_digit_image", "load_digit_images"]


def load_digit_image(source, *, invert="auto", frame=None, max_pixels=MAX_PIXELS):
    """Read one digit image and prepare it like an MNIST digit.

    The result can be given straight to a model trained on MNIST (such as
    :func:`skdigit.make_digit_pipeline` fitted on :func:`skdigit.load_mnist`),
    after ``.reshape(1, -1)``. The image should show one digit: a photo of a
    sheet lying on a desk, lit unevenly, on ruled or squared paper, is fine
    (the sheet is found, the desk and the printed lines ignored). See the
    module docstring (:mod:`skdigit.image`) for each step.

    Parameters
    ----------
    source : str, os.PathLike, bytes, binary file object, PIL.Image.Image or ndarray
        The image: a path to an image file (PNG, JPEG, GIF, BMP, TIFF, WebP,
        anything Pillow reads), the file's contents as bytes, a file object
        opened in binary mode (read from its current position, not closed),
        a PIL image, or an array of shape ``(n_rows, n_cols)`` holding
        grayscale intensities -- uint8 (or other integers) 0-255, float in
        [0, 1], or bool -- or ``(n_rows, n_cols, 3 or 4)`` uint8 RGB(A).
        Dark ink on light paper and light ink on a dark background both work.
    invert : {"auto", True, False}, default="auto"
        Whether to invert the grayscale image so that the ink is bright.
        ``"auto"`` inverts when the ink is darker than the background (the
        level of the image border): the darkest marks are further from it
        than the lightest ones. ``True`` and ``False`` force it, e.g. when a
        dark digit is written on paper with brighter marks.
    frame : int, default=None
        The frame to read from a multi-frame image (animated GIF, multi-page
        TIFF). ``None`` reads frame 0, with a :class:`MultiFrameWarning` when
        there are more.
    max_pixels : int or None, default=MAX_PIXELS
        Refuse images with more pixels than this (50,000,000 by default), so
        that a small, malicious file cannot exhaust memory when decoded
        (Pillow's own decompression-bomb check, ``PIL.Image.MAX_IMAGE_PIXELS``,
        also applies to files). ``None`` removes this limit.

    Returns
    -------
    digit : ndarray of shape (784,), dtype uint8
        A 28x28 image flattened in row-major order, white ink (up to 255) on
        a black (0) background: the ink fits a 20x20 box and its centre of mass
        is within half a pixel of pixel ``(14, 14)``, as in MNIST.

    Raises
    ------
    ImportError
        If Pillow is not installed (``pip install "skdigit[image]"``); 2-D
        arrays are read without it, but resizing needs it.
    FileNotFoundError
        If ``source`` is a path to no file.
    NotAnImageError
        If the data is not an image Pillow can read, or is truncated.
    BlankImageError
        If the image holds no ink (it is nearly uniform).
    ImageTooLargeError
        If the image has more than ``max_pixels`` pixels or Pillow refuses it
        as a decompression bomb.
    ValueError
        For an invalid ``invert``, ``frame`` or ``max_pixels``, or an array
        of the wrong shape or range. The errors above are ValueErrors too
        (subclasses of :class:`DigitImageError`).
    TypeError
        If ``source`` is of none of the accepted types, or a text-mode file.

    Warns
    -----
    MultiFrameWarning
        If the image has several frames and ``frame`` is None.

    See Also
    --------
    load_digit_images : The same for many images, stacked in one array.
    skdigit.load_mnist : The MNIST data these digits are prepared to match.
    skdigit.make_digit_pipeline : A model to classify them.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based
       learning applied to document recognition", Proceedings of the IEEE,
       86(11), 2278-2324, 1998 (section III.A: the MNIST preprocessing).

    Examples
    --------
    A dark "1" on white paper, off-centre in a large image:

    >>> import numpy as np
    >>> from skdigit.image import load_digit_image
    >>> paper = np.full((300, 200), 255, dtype=np.uint8)
    >>> paper[40:200, 120:140] = 20  # a thick vertical stroke
    >>> digit = load_digit_image(paper)
    >>> digit.shape, digit.dtype
    ((784,), dtype('uint8'))
    >>> image = digit.reshape(28, 28)
    >>> rows = np.flatnonzero(image.any(axis=1))
    >>> int(rows[-1] - rows[0] + 1)  # the stroke is scaled to 20 pixels high
    20
    >>> int(image.max())  # white ink on black
    255
    >>> from scipy.ndimage import center_of_mass
    >>> [round(float(c)) for c in center_of_mass(image)]
    [14, 14]
    """
    name = describe(source)
    invert = check_invert(invert)
    max_pixels = check_max_pixels(max_pixels)
    frame = check_frame(frame)
    gray, _ = to_gray(source, name, frame, max_pixels)
    ink = normalize_stroke(ink_image(gray, name, invert))
    Image, _ = import_pil()
    return fit_and_centre(ink, Image)


def load_digit_images(sources, *, invert="auto", frame=None, max_pixels=MAX_PIXELS):
    """Read many digit images and stack them like MNIST rows.

    Parameters
    ----------
    sources : iterable
        The images, each anything :func:`load_digit_image` accepts (paths,
        bytes, binary file objects, PIL images, 2-D arrays). A single path or
        array is refused: wrap it in a list, or call :func:`load_digit_image`.
    invert : {"auto", True, False}, default="auto"
        Passed to :func:`load_digit_image` for every image.
    frame : int, default=None
        Passed to :func:`load_digit_image` for every image.
    max_pixels : int or None, default=MAX_PIXELS
        Passed to :func:`load_digit_image` for every image (a per-image limit).

    Returns
    -------
    X : ndarray of shape (n_images, 784), dtype uint8
        One prepared digit per row (intensities 0-255, white ink on black),
        in the order of ``sources``; ready for ``model.predict(X)``.

    Raises
    ------
    DigitImageError, FileNotFoundError, ValueError, TypeError
        As :func:`load_digit_image`, for the first image that fails; the
        message starts with that image's position and name, e.g.
        ``"image 3 (scans/seven.png): ..."``. The error is of the same class
        as the one :func:`load_digit_image` raised.

    See Also
    --------
    load_digit_image : One image; the preparation is described there.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skdigit.image import load_digit_images
    >>> paper = np.full((60, 40), 255, dtype=np.uint8)
    >>> paper[10:50, 15:22] = 0
    >>> png = io.BytesIO()
    >>> Image.fromarray(paper).save(png, format="PNG")
    >>> X = load_digit_images([paper, png.getvalue()])
    >>> X.shape
    (2, 784)
    >>> bool((X[0] == X[1]).all())
    True
    """
    if isinstance(sources, (str, bytes, bytearray, memoryview, os.PathLike)) or (
        isinstance(sources, np.ndarray) and sources.ndim < 3
    ):
        raise TypeError(
            "load_digit_images takes a list of images; for a single image use "
            "load_digit_image, or wrap it in a list."
        )
    check_invert(invert)
    check_max_pixels(max_pixels)
    check_frame(frame)
    rows = []
    for i, source in enumerate(sources):
        try:
            rows.append(
                load_digit_image(source, invert=invert, frame=frame, max_pixels=max_pixels)
            )
        except (ValueError, TypeError) as exc:
            # Our messages start with the source's name; add the position.
            name = describe(source)
            text = str(exc)
            prefix = f"image {i}: " if text.startswith(name) else f"image {i} ({name}): "
            if isinstance(exc, DigitImageError):
                raise type(exc)(prefix + text, source=exc.source) from exc
            raise type(exc)(prefix + text) from exc
        except OSError as exc:
            # FileNotFoundError and friends already name the file; add the position.
            if hasattr(exc, "add_note"):  # Python >= 3.11
                exc.add_note(f"(while reading image {i} of load_digit_images)")
            raise
    if not rows:
        return np.zeros((0, MNIST_SIDE * MNIST_SIDE), dtype=np.uint8)
    return np.stack(rows)
