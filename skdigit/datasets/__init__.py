"""Loaders for the MNIST database of handwritten digits and its IDX file format,
and a generator of randomly deformed digits."""

from ._deform import make_deformed_digits
from ._idx import load_idx
from ._mnist import MNISTNotFoundError, load_mnist

__all__ = ["MNISTNotFoundError", "load_idx", "load_mnist", "make_deformed_digits"]
