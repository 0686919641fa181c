"""Registration of the skdigit converters with skl2onnx (on request only)."""

from ..utils import import_optional

__all__ = ["register_converters"]

_REGISTERED = False


def register_converters():
    """Register skdigit's shape calculators and converters with skl2onnx.

    After this call, ``skl2onnx.to_onnx`` (and
    ``skl2onnx.convert_sklearn``) convert every skdigit estimator, alone
    or in a :class:`~sklearn.pipeline.Pipeline`, and scikit-learn's
    :class:`~sklearn.kernel_approximation.RBFSampler`, which skl2onnx has no
    converter for. Calling it again does
    nothing. :func:`skdigit.onnx.to_onnx` calls it for you; ``import skdigit``
    does not (skl2onnx is an optional dependency).

    Raises
    ------
    skdigit.utils.MissingExtraError
        If skl2onnx is not installed (``pip install "skdigit[onnx]"``).

    See Also
    --------
    to_onnx : Convert a fitted skdigit estimator or pipeline.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("skl2onnx")
    >>> import numpy as np
    >>> from skl2onnx import to_onnx
    >>> from skdigit import PixelNormalizer
    >>> from skdigit.onnx import register_converters
    >>> register_converters()
    >>> X = np.array([[0, 51, 255]], dtype=np.float32)
    >>> onx = to_onnx(PixelNormalizer().fit(X), X)
    >>> [node.op_type for node in onx.graph.node]
    ['Div']
    """
    global _REGISTERED
    if _REGISTERED:
        return
    import_optional("skl2onnx", extra="onnx", purpose="ONNX export")
    from skl2onnx import update_registered_converter
    from sklearn.kernel_approximation import RBFSampler

    from ..linear_model import DigitLogisticClassifier, DigitLogisticClassifierCV
    from ..preprocessing import Deskew, PixelNormalizer, Scattering2D, SeededRBFSampler
    from ._kernel import convert_rbf_sampler, rbf_sampler_shape_calculator
    from ._logistic import classifier_shape_calculator, convert_classifier
    from ._pixels import convert_deskew, convert_normalizer, same_shape_calculator
    from ._scattering import convert_scattering, scattering_shape_calculator

    classifier_options = {"zipmap": [True, False, "columns"], "nocl": [True, False]}
    for cls in (DigitLogisticClassifier, DigitLogisticClassifierCV):
        update_registered_converter(
            cls, f"Skdigit{cls.__name__}", classifier_shape_calculator,
            convert_classifier, options=classifier_options)
    update_registered_converter(PixelNormalizer, "SkdigitPixelNormalizer",
                                same_shape_calculator, convert_normalizer)
    update_registered_converter(Deskew, "SkdigitDeskew", same_shape_calculator,
                                convert_deskew)
    update_registered_converter(Scattering2D, "SkdigitScattering2D",
                                scattering_shape_calculator, convert_scattering)
    # skl2onnx has no converter of its own for RBFSampler
    for cls in (RBFSampler, SeededRBFSampler):
        update_registered_converter(cls, f"Skdigit{cls.__name__}",
                                    rbf_sampler_shape_calculator, convert_rbf_sampler)
    _REGISTERED = True
