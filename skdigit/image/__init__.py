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
   pixels on a side are reduced: a JPEG while it is decoded (Pillow's draft
   mode, 1/2, 1/4 or 1/8 scale), others by an integer factor (box filter).
2. Convert to grayscale in [0, 1]. A transparent background is composited onto
   white (onto black when the visible strokes are themselves light).
3. Find the sheet: where the image splits clearly into two levels (Otsu's
   threshold on a smoothed 128-pixel copy, the classes explaining 85% of the
   variance, the region in the middle convex and 25% to 90% of the frame),
   that region is a sheet on a desk, its edge refined pixel by pixel; the
   desk is ignored (marks reaching the frame's edge from outside the sheet).
4. Decide the polarity: the ink is whichever extreme (the darkest or the
   lightest level filling a whole 2x2 block) lies further from the paper's
   level (the sheet's median, or the border's without a desk), unless it
   covers more than a third of the image (then it is the paper itself).
5. Find the ink against its *local* background: a grey-level closing (a
   square of a quarter of the smaller side, or four stroke widths for a felt
   marker) removes the marks and keeps the paper, the desk, a shadow's edge
   and light falling off; the contrast is how much darker than that a pixel
   is, as a fraction of it. The noise floor is four robust standard
   deviations (1.4826 MAD) above the paper's median contrast. The printed
   lines of ruled or squared paper are found (Hough transform, a family of
   at least three long parallel lines) and removed except where writing
   crosses them (:mod:`skdigit.image._lines`). Pixels more than halfway
   from the noise floor to the peak are the *strong* ink (specks holding less
   than 1% of it, long straight marks reaching a sheet's edge, and faint
   marks at the edges are ignored); fainter pixels (above 5% of the way)
   connected to it (hysteresis), and a one-pixel rim around those, are kept
   too. Everything else is set to 0, and the intensities are stretched so
   that the ink level (75th percentile of the strong ink) becomes 255.
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
lines and digits (connected components, the parts of a broken digit joined
by their horizontal overlap, specks dropped, touching digits cut where the
model reads both parts best), and runs steps 6-8 on each digit; a digit the
model reads with a probability under ``min_probability``, or that is unlike
any digit (:func:`digit_likeness`: a letter, a scribble, a smudge), is
reported as not a digit.

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
.. [2] N. Otsu, "A threshold selection method from gray-level histograms",
   IEEE Transactions on Systems, Man, and Cybernetics, 9(1), 62-66, 1979
   (the sheet against the desk).
.. [3] P. Soille, "Morphological Image Analysis", Springer, 2nd ed., 2003
   (the top-hat: the background by a closing).
.. [4] R. O. Duda and P. E. Hart, "Use of the Hough transformation to detect
   lines and curves in pictures", Communications of the ACM, 15(1), 11-15,
   1972 (the ruling).
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
from ._sure import digit_likeness

__all__ = [
    "MAX_PIXELS",
    "BlankImageError",
    "DigitImageError",
    "ImageTooLargeError",
    "MultiFrameWarning",
    "NotAnImageError",
    "NumberReading",
    "digit_likeness",
    "load_digit_image",
    "load_digit_images",
    "read_number",
]
