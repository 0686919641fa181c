"""Is it a digit at all? A detector of letters, scribbles and smudges.

A model trained on digits only gives every input a digit, often with
certainty: a capital "H" or a scribble comes back as a "4" at 0.99. Its
probability alone cannot say "not a digit". This module adds a second
opinion that does not depend on the user's model: ten binary logistic
regressions on the scattering transform of the prepared 28x28 image
(:class:`~skdigit.Deskew` -> :class:`~skdigit.PixelNormalizer` ->
:class:`~skdigit.Scattering2D` -> standardization), one a digit class, each
trained on MNIST's training digits of its class against handwriting-like
letters and scribbles (:mod:`skdigit.image._sure_fit`). The likeness is the
largest of their ten decision functions (an image is digit-like where it is
like some one digit), less a threshold set so that 0.3% of held-out MNIST
training digits fall below it. One detector for all ten digits was a single
half-space in feature space and let through twice as many letters and
scribbles at the same rate of digits turned away.

Only its fitted arrays are shipped, in ``skdigit/data/not_a_digit.npz`` (read
with ``allow_pickle=False``); the scattering transform learns nothing from
data and is rebuilt. Regenerate the file with ``python -m
skdigit.image._sure_fit``.

A segment is reported as a digit (:func:`is_digit`) when the model's
probability is at least ``min_probability`` and the detector finds it
digit-like.

References
----------
.. [1] J. Bruna and S. Mallat, "Invariant scattering convolution networks",
   IEEE TPAMI, 35(8), 1872-1886, 2013.
.. [2] P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for
   convolutional neural networks applied to visual document analysis", ICDAR
   2003 (elastic deformations, used to make the letters look handwritten).
"""

import functools
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["DETECTOR_PATH", "MIN_PROBABILITY", "digit_likeness", "is_digit"]

DETECTOR_PATH = Path(str(resources.files("skdigit") / "data" / "not_a_digit.npz"))
MIN_PROBABILITY = 0.5
_FORMAT = 2


def _features():
    """The detector's feature steps (they learn nothing from data), fitted."""
    from sklearn.pipeline import make_pipeline

    from ..preprocessing import Deskew, PixelNormalizer, Scattering2D

    steps = make_pipeline(Deskew(), PixelNormalizer(), Scattering2D())
    return steps.fit(np.zeros((1, 784), dtype=np.float32))


@functools.lru_cache(maxsize=2)
def load_detector(path=None):
    """The detector's arrays: a dict of ``mean``, ``scale``, ``coef``, ``intercept``, ``threshold``.

    ``coef`` has shape (n_features, 10) and ``intercept`` shape (10,), one
    column a digit class.

    Raises ``ValueError`` if ``path`` is not a file written by
    ``python -m skdigit.image._sure_fit``.
    """
    path = DETECTOR_PATH if path is None else Path(path)
    with np.load(path, allow_pickle=False) as archive:
        state = {key: archive[key] for key in archive.files}
    found = int(state.get("format", -1))
    if found in range(1, _FORMAT):
        raise ValueError(
            f"{path} is a digit-detector file of an earlier skdigit (format {found}, one "
            f"score for all digits); refit it with python -m skdigit.image._sure_fit "
            f"--output {path}"
        )
    if found != _FORMAT:
        raise ValueError(f"{path} is not a skdigit digit-detector file (format {_FORMAT})")
    state["steps"] = _features()
    return state


def digit_likeness(X, *, path=None):
    """How digit-like each prepared image is, whatever model reads it.

    A model trained on digits gives every input a digit, often with
    certainty; this score says whether the image looks like a digit at all.
    It is the largest of ten decision functions, binary logistic regressions
    on the standardized scattering transform [1]_ of the deskewed image, each
    trained on MNIST's training digits of one class against letters and
    scribbles made to look handwritten (fonts re-drawn with a random pen and
    an elastic deformation [2]_; see ``skdigit/image/_sure_fit.py``), minus a
    threshold that 0.3% of held-out MNIST training digits fall below.
    :func:`read_number`, ``skdigit predict``, ``skdigit read`` and the app
    report an image with a negative score as not a digit.

    Parameters
    ----------
    X : array-like of shape (n_samples, 784) or (784,)
        Prepared digits, as :func:`load_digit_image` or
        ``NumberReading.digits`` give them: white ink on black, pixel
        intensities 0-255, 28x28 flattened.
    path : str or os.PathLike, default=None
        A detector file written by ``python -m skdigit.image._sure_fit``;
        None: the one shipped in the package.

    Returns
    -------
    score : ndarray of shape (n_samples,)
        At least 0 where the image looks like a digit; negative for a letter,
        a scribble or a smudge.

    Raises
    ------
    ValueError
        If ``X`` does not have 784 pixels a row, or ``path`` is not a
        detector file.

    See Also
    --------
    read_number : Reports each segment's ``is_digit``.

    References
    ----------
    .. [1] J. Bruna and S. Mallat, "Invariant scattering convolution
       networks", IEEE TPAMI, 35(8), 1872-1886, 2013.
    .. [2] P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for
       convolutional neural networks applied to visual document analysis",
       ICDAR 2003.

    Examples
    --------
    MNIST's test digits score at least 0, a capital "H" does not:

    >>> import numpy as np
    >>> from skdigit import load_mnist
    >>> from skdigit.image import digit_likeness, load_digit_image
    >>> X, y = load_mnist(subset="test", return_X_y=True)
    >>> print(f"{np.mean(digit_likeness(X[:1000]) >= 0):.3f}")
    0.997
    >>> H = np.zeros((28, 28), dtype=np.uint8)
    >>> H[4:24, 8:11] = H[4:24, 18:21] = H[13:16, 8:21] = 255
    >>> bool(digit_likeness(load_digit_image(H))[0] < 0)
    True
    """
    state = load_detector(None if path is None else str(path))
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 1 or X.shape[-2:] == (28, 28):
        X = X.reshape(-1, 784) if X.size % 784 == 0 else X
    if X.ndim != 2 or X.shape[1] != 784:
        raise ValueError(
            f"digit_likeness takes prepared 28x28 digits, 784 pixels a row; got an "
            f"array of shape {X.shape}. Prepare images with load_digit_image."
        )
    if len(X) == 0:
        return np.zeros(0)
    F = state["steps"].transform(X)
    F = (F - state["mean"]) / state["scale"]
    return (F @ state["coef"] + state["intercept"]).max(axis=1) - float(state["threshold"])


def is_digit(X, probabilities, min_probability=MIN_PROBABILITY):
    """Whether each prepared image is reported as a digit.

    Parameters
    ----------
    X : array-like of shape (n_samples, 784)
        Prepared digits (pixel intensities 0-255).
    probabilities : array-like of shape (n_samples,)
        The model's probability of its predicted label, for each image.
    min_probability : float, default=0.5
        Below it, the model is not sure enough.

    Returns
    -------
    sure : ndarray of shape (n_samples,), bool
        The model's probability is at least ``min_probability`` and the
        digit detector (:func:`digit_likeness`) finds the image digit-like.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    return sure_enough(probabilities, digit_likeness(X), min_probability)


def sure_enough(probabilities, likeness, min_probability=MIN_PROBABILITY):
    """:func:`is_digit` from the probabilities and the :func:`digit_likeness`
    scores already computed: the one rule, for callers that have both."""
    return (np.asarray(probabilities) >= min_probability) & (np.asarray(likeness) >= 0)
