"""Linear models for digits: :class:`DigitLogisticClassifier`."""

from ._logistic import DigitLogisticClassifier

__all__ = ["DigitLogisticClassifier"]
