"""skdigit: fast, exact logistic regression and digit transformers for scikit-learn.

The public API is re-exported here from private modules:

- :class:`DigitLogisticClassifier`, :class:`DigitLogisticClassifierCV`
  (``skdigit.linear_model``)
- :class:`PixelNormalizer`, :class:`Deskew`, :class:`Scattering2D`,
  :class:`SeededRBFSampler`, :class:`TargetBinarizer` (``skdigit.preprocessing``)
- :func:`load_mnist`, :func:`load_idx`, :func:`make_deformed_digits`
  (``skdigit.datasets``)
- :func:`make_digit_pipeline`, :func:`load_pretrained` (the model shipped
  with skdigit), :func:`load_model`, :func:`save_model`
"""

from ._version import __version__
from .datasets import load_idx, load_mnist, make_deformed_digits
from .linear_model import DigitLogisticClassifier, DigitLogisticClassifierCV
from .preprocessing import (
    Deskew,
    PixelNormalizer,
    Scattering2D,
    SeededRBFSampler,
    TargetBinarizer,
)
from ._persistence import ModelFileError, load_model, save_model
from ._pipeline import make_digit_pipeline
from ._pretrained import load_pretrained

__all__ = [
    "DigitLogisticClassifier",
    "DigitLogisticClassifierCV",
    "Deskew",
    "PixelNormalizer",
    "Scattering2D",
    "SeededRBFSampler",
    "TargetBinarizer",
    "ModelFileError",
    "load_idx",
    "load_model",
    "load_mnist",
    "load_pretrained",
    "make_deformed_digits",
    "make_digit_pipeline",
    "save_model",
    "__version__",
]
