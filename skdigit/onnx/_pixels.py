"""ONNX graphs of :class:`~skdigit.PixelNormalizer` and :class:`~skdigit.Deskew`."""

import numpy as np

from ..preprocessing._deskew_kernels import MU02_EPS
from ..utils import check_image_shape

__all__ = ["convert_deskew", "convert_normalizer", "same_shape_calculator"]

# GatherElements and Clip with its bounds as inputs are in opset 11; 13 is
# what the other skdigit graphs need too (Deskew's used GridSample, opset 16,
# before: ONNX Runtime runs it on one thread, and it took most of the pixel
# pipeline's time there)
_DESKEW_MIN_OPSET = 13


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


def _deskew_constants(n_rows, n_cols):
    """The constant tensors of the deskewing graph.

    ``X @ moments`` (float32) gives, per image, the sums of ``I``, ``y I``,
    ``x I``, ``x y I`` and ``y**2 I``, with ``x`` and ``y`` measured from the
    image's centre ``(ry, rx)``: small coordinates, whose sums float32 holds to
    about 1e-7 of their size. ``offsets`` are the row offsets ``r - i`` of
    the vertical resampling and ``bands`` the matrices of those offsets
    (``bands[k][i, r] = 1`` where ``r - i = offsets[k]``), flattened;
    ``row_centred[i] = i - ry``; ``columns[j] = j + 2``, where the horizontal
    resampling reads column ``j`` in rows padded with two zeros on each side.
    """
    ry, rx = 0.5 * (n_rows - 1), 0.5 * (n_cols - 1)
    i, j = np.meshgrid(np.arange(n_rows, dtype=np.float64),
                       np.arange(n_cols, dtype=np.float64), indexing="ij")
    y, x = i.ravel() - ry, j.ravel() - rx
    moments = np.stack([np.ones_like(y), y, x, x * y, y * y], axis=1).astype(np.float32)
    offsets = np.arange(-(n_rows - 1), n_rows)
    rows = np.arange(n_rows)
    bands = (rows[None, None, :] - rows[None, :, None] == offsets[:, None, None])
    # a row of W pixels -> W + 3 columns c: its pixel c - 2 (zero outside), and
    # pixel c - 1 minus pixel c - 2 (the step to the next column)
    cols = np.arange(n_cols)
    embed = (cols[:, None] == np.arange(n_cols + 3)[None, :] - 2).astype(np.float64)
    embed_diff = (cols[:, None] == np.arange(n_cols + 3)[None, :] - 1) - embed
    return {
        "moments": moments,
        "offsets": offsets.astype(np.float32).reshape(1, -1),
        # stored as bool (a byte each, not four), cast once when the session starts
        "bands": bands.reshape(len(offsets), n_rows * n_rows),
        "row_centred": (rows - ry).astype(np.float32).reshape(1, n_rows),
        "columns": (np.arange(n_cols, dtype=np.float32) + 2).reshape(1, 1, n_cols),
        "embed": embed.astype(np.float32),
        "embed_diff": embed_diff.astype(np.float32),
    }


def convert_deskew(scope, operator, container):
    """Image moments, then the bilinear resampling as products and one gather.

    Output pixel ``(i, j)`` samples the input at ``y = i + cy``, ``x = j +
    alpha (i - ry) + cx`` (``cx``, ``cy``: the centre of mass from the
    image's centre; the map of ``Deskew``), bilinearly, zero outside the
    image. The vertical shift is the same for every pixel of an image: a
    batched ``MatMul`` by the matrix of interpolation weights ``max(0, 1 -
    |cy - (r - i)|)``. The horizontal shift is the same along a row: each
    row's two-tap blend is formed for every column by products with constant
    matrices, and one ``GatherElements`` (int32 indices) picks the columns
    ``j + floor(shift)``. Only operators of opset 11 (13 is asked for, as by
    the other graphs); in ONNX Runtime this runs faster than ``GridSample``
    (opset 16), which the graph used before and which ONNX Runtime runs on
    one thread.

    Blank images stay blank; images whose ink lies in one row are only
    centred, as in ``Deskew.transform``. Not exported: the clipping of each
    output pixel to the image's maximum (which only removes rounding error)
    and the input checks.
    """
    from skl2onnx.algebra import onnx_ops as ops

    opv = container.target_opset
    if opv < _DESKEW_MIN_OPSET:
        raise RuntimeError(
            f"Deskew needs ONNX opset {_DESKEW_MIN_OPSET} or later; got "
            f"target_opset={opv}. Pass target_opset={_DESKEW_MIN_OPSET} or more."
        )
    model = operator.raw_operator
    X = operator.inputs[0]
    n_features = getattr(model, "n_features_in_", None)
    if n_features is None:
        n_features = operator.inputs[0].get_second_dimension()
    n_rows, n_cols = getattr(model, "image_shape_", None) or check_image_shape(
        model.image_shape, n_features)
    const = _deskew_constants(n_rows, n_cols)
    f64, f32, i64 = np.float64, np.float32, np.int64

    def op(name, *args, **kwargs):
        return getattr(ops, "Onnx" + name)(*args, op_version=opv, **kwargs)

    def col(t, k):
        return op("Slice", t, np.array([k], dtype=i64), np.array([k + 1], dtype=i64),
                  np.array([1], dtype=i64))

    # the moments: float32 sums of centred coordinates, then float64 for the
    # divisions and differences (as Deskew computes them)
    sums = op("Cast", op("MatMul", X, const["moments"]), to=11)  # (N, 5) float64
    total = col(sums, 0)
    means = op("Div", sums, op("Max", total, np.array([1e-300], dtype=f64)))
    cy, cx, exy, eyy = col(means, 1), col(means, 2), col(means, 3), col(means, 4)
    mu11 = op("Sub", exy, op("Mul", cx, cy))
    mu02 = op("Sub", eyy, op("Mul", cy, cy))
    eps = np.array([MU02_EPS], dtype=f64)
    alpha = op("Where", op("Greater", mu02, eps), op("Div", mu11, op("Max", mu02, eps)),
               np.array([0.0], dtype=f64))
    # a blank image has cx = cy = alpha = 0: the identity map, which samples zeros
    alpha, cx, cy = (op("Cast", t, to=1) for t in (alpha, cx, cy))  # float32, (N, 1)

    # vertical: V = R @ image, R[i, r] = max(0, 1 - |cy - (r - i)|), built as
    # (N, 2H - 1) weights of the offsets times their band matrices
    images = op("Reshape", X, np.array([-1, n_rows, n_cols], dtype=i64))
    weights = op("Relu", op("Sub", np.array([1.0], dtype=f32),
                            op("Abs", op("Sub", cy, const["offsets"]))))
    bands = op("Cast", const["bands"], to=1)  # float32
    resample = op("Reshape", op("MatMul", weights, bands),
                  np.array([-1, n_rows, n_rows], dtype=i64))

    # horizontal: row i of image n shifts by s = alpha (i - ry) + cx; with
    # k = floor(s) and f = s - k, output column j is V[j + k] + f (V[j + k + 1]
    # - V[j + k]). Both terms for every column c of the row padded with two
    # zeros on the left and one on the right are products by constant
    # matrices (``embed``, ``embed_diff``: no Pad, no Slice), and f is the
    # same along a row: Y = A + f D, then one gather of column j + k + 2 of Y,
    # clipped to Y's zero columns at both ends.
    level = op("MatMul", resample, op("MatMul", images, const["embed"]))  # (N, H, W + 3)
    step = op("MatMul", resample, op("MatMul", images, const["embed_diff"]))
    shift = op("Add", op("Mul", alpha, const["row_centred"]), cx)  # (N, H)
    shift = op("Reshape", shift, np.array([-1, n_rows, 1], dtype=i64))
    whole = op("Floor", shift)
    blended = op("Add", level, op("Mul", op("Sub", shift, whole), step))
    # the column, in float32 (exact integers) then int64: k clipped per row
    # first, so that huge shifts stay exact
    start = op("Clip", whole, np.array(-n_cols - 3, dtype=f32), np.array(n_cols + 1, dtype=f32))
    index = op("Cast", op("Clip", op("Add", const["columns"], start), np.array(0, dtype=f32),
                          np.array(n_cols + 2, dtype=f32)), to=6)  # int32
    sampled = op("GatherElements", blended, index, axis=2)
    out = op("Reshape", sampled, np.array([-1, n_rows * n_cols], dtype=i64),
             output_names=operator.outputs[:1])
    out.add_to(scope, container)
