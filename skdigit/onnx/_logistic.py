"""ONNX graph of :class:`~skdigit.DigitLogisticClassifier` (and its CV variant)."""

import numpy as np

__all__ = ["classifier_shape_calculator", "convert_classifier"]


def _is_binary(model):
    """One row of ``coef_`` for two classes: sigmoid. Otherwise: softmax.

    Decided by the fitted model's own ``coef_`` (what ``predict_proba``
    computes with), never by its class, which is where skl2onnx's own
    linear-classifier converter goes wrong for two classes.
    """
    return np.shape(model.coef_)[0] == 1 and len(model.classes_) == 2


def _integer_labels(model):
    """Integer and boolean classes give int64 labels (False, True -> 0, 1);
    any other classes give strings."""
    return np.asarray(model.classes_).dtype.kind in "iub"


def classifier_shape_calculator(operator):
    """Outputs: labels ``(N,)`` (int64 for integer or boolean ``classes_``,
    strings otherwise) and
    probabilities ``(N, n_classes)`` (float)."""
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType

    model = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    if _integer_labels(model):
        operator.outputs[0].type = Int64TensorType([n])
    else:
        operator.outputs[0].type = StringTensorType([n])
    operator.outputs[1].type = FloatTensorType([n, len(model.classes_)])


def convert_classifier(scope, operator, container):
    """Logits ``X @ coef_.T + intercept_`` (float32), then sigmoid or softmax.

    Two classes with one row of ``coef_``: ``[1 - p, p]`` with ``p =
    sigmoid(logit)``; otherwise the softmax of the logits. The label is the
    class of the largest probability.
    """
    from skl2onnx.algebra import onnx_ops as ops

    opv = container.target_opset
    model = operator.raw_operator
    X = operator.inputs[0]
    coef = np.ascontiguousarray(np.asarray(model.coef_, dtype=np.float32).T)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    logits = ops.OnnxAdd(ops.OnnxMatMul(X, coef, op_version=opv), intercept, op_version=opv)
    if _is_binary(model):
        p1 = ops.OnnxSigmoid(logits, op_version=opv)
        p0 = ops.OnnxSub(np.array([1.0], dtype=np.float32), p1, op_version=opv)
        proba = ops.OnnxConcat(p0, p1, axis=1, op_version=opv,
                               output_names=operator.outputs[1:2])
    else:
        proba = ops.OnnxSoftmax(logits, axis=1, op_version=opv,
                                output_names=operator.outputs[1:2])
    index = ops.OnnxArgMax(proba, axis=1, keepdims=0, op_version=opv)
    classes = np.asarray(model.classes_)
    if _integer_labels(model):
        classes = classes.astype(np.int64)
    else:
        classes = np.array([str(c) for c in classes], dtype=object)
    label = ops.OnnxGather(classes, index, axis=0, op_version=opv,
                           output_names=operator.outputs[:1])
    proba.add_to(scope, container)
    label.add_to(scope, container)
