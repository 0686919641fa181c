"""ONNX graph of :class:`~skdigit.Scattering2D`: the filter bank as real DFT matrices.

The exported graph computes what ``Scattering2D.transform`` computes, step by
step (kymatio's algorithm): reflect padding and the forward DFT of each image
(folded into one complex matrix per axis), a product with each wavelet's
Fourier transform (real), the inverse DFT subsampled by ``2**j`` (one complex
matrix per axis), the modulus, and the low-pass-subsample-unpad stage (two
real matrices, those of the estimator's own filter bank). Every DFT is a
``MatMul`` by a real block matrix (see ``_dft``), so the graph needs only
``MatMul``, ``Mul``, ``Reshape``, ``Transpose``, ``ReduceL2`` and ``Concat``:
it runs in any ONNX runtime, onnxruntime-web included, at any opset from 13.

A DFT of ``n`` points as a matrix costs ``n**2`` multiply-adds per vector
against about ``5 n log2 n`` for an FFT, but at the sizes of MNIST (36 and
18) the matrix product runs in optimized GEMM kernels while ONNX's ``DFT``
operator, where it exists, runs one small transform at a time. Intermediate
tensors take about 0.7 MB per MNIST image: run batches of a few hundred.
"""

import numpy as np

from ..preprocessing._scattering_filters import scattering_filters
from ._dft import dft_matrix, inverse_dft_matrix, left_block, reflect_matrix, right_block

__all__ = ["scattering_shape_calculator", "convert_scattering"]


def scattering_shape_calculator(operator):
    """Output: float tensor ``(N, n_channels_ * prod(channel_shape_))``."""
    from skl2onnx.common.data_types import FloatTensorType

    model = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    width = int(model.n_channels_ * np.prod(model.channel_shape_))
    operator.outputs[0].type = FloatTensorType([n, width])


class _Graph:
    """The few ONNX-algebra helpers the scattering graph needs (one opset)."""

    def __init__(self, opv):
        from skl2onnx.algebra import onnx_ops

        self.ops = onnx_ops
        self.opv = opv

    def matmul(self, a, b):
        return self.ops.OnnxMatMul(a, b, op_version=self.opv)

    def reshape(self, x, shape):
        return self.ops.OnnxReshape(x, np.asarray(shape, dtype=np.int64), op_version=self.opv)

    def transpose(self, x, perm):
        return self.ops.OnnxTranspose(x, perm=list(perm), op_version=self.opv)

    def mul(self, a, b):
        return self.ops.OnnxMul(a, b, op_version=self.opv)

    def norm(self, x, axis):
        return self.ops.OnnxReduceL2Api18(x, axes=[axis], keepdims=0, op_version=self.opv)

    def concat(self, parts, axis):
        if len(parts) == 1:
            return parts[0]
        return self.ops.OnnxConcat(*parts, axis=axis, op_version=self.opv)

    def rows_to_columns(self, x, lead, rows, cols):
        """``[re; im]`` stacked by rows -> ``[re, im]`` side by side."""
        x = self.reshape(x, [-1, *lead, 2, rows, cols])
        k = len(lead) + 1
        perm = list(range(k)) + [k + 1, k, k + 2]
        x = self.transpose(x, perm)
        return self.reshape(x, [-1, *lead, rows, 2 * cols])

    def columns_to_rows(self, x, lead, rows, cols):
        """``[re, im]`` side by side -> ``[re; im]`` stacked by rows."""
        x = self.reshape(x, [-1, *lead, rows, 2, cols])
        k = len(lead) + 1
        perm = list(range(k)) + [k + 1, k, k + 2]
        x = self.transpose(x, perm)
        return self.reshape(x, [-1, *lead, 2 * rows, cols])

    def modulus_lowpass(self, spectrum, lead, P, Q, k, lowpass):
        """``|inverse DFT subsampled by k|`` then the low-pass stage.

        ``spectrum``: ``(N, *lead, P, 2Q)``, real and imaginary side by side.
        Returns ``(N, *lead, m_rows, m_cols)`` and the modulus.
        """
        p, q = P // k, Q // k
        z = self.matmul(spectrum, right_block(inverse_dft_matrix(Q, k)))
        z = self.columns_to_rows(z, lead, P, q)
        z = self.matmul(left_block(inverse_dft_matrix(P, k)), z)
        z = self.reshape(z, [-1, *lead, 2, p, q])
        modulus = self.norm(z, len(lead) + 1)
        T_row, T_col = lowpass
        out = self.matmul(self.matmul(T_row, modulus), np.ascontiguousarray(T_col.T))
        return out, modulus

    def spectrum(self, x, lead, left, right, rows, cols):
        """``left @ x @ right.T`` of a real ``x`` of shape ``(N, *lead, rows, cols)``,
        real and imaginary parts side by side."""
        stacked = np.vstack([left.real, left.imag]).astype(np.float32)
        z = self.matmul(stacked, x)
        z = self.rows_to_columns(z, lead, left.shape[0], cols)
        return self.matmul(z, right_block(right))


def scattering_graph(model, X, opv):
    """The ONNX-algebra node of ``model.transform(X)`` (float32)."""
    g = _Graph(opv)
    J, L, max_order = model.J, model.L, model.max_order
    M, N = model.image_shape_
    filters = scattering_filters(tuple(model.image_shape_), J, L)
    P, Q = filters.padded_shape
    top, bottom, left, right = filters.pad
    R_row, R_col = reflect_matrix(M, top, bottom), reflect_matrix(N, left, right)
    m_rows, m_cols = model.channel_shape_
    f32 = np.float32

    images = g.reshape(X, [-1, M, N])
    T_row, T_col = filters.lowpass[0]
    s0 = g.matmul(g.matmul((T_row @ R_row).astype(f32), images),
                  np.ascontiguousarray((T_col @ R_col).T).astype(f32))
    first = [g.reshape(s0, [-1, m_rows * m_cols])]
    second = []
    if J == 0:
        return first[0]
    spectrum = g.spectrum(images, (), dft_matrix(P) @ R_row, dft_matrix(Q) @ R_col, M, N)
    spectrum = g.reshape(spectrum, [-1, 1, P, 2 * Q])
    for j1 in range(J):
        psi = filters.psi[j1][0]
        product = g.mul(spectrum, np.concatenate([psi, psi], axis=-1).astype(f32))
        s1, U1 = g.modulus_lowpass(product, (L,), P, Q, 2**j1, filters.lowpass[j1])
        first.append(g.reshape(s1, [-1, L * m_rows * m_cols]))
        if max_order < 2 or j1 == J - 1:
            continue
        P1, Q1 = P // 2**j1, Q // 2**j1
        U1_spectrum = g.spectrum(U1, (L,), dft_matrix(P1), dft_matrix(Q1), P1, Q1)
        U1_spectrum = g.reshape(U1_spectrum, [-1, L, 1, P1, 2 * Q1])
        per_j2 = []
        for j2 in range(j1 + 1, J):
            psi = filters.psi[j2][j1]
            product = g.mul(U1_spectrum, np.concatenate([psi, psi], axis=-1).astype(f32))
            s2, _ = g.modulus_lowpass(product, (L, L), P1, Q1, 2 ** (j2 - j1),
                                      filters.lowpass[j2])
            per_j2.append(g.reshape(s2, [-1, L, L, m_rows * m_cols]))
        s2 = g.concat(per_j2, axis=2)
        second.append(g.reshape(s2, [-1, L * L * (J - 1 - j1) * m_rows * m_cols]))
    return g.concat(first + second, axis=1)


def convert_scattering(scope, operator, container):
    """skl2onnx converter of a fitted :class:`~skdigit.Scattering2D`."""
    from skl2onnx.algebra.onnx_ops import OnnxIdentity

    opv = container.target_opset
    node = scattering_graph(operator.raw_operator, operator.inputs[0], opv)
    out = OnnxIdentity(node, op_version=opv, output_names=operator.outputs[:1])
    out.add_to(scope, container)
