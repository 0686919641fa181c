"""The explicit-SIMD vocabulary of the CSR kernels, lane by lane against NumPy."""

import numpy as np
import pytest
from numba import njit

from skdigit.linear_model._simd import (
    ld,
    vadd,
    vexp,
    vfma,
    vget,
    vhmax,
    vhsum,
    vload,
    vscale,
    vset,
    vshift,
    vsplat,
    vstore,
)


@njit
def _exp8(x, out):
    for i in range(0, x.shape[0], 8):
        vstore(out, i, vexp(vload(x, i, 8)))


def _ulps(got, expected):
    return np.abs(got - expected) / np.spacing(np.abs(expected))


def test_vexp_is_within_2_ulp_of_numpy():
    rng = np.random.default_rng(0)
    x = np.concatenate([
        rng.uniform(-708, 709, 80_000),
        rng.uniform(-40, 0, 80_000),  # where the softmax evaluates it
        rng.uniform(-1e-8, 1e-8, 800),
        [0.0, -0.0, 1.0, -1.0, np.log(2), -708.0, 709.0, 0.5 * np.log(2)],
    ])
    x = x[: x.size // 8 * 8]
    out = np.empty_like(x)
    _exp8(x, out)
    assert _ulps(out, np.exp(x)).max() <= 2


def test_vexp_edge_values():
    x = np.array([-np.inf, -1e300, -745.0, -708.5, 0.0, 1.0, 709.0, 710.0])
    out = np.empty_like(x)
    _exp8(x, out)
    # below -708 (and -inf, the kernels' padding lanes): exactly 0
    assert np.all(out[:4] == 0.0)
    np.testing.assert_allclose(out[4:7], np.exp(x[4:7]), rtol=4e-16)
    assert out[7] == out[6]  # clamped above 709, never inf


@njit
def _arithmetic(a, b, c, s, out):
    va = vload(a, 0, 4)
    vb = vload(b, 0, 4)
    vc = vload(c, 0, 4)
    vstore(out, 0, vfma(va, vb, vc))
    vstore(out, 4, vadd(va, vb))
    vstore(out, 8, vscale(va, s))
    vstore(out, 12, vshift(va, s))
    vstore(out, 16, vsplat(s, 4))
    vstore(out, 20, vset(va, 2, s))
    return vhsum(va), vhmax(va), vget(va, 3), ld(a, 1)


def test_lane_arithmetic_matches_numpy():
    a = np.array([1.5, -2.0, 3.25, 0.5])
    b = np.array([2.0, 4.0, -1.0, 8.0])
    c = np.array([0.25, 0.5, 0.75, 1.0])
    out = np.empty(24)
    total, largest, lane3, elem1 = _arithmetic(a, b, c, 3.0, out)
    np.testing.assert_array_equal(out[0:4], a * b + c)
    np.testing.assert_array_equal(out[4:8], a + b)
    np.testing.assert_array_equal(out[8:12], a * 3.0)
    np.testing.assert_array_equal(out[12:16], a + 3.0)
    np.testing.assert_array_equal(out[16:20], np.full(4, 3.0))
    np.testing.assert_array_equal(out[20:24], [1.5, -2.0, 3.0, 0.5])
    assert (total, largest, lane3, elem1) == (a.sum(), a.max(), 0.5, -2.0)


@njit
def _widen(x32, out):
    vstore(out, 0, vload(x32, 0, 8))
    vstore(out, 8, vload(x32, 8, 2))


def test_float32_loads_widen_exactly():
    x32 = np.random.default_rng(1).normal(size=10).astype(np.float32)
    out = np.empty(10)
    _widen(x32, out)
    np.testing.assert_array_equal(out, x32.astype(np.float64))


def test_non_contiguous_arrays_are_refused_at_compile_time():
    @njit
    def strided_load(x):
        return vhsum(vload(x[::2], 0, 2))

    with pytest.raises(Exception, match="vload"):
        strided_load(np.arange(8.0))
