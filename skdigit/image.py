"""Read photographed or scanned digits into MNIST-style vectors.

:func:`load_digit_image` turns one image (a file, bytes, a PIL image or an
array) into a ``(784,)`` uint8 vector prepared the way MNIST itself was
prepared, so that a model trained on MNIST can classify it;
:func:`load_digit_images` does the same for many images at once.

Pillow is an optional dependency (``pip install "skdigit[image]"``); it is
imported only when an image is loaded, so ``import skdigit.image`` is cheap.

The preparation, step by step:

1. Decode (refusing images larger than ``max_pixels``), take one frame of a
   multi-frame file, apply the EXIF orientation. Images larger than 1024
   pixels on a side are reduced by an integer factor (box filter) first.
2. Convert to grayscale in [0, 1]. A transparent background is composited onto
   white (onto black when the visible strokes are themselves light).
3. Subtract the background: a plane fitted (robustly) to a thin ring along
   the image border (2% of the smaller side), so that uneven lighting across
   a photo is removed too.
4. Decide the polarity: the ink is whichever extreme (the darkest or the
   lightest level filling a whole 2x2 block, so that isolated specks do not
   count) lies further from the background. Dark ink on light paper is
   inverted, so that the ink is bright.
5. Find the ink. The noise floor is three robust standard deviations
   (1.4826 MAD) of the border ring around the plane, so paper grain and JPEG
   artefacts do not count as ink. Pixels more than halfway from the
   noise floor to the peak are the *strong* ink (connected specks holding
   less than 1% of it are ignored); fainter pixels (above 5% of the way)
   connected to it, and a one-pixel rim around those, are kept too.
   Everything else is set to 0, and the intensities are stretched so that the
   ink level (75th percentile of the strong ink) becomes 255: pencil on grey
   paper looks like MNIST's pen strokes.
6. Scale so that the strong ink's bounding box fits a 20x20 box, keeping the
   aspect ratio (Lanczos resampling, which anti-aliases). The half-contrast
   level is where the edge of a blurred stroke was, so a blurry photo and a
   sharp scan give digits of the same size; the fainter rim (at most 4
   pixels) is kept around the box, as MNIST's anti-aliased grays.
7. Paste it in a 28x28 image, shifted by whole pixels so that its
   intensity-weighted centre of mass is at pixel ``(14, 14)`` (row, column;
   within half a pixel). That is where real MNIST digits have it: over the
   10,000 MNIST test images the centre of mass is at ``(13.99, 14.01)`` on
   average and always between 13.5 and 14.5 -- not at the geometric centre
   13.5. Faint pixels that the shift pushes off the field are cut.

A digit from MNIST itself comes back almost unchanged (within a few gray
levels, from the ink-level stretch; rarely shifted by one pixel).

References
----------
.. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning
   applied to document recognition", Proceedings of the IEEE, 86(11),
   2278-2324, 1998. "The original black and white (bilevel) images from NIST
   were size normalized to fit in a 20x20 pixel box while preserving their
   aspect ratio. The resulting images contain grey levels as a result of the
   anti-aliasing technique used by the normalization algorithm. The images
   were centered in a 28x28 image by computing the center of mass of the
   pixels, and translating the image so as to position this point at the
   center of the 28x28 field."
"""

import io
import os
import warnings
from numbers import Integral

import numpy as np
from scipy import ndimage

__all__ = [
    "MAX_PIXELS",
    "BlankImageError",
    "DigitImageError",
    "ImageTooLargeError",
    "MultiFrameWarning",
    "NotAnImageError",
    "load_digit_image",
    "load_digit_images",
]

#: Default limit on the pixel count of an image (50 megapixels: more than any
#: phone camera; Pillow's own decompression-bomb limit is about 89 megapixels).
MAX_PIXELS = 50_000_000

# Output geometry (MNIST).
_SIDE = 28
_BOX = 20
_CENTRE = 14.0  # MNIST's centre of mass, in pixel-index coordinates (row, col)

# Images are reduced (box filter) to at most this side before the ink is
# searched for; the 20x20 output needs far less.
_WORK_SIDE = 1024

# Ink detection, as fractions of the way from the noise floor to the peak.
_STRONG = 0.5
_WEAK = 0.05
_MIN_COMPONENT = 0.01  # ink specks holding less of the total are ignored
_INK_LEVEL_PERCENTILE = 75
_RIM = 4  # output pixels of faint ink kept around the strong ink's box
_MIN_CONTRAST = 0.04  # about 10 gray levels out of 255
_NOISE_MADS = 3 * 1.4826  # noise floor: 3 robust standard deviations


class DigitImageError(ValueError):
    """An image could not be turned into a digit vector.

    Base class of the errors raised by :func:`load_digit_image`; the message
    names the source and says what to do.

    Attributes
    ----------
    source : str
        A short description of the offending source (its path, or e.g.
        ``"<bytes of length 12>"``).
    """

    def __init__(self, message, source=None):
        super().__init__(message)
        self.source = source


class NotAnImageError(DigitImageError):
    """The source is not an image file Pillow can read (or is corrupt)."""


class BlankImageError(DigitImageError):
    """The image holds no ink: it is (nearly) uniform."""


class ImageTooLargeError(DigitImageError):
    """The image has more pixels than allowed (a decompression-bomb guard)."""


class MultiFrameWarning(UserWarning):
    """A multi-frame image (animated GIF, multi-page TIFF) was given; one frame is used."""


def _import_pil():
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:
        raise ImportError(
            "Reading digit images needs Pillow, an optional dependency of skdigit: "
            'pip install "skdigit[image]"'
        ) from exc
    return Image, ImageOps


def _describe(source):
    """A short, human-readable name for a source, for error messages."""
    if isinstance(source, (str, os.PathLike)):
        return os.fsdecode(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<bytes of length {len(source)}>"
    if isinstance(source, np.ndarray):
        return f"<array of shape {source.shape} and dtype {source.dtype}>"
    name = getattr(source, "filename", None) or getattr(source, "name", None)
    if isinstance(name, (str, bytes)) and name:
        return os.fsdecode(name)
    module = type(source).__module__ or ""
    if module.startswith("PIL"):
        return f"<PIL image, mode {source.mode}, size {source.size}>"
    return f"<{type(source).__name__} object>"


def _check_invert(invert):
    if isinstance(invert, str) and invert == "auto":
        return invert
    if isinstance(invert, (bool, np.bool_)):
        return bool(invert)
    raise ValueError(f"invert must be 'auto', True or False; got {invert!r}.")


def _check_max_pixels(max_pixels):
    if max_pixels is None:
        return None
    if isinstance(max_pixels, Integral) and not isinstance(max_pixels, bool) and max_pixels > 0:
        return int(max_pixels)
    raise ValueError(f"max_pixels must be a positive integer or None; got {max_pixels!r}.")


def _check_size(n_pixels, size_text, max_pixels, name):
    if max_pixels is not None and n_pixels > max_pixels:
        raise ImageTooLargeError(
            f"{name}: the image is {size_text} = {n_pixels:,} pixels, more than "
            f"max_pixels={max_pixels:,}. This guards against decompression bombs; "
            "scale the image down, or pass a larger max_pixels (or None) if you "
            "trust it.",
            source=name,
        )


# --------------------------------------------------------------------------
# Decoding to a grayscale float array in [0, 1]
# --------------------------------------------------------------------------


def _array_to_gray(arr, name, max_pixels):
    """Grayscale float32 array in [0, 1] from a user array (None if it needs PIL)."""
    if arr.ndim == 3 and arr.shape[2] in (3, 4) and arr.dtype == np.uint8:
        return None  # RGB(A): converted through Pillow
    if arr.ndim != 2:
        raise ValueError(
            f"{name}: an array must be 2-D (n_rows, n_cols) grayscale, or "
            "(n_rows, n_cols, 3 or 4) uint8 RGB(A); a flattened MNIST vector "
            "needs .reshape(28, 28)."
        )
    if arr.size == 0:
        raise ValueError(f"{name}: the array is empty.")
    _check_size(arr.size, f"{arr.shape[1]}x{arr.shape[0]}", max_pixels, name)
    if arr.dtype == bool:
        return arr.astype(np.float32)
    if arr.dtype.kind in "ui":
        lo, hi = arr.min(), arr.max()
        if lo < 0 or hi > 255:
            raise ValueError(
                f"{name}: an integer array must hold intensities 0-255; its values "
                f"range from {lo} to {hi}."
            )
        return arr.astype(np.float32) / 255
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: the array holds NaN or infinite values.")
        lo, hi = arr.min(), arr.max()
        if lo < 0 or hi > 1:
            raise ValueError(
                f"{name}: a float array must hold intensities in [0, 1]; its values "
                f"range from {lo:g} to {hi:g} (divide 0-255 values by 255)."
            )
        return arr.astype(np.float32)
    raise ValueError(f"{name}: unsupported array dtype {arr.dtype}.")


def _open_image(source, name, max_pixels, Image):
    """Open a path, bytes or binary file with Pillow.

    Returns the image and the file to close afterwards (None for the caller's
    own file object, which is left open).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        fp = owned = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        fp = owned = open(source, "rb")  # FileNotFoundError names the path
    else:
        if isinstance(source, io.TextIOBase):
            raise TypeError(f"{name}: the file is open in text mode; open it with 'rb'.")
        fp, owned = source, None
    try:
        with warnings.catch_warnings():
            # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                img = Image.open(fp)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise ImageTooLargeError(
                    f"{name}: Pillow refused the image as a possible decompression "
                    f"bomb ({exc}). Scale it down, or raise PIL.Image.MAX_IMAGE_PIXELS "
                    "if you trust it.",
                    source=name,
                ) from exc
            except Image.UnidentifiedImageError as exc:
                raise NotAnImageError(
                    f"{name}: not an image file Pillow can read (or a corrupt one). "
                    "Give a PNG, JPEG, GIF, BMP, TIFF or WebP file.",
                    source=name,
                ) from exc
    except BaseException:
        if owned is not None:
            owned.close()
        raise
    return img, owned


def _select_frame(img, frame, name):
    n_frames = getattr(img, "n_frames", 1)
    if frame is None:
        if n_frames > 1:
            warnings.warn(
                f"{name} has {n_frames} frames; using the first one (frame 0). "
                "Pass frame=k to choose another frame and silence this warning.",
                MultiFrameWarning,
                stacklevel=4,
            )
        frame = 0
    if not 0 <= frame < n_frames:
        raise ValueError(
            f"{name}: frame={frame} is out of range; the image has {n_frames} frame(s)."
        )
    if n_frames > 1 or frame:
        img.seek(frame)


def _pil_to_gray(img, Image, ImageOps):
    """Grayscale float32 array in [0, 1] of a PIL image (one frame, not yet loaded)."""
    img.load()
    img = ImageOps.exif_transpose(img)  # a copy, rotated/flipped upright
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    has_alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info
    if has_alpha:
        img = img.convert("RGBA")
    elif img.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N", "F"):
        pass  # high bit depth: scaled below
    elif img.mode != "L":
        img = img.convert("L")

    sixteen_bit = img.mode.startswith("I;16")
    factor = -(-max(img.size) // _WORK_SIDE)
    if factor > 1:
        if img.mode.startswith("I;16"):
            img = img.convert("I")
        img = img.reduce(factor)  # box filter: averages noise, keeps strokes

    arr = np.asarray(img)
    if has_alpha:
        rgb = arr[..., :3].astype(np.float32) / 255
        alpha = arr[..., 3].astype(np.float32) / 255
        gray = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        visible = alpha > 0.5
        # Transparent background: white, unless the visible strokes are light.
        background = 1.0
        if visible.any() and gray[visible].mean() > 0.5 and not visible.all():
            background = 0.0
        return gray * alpha + background * (1 - alpha)
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255
    arr = arr.astype(np.float32)
    if sixteen_bit:
        top = 65535.0
    elif img.mode == "F":
        top = 1.0 if arr.max() <= 1 else 255.0
    else:  # 32-bit integers: 8- or 16-bit data, from the values
        top = 255.0 if arr.max() <= 255 else 65535.0
    return np.clip(arr / top, 0, 1)


def _to_gray(source, name, frame, max_pixels):
    """Grayscale float32 array in [0, 1] of any accepted source."""
    if isinstance(source, np.ndarray):
        gray = _array_to_gray(source, name, max_pixels)
        if gray is not None:
            if max(gray.shape) > _WORK_SIDE:
                f = -(-max(gray.shape) // _WORK_SIDE)
                h, w = (gray.shape[0] // f) * f, (gray.shape[1] // f) * f
                gray = gray[:h, :w].reshape(h // f, f, w // f, f).mean(axis=(1, 3))
            return gray
    Image, ImageOps = _import_pil()
    if isinstance(source, np.ndarray):
        source = Image.fromarray(source)
    if isinstance(source, Image.Image):
        size_text = f"{source.width}x{source.height}"
        _check_size(source.width * source.height, size_text, max_pixels, name)
        current = source.tell()
        _select_frame(source, frame, name)
        try:
            return _pil_to_gray(source, Image, ImageOps)
        finally:
            if source.tell() != current:
                source.seek(current)  # leave the caller's image as it was
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and not (
        hasattr(source, "read") and hasattr(source, "seek")
    ):
        raise TypeError(
            "source must be a path, bytes, a binary file object, a PIL image or a "
            f"2-D array; got {type(source).__name__}."
        )
    img, owned = _open_image(source, name, max_pixels, Image)
    try:
        _check_size(img.width * img.height, f"{img.width}x{img.height}", max_pixels, name)
        _select_frame(img, frame, name)
        try:
            return _pil_to_gray(img, Image, ImageOps)
        except (OSError, SyntaxError, ValueError) as exc:
            # Truncated or corrupt data is only noticed when decoding.
            raise NotAnImageError(
                f"{name}: the image could not be decoded ({exc}); the file may be "
                "truncated or corrupt.",
                source=name,
            ) from exc
    finally:
        if owned is not None:  # (closing the image would close the caller's file)
            img.close()
            owned.close()


# --------------------------------------------------------------------------
# From grayscale to an MNIST-style digit
# --------------------------------------------------------------------------


def _background(gray):
    """The paper's level as a plane fitted to the image border, and the border noise.

    A thin ring along the border (2% of the smaller side, at least 1 pixel) is
    taken as background; a plane fitted to it by least squares (refitted
    without outliers, such as ink touching the border) follows an uneven
    lighting that brightens one side of a photo. Returns the plane (an array
    like ``gray``) and the residuals on the ring.
    """
    n_rows, n_cols = gray.shape
    width = max(1, round(0.02 * min(n_rows, n_cols)))
    ring = np.ones(gray.shape, dtype=bool)
    ring[width:-width, width:-width] = False
    r, c = np.nonzero(ring)
    values = gray[ring].astype(np.float64)
    design = np.column_stack([np.ones(len(r)), r / n_rows, c / n_cols])
    # Start from the median (robust to ink on up to half the ring), then fit
    # the plane to the pixels within 3 robust standard deviations, thrice.
    coef = np.array([np.median(values), 0.0, 0.0])
    for _ in range(3):
        residuals = values - design @ coef
        spread = 1.4826 * np.median(np.abs(residuals))
        keep = np.abs(residuals) <= max(3 * spread, 1 / 255)
        coef = np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
    residuals = values - design @ coef
    plane = (
        coef[0]
        + coef[1] * (np.arange(n_rows) / n_rows)[:, None]
        + coef[2] * (np.arange(n_cols) / n_cols)[None, :]
    ).astype(np.float32)
    return plane, residuals


def _robust_extremes(gray):
    """(min, max) ignoring isolated specks: the extremes reached by a 2x2 block.

    The raw extremes when that loses half the range (hairline strokes).
    """
    if min(gray.shape) >= 2:
        lo = float(ndimage.maximum_filter(gray, size=2).min())
        hi = float(ndimage.minimum_filter(gray, size=2).max())
        if hi - lo >= 0.5 * (gray.max() - gray.min()):
            return lo, hi
    return float(gray.min()), float(gray.max())


def _ink_image(gray, name, invert):
    """Bright-ink image in [0, 1] (0 off the ink) and the ink's mask.

    ``invert`` is True, False or "auto" (invert when the ink is darker than the
    background, i.e. when the darkest extreme is further from it than the
    lightest one).
    """
    plane, residuals = _background(gray)
    gray = gray - plane  # the paper at 0, the ink above or below it
    lo, hi = _robust_extremes(gray)
    if invert == "auto":
        invert = -lo > hi
    if invert:
        gray, residuals, hi = -gray, -residuals, -lo
    x = np.clip(gray, 0, None)
    noise = _NOISE_MADS * float(np.median(np.abs(residuals)))
    peak = hi
    contrast = peak - noise
    if contrast < _MIN_CONTRAST:
        raise BlankImageError(
            f"{name}: no ink found; the image is blank or nearly uniform (ink "
            f"contrast {255 * max(contrast, 0):.0f} gray levels out of 255). Check "
            "that it shows a digit, or pass invert=True/False if the automatic "
            "polarity guess is wrong.",
            source=name,
        )
    strong = x > noise + _STRONG * contrast
    labels, n = ndimage.label(strong, structure=np.ones((3, 3)))
    mass = ndimage.sum_labels(x, labels, index=np.arange(1, n + 1))
    keep = np.flatnonzero(mass >= _MIN_COMPONENT * mass.sum()) + 1
    strong = np.isin(labels, keep)
    ink_level = float(np.percentile(x[strong], _INK_LEVEL_PERCENTILE))

    weak = x > noise + _WEAK * contrast
    labels, _ = ndimage.label(weak, structure=np.ones((3, 3)))
    mask = np.isin(labels, np.unique(labels[strong]))
    # ... and the faint rim just around it (anti-aliased edges), above the noise.
    mask = ndimage.binary_dilation(mask, structure=np.ones((3, 3))) & (x > noise)
    x = np.clip((x - noise) / max(ink_level - noise, 1e-6), 0, 1)
    x[~mask] = 0
    return x, mask, strong


def _bbox(mask):
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _fit_and_centre(x, mask, strong, Image):
    """Fit the ink in 20x20 and centre it by mass in 28x28.

    The scale is set by the bounding box of the strong ink (above half the
    contrast): for a blurred bilevel stroke that is where its edge was, so a
    blurry photo gives the same size as a sharp scan. The faint rim around it
    (at most 4 output pixels wide) is kept, as the anti-aliased grays of MNIST.
    """
    top, bottom, left, right = _bbox(strong)
    scale = _BOX / max(bottom - top, right - left)
    rim = int(_RIM / scale)
    mtop, mbottom, mleft, mright = _bbox(mask)
    top, left = max(mtop, top - rim), max(mleft, left - rim)
    bottom, right = min(mbottom, bottom + rim), min(mright, right + rim)
    crop = x[top:bottom, left:right]
    h, w = crop.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # (width, height)
    if size != (w, h):
        img = Image.fromarray(np.ascontiguousarray(crop, dtype=np.float32))  # mode "F"
        crop = np.clip(np.asarray(img.resize(size, Image.Resampling.LANCZOS)), 0, 1)
    digit = np.rint(crop * 255).astype(np.uint8)
    if not digit.any():  # a hairline vanished in the reduction
        digit = np.rint(crop / crop.max() * 255).astype(np.uint8)
    # Whole-pixel shift putting the centre of mass at (14, 14); whatever then
    # falls outside the 28x28 field (a faint rim, rarely) is cut, as in MNIST.
    com = ndimage.center_of_mass(digit.astype(np.float64))
    top, left = (int(np.floor(_CENTRE - c + 0.5)) for c in com)
    out = np.zeros((_SIDE, _SIDE), dtype=np.uint8)
    h, w = digit.shape
    r0, c0 = max(0, -top), max(0, -left)
    r1, c1 = min(h, _SIDE - top), min(w, _SIDE - left)
    out[top + r0 : top + r1, left + c0 : left + c1] = digit[r0:r1, c0:c1]
    return out.ravel()


def load_digit_image(source, *, invert="auto", frame=None, max_pixels=MAX_PIXELS):
    """Read one digit image and prepare it like an MNIST digit.

    The result can be given straight to a model trained on MNIST (such as
    :func:`skdigit.make_digit_pipeline` fitted on :func:`skdigit.load_mnist`),
    after ``.reshape(1, -1)``. The image should show one digit and little
    else: crop photos roughly to the digit's paper first. See the module
    docstring (:mod:`skdigit.image`) for each step.

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
    name = _describe(source)
    invert = _check_invert(invert)
    max_pixels = _check_max_pixels(max_pixels)
    if frame is not None and (
        not isinstance(frame, Integral) or isinstance(frame, bool) or frame < 0
    ):
        raise ValueError(f"frame must be None or a non-negative integer; got {frame!r}.")
    gray = _to_gray(source, name, frame, max_pixels)
    x, mask, strong = _ink_image(gray, name, invert)
    Image, _ = _import_pil()
    return _fit_and_centre(x, mask, strong, Image)


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
    _check_invert(invert)
    _check_max_pixels(max_pixels)
    rows = []
    for i, source in enumerate(sources):
        try:
            rows.append(
                load_digit_image(source, invert=invert, frame=frame, max_pixels=max_pixels)
            )
        except (ValueError, TypeError) as exc:
            # Our messages start with the source's name; add the position.
            name = _describe(source)
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
        return np.zeros((0, _SIDE * _SIDE), dtype=np.uint8)
    return np.stack(rows)
