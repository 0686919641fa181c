"""Compiled (numba) kernels of the 2-D scattering transform, with NumPy twins.

Two steps sit between the FFTs of :func:`skdigit.preprocessing.Scattering2D`:

- :func:`periodized_products`: multiply the spectra of real images (their
  half spectra, as :func:`scipy.fft.rfft2` computes them at half the cost of
  full ones) by a bank of real Fourier filters and subsample the result by
  ``k`` in Fourier (the mean of the ``k * k`` aliased blocks, which is what
  subsampling by ``k`` in space does to a spectrum), in one pass and without
  the full-size product in memory.
- :func:`lowpass_subsample`: the low-pass, subsample and unpad stage of a real
  image (or of the modulus of a complex one), as the separable map ``T_row @ u
  @ T_col.T`` (see :mod:`skdigit.preprocessing._scattering_filters`).

Each kernel writes into an output buffer its caller passes in, never into its
inputs; ``periodized_products_numpy`` and ``lowpass_subsample_numpy`` compute
the same with NumPy, for the tests.
"""

import numpy as np
from numba import njit, prange

__all__ = [
    "lowpass_subsample",
    "lowpass_subsample_numpy",
    "periodized_products",
    "periodized_products_numpy",
]


@njit(parallel=True, cache=True, nogil=True)
def periodized_products(half_spectra, filters, k, out):
    """``out[b, c, f] = mean over k x k aliases of spectra[b, c] * filters[f]``.

    The spectra are those of real images, given as their non-negative
    frequency half (what :func:`scipy.fft.rfft2` returns); the other half is
    read through Hermitian symmetry, ``X[r, q] = conj(X[-r, -q])``.

    Parameters
    ----------
    half_spectra : ndarray of shape (B, C, P, Q // 2 + 1), complex64
    filters : ndarray of shape (F, P, Q), float32
    k : int
        Subsampling factor; P and Q are multiples of k.
    out : ndarray of shape (B, C, F, P // k, Q // k), complex64
        Overwritten.
    """
    n_batch, n_chan, P, n_half = half_spectra.shape
    n_filters, _, Q = filters.shape
    Pk, Qk = P // k, Q // k
    scale = np.float32(1.0 / (k * k))
    for b in prange(n_batch):
        spectrum = np.empty((P, Q), dtype=np.complex64)
        for c in range(n_chan):
            # the full spectrum once (in cache), then plain contiguous loops
            for row in range(P):
                mirror = (P - row) % P
                for col in range(n_half):
                    spectrum[row, col] = half_spectra[b, c, row, col]
                for col in range(n_half, Q):
                    spectrum[row, col] = np.conj(half_spectra[b, c, mirror, Q - col])
            for f in range(n_filters):
                block = out[b, c, f]
                block[:, :] = 0
                for i in range(k):
                    for p in range(Pk):
                        row = i * Pk + p
                        for j in range(k):
                            for q in range(Qk):
                                col = j * Qk + q
                                block[p, q] += spectrum[row, col] * filters[f, row, col]
                for p in range(Pk):
                    for q in range(Qk):
                        block[p, q] *= scale


def periodized_products_numpy(half_spectra, filters, k):
    """NumPy twin of :func:`periodized_products`; returns the new array."""
    P, Q = filters.shape[1:]
    rows = (-np.arange(P)) % P
    cols = Q - np.arange(Q // 2 + 1, Q)
    spectra = np.concatenate(
        [half_spectra, np.conj(half_spectra[..., rows, :][..., cols])], axis=-1)
    product = spectra[:, :, None] * filters[None, None]
    *lead, P, Q = product.shape
    return product.reshape(*lead, k, P // k, k, Q // k).mean(axis=(-4, -2))


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def lowpass_subsample(u, modulus, T_row, T_col, out):
    """``out[n] = T_row @ v[n] @ T_col.T`` with ``v = |u|`` or ``v = u.real``.

    Parameters
    ----------
    u : ndarray of shape (n, P, Q), float32 or complex64
    modulus : bool
        Whether to take ``|u|`` (else the real part).
    T_row : ndarray of shape (m_rows, P), float32
    T_col : ndarray of shape (m_cols, Q), float32
    out : ndarray of shape (n, m_rows, m_cols), float32
        Overwritten.
    """
    n, P, Q = u.shape
    m_rows, m_cols = T_row.shape[0], T_col.shape[0]
    for s in prange(n):
        v = np.empty(Q, dtype=np.float32)
        cols = np.empty((m_cols, P), dtype=np.float32)  # (v @ T_col.T).T
        for p in range(P):
            for q in range(Q):
                v[q] = abs(u[s, p, q]) if modulus else u[s, p, q].real
            for c in range(m_cols):
                acc = np.float32(0.0)
                for q in range(Q):
                    acc += v[q] * T_col[c, q]
                cols[c, p] = acc
        for r in range(m_rows):
            for c in range(m_cols):
                acc = np.float32(0.0)
                for p in range(P):
                    acc += T_row[r, p] * cols[c, p]
                out[s, r, c] = acc


def lowpass_subsample_numpy(u, modulus, T_row, T_col):
    """NumPy twin of :func:`lowpass_subsample`; returns the new array."""
    v = np.abs(u) if modulus else u.real
    return T_row @ v @ T_col.T
