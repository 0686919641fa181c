"""The compiled (numba) 2-D scattering transform, with its plain NumPy twin.

:func:`scatter_images` computes every coefficient of
:class:`skdigit.preprocessing.Scattering2D` in one pass per group of
``LANES`` images: reflect padding, the spectrum, each wavelet product
subsampled in Fourier (the mean of the ``k * k`` aliased blocks, which is what
subsampling by ``k`` in space does to a spectrum), the inverse DFT, the
modulus, the spectrum of the modulus for order 2, and the low-pass stage
``T_row @ |u| @ T_col.T`` (see :mod:`skdigit.preprocessing._scattering_filters`).

Why one pass per group: the intermediate arrays of a group (a few 36 x 36
complex images per lane) stay in the core's cache from the first DFT to the
last low-pass, instead of streaming through memory between separate FFT,
product and low-pass steps. The images of a group are the lanes of every
array (``x[row, col, lane]``, lane last), so that each step, the small FFTs of
:mod:`skdigit.preprocessing._scattering_fft` included, is a loop over
contiguous lanes that the compiler vectorizes, and images never depend on one
another: a group with fewer images gives each of them the same bits.

:func:`scattering_numpy` is the same transform in plain NumPy (complex128),
for the tests; :func:`kernel_arrays` flattens a filter bank for the kernel.
"""

import numba
import numpy as np
from numba import njit

from ..utils._threads import row_ranges, run_parts
from ._scattering_fft import fft_batch, fft_plan

__all__ = ["LANES", "kernel_arrays", "scatter_images", "scattering_numpy"]

# Images per group: the vector width of the lanes loops (8 float32 fill one
# 256-bit register); the buffers of a 36 x 36 group then fit in L2. _copy8,
# _madd8t and _store8 spell the 8 lanes out.
LANES = 8


@njit(cache=True, nogil=True, inline="always")
def _copy8(x, i, y, o):
    """``y[o:o + 8] = x[i:i + 8]``, as 8 loads then 8 stores.

    Written out so that the compiler fuses them into one vector load and one
    vector store: a loop interleaving loads and stores cannot be vectorized
    without knowing that x and y do not overlap.
    """
    a0, a1, a2, a3 = x[i], x[i + 1], x[i + 2], x[i + 3]
    a4, a5, a6, a7 = x[i + 4], x[i + 5], x[i + 6], x[i + 7]
    y[o], y[o + 1], y[o + 2], y[o + 3] = a0, a1, a2, a3
    y[o + 4], y[o + 5], y[o + 6], y[o + 7] = a4, a5, a6, a7


def kernel_arrays(filters):
    """The filter bank of a :class:`ScatteringFilters` as flat arrays for the kernel.

    Returns a tuple ``(rows, cols, psi, psi_off, lowpass, lowpass_off,
    radices, radices_off, cos, sin, twiddles_off)``: the reflect-padding
    source index of each padded row and column; every ``psi[j][res]``
    (divided by the size of its grid, the normalization of the inverse DFT
    and of the mean over aliases), starting at ``psi_off[j, res]``; every
    ``T_row`` and ``T_col`` of ``lowpass[res]``, at ``lowpass_off[res, 0 or
    1]``; and the FFT plans of axis ``a`` at resolution ``res`` (plan ``2 *
    res + a``), their radices and twiddles between consecutive offsets.
    """
    (M, N), (P, Q), J = filters.image_shape, filters.padded_shape, filters.J
    top, bottom, left, right = filters.pad
    rows = np.pad(np.arange(M), (top, bottom), mode="reflect")
    cols = np.pad(np.arange(N), (left, right), mode="reflect")
    psi, psi_off, at = [], np.full((max(J, 1), max(J, 1)), -1, dtype=np.int64), 0
    for j, levels in enumerate(filters.psi):
        for res, level in enumerate(levels):
            # transposed, as the spectra it multiplies (see _fft2)
            psi.append((level / level[0].size).transpose(0, 2, 1).ravel())
            psi_off[j, res], at = at, at + level.size
    lowpass, lowpass_off, at = [], np.zeros((len(filters.lowpass), 2), dtype=np.int64), 0
    for res, pair in enumerate(filters.lowpass):
        for axis, T in enumerate(pair):
            lowpass.append(T.ravel())
            lowpass_off[res, axis], at = at, at + T.size
    plans = [fft_plan(n >> res) for res in range(max(J, 1)) for n in (P, Q)]
    radices_off = np.cumsum([0] + [plan[0].size for plan in plans])
    twiddles_off = np.cumsum([0] + [plan[1].size for plan in plans])

    def flat(parts, dtype):
        return np.concatenate([np.zeros(0, dtype)] + list(parts)).astype(dtype)

    arrays = (rows, cols, flat(psi, np.float32), psi_off, flat(lowpass, np.float32),
              lowpass_off, flat([p[0] for p in plans], np.int64), radices_off,
              flat([p[1] for p in plans], np.float32), flat([p[2] for p in plans], np.float32),
              twiddles_off)
    arrays = tuple(np.ascontiguousarray(a, dtype=np.int64 if a.dtype.kind == "i" else a.dtype)
                   for a in arrays)
    for array in arrays:
        array.setflags(write=False)
    return arrays


@njit(cache=True, nogil=True, fastmath={"contract"})
def _fft2(sr, si, dr, di, ar, ai, br, bi, A, B, first, second, sign,
          radices, radices_off, cos, sin, twiddles_off):
    """2-D DFT of the (A, B, LANES) array s into d, *transposed*: d is (B, A, LANES).

    A DFT along the first axis (plan ``first``), a transpose, a DFT along the
    first axis again (plan ``second``): both passes then run over long
    contiguous blocks. The transpose is free to undo: the next 2-D DFT
    transposes back, so spectra live transposed and images do not. ``d`` may
    be ``s``; the scratch arrays ``a`` and ``b`` must differ from both.
    """
    r0, r1 = radices_off[first], radices_off[first + 1]
    t0, t1 = twiddles_off[first], twiddles_off[first + 1]
    fft_batch(sr, si, ar, ai, br, bi, A, B * LANES, radices[r0:r1], cos[t0:t1], sin[t0:t1], sign)
    for p in range(A):
        for q in range(B):
            _copy8(ar, (p * B + q) * LANES, br, (q * A + p) * LANES)
            _copy8(ai, (p * B + q) * LANES, bi, (q * A + p) * LANES)
    r0, r1 = radices_off[second], radices_off[second + 1]
    t0, t1 = twiddles_off[second], twiddles_off[second + 1]
    fft_batch(br, bi, dr, di, ar, ai, B, A * LANES, radices[r0:r1], cos[t0:t1], sin[t0:t1], sign)


@njit(cache=True, nogil=True, fastmath={"contract"})
def _axpy(y, a, x, n):
    """``y[:n] += a * x[:n]``."""
    for j in range(n):
        y[j] += a * x[j]


@njit(cache=True, nogil=True, inline="always")
def _madd8t(acc, x, i, f):
    """``acc + f * x[i:i + 8]`` on a tuple of 8 lanes, kept in registers."""
    return (acc[0] + f * x[i], acc[1] + f * x[i + 1], acc[2] + f * x[i + 2],
            acc[3] + f * x[i + 3], acc[4] + f * x[i + 4], acc[5] + f * x[i + 5],
            acc[6] + f * x[i + 6], acc[7] + f * x[i + 7])


@njit(cache=True, nogil=True, inline="always")
def _store8(y, o, v):
    """``y[o:o + 8] = v`` (a tuple of 8 lanes)."""
    y[o], y[o + 1], y[o + 2], y[o + 3] = v[0], v[1], v[2], v[3]
    y[o + 4], y[o + 5], y[o + 6], y[o + 7] = v[4], v[5], v[6], v[7]


@njit(cache=True, nogil=True, fastmath={"contract"})
def _product(zr, zi, psi, start, P, Q, k, wr, wi):
    """``w = sum over k x k aliases of z * psi`` (z: (P, Q, LANES); w: (P/k, Q/k, LANES)).

    Each output vector sums its k * k aliases in registers and is stored once.
    """
    Pk, Qk = P // k, Q // k
    zero = np.float32(0)
    for p in range(Pk):
        for q in range(Qk):
            acc_r = (zero, zero, zero, zero, zero, zero, zero, zero)
            acc_i = acc_r
            for a in range(k):
                for b in range(k):
                    at = (a * Pk + p) * Q + b * Qk + q
                    f = psi[start + at]
                    acc_r = _madd8t(acc_r, zr, at * LANES, f)
                    acc_i = _madd8t(acc_i, zi, at * LANES, f)
            _store8(wr, (p * Qk + q) * LANES, acc_r)
            _store8(wi, (p * Qk + q) * LANES, acc_i)


@njit(cache=True, nogil=True, fastmath={"contract"})
def _modulus(wr, wi, n):
    """``wr = |w|``, ``wi = 0`` over the first n values."""
    for j in range(n):
        wr[j] = np.sqrt(wr[j] * wr[j] + wi[j] * wi[j])
        wi[j] = 0


@njit(cache=True, nogil=True, fastmath={"contract"})
def _lowpass(v, P, Q, lowpass, lowpass_off, res, m_rows, m_cols, rows_tmp, cols_tmp, out, lane0,
             n_lanes, column):
    """``out[lane0 + l, column + r * m_cols + c] = (T_row @ v[:, :, l] @ T_col.T)[r, c]``.

    ``T_row`` applies along the first axis, over long contiguous blocks; the
    small result is transposed so that ``T_col`` does too.
    """
    T_row = lowpass[lowpass_off[res, 0]:]
    T_col = lowpass[lowpass_off[res, 1]:]
    block = Q * LANES
    rows_tmp[:m_rows * block] = 0
    for p in range(P):  # each row of v read once, the m_rows sums stay in L1
        x = v[p * block:(p + 1) * block]
        for r in range(m_rows):
            _axpy(rows_tmp[r * block:(r + 1) * block], T_row[r * P + p], x, block)
    # rows_tmp (m_rows, Q, LANES) -> cols_tmp (Q, m_rows, LANES)
    for r in range(m_rows):
        for q in range(Q):
            _copy8(rows_tmp, (r * Q + q) * LANES, cols_tmp, (q * m_rows + r) * LANES)
    block = m_rows * LANES
    rows_tmp[:m_cols * block] = 0  # free again
    for q in range(Q):
        x = cols_tmp[q * block:(q + 1) * block]
        for c in range(m_cols):
            _axpy(rows_tmp[c * block:(c + 1) * block], T_col[c * Q + q], x, block)
    for r in range(m_rows):
        for c in range(m_cols):
            at = (c * m_rows + r) * LANES
            for lane in range(n_lanes):
                out[lane0 + lane, column + r * m_cols + c] = rows_tmp[at + lane]


@njit(cache=True, nogil=True, fastmath={"contract"})
def _scatter_group(images, lane0, J, L, max_order, rows, cols, psi, psi_off, lowpass,
                   lowpass_off, radices, radices_off, cos, sin, twiddles_off, out):
    """All the coefficients of images[lane0:lane0 + LANES] into out (the same rows)."""
    n = images.shape[0]
    n_lanes = min(LANES, n - lane0)
    P, Q = rows.size, cols.size
    size = P * Q * LANES
    z0r, z0i = np.zeros(size, np.float32), np.zeros(size, np.float32)
    z1r, z1i = np.empty(size, np.float32), np.empty(size, np.float32)
    wr, wi = np.empty(size, np.float32), np.empty(size, np.float32)
    ar, ai = np.empty(size, np.float32), np.empty(size, np.float32)
    br, bi = np.empty(size, np.float32), np.empty(size, np.float32)
    m_rows, m_cols = (P >> J) - 2, (Q >> J) - 2
    rows_tmp = np.empty(max(m_rows, m_cols) * max(P, Q) * LANES, np.float32)
    cols_tmp = np.empty(m_rows * Q * LANES, np.float32)
    for p in range(P):
        for q in range(Q):
            at = (p * Q + q) * LANES
            for lane in range(n_lanes):
                z0r[at + lane] = images[lane0 + lane, rows[p], cols[q]]
    _lowpass(z0r, P, Q, lowpass, lowpass_off, 0, m_rows, m_cols, rows_tmp, cols_tmp, out,
             lane0, n_lanes, 0)
    if J == 0:
        return
    plans = (radices, radices_off, cos, sin, twiddles_off)
    forward, inverse = np.float32(-1), np.float32(1)
    # the spectra are transposed (Q, P) (see _fft2), so are the filters psi
    _fft2(z0r, z0i, z0r, z0i, ar, ai, br, bi, P, Q, 0, 1, forward, *plans)
    second = 1 + J * L  # the first order-2 channel
    m = m_rows * m_cols
    for j1 in range(J):
        k1 = 1 << j1
        P1, Q1 = P >> j1, Q >> j1
        for t1 in range(L):
            _product(z0r, z0i, psi, psi_off[j1, 0] + t1 * P * Q, Q, P, k1, wr, wi)
            _fft2(wr, wi, wr, wi, ar, ai, br, bi, Q1, P1, 2 * j1 + 1, 2 * j1, inverse, *plans)
            _modulus(wr, wi, P1 * Q1 * LANES)
            _lowpass(wr, P1, Q1, lowpass, lowpass_off, j1, m_rows, m_cols, rows_tmp, cols_tmp, out,
                     lane0, n_lanes, (1 + j1 * L + t1) * m)
            if max_order < 2 or j1 == J - 1:
                continue
            _fft2(wr, wi, z1r, z1i, ar, ai, br, bi, P1, Q1, 2 * j1, 2 * j1 + 1, forward, *plans)
            for j2 in range(j1 + 1, J):
                k2 = 1 << (j2 - j1)
                P2, Q2 = P >> j2, Q >> j2
                for t2 in range(L):
                    _product(z1r, z1i, psi, psi_off[j2, j1] + t2 * P1 * Q1, Q1, P1, k2, wr, wi)
                    _fft2(wr, wi, wr, wi, ar, ai, br, bi, Q2, P2, 2 * j2 + 1, 2 * j2, inverse,
                          *plans)
                    _modulus(wr, wi, P2 * Q2 * LANES)
                    _lowpass(wr, P2, Q2, lowpass, lowpass_off, j2, m_rows, m_cols, rows_tmp,
                             cols_tmp, out, lane0, n_lanes, second * m)
                    second += 1


@njit(cache=True, nogil=True, fastmath={"contract"})
def _scatter_groups(images, g0, g1, J, L, max_order, rows, cols, psi, psi_off, lowpass,
                    lowpass_off, radices, radices_off, cos, sin, twiddles_off, out):
    """The groups ``g0:g1`` of ``LANES`` images: one thread's share."""
    for group in range(g0, g1):
        _scatter_group(images, group * LANES, J, L, max_order, rows, cols, psi, psi_off,
                       lowpass, lowpass_off, radices, radices_off, cos, sin, twiddles_off, out)


def scatter_images(images, J, L, max_order, rows, cols, psi, psi_off, lowpass, lowpass_off,
                   radices, radices_off, cos, sin, twiddles_off, out):
    """Scattering coefficients of float32 images (n, M, N) into out (n, n_coefficients).

    The filter arguments are those of :func:`kernel_arrays`; the order of
    the coefficients is kymatio's (see :func:`scattering_numpy`). Groups of
    ``LANES`` images run in parallel, as many contiguous ranges of groups as
    numba's thread count (:func:`numba.get_num_threads`), each in a Python
    thread with the GIL released (:func:`~skdigit.utils._threads.run_parts`:
    a ``prange`` loop would cost seconds of compilation on a first run).
    """
    n_groups = (images.shape[0] + LANES - 1) // LANES
    run_parts(_scatter_groups, [
        (images, g0, g1, J, L, max_order, rows, cols, psi, psi_off,
         lowpass, lowpass_off, radices, radices_off, cos, sin, twiddles_off, out)
        for g0, g1 in row_ranges(n_groups, min(numba.get_num_threads(), max(n_groups, 1)))
    ])


def _periodize(spectra, k):
    """Mean of the k x k aliased blocks of the last two axes (subsampling by k in space)."""
    *lead, P, Q = spectra.shape
    return spectra.reshape(*lead, k, P // k, k, Q // k).mean(axis=(-4, -2))


def scattering_numpy(images, filters, max_order):
    """NumPy twin of :func:`scatter_images` (complex128); returns (n, n_coefficients).

    The order of kymatio: order 0; order 1 by (j1, theta1); order 2 by (j1,
    theta1, j2, theta2) with j2 > j1; each channel's pixels in row-major order.
    """
    J, n = filters.J, images.shape[0]
    top, bottom, left, right = filters.pad
    padded = np.pad(np.asarray(images, dtype=np.float64),
                    ((0, 0), (top, bottom), (left, right)), mode="reflect")

    def lowpass(u, res):
        T_row, T_col = filters.lowpass[res]
        return (T_row @ u @ T_col.T).reshape(*u.shape[:-2], -1)

    first, second = [lowpass(padded, 0)], []
    spectrum = np.fft.fft2(padded)[:, None]
    for j1 in range(J):
        U1 = np.abs(np.fft.ifft2(_periodize(spectrum * filters.psi[j1][0], 2**j1)))
        first.append(lowpass(U1, j1).reshape(n, -1))
        if max_order < 2 or j1 == J - 1:
            continue
        U1_spectrum = np.fft.fft2(U1)[:, :, None]
        per_j2 = []
        for j2 in range(j1 + 1, J):
            U2 = np.abs(np.fft.ifft2(_periodize(U1_spectrum * filters.psi[j2][j1],
                                                2 ** (j2 - j1))))
            per_j2.append(lowpass(U2, j2))  # (n, L, L, m)
        second.append(np.concatenate(per_j2, axis=2).reshape(n, -1))
    return np.concatenate(first + second, axis=1)
