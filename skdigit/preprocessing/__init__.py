"""Transformers for digit images (``X``) and labels (``y``).

- :class:`PixelNormalizer`: scale pixel intensities from 0-255 to [0, 1].
- :class:`Deskew`: straighten slanted digits (moment-based deskewing).
- :class:`Scattering2D`: 2-D wavelet scattering transform (translation-stable features).
- :class:`SeededRBFSampler`: scikit-learn's random Fourier features, saved as their seed.
- :class:`TargetBinarizer`: one-vs-rest target, e.g. "is this a 2?".
"""

from ._deskew import Deskew
from ._kernel import SeededRBFSampler
from ._normalize import PixelNormalizer
from ._scattering import Scattering2D
from ._target import TargetBinarizer

__all__ = ["Deskew", "PixelNormalizer", "Scattering2D", "SeededRBFSampler", "TargetBinarizer"]
