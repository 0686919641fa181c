"""The app's number view: a whole number read digit by digit, each digit boxed.

Free of Streamlit except :func:`show_number`, which takes the ``streamlit``
module as an argument, so that :func:`annotate` can be tested alone.
"""

import io

import numpy as np

from ..image import read_number
from ..image._decode import import_pil
from ..utils import MNIST_SHAPE

__all__ = ["annotate", "show_number"]

_BOX_COLOUR = (220, 30, 30)


def annotate(source, reading):
    """The image with each digit's box and predicted label drawn on it.

    Parameters
    ----------
    source : bytes, binary file object, PIL.Image.Image or ndarray
        The image given to :func:`~skdigit.image.read_number`.
    reading : skdigit.image.NumberReading
        What :func:`~skdigit.image.read_number` read from it.

    Returns
    -------
    image : PIL.Image.Image
        An RGB copy of the upright image (its boxes are in these pixels).

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit.app._number_view import annotate
    >>> from skdigit.image import NumberReading
    >>> reading = NumberReading("7", np.array([7]), np.array([0.9]), np.ones((1, 10)) / 10,
    ...                         np.arange(10), np.array([[10, 5, 30, 45]]), None)
    >>> image = annotate(np.full((50, 40), 255, dtype=np.uint8), reading)
    >>> image.mode, image.size, image.getpixel((10, 20))
    ('RGB', (40, 50), (220, 30, 30))
    """
    Image, ImageOps = import_pil()
    from PIL import ImageDraw

    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    if isinstance(source, np.ndarray):
        image = Image.fromarray(source)
    elif isinstance(source, Image.Image):
        image = source.copy()
    else:
        image = ImageOps.exif_transpose(Image.open(source))
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    width = max(2, round(max(image.size) / 300))
    for label, p, (left, top, right, bottom) in zip(
        reading.labels, reading.probabilities, reading.boxes
    ):
        draw.rectangle([left, top, right - 1, bottom - 1], outline=_BOX_COLOUR, width=width)
        draw.text((left, max(0, top - 12 * width)), f"{label} {p:.0%}", fill=_BOX_COLOUR,
                  font_size=10 * width)
    return image


def show_number(st, model, data, name):
    """Read the number in ``data`` and show it on the page (one Streamlit run).

    Parameters
    ----------
    st : module
        ``streamlit``.
    model : classifier
        The app's ten-digit model.
    data : bytes
        The uploaded file's contents.
    name : str
        The uploaded file's name, for messages.
    """
    from ..image import BlankImageError

    from ._reads import reading_slot

    try:
        with reading_slot():  # a bounded number of images decoded at once, all sessions
            reading = read_number(data, model)
    except BlankImageError as exc:
        st.warning(f"**No digit found in {name}.** {exc}")
        st.stop()
    except Exception as exc:  # any unreadable image: say so on the page
        st.error(f"**Cannot read {name}.** {exc}")
        st.stop()
    st.metric("Number read", reading.text)
    with reading_slot():  # annotate decodes the whole image again
        annotated = annotate(data, reading)
    st.image(annotated, caption=f"{name}: each digit's box and prediction", width="stretch")
    n_digits, per_row = len(reading.labels), 8
    for start in range(0, n_digits, per_row):
        for k, column in zip(range(start, min(n_digits, start + per_row)),
                             st.columns(per_row)):
            with column:
                label = reading.labels[k] if _sure(reading, k) else "not sure"
                st.image(reading.digits[k].reshape(MNIST_SHAPE), width=84,
                         caption=f"{label} ({reading.probabilities[k]:.0%})")
    unsure = [str(k + 1) for k in range(n_digits) if not _sure(reading, k)]
    if unsure:
        st.warning("Not sure that mark " + ", ".join(unsure) + " is a digit (shown as "
                   "\"?\"): a letter, a scribble, or a digit the model cannot read.")


def _sure(reading, k):
    """Whether digit ``k`` of ``reading`` is read as a digit (not "not sure")."""
    if reading.is_digit is None:
        return bool(reading.probabilities[k] >= 0.5)
    return bool(reading.is_digit[k])
