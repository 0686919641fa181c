"""Linear models for digits: :class:`DigitLogisticClassifier`, its CV, the path."""

from ._logistic import DigitLogisticClassifier
from ._logistic_cv import DigitLogisticClassifierCV
from ._path import logistic_regression_path

__all__ = ["DigitLogisticClassifier", "DigitLogisticClassifierCV", "logistic_regression_path"]
