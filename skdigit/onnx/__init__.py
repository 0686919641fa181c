"""Export skdigit models to ONNX, to run them with ONNX Runtime (servers, phones, browsers).

Needs the ``onnx`` extra (``pip install "skdigit[onnx]"``: skl2onnx and
onnxruntime). Nothing is registered with skl2onnx at ``import skdigit``:
:func:`to_onnx` registers skdigit's converters on first use, and
:func:`register_converters` does it for code that calls skl2onnx directly.

- :func:`to_onnx`: a fitted skdigit estimator or pipeline to an ONNX model.
- :func:`register_converters`: skdigit's shape calculators and converters
  for ``skl2onnx.to_onnx``.
- :class:`OnnxExportError`: a step that cannot be exported.
"""

from ._convert import OnnxExportError, to_onnx
from ._register import register_converters

__all__ = ["OnnxExportError", "register_converters", "to_onnx"]
