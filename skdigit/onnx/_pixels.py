"""ONNX graphs of :class:`~skdigit.PixelNormalizer` and :class:`~skdigit.Deskew`."""

import numpy as np

from ..preprocessing._deskew_kernels import MU02_EPS
from ..utils import check_image_shape

__all__ = ["convert_deskew", "convert_normalizer", "same_shape_calculator"]


def same_shape_calculator(operator):
    """Output: a float tensor of the input's shape (one value per pixel)."""
    from skl2onnx.common.data_types import FloatTensorType

    n = operator.inputs[0].get_first_dimension()
    width = operator.inputs[0].get_second_dimension()
    if width is None:
        width = getattr(operator.raw_operator, "n_features_in_", None)
    operator.outputs[0].type = FloatTensorType([n, width])


def convert_normalizer(scope, operator, container):
    """``X / max_value`` in float32, as ``PixelNormalizer.transform`` computes it.

    The range checks of ``transform`` (values outside ``[0, max_value]`` raise)
    are not exported: the graph scales whatever it is given.
    """
    from skl2onnx.algebra.onnx_ops import OnnxDiv, OnnxIdentity

    opv = container.target_opset
    model = operator.raw_operator
    X = operator.inputs[0]
    if model.max_value == 1:
        node = OnnxIdentity(X, op_version=opv, output_names=operator.outputs[:1])
    else:
        node = OnnxDiv(X, np.array([model.max_value], dtype=np.float32), op_version=opv,
                       output_names=operator.outputs[:1])
    node.add_to(scope, container)


def _deskew_basis(n_rows, n_cols):
    """Moments basis (H*W, 5) and grid basis (4, H*W*2) of the deskewing graph.

    ``X @ moments`` gives, per image, the sums of ``I``, ``y I``, ``x I``,
    ``x y I`` and ``y**2 I``, with ``x`` and ``y`` measured from the image's
    centre ``(ry, rx)``: small coordinates, whose sums float32 holds to about
    1e-7 of their size (no cancellation in the central moments). With
    ``params = [1, alpha, cx, cy]`` (``cx``, ``cy``: the centre of mass from
    the centre, in pixels), ``params @ grid`` is GridSample's grid
    (``align_corners=1``): output pixel ``(i, j)`` samples the input at ``x =
    j + alpha (i - ry) + cx``, ``y = i + cy``, the map of ``Deskew``.
    """
    i, j = np.meshgrid(np.arange(n_rows, dtype=np.float64),
                       np.arange(n_cols, dtype=np.float64), indexing="ij")
    ry, rx = 0.5 * (n_rows - 1), 0.5 * (n_cols - 1)
    y, x = i.ravel(), j.ravel()
    yc, xc = y - ry, x - rx
    moments = np.stack([np.ones_like(y), yc, xc, xc * yc, yc * yc], axis=1)
    scale = np.array([2.0 / max(n_cols - 1, 1), 2.0 / max(n_rows - 1, 1)])
    grid = np.zeros((4, n_rows * n_cols, 2))
    grid[0, :, 0], grid[0, :, 1] = x, y
    grid[1, :, 0] = y - ry
    grid[2, :, 0] = 1.0
    grid[3, :, 1] = 1.0
    grid = grid * scale
    grid[0] -= 1.0
    return moments.astype(np.float32), grid.reshape(4, -1)


def convert_deskew(scope, operator, container):
    """Image moments, then a bilinear ``GridSample`` (opset 16 or later).

    The moments are one float32 ``MatMul`` (coordinates from the image's
    centre), the rest of their arithmetic in float64 on five numbers per
    image; the grid (normalized coordinates) is one float32 ``MatMul`` of
    four numbers per image. Blank images stay blank; images whose ink lies in one
    row are only centred, as in ``Deskew.transform``. Not exported: the clipping of each
    output pixel to the image's maximum (which only removes rounding error)
    and the input checks.
    """
    from skl2onnx.algebra import onnx_ops as ops

    opv = container.target_opset
    if opv < 16:
        raise RuntimeError(
            f"Deskew needs ONNX opset 16 or later (GridSample); got target_opset={opv}. "
            "Pass target_opset=16 or more."
        )
    model = operator.raw_operator
    X = operator.inputs[0]
    n_features = getattr(model, "n_features_in_", None)
    if n_features is None:
        n_features = operator.inputs[0].get_second_dimension()
    n_rows, n_cols = getattr(model, "image_shape_", None) or check_image_shape(
        model.image_shape, n_features)
    moments, grid = _deskew_basis(n_rows, n_cols)
    f64 = np.float64

    def col(t, k):
        return ops.OnnxSlice(t, np.array([k], dtype=np.int64), np.array([k + 1], dtype=np.int64),
                             np.array([1], dtype=np.int64), op_version=opv)

    # float32 sums (a float64 MatMul, and the cast of X to float64, took a
    # third of the graph's time in ONNX Runtime), then float64
    sums = ops.OnnxCast(ops.OnnxMatMul(X, moments, op_version=opv), to=11,
                        op_version=opv)  # TensorProto.DOUBLE, (N, 5)
    total = col(sums, 0)
    safe_total = ops.OnnxMax(total, np.array([1e-300], dtype=f64), op_version=opv)
    means = ops.OnnxDiv(sums, safe_total, op_version=opv)
    cy, cx, exy, eyy = col(means, 1), col(means, 2), col(means, 3), col(means, 4)
    mu11 = ops.OnnxSub(exy, ops.OnnxMul(cx, cy, op_version=opv), op_version=opv)
    mu02 = ops.OnnxSub(eyy, ops.OnnxMul(cy, cy, op_version=opv), op_version=opv)
    eps = np.array([MU02_EPS], dtype=f64)
    sheared = ops.OnnxGreater(mu02, eps, op_version=opv)
    alpha = ops.OnnxWhere(
        sheared,
        ops.OnnxDiv(mu11, ops.OnnxMax(mu02, eps, op_version=opv), op_version=opv),
        np.array([0.0], dtype=f64), op_version=opv)
    # [1, alpha, cx, cy] per image (cx, cy from the centre): small, cast to
    # float32 before the grid is built (the grid's one MatMul then runs in float32)
    params = ops.OnnxConcat(
        ops.OnnxAdd(ops.OnnxMul(total, np.array([0.0], dtype=f64), op_version=opv),
                    np.array([1.0], dtype=f64), op_version=opv),
        alpha, cx, cy, axis=1, op_version=opv)
    params = ops.OnnxCast(params, to=1, op_version=opv)  # TensorProto.FLOAT
    coords = ops.OnnxMatMul(params, grid.astype(np.float32), op_version=opv)
    coords = ops.OnnxReshape(coords, np.array([-1, n_rows, n_cols, 2], dtype=np.int64),
                             op_version=opv)
    images = ops.OnnxReshape(X, np.array([-1, 1, n_rows, n_cols], dtype=np.int64),
                             op_version=opv)
    mode = "linear" if opv >= 20 else "bilinear"
    # a blank image has cx = cy = alpha = 0: the identity grid, which samples zeros
    sampled = ops.OnnxGridSample(images, coords, align_corners=1, mode=mode,
                                 padding_mode="zeros", op_version=opv)
    out = ops.OnnxReshape(sampled, np.array([-1, n_rows * n_cols], dtype=np.int64),
                          op_version=opv, output_names=operator.outputs[:1])
    out.add_to(scope, container)
