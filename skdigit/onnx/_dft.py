"""Real matrices of the small complex DFTs that the exported scattering uses.

ONNX Runtime has no complex tensors, and its ``DFT`` operator is not in every
runtime (onnxruntime-web among them). The scattering's DFTs are small (36 and
18 points for MNIST), so they are written as real matrix products: a complex
tensor is two real halves stacked along one axis, and a complex matrix ``G``
applied to it is the real block matrix ``[[G.real, -G.imag], [G.imag,
G.real]]``. This module builds those matrices; it needs only NumPy.
"""

import numpy as np

__all__ = ["dft_matrix", "inverse_dft_matrix", "left_block", "reflect_matrix",
           "right_block"]


def dft_matrix(n):
    """Forward DFT matrix ``exp(-2 pi i u t / n)`` of shape (n, n), complex128."""
    t = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(t, t) / n)


def inverse_dft_matrix(n, k):
    """Inverse DFT of ``n`` points followed by subsampling by ``k``, shape (n // k, n).

    Row ``m`` is ``exp(2 pi i k m u / n) / n``: by aliasing, this equals the
    inverse DFT of ``n // k`` points of the spectrum periodized by ``k``
    (the mean of its ``k`` aliased copies), which is how the scattering
    subsamples in Fourier.
    """
    m = np.arange(n // k)
    u = np.arange(n)
    return np.exp(2j * np.pi * k * np.outer(m, u) / n) / n


def reflect_matrix(n, before, after):
    """Matrix of :func:`numpy.pad` with ``mode="reflect"``, shape (n + before + after, n)."""
    source = np.pad(np.arange(n), (before, after), mode="reflect")
    return np.eye(n)[source]


def left_block(G):
    """Real (2p, 2n) matrix of ``Z -> G @ Z`` on ``[Z.real; Z.imag]`` stacked by rows."""
    return np.block([[G.real, -G.imag], [G.imag, G.real]]).astype(np.float32)


def right_block(H):
    """Real (2n, 2q) matrix of ``Z -> Z @ H.T`` on ``[Z.real, Z.imag]`` side by side."""
    Ht = H.T
    return np.block([[Ht.real, Ht.imag], [-Ht.imag, Ht.real]]).astype(np.float32)
