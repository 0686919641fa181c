"""Small mixed-radix FFTs of a batch of vectors, compiled (numba), with a NumPy twin.

The scattering transform takes thousands of 2-D DFTs of small sizes (36 x 36
and 18 x 18 for MNIST). General FFT libraries pay a fixed cost per transform
that dominates at these sizes; here the transforms of a whole batch run
together: the data is laid out with the batch last (``x[n, k]``: point ``n``
of the transform, vector ``k`` of the batch, ``K`` of them), so that every
butterfly is one loop over contiguous memory that the compiler vectorizes.

The algorithm is the Stockham autosort FFT, decimation in frequency [1]_: for
``N = r_1 r_2 ... r_s``, stage ``i`` reads the sequence as ``r_i`` interleaved
sub-sequences, takes radix-``r_i`` butterflies (radices 2, 3 and 4 written
out, any other by its direct DFT) and multiplies by the twiddle factors; the
output comes in natural order, with no bit reversal. Complex numbers are two
float32 arrays (real and imaginary parts), which keeps every loop a plain
vector loop.

References
----------
.. [1] C. Van Loan, "Computational Frameworks for the Fast Fourier
   Transform", SIAM, 1992, section 1.7 (the Stockham autosort frameworks).
"""

import functools

import numpy as np
from numba import njit

__all__ = ["fft_batch", "fft_batch_numpy", "fft_plan"]


def _radices(n):
    """Factors of ``n``, fours first, then twos, threes, other primes (ascending)."""
    radices = []
    while n % 4 == 0:
        radices.append(4)
        n //= 4
    for p in range(2, n + 1):
        while n % p == 0:
            radices.append(p)
            n //= p
        if n == 1:
            break
    return radices


@functools.lru_cache(maxsize=64)
def fft_plan(n):
    """The radices and twiddle factors of an ``n``-point FFT (built once, cached).

    Parameters
    ----------
    n : int
        Transform length, at least 1.

    Returns
    -------
    radices : ndarray of shape (n_stages,), int64
        Empty for ``n == 1``.
    cos, sin : ndarray of shape (n_twiddles,), float32
        ``cos(2 pi p u / m)`` and ``sin(2 pi p u / m)`` of each stage (of
        length ``m``: ``n``, ``n / r_1``, ...), entry ``p * r + u``, stage
        after stage; the sign of the sine is the direction's.
    """
    radices = _radices(n)
    angles = []
    m = n
    for r in radices:
        p, u = np.divmod(np.arange(m), r)
        angles.append(2 * np.pi * p * u / m)
        m //= r
    angles = np.concatenate(angles) if angles else np.zeros(0)
    plan = (np.asarray(radices, dtype=np.int64), np.cos(angles).astype(np.float32),
            np.sin(angles).astype(np.float32))
    for array in plan:
        array.setflags(write=False)
    return plan


@njit(cache=True, nogil=True, fastmath={"contract"})
def _stage(sr, si, dr, di, n, s, K, r, cos, sin, t0, sign):
    """One Stockham stage: length-``n`` sub-sequences at stride ``s``, radix ``r``.

    Each butterfly reads and writes whole blocks of ``s * K`` contiguous
    values through slices: plain loops over slices vectorize, where offsets
    added to the index would not (the compiler cannot prove them in bounds).
    """
    m = n // r
    block = s * K  # the s interleaved vectors of one point, contiguous
    step = m * block  # from one input of a butterfly to the next
    for p in range(m):
        src = s * p * K
        dst = s * r * p * K
        if r == 2:
            w1r, w1i = cos[t0 + 2 * p + 1], sign * sin[t0 + 2 * p + 1]
            x0r, x0i = sr[src:src + block], si[src:src + block]
            x1r, x1i = sr[src + step:src + step + block], si[src + step:src + step + block]
            y0r, y0i = dr[dst:dst + block], di[dst:dst + block]
            y1r, y1i = dr[dst + block:dst + 2 * block], di[dst + block:dst + 2 * block]
            for j in range(block):
                ar, ai, br, bi = x0r[j], x0i[j], x1r[j], x1i[j]
                y0r[j] = ar + br
                y0i[j] = ai + bi
                xr, xi = ar - br, ai - bi
                y1r[j] = xr * w1r - xi * w1i
                y1i[j] = xr * w1i + xi * w1r
        elif r == 3:
            t = t0 + 3 * p
            w1r, w1i = cos[t + 1], sign * sin[t + 1]
            w2r, w2i = cos[t + 2], sign * sin[t + 2]
            h = sign * np.float32(np.sqrt(3.0) / 2.0)
            x0r, x0i = sr[src:src + block], si[src:src + block]
            x1r, x1i = sr[src + step:src + step + block], si[src + step:src + step + block]
            b = src + 2 * step
            x2r, x2i = sr[b:b + block], si[b:b + block]
            y0r, y0i = dr[dst:dst + block], di[dst:dst + block]
            y1r, y1i = dr[dst + block:dst + 2 * block], di[dst + block:dst + 2 * block]
            y2r, y2i = dr[dst + 2 * block:dst + 3 * block], di[dst + 2 * block:dst + 3 * block]
            for j in range(block):
                ar, ai = x0r[j], x0i[j]
                pr, pi = x1r[j] + x2r[j], x1i[j] + x2i[j]
                qr, qi = x1r[j] - x2r[j], x1i[j] - x2i[j]
                y0r[j] = ar + pr
                y0i[j] = ai + pi
                mr, mi = ar - np.float32(0.5) * pr, ai - np.float32(0.5) * pi
                # b1 = m + i h q, b2 = m - i h q
                x1, y1 = mr - h * qi, mi + h * qr
                x2, y2 = mr + h * qi, mi - h * qr
                y1r[j] = x1 * w1r - y1 * w1i
                y1i[j] = x1 * w1i + y1 * w1r
                y2r[j] = x2 * w2r - y2 * w2i
                y2i[j] = x2 * w2i + y2 * w2r
        elif r == 4:
            t = t0 + 4 * p
            w1r, w1i = cos[t + 1], sign * sin[t + 1]
            w2r, w2i = cos[t + 2], sign * sin[t + 2]
            w3r, w3i = cos[t + 3], sign * sin[t + 3]
            x0r, x0i = sr[src:src + block], si[src:src + block]
            x1r, x1i = sr[src + step:src + step + block], si[src + step:src + step + block]
            b = src + 2 * step
            x2r, x2i = sr[b:b + block], si[b:b + block]
            b = src + 3 * step
            x3r, x3i = sr[b:b + block], si[b:b + block]
            y0r, y0i = dr[dst:dst + block], di[dst:dst + block]
            y1r, y1i = dr[dst + block:dst + 2 * block], di[dst + block:dst + 2 * block]
            y2r, y2i = dr[dst + 2 * block:dst + 3 * block], di[dst + 2 * block:dst + 3 * block]
            y3r, y3i = dr[dst + 3 * block:dst + 4 * block], di[dst + 3 * block:dst + 4 * block]
            for j in range(block):
                s0r, s0i = x0r[j] + x2r[j], x0i[j] + x2i[j]
                d0r, d0i = x0r[j] - x2r[j], x0i[j] - x2i[j]
                s1r, s1i = x1r[j] + x3r[j], x1i[j] + x3i[j]
                d1r, d1i = x1r[j] - x3r[j], x1i[j] - x3i[j]
                y0r[j] = s0r + s1r
                y0i[j] = s0i + s1i
                # b1 = d0 + i sign d1, b3 = d0 - i sign d1, b2 = s0 - s1
                ur, ui = d0r - sign * d1i, d0i + sign * d1r
                y1r[j] = ur * w1r - ui * w1i
                y1i[j] = ur * w1i + ui * w1r
                ur, ui = s0r - s1r, s0i - s1i
                y2r[j] = ur * w2r - ui * w2i
                y2i[j] = ur * w2i + ui * w2r
                ur, ui = d0r + sign * d1i, d0i - sign * d1r
                y3r[j] = ur * w3r - ui * w3i
                y3i[j] = ur * w3i + ui * w3r
        else:  # any other radix: its direct DFT, output by output
            for u in range(r):
                out = dst + u * block
                yr, yi = dr[out:out + block], di[out:out + block]
                yr[:] = 0
                yi[:] = 0
                for t in range(r):
                    angle = 2.0 * np.pi * ((t * u) % r) / r
                    cr, ci = np.float32(np.cos(angle)), sign * np.float32(np.sin(angle))
                    a = src + t * step
                    xr, xi = sr[a:a + block], si[a:a + block]
                    for j in range(block):
                        yr[j] += xr[j] * cr - xi[j] * ci
                        yi[j] += xr[j] * ci + xi[j] * cr
                wr, wi = cos[t0 + r * p + u], sign * sin[t0 + r * p + u]
                for j in range(block):
                    ur, ui = yr[j], yi[j]
                    yr[j] = ur * wr - ui * wi
                    yi[j] = ur * wi + ui * wr


@njit(cache=True, nogil=True, fastmath={"contract"})
def fft_batch(xr, xi, yr, yi, tr, ti, N, K, radices, cos, sin, sign):
    """Unnormalized DFT along the first axis of ``x``, shape (N, K), into ``y``.

    ``y[u, k] = sum_n x[n, k] * exp(sign * 2 pi i n u / N)``: ``sign = -1``
    is the forward transform, ``+1`` the inverse one (without its ``1 / N``).

    Parameters
    ----------
    xr, xi : ndarray of shape (N * K,), float32
        Real and imaginary parts of the input, flattened; not modified.
    yr, yi : ndarray of shape (N * K,), float32
        Overwritten with the transform.
    tr, ti : ndarray of shape (N * K,), float32
        Scratch, overwritten. The three pairs must not overlap.
    N, K : int
        Transform length and number of vectors.
    radices, cos, sin : ndarray
        ``fft_plan(N)``.
    sign : float32
        -1 or +1.
    """
    n_stages = radices.size
    if n_stages == 0:
        for j in range(N * K):
            yr[j] = xr[j]
            yi[j] = xi[j]
        return
    # alternate y and t so that the last stage writes y
    to_y = n_stages % 2 == 1
    n, s, t0 = N, 1, 0
    for stage in range(n_stages):
        r = radices[stage]
        if stage == 0:
            if to_y:
                _stage(xr, xi, yr, yi, n, s, K, r, cos, sin, t0, sign)
            else:
                _stage(xr, xi, tr, ti, n, s, K, r, cos, sin, t0, sign)
        elif to_y:
            _stage(tr, ti, yr, yi, n, s, K, r, cos, sin, t0, sign)
        else:
            _stage(yr, yi, tr, ti, n, s, K, r, cos, sin, t0, sign)
        to_y = not to_y
        t0 += n
        n //= r
        s *= r


def fft_batch_numpy(x, sign):
    """NumPy twin of :func:`fft_batch` on a complex (N, K) array; returns the new array."""
    if sign < 0:
        return np.fft.fft(x, axis=0)
    return np.fft.ifft(x, axis=0) * x.shape[0]
