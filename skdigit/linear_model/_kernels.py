"""Numba kernels: fused, single-pass logistic loss and gradient, dense ``X``.

Each kernel takes raw data and coefficients and writes into buffers that the
caller passes in; it knows nothing of ``C``, the intercept convention or the
optimizer (that is :mod:`skdigit.linear_model._loss`). One pass over the rows
computes, while a row is in cache, its logits, its log-sum-exp, its loss and its
contribution to the gradient. The CSR kernels, which follow the same
conventions, are in :mod:`skdigit.linear_model._kernels_csr`.

Conventions shared by every kernel
----------------------------------
- ``W`` holds the weights, one row per class: shape ``(n_rows_w, n_features)``.
  ``n_rows_w`` is the number of classes for the multinomial loss and 1 for the
  binomial one (``binary=True``).
- ``y`` holds class indices ``0 .. n_classes - 1`` (``int64``); for the binomial
  loss, 1 is the positive class.
- ``sample_weight`` is an array of shape ``(n_samples,)`` (ones when unweighted).
- The returned value is the weighted *sum* of the pointwise losses; ``grad_W`` and
  ``grad_b`` receive the weighted sums of the pointwise gradients. No L2 term.
- The rows are split into ``n_chunks`` contiguous chunks processed in parallel,
  each with its own accumulators, then summed in chunk order: results are
  deterministic for a fixed ``n_chunks``.
- The loss, the softmax and the gradient sums are in float64 whatever the
  dtype of ``X``. The products with ``X`` are in float64 too, except in the
  dense kernel given a float32 ``W`` (float32 products: the layouts' reduced
  precision, see :meth:`~._layouts.DenseLayout.reduced_precision`). ``X`` is
  only read, never copied or written (read-only memory maps work).

The pointwise losses are those of scikit-learn's ``HalfMultinomialLoss``
(``logsumexp(z) - z_y``) and ``HalfBinomialLoss`` (``log(1 + exp(z)) - y z``), i.e.
the log-loss. :mod:`skdigit.linear_model._kernels_reference` holds a plain NumPy
implementation of each kernel that the tests compare against.
"""

import math

import numpy as np
from numba import njit

from ..utils._threads import row_ranges, run_parts

# Reassociation lets LLVM vectorize the dot-product reductions; contraction
# allows fused multiply-adds. No flag that changes inf/nan semantics is set.
_FASTMATH = {"reassoc", "contract"}
_ROW_BLOCK = 8  # dense rows processed together: register blocking, see _dense_block8
# rows whose gradient is summed in the products' dtype before a float64 flush
_FLUSH_ROWS = 8 * _ROW_BLOCK


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _pointwise_residual(z, y_i, w_i, binary):
    """Turn one row's logits ``z`` into its weighted residual, return its loss.

    On exit ``z[k] = w_i * (p_k - [k == y_i])`` (``p = softmax(z)``, or
    ``sigmoid(z[0])`` when ``binary``), the gradient of the loss in the logits.
    """
    if binary:
        t = z[0]
        # log(1 + exp(t)) and sigmoid(t) without overflow
        if t > 0.0:
            e = math.exp(-t)
            log1pexp = t + math.log1p(e)
            prob = 1.0 / (1.0 + e)
        else:
            e = math.exp(t)
            log1pexp = math.log1p(e)
            prob = e / (1.0 + e)
        yf = 1.0 if y_i == 1 else 0.0
        z[0] = w_i * (prob - yf)
        return w_i * (log1pexp - yf * t)
    n_classes = z.shape[0]
    zmax = z[0]
    for k in range(1, n_classes):
        if z[k] > zmax:
            zmax = z[k]
    total = 0.0
    for k in range(n_classes):
        total += math.exp(z[k] - zmax)
    lse = zmax + math.log(total)
    loss = w_i * (lse - z[y_i])
    for k in range(n_classes):
        z[k] = w_i * math.exp(z[k] - lse)
    z[y_i] -= w_i
    return loss


@njit(cache=True, nogil=True)
def _sum_chunks(acc, out):
    """``out[...] = acc.sum(axis=0)``, summed in chunk order (deterministic).

    Written as loops over the flat arrays (both C-contiguous): numba compiles
    an array expression with its shape checks and their error messages,
    seconds of compilation on a first run.
    """
    flat = acc.reshape(acc.shape[0], -1)
    dest = out.reshape(-1)
    for i in range(dest.shape[0]):
        total = flat[0, i]
        for c in range(1, flat.shape[0]):
            total += flat[c, i]
        dest[i] = total


def logistic_loss_gradient_dense(
    X, y, sample_weight, W, b, grad_W, grad_b, binary, n_chunks
):
    """Fused loss and gradient for dense, C-contiguous ``X``.

    The products with ``X`` are computed in the dtype of ``W``. With a float32
    ``W`` (and float32 ``X``), the logits' dot products and each row block's
    gradient update run in float32, with twice the SIMD lanes of float64. The
    logits are widened to float64 before the softmax, and the gradient is
    flushed into the float64 accumulators every ``_FLUSH_ROWS`` rows, so that
    its rounding does not grow with ``n_samples``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    y : ndarray of shape (n_samples,), int64 class indices
    sample_weight : ndarray of shape (n_samples,), float64
    W : ndarray of shape (n_rows_w, n_features), float32 or float64
        The dtype of the products (see above).
    b : ndarray of shape (n_rows_w,), float64
    grad_W : ndarray of shape (n_rows_w, n_features), float64, written
    grad_b : ndarray of shape (n_rows_w,), float64, written
    binary : bool
    n_chunks : int

    Returns
    -------
    loss : float
        Weighted sum of the pointwise losses.
    """
    n_samples, n_features = X.shape
    n_rows_w = W.shape[0]
    ranges = row_ranges(n_samples, n_chunks)
    acc_W = np.zeros((len(ranges), n_rows_w, n_features))
    acc_b = np.zeros((len(ranges), n_rows_w))
    losses = run_parts(_dense_chunk, [
        (X, y, sample_weight, W, b, acc_W[c], acc_b[c], lo, hi, binary)
        for c, (lo, hi) in enumerate(ranges)
    ])
    _sum_chunks(acc_W, grad_W)
    _sum_chunks(acc_b, grad_b)
    return float(np.sum(losses))


@njit(cache=True, nogil=True)
def _dense_chunk(X, y, sample_weight, W, b, gW, gb, start, stop, binary):
    """Loss of the rows ``start:stop``; adds their gradient sums to ``gW``, ``gb``.

    One thread's share of :func:`logistic_loss_gradient_dense`, compiled
    apart from the parallel loop (whose compilation is the slow part).
    """
    n_rows_w, n_features = W.shape
    # the block's gradient in the dtype of the products, flushed into gW
    part = np.zeros((n_rows_w, n_features), dtype=W.dtype)
    Z = np.empty((_ROW_BLOCK, n_rows_w))
    R = np.empty((_ROW_BLOCK, n_rows_w), dtype=W.dtype)
    zero = part[0, 0]  # 0 in the dtype of the products
    loss = 0.0
    for i0 in range(start, stop, _ROW_BLOCK):
        if stop - i0 >= _ROW_BLOCK:
            loss += _dense_block8(X, i0, y, sample_weight, W, b, part, gb, Z, R, zero, binary)
        else:
            loss += _dense_block_tail(
                X, i0, stop, y, sample_weight, W, b, part, gb, Z, R, zero, binary
            )
        last_of_group = (i0 - start) % _FLUSH_ROWS == _FLUSH_ROWS - _ROW_BLOCK
        if last_of_group or i0 + _ROW_BLOCK >= stop:
            _flush(part, gW)
    return loss


@njit(cache=True, nogil=True)
def _flush(part, out):
    """``out += part`` (widened to float64), then ``part[...] = 0``."""
    for k in range(part.shape[0]):
        for j in range(part.shape[1]):
            out[k, j] += part[k, j]
            part[k, j] = 0


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _dense_block8(X, i0, y, sample_weight, W, b, gW, gb, Z, R, zero, binary):
    """Loss and gradient of the 8 rows ``X[i0:i0 + 8]``, register-blocked.

    The logits loop computes 8 dot products with one class row of ``W`` at once
    (one load of ``W[k, j]`` serves 8 rows) and the gradient loop is a rank-8
    update of ``gW[k]`` (one load and store of ``gW[k, j]`` per 8 rows). Both
    inner loops run over the features, contiguous, and LLVM vectorizes them, in
    the dtype of ``W`` and ``gW``.
    """
    n_features = X.shape[1]
    n_rows_w = W.shape[0]
    x0 = X[i0]
    x1 = X[i0 + 1]
    x2 = X[i0 + 2]
    x3 = X[i0 + 3]
    x4 = X[i0 + 4]
    x5 = X[i0 + 5]
    x6 = X[i0 + 6]
    x7 = X[i0 + 7]
    for k in range(n_rows_w):
        wk = W[k]
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = zero  # in the products' dtype
        for j in range(n_features):
            w = wk[j]
            s0 += x0[j] * w
            s1 += x1[j] * w
            s2 += x2[j] * w
            s3 += x3[j] * w
            s4 += x4[j] * w
            s5 += x5[j] * w
            s6 += x6[j] * w
            s7 += x7[j] * w
        bk = b[k]
        Z[0, k] = s0 + bk
        Z[1, k] = s1 + bk
        Z[2, k] = s2 + bk
        Z[3, k] = s3 + bk
        Z[4, k] = s4 + bk
        Z[5, k] = s5 + bk
        Z[6, k] = s6 + bk
        Z[7, k] = s7 + bk
    loss = 0.0
    for r in range(_ROW_BLOCK):
        loss += _pointwise_residual(Z[r], y[i0 + r], sample_weight[i0 + r], binary)
    for r in range(_ROW_BLOCK):  # the residuals in the dtype of the products
        for k in range(n_rows_w):
            R[r, k] = Z[r, k]
    for k in range(n_rows_w):
        gb[k] += ((Z[0, k] + Z[1, k]) + (Z[2, k] + Z[3, k])) + (
            (Z[4, k] + Z[5, k]) + (Z[6, k] + Z[7, k])
        )
    k = 0
    while k + 1 < n_rows_w:  # two classes per pass: each x load serves both
        r0 = R[0, k]
        r1 = R[1, k]
        r2 = R[2, k]
        r3 = R[3, k]
        r4 = R[4, k]
        r5 = R[5, k]
        r6 = R[6, k]
        r7 = R[7, k]
        q0 = R[0, k + 1]
        q1 = R[1, k + 1]
        q2 = R[2, k + 1]
        q3 = R[3, k + 1]
        q4 = R[4, k + 1]
        q5 = R[5, k + 1]
        q6 = R[6, k + 1]
        q7 = R[7, k + 1]
        g = gW[k]
        h = gW[k + 1]
        for j in range(n_features):
            a0 = x0[j]
            a1 = x1[j]
            a2 = x2[j]
            a3 = x3[j]
            a4 = x4[j]
            a5 = x5[j]
            a6 = x6[j]
            a7 = x7[j]
            g[j] += ((r0 * a0 + r1 * a1) + (r2 * a2 + r3 * a3)) + (
                (r4 * a4 + r5 * a5) + (r6 * a6 + r7 * a7)
            )
            h[j] += ((q0 * a0 + q1 * a1) + (q2 * a2 + q3 * a3)) + (
                (q4 * a4 + q5 * a5) + (q6 * a6 + q7 * a7)
            )
        k += 2
    if k < n_rows_w:
        r0 = R[0, k]
        r1 = R[1, k]
        r2 = R[2, k]
        r3 = R[3, k]
        r4 = R[4, k]
        r5 = R[5, k]
        r6 = R[6, k]
        r7 = R[7, k]
        g = gW[k]
        for j in range(n_features):
            g[j] += (
                ((r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j]))
                + ((r4 * x4[j] + r5 * x5[j]) + (r6 * x6[j] + r7 * x7[j]))
            )
    return loss


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _dense_block_tail(X, i0, stop, y, sample_weight, W, b, gW, gb, Z, R, zero, binary):
    """Loss and gradient of the last ``stop - i0 < 8`` rows of a chunk."""
    n_features = X.shape[1]
    n_rows_w = W.shape[0]
    nb = stop - i0
    for k in range(n_rows_w):
        for r in range(nb):
            s = zero
            for j in range(n_features):
                s += X[i0 + r, j] * W[k, j]
            Z[r, k] = s + b[k]
    loss = 0.0
    for r in range(nb):
        loss += _pointwise_residual(Z[r], y[i0 + r], sample_weight[i0 + r], binary)
    for k in range(n_rows_w):
        for r in range(nb):
            res = Z[r, k]
            gb[k] += res
            R[r, k] = res
            for j in range(n_features):
                gW[k, j] += R[r, k] * X[i0 + r, j]
    return loss
