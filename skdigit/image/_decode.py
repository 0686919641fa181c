"""Decoding: any accepted source to a grayscale float32 array in [0, 1].

Pillow is imported only here, and only when an image needs it. Images larger
than :data:`WORK_SIDE` pixels on a side are reduced by an integer factor (a box
filter, which averages noise and keeps strokes) before anything else; the
factor is returned, so that positions found at the working resolution can be
mapped back to the source's pixels.
"""

import io
import os
import warnings

import numpy as np

from ..utils import import_optional
from ._errors import ImageTooLargeError, MultiFrameWarning, NotAnImageError, check_size

__all__ = ["WORK_SIDE", "import_pil", "reduction_factor", "to_gray"]

# Images are reduced (box filter) to at most this side before the ink is
# searched for; the 20x20 output needs far less.
WORK_SIDE = 1024

_SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")


def import_pil():
    """``(PIL.Image, PIL.ImageOps)``, or a :class:`~skdigit.utils.MissingExtraError`."""
    purpose = "Reading digit images"
    Image = import_optional("PIL.Image", extra="image", purpose=purpose, package="Pillow")
    ImageOps = import_optional("PIL.ImageOps", extra="image", purpose=purpose, package="Pillow")
    return Image, ImageOps


def reduction_factor(shape):
    """The integer factor bringing the longer side of ``shape`` to at most WORK_SIDE."""
    return max(1, -(-max(shape) // WORK_SIDE))


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
    check_size(arr.size, f"{arr.shape[1]}x{arr.shape[0]}", max_pixels, name)
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


def _reduce_array(gray, factor):
    """Box-filter reduction of a 2-D array by ``factor`` (a partial last block is cut)."""
    if factor == 1:
        return gray
    h, w = (gray.shape[0] // factor) * factor, (gray.shape[1] // factor) * factor
    return gray[:h, :w].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def _open_image(source, name, Image):
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


# Rows of the source converted at a time when a large image is reduced: its
# conversions (to RGBA or L, to 32-bit integers) are made on bands of about
# this many pixels, reduced at once, so that no converted copy of the whole
# image is ever held (a 7,000 x 7,000 RGBA PNG is 196 MB a copy).
_BAND_PIXELS = 1 << 21

_ORIENTATION = 0x0112  # the EXIF tag ImageOps.exif_transpose reads


def _convert_and_reduce(img, modes, factor, Image):
    """``img`` converted to each of ``modes`` in turn, then reduced by ``factor``.

    With ``factor > 1`` the image is processed in bands of whole blocks of
    ``factor`` rows: each band is cropped, converted and reduced, and pasted
    into the result, so that the memory needed beyond the decoded image is
    that of one band and of the result. The conversions act pixel by pixel and
    each band starts on a block boundary, so the result is the same as
    converting the whole image and reducing it.
    """
    if factor == 1:
        for mode in modes:
            img = img.convert(mode)
        return img
    width, height = img.size
    band = factor * max(1, _BAND_PIXELS // (width * factor))
    out = None
    for top in range(0, height, band):
        piece = img.crop((0, top, width, min(top + band, height)))
        for mode in modes:
            piece = piece.convert(mode)
        piece = piece.reduce(factor)
        if out is None:
            out = Image.new(piece.mode, (-(-width // factor), -(-height // factor)))
        out.paste(piece, (0, top // factor))
    return out


def _pil_to_gray(img, Image, ImageOps):
    """Grayscale float32 array in [0, 1] of a PIL image (one frame), and its reduction.

    A JPEG file larger than the working resolution is decoded at a reduced
    scale (1/2, 1/4 or 1/8, Pillow's draft mode: the DCT is cut short), and
    straight to grayscale: a 12-megapixel photo costs a fraction of a full
    decode, and its memory. Other formats are decoded whole, but nothing else
    of the image's size is made: no upright copy unless the EXIF orientation
    asks for one, and the conversions to grayscale or RGBA made band by band
    while reducing (:func:`_convert_and_reduce`). A 7,000 x 7,000 RGBA PNG
    needs its decoded 196 MB and little more.
    """
    draft = 1.0
    if getattr(img, "format", None) == "JPEG" and reduction_factor(img.size) > 1:
        width = img.width
        scale = reduction_factor(img.size)
        img.draft("L", (img.width // scale, img.height // scale))
        draft = width / img.width
    img.load()
    if img.getexif().get(_ORIENTATION, 1) in range(2, 9):
        img = ImageOps.exif_transpose(img)  # a copy, rotated/flipped upright
    modes = []  # the conversions to make, in turn
    mode = img.mode
    if mode == "P":
        mode = "RGBA" if "transparency" in img.info else "RGB"
        modes.append(mode)
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info
    if has_alpha:
        if mode != "RGBA":
            modes.append("RGBA")
    elif mode in ("I", "F", *_SIXTEEN_BIT_MODES):
        pass  # high bit depth: scaled below
    elif mode != "L":
        modes.append("L")

    sixteen_bit = not modes and mode in _SIXTEEN_BIT_MODES
    factor = reduction_factor(img.size)
    total = factor * draft if draft != 1.0 else factor
    if factor > 1 and sixteen_bit:
        modes.append("I")
    img = _convert_and_reduce(img, modes, factor, Image)

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
        return gray * alpha + background * (1 - alpha), total
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255, total
    arr = arr.astype(np.float32)
    if sixteen_bit:
        top = 65535.0
    elif img.mode == "F":
        top = 1.0 if arr.max() <= 1 else 255.0
    else:  # 32-bit integers: 8- or 16-bit data, from the values
        top = 255.0 if arr.max() <= 255 else 65535.0
    return np.clip(arr / top, 0, 1), total


def to_gray(source, name, frame, max_pixels):
    """Grayscale float32 array in [0, 1] of any accepted source, and its reduction factor.

    Pixel ``(i, j)`` of the result covers the source's pixels ``[i * factor,
    (i + 1) * factor)`` x ``[j * factor, (j + 1) * factor)`` (of the upright
    image, after its EXIF orientation); ``factor`` is an integer, except for a
    JPEG decoded at a reduced scale, whose scale may be fractional.
    """
    if isinstance(source, np.ndarray):
        gray = _array_to_gray(source, name, max_pixels)
        if gray is not None:
            factor = reduction_factor(gray.shape)
            return _reduce_array(gray, factor), factor
    Image, ImageOps = import_pil()
    if isinstance(source, np.ndarray):
        source = Image.fromarray(source)
    if isinstance(source, Image.Image):
        size_text = f"{source.width}x{source.height}"
        check_size(source.width * source.height, size_text, max_pixels, name)
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
    img, owned = _open_image(source, name, Image)
    try:
        check_size(img.width * img.height, f"{img.width}x{img.height}", max_pixels, name)
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
