"""The errors and warnings of :mod:`skdigit.image`, and the checks of its arguments."""

import os
from numbers import Integral

import numpy as np

__all__ = [
    "MAX_PIXELS",
    "BlankImageError",
    "DigitImageError",
    "ImageTooLargeError",
    "MultiFrameWarning",
    "NotAnImageError",
]

#: Default limit on the pixel count of an image (50 megapixels: more than any
#: phone camera; Pillow's own decompression-bomb limit is about 89 megapixels).
MAX_PIXELS = 50_000_000


class DigitImageError(ValueError):
    """An image could not be turned into a digit vector.

    Base class of the errors raised by :func:`~skdigit.image.load_digit_image`;
    the message names the source and says what to do.

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


def describe(source):
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


def check_invert(invert):
    if isinstance(invert, str) and invert == "auto":
        return invert
    if isinstance(invert, (bool, np.bool_)):
        return bool(invert)
    raise ValueError(f"invert must be 'auto', True or False; got {invert!r}.")


def check_max_pixels(max_pixels):
    if max_pixels is None:
        return None
    if isinstance(max_pixels, Integral) and not isinstance(max_pixels, bool) and max_pixels > 0:
        return int(max_pixels)
    raise ValueError(f"max_pixels must be a positive integer or None; got {max_pixels!r}.")


def check_frame(frame):
    if frame is not None and (
        not isinstance(frame, Integral) or isinstance(frame, bool) or frame < 0
    ):
        raise ValueError(f"frame must be None or a non-negative integer; got {frame!r}.")
    return frame


def check_size(n_pixels, size_text, max_pixels, name):
    if max_pixels is not None and n_pixels > max_pixels:
        raise ImageTooLargeError(
            f"{name}: the image is {size_text} = {n_pixels:,} pixels, more than "
            f"max_pixels={max_pixels:,}. This guards against decompression bombs; "
            "scale the image down, or pass a larger max_pixels (or None) if you "
            "trust it.",
            source=name,
        )
