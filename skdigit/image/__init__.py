"""Read photographed or scanned digits into MNIST-style vectors.

:func:`load_digit_image` turns one image (a file, bytes, a PIL image or an
array) into a ``(784,)`` uint8 vector prepared the way MNIST itself was
prepared, so that a model trained on MNIST can classify it;
:func:`load_digit_images` does the same for many images at once, and
:func:`read_number` reads a number written on paper, digit by digit.

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
6. Normalize the stroke width: MNIST's strokes are about 2.3 pixels wide in
   the 20x20 box. The width is estimated with a distance transform; strokes
   of under 0.6 of that (a thin pen on a large page) are thickened to
   MNIST's width. Thicker strokes (a felt marker) are left as drawn.
7. Scale so that the strong ink's bounding box fits a 20x20 box, keeping the
   aspect ratio (Lanczos resampling, which anti-aliases). The half-contrast
   level is where the edge of a blurred stroke was, so a blurry photo and a
   sharp scan give digits of the same size; the fainter rim (at most 4
   pixels) is kept around the box, as MNIST's anti-aliased grays. The
   contrast is stretched so that the brightest pixel is 255.
8. Paste it in a 28x28 image, shifted by whole pixels so that its
   intensity-weighted centre of mass is at pixel ``(14, 14)`` (row, column;
   within half a pixel). That is where real MNIST digits have it: over the
   10,000 MNIST test images the centre of mass is at ``(13.99, 14.01)`` on
   average and always between 13.5 and 14.5 -- not at the geometric centre
   13.5. Faint pixels that the shift pushes off the field are cut.

:func:`read_number` runs steps 1-5 on the whole image, splits the ink into
digits (connected components, the parts of a broken digit joined by their
horizontal overlap, specks dropped), and runs steps 6-8 on each digit.

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

from ._errors import (
    MAX_PIXELS,
    BlankImageError,
    DigitImageError,
    ImageTooLargeError,
    MultiFrameWarning,
    NotAnImageError,
)
from ._load import load_digit_image, load_digit_images
from ._number import NumberReading, read_number

__all__ = [
    "MAX_PIXELS",
    "BlankImageError",
    "DigitImageError",
    "ImageTooLargeError",
    "MultiFrameWarning",
    "NotAnImageError",
    "NumberReading",
    "load_digit_image",
    "load_digit_images",
    "read_number",
]
