"""The Morlet filter bank of the 2-D scattering transform, built once per image shape.

The filters follow kymatio's ``Scattering2D`` design [1]_ exactly (so that the
coefficients match it): Morlet wavelets ``psi`` and a Gaussian low-pass ``phi``
sampled on the padded grid, periodized over 5 x 5 grid copies, transformed
with a 2-D DFT, and kept as real arrays (their Fourier transforms are real
because the spatial filters are Hermitian: ``psi(-u) = conj(psi(u))``). Each
filter is also stored at the coarser resolutions it is applied at, by the
"periodize in Fourier" rule of kymatio (mask the highest frequencies, then sum
the aliased copies).

The low-pass stage (multiply by ``phi``, subsample by ``2**k`` in Fourier,
inverse DFT, drop the one-pixel border) is a linear map on real images. The
Gaussian ``phi`` is separable, so that map is ``T_row @ u @ T_col.T`` with two
small real matrices, which :func:`scattering_filters` builds once here; applying
them costs far less than the two DFTs per channel it replaces.

References
----------
.. [1] M. Andreux et al., "Kymatio: Scattering Transforms in Python",
   Journal of Machine Learning Research 21(60):1-6, 2020;
   https://github.com/kymatio/kymatio (``scattering2d/filter_bank.py``).
"""

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["ScatteringFilters", "padded_shape", "scattering_filters"]

# kymatio normalizes its Gabor filters by 2 * 3.1415 * sigma**2 / slant (not
# 2 * pi): kept as is, since matching its coefficients is the point.
_KYMATIO_TWO_PI = 2 * 3.1415
# Each filter is periodized over (2 * _N_COPIES + 1)**2 copies of the grid.
_N_COPIES = 2


def padded_shape(image_shape, J):
    """Shape of the reflect-padded grid the filters live on (kymatio's rule).

    Each side ``n`` becomes the multiple of ``2**J`` just above ``n + 2**J``,
    so that there is at least ``2**(J-1)`` pixels of padding on each side.
    """
    k = 2**J
    return tuple(((n + k) // k + 1) * k for n in image_shape)


def _gabor_2d(M, N, sigma, theta, xi, slant=1.0):
    """A 2-D Gabor filter of shape (M, N), periodized over 5 x 5 grid copies.

    ``g(u) = exp(-u^T C u + i xi (cos(theta), sin(theta)) . u) / norm`` with
    ``C = R(theta) diag(1, slant**2) R(theta)^T / (2 sigma**2)``, summed over
    ``u + (a M, b N)`` for ``a, b`` in ``-2..2``; complex128.
    """
    # kymatio rounds the rotation to float32; keep its values
    c, s = np.float32(np.cos(theta)), np.float32(np.sin(theta))
    R = np.array([[c, -s], [s, c]], dtype=np.float32)
    R_inv = np.array([[c, s], [-s, c]], dtype=np.float32)
    D = np.array([[1.0, 0.0], [0.0, slant * slant]])
    curv = R @ D @ R_inv / (2 * sigma * sigma)
    shifts = np.arange(-_N_COPIES, _N_COPIES + 1)
    xx = (np.arange(M)[None, :] + shifts[:, None] * M).astype(np.float64)  # (5, M)
    yy = (np.arange(N)[None, :] + shifts[:, None] * N).astype(np.float64)  # (5, N)
    xx = xx[:, None, :, None]
    yy = yy[None, :, None, :]
    arg = -(curv[0, 0] * xx * xx + (curv[0, 1] + curv[1, 0]) * xx * yy
            + curv[1, 1] * yy * yy)
    arg = arg + 1j * (xx * (xi * np.cos(theta)) + yy * (xi * np.sin(theta)))
    gab = np.exp(arg).sum(axis=(0, 1))
    return gab / (_KYMATIO_TWO_PI * sigma * sigma / slant)


def _morlet_2d(M, N, sigma, theta, xi, slant):
    """A Morlet wavelet: a Gabor filter minus the Gaussian that zeroes its mean."""
    wave = _gabor_2d(M, N, sigma, theta, xi, slant)
    envelope = _gabor_2d(M, N, sigma, theta, 0.0, slant)
    return wave - (wave.sum() / envelope.sum()) * envelope


def _periodize_fourier(filter_hat, res):
    """The filter at resolution ``2**-res``: mask the highest frequencies, sum aliases."""
    M, N = filter_hat.shape
    k = 2**res
    masked = filter_hat.copy()
    start, length = int(M * 2 ** (-res - 1)), int(M * (1 - 2.0**-res))
    masked[start:start + length, :] = 0
    start, length = int(N * 2 ** (-res - 1)), int(N * (1 - 2.0**-res))
    masked[:, start:start + length] = 0
    return masked.reshape(k, M // k, k, N // k).sum(axis=(0, 2))


def _lowpass_matrix(phi_1d, k):
    """Real matrix of: multiply by ``phi_1d`` in Fourier, subsample by k, unpad 1.

    ``phi_1d`` is the (real, even) 1-D Fourier factor of the separable low-pass
    on a grid of ``n`` points; the returned matrix has shape ``(n // k - 2, n)``.
    """
    n = phi_1d.size
    spectra = np.fft.fft(np.eye(n), axis=0) * phi_1d[:, None]
    periodized = spectra.reshape(k, n // k, n).mean(axis=0)
    rows = np.fft.ifft(periodized, axis=0)[1:-1]
    return rows.real


@dataclass(frozen=True)
class ScatteringFilters:
    """The filter bank of one (image shape, J, L), read-only arrays.

    Attributes
    ----------
    image_shape, padded_shape : tuple of (int, int)
        Shape of the images and of the reflect-padded grid.
    pad : tuple of (int, int, int, int)
        Padding (top, bottom, left, right), in pixels.
    psi : list of list of ndarray
        ``psi[j][res]``: float32 array of shape ``(L, P // 2**res, Q // 2**res)``,
        the Fourier transforms of the L wavelets of scale j at resolution res.
    lowpass : list of tuple of ndarray
        ``lowpass[res] = (T_row, T_col)``: float32 matrices of shapes
        ``(P // 2**J - 2, P // 2**res)`` and ``(Q // 2**J - 2, Q // 2**res)``,
        the low-pass-subsample-unpad stage of a real image at resolution res.
    phi : list of ndarray
        ``phi[res]``: the low-pass filter in Fourier at resolution res (float32),
        kept for reference and plots.
    """

    image_shape: tuple
    padded_shape: tuple
    pad: tuple
    J: int
    L: int
    psi: list
    phi: list
    lowpass: list


def _readonly(array, dtype=np.float32):
    array = np.ascontiguousarray(array, dtype=dtype)
    array.setflags(write=False)
    return array


@functools.lru_cache(maxsize=16)
def scattering_filters(image_shape, J, L):
    """Build (once per arguments, then cached) the filter bank of a scattering.

    Parameters
    ----------
    image_shape : tuple of (int, int)
        ``(n_rows, n_cols)`` of the images, each at least ``2**J``.
    J : int
        Number of scales (log2 of the scattering scale); J=0 keeps only the
        low-pass.
    L : int
        Number of wavelet angles, over ``[0, pi)``.

    Returns
    -------
    filters : ScatteringFilters
    """
    M, N = image_shape
    P, Q = padded_shape(image_shape, J)
    pad = ((P - M) // 2, (P - M + 1) // 2, (Q - N) // 2, (Q - N + 1) // 2)
    psi = []
    for j in range(J):
        n_res = min(j + 1, max(J - 1, 1))
        levels = [[] for _ in range(n_res)]
        for theta in range(L):
            angle = (int(L - L / 2 - 1) - theta) * np.pi / L
            wavelet = _morlet_2d(P, Q, 0.8 * 2**j, angle, 3.0 / 4.0 * np.pi / 2**j, 4.0 / L)
            wavelet_hat = np.fft.fft2(wavelet).real
            for res in range(n_res):
                levels[res].append(_periodize_fourier(wavelet_hat, res))
        psi.append([_readonly(np.stack(level)) for level in levels])

    # The low-pass exists at J resolutions (one only when J=0: the input's)
    phi_hat = np.fft.fft2(_gabor_2d(P, Q, 0.8 * 2 ** (J - 1), 0.0, 0.0)).real
    phi, lowpass = [], []
    for res in range(max(J, 1)):
        phi_res = _periodize_fourier(phi_hat, res)
        # separable: phi_res = outer(a, b); a and b from its first column and row
        a = phi_res[:, 0] / np.sqrt(np.abs(phi_res[0, 0]))
        b = phi_res[0, :] / np.sqrt(np.abs(phi_res[0, 0])) * np.sign(phi_res[0, 0])
        k = 2 ** (J - res)
        phi.append(_readonly(phi_res))
        lowpass.append((_readonly(_lowpass_matrix(a, k)), _readonly(_lowpass_matrix(b, k))))
    return ScatteringFilters(
        image_shape=(M, N), padded_shape=(P, Q), pad=pad, J=J, L=L,
        psi=psi, phi=phi, lowpass=lowpass,
    )
