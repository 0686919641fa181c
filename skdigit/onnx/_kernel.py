"""ONNX graph of random Fourier features (scikit-learn's ``RBFSampler``, :class:`~skdigit.SeededRBFSampler`).

skl2onnx has no converter for ``RBFSampler``. The map is two constants and
three operators: ``sqrt(2 / n_components) * cos(X @ W + b)``, ``W`` of shape
``(n_features, n_components)`` and ``b`` of shape ``(n_components,)`` as the
fitted ``random_weights_`` and ``random_offset_`` (stored in the graph in
float32: a :class:`~skdigit.SeededRBFSampler` saves only its seed, but an ONNX
runtime cannot draw NumPy's random numbers, so the exported graph holds the
map: 127 MB for ``make_digit_pipeline(features="kernel")``).
"""

import numpy as np

__all__ = ["convert_rbf_sampler", "rbf_sampler_shape_calculator"]


def rbf_sampler_shape_calculator(operator):
    """Output: float tensor ``(N, n_components)``."""
    from skl2onnx.common.data_types import FloatTensorType

    model = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = FloatTensorType([n, int(model.random_weights_.shape[1])])


def convert_rbf_sampler(scope, operator, container):
    """``sqrt(2 / n_components) * cos(X @ random_weights_ + random_offset_)``, in float32."""
    from skl2onnx.algebra import onnx_ops as ops

    opv = container.target_opset
    model = operator.raw_operator
    weights = np.ascontiguousarray(model.random_weights_, dtype=np.float32)
    offset = np.asarray(model.random_offset_, dtype=np.float32)
    scale = np.array([np.sqrt(2.0 / weights.shape[1])], dtype=np.float32)
    projection = ops.OnnxAdd(ops.OnnxMatMul(operator.inputs[0], weights, op_version=opv),
                             offset, op_version=opv)
    features = ops.OnnxMul(ops.OnnxCos(projection, op_version=opv), scale, op_version=opv,
                           output_names=operator.outputs[:1])
    features.add_to(scope, container)
