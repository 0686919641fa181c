"""``to_onnx``: a fitted skdigit estimator or pipeline to an ONNX model."""

import functools

import numpy as np
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

from ._register import register_converters

__all__ = ["OnnxExportError", "to_onnx"]

# Opset of the exported graphs unless told otherwise: every skdigit graph
# needs 13; 18 is supported by ONNX Runtime 1.14 and later, onnxruntime-web included.
DEFAULT_OPSET = 18


class OnnxExportError(ValueError):
    """A step of the model has no ONNX converter, or its conversion failed.

    The message names the step (its name in the pipeline and its class) and
    says what to do.
    """


def _skipped(step):
    """Whether a pipeline step or a union's part is ``None``, ``"passthrough"`` or ``"drop"``."""
    return step is None or (isinstance(step, str) and step in ("passthrough", "drop"))


def _steps(model, prefix=""):
    """``(name, estimator)`` of each step to convert, pipelines flattened."""
    if isinstance(model, Pipeline):
        for name, step in model.steps:
            if _skipped(step):
                continue
            yield from _steps(step, prefix + name + ".")
    else:
        yield prefix.rstrip(".") or type(model).__name__, model


def _leaves(model, prefix=""):
    """:func:`_steps`, with the parts of each ``FeatureUnion`` in place of the union."""
    for name, step in _steps(model, prefix):
        if isinstance(step, FeatureUnion):
            for part_name, part in step.transformer_list:
                if not _skipped(part):
                    yield from _leaves(part, name + "." + part_name + ".")
        else:
            yield name, step


def _check_supported(model):
    """Raise :class:`OnnxExportError` naming the first step skl2onnx cannot convert."""
    try:
        from skl2onnx._supported_operators import sklearn_operator_name_map
    except ImportError:  # private in skl2onnx: without it, conversion errors say it
        return
    for name, step in _leaves(model):
        if type(step) not in sklearn_operator_name_map:
            raise OnnxExportError(
                f"cannot export step {name!r} ({type(step).__name__}) to ONNX: no "
                "converter is registered for it. skdigit.onnx exports skdigit's "
                "estimators and the scikit-learn estimators that skl2onnx supports; "
                "remove or replace that step, or register a converter with "
                "skl2onnx.update_registered_converter."
            )


def _union_for_onnx(union):
    """``union`` as skl2onnx converts it: ``"drop"`` parts left out, nested
    pipelines flattened, and a ``"passthrough"`` set after fitting an identity
    ``FunctionTransformer`` (fitting already puts one in its place); the
    fitted parts and the weights are shared."""
    parts = []
    for name, part in union.transformer_list:
        if isinstance(part, str) and part == "passthrough":
            part = FunctionTransformer()
        if not _skipped(part):
            parts.append((name, _without_passthrough(part)))
    kept = {name for name, _ in parts}
    weights = {name: weight for name, weight in (union.transformer_weights or {}).items()
               if name in kept}
    return FeatureUnion(parts, transformer_weights=weights or None)


def _without_passthrough(model):
    """``model`` with nested pipelines flattened, ``"passthrough"`` steps
    dropped and ``FeatureUnion`` parts made convertible (skl2onnx cannot
    convert the strings ``"passthrough"`` and ``"drop"``); the fitted steps
    are shared."""
    if isinstance(model, FeatureUnion):
        return _union_for_onnx(model)
    if not isinstance(model, Pipeline):
        return model
    return Pipeline([(name, _without_passthrough(step)) for name, step in _steps(model)])


def _classifier(model):
    last = model.steps[-1][1] if isinstance(model, Pipeline) else model
    return last if hasattr(last, "classes_") else None


def to_onnx(model, X=None, *, target_opset=None, zipmap=False, name="skdigit"):
    """Convert a fitted skdigit estimator or pipeline to an ONNX model.

    The input of the graph is a float32 tensor ``"X"`` of shape
    ``(n_samples, n_features)``: the pixel intensities as the model was
    trained on them (0-255 for :func:`skdigit.make_digit_pipeline`). A
    classifier gives two outputs, ``"label"`` (int64, the classes of
    ``classes_``) and ``"probabilities"`` (float32, ``(n_samples,
    n_classes)``, those of ``predict_proba``); a transformer gives
    ``"variable"``, the output of ``transform``.

    Parameters
    ----------
    model : estimator or sklearn.pipeline.Pipeline
        Fitted. Its steps may be skdigit's estimators
        (:class:`~skdigit.DigitLogisticClassifier`,
        :class:`~skdigit.DigitLogisticClassifierCV`,
        :class:`~skdigit.PixelNormalizer`, :class:`~skdigit.Deskew`,
        :class:`~skdigit.Scattering2D`, :class:`~skdigit.SeededRBFSampler`),
        ``"passthrough"``, a :class:`~sklearn.pipeline.FeatureUnion` of such
        parts (``"passthrough"``, ``"drop"`` and ``transformer_weights``
        included: the ``"kernel"`` step of
        ``make_digit_pipeline(features="kernel")``), or
        estimators that skl2onnx converts
        (:class:`~sklearn.preprocessing.StandardScaler`...; scikit-learn's
        :class:`~sklearn.kernel_approximation.RBFSampler` too).
    X : array-like of shape (n_samples, n_features), default=None
        Sample input, used only for its number of columns; by default the
        model's ``n_features_in_``.
    target_opset : int, default=None
        ONNX opset of the graph; None means 18. :class:`~skdigit.Deskew`
        needs 13 or later.
    zipmap : bool, default=False
        For a classifier: if True, skl2onnx's ``ZipMap`` turns the
        probabilities into a list of dictionaries; the default keeps a plain
        float tensor, which every runtime (onnxruntime-web included) reads.
    name : str, default="skdigit"
        Name of the ONNX graph.

    Returns
    -------
    onx : onnx.ModelProto
        Save it with ``onx.SerializeToString()`` or ``onnx.save``.

    Raises
    ------
    OnnxExportError
        If a step has no converter, naming the step; or if its conversion
        fails (e.g. ``Deskew`` with ``target_opset`` below 13).
    sklearn.exceptions.NotFittedError
        If ``model`` is not fitted.
    skdigit.utils.MissingExtraError
        If skl2onnx is not installed (``pip install "skdigit[onnx]"``).

    See Also
    --------
    register_converters : Use ``skl2onnx.to_onnx`` itself instead.

    Notes
    -----
    Computations run in float32, as skdigit's own (Deskew's moments in
    float64); the probabilities agree with ``predict_proba`` within 1e-4 (the
    ``onnx_export`` benchmark section measures the largest difference on the
    10,000 MNIST test digits).
    Input checks of ``transform`` (value ranges) are not part of the graph.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("onnxruntime")
    >>> import numpy as np, onnxruntime
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from skdigit import DigitLogisticClassifier, PixelNormalizer
    >>> from skdigit.onnx import to_onnx
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> model = make_pipeline(PixelNormalizer(max_value=16),
    ...                       DigitLogisticClassifier()).fit(X, y)
    >>> onx = to_onnx(model)
    >>> session = onnxruntime.InferenceSession(onx.SerializeToString(),
    ...                                        providers=["CPUExecutionProvider"])
    >>> label, proba = session.run(None, {"X": X[:5]})
    >>> label.tolist() == model.predict(X[:5]).tolist()
    True
    >>> bool(np.allclose(proba, model.predict_proba(X[:5]), atol=1e-5))
    True
    """
    register_converters()
    from skl2onnx import to_onnx as skl2onnx_to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    check_is_fitted(model)
    _check_supported(model)
    model = _without_passthrough(model)
    if X is not None:
        n_features = np.shape(X)[1]
    else:
        n_features = getattr(model, "n_features_in_", None)
    initial_types = [("X", FloatTensorType([None, n_features]))]
    options = None
    classifier = _classifier(model)
    if classifier is not None:
        options = {id(classifier): {"zipmap": bool(zipmap)}}
    opset = DEFAULT_OPSET if target_opset is None else target_opset
    convert = functools.partial(skl2onnx_to_onnx, target_opset=opset, name=name)
    try:
        return convert(model, initial_types=initial_types, options=options)
    except Exception as exc:  # skl2onnx raises many kinds: name the step that fails
        step_name, step, step_exc = _failing_step(model, convert, exc)
        raise OnnxExportError(
            f"cannot export step {step_name!r} ({type(step).__name__}) to ONNX "
            f"(opset {opset}): {_one_line(step_exc)}"
        ) from exc


def _one_line(exc):
    return " ".join(str(exc).split()) or type(exc).__name__


def _failing_step(model, convert, exc):
    """``(name, step, exception)`` of the first step that fails to convert alone."""
    from skl2onnx.common.data_types import FloatTensorType

    steps = list(_steps(model))
    if len(steps) > 1:
        for name, step in steps:
            n_features = getattr(step, "n_features_in_", None)
            try:
                convert(step, initial_types=[("X", FloatTensorType([None, n_features]))],
                        options={id(step): {"zipmap": False}} if hasattr(step, "classes_")
                        else None)
            except Exception as step_exc:
                return name, step, step_exc
    return steps[-1][0] if len(steps) == 1 else "(whole pipeline)", steps[-1][1], exc
