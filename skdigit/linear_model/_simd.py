"""Explicit SIMD for numba: float64 vectors of 2, 4 or 8 lanes as register values.

numba builds with LLVM's SLP vectorizer disabled, and its loop vectorizer only
vectorizes long inner loops: a per-non-zero loop over ten classes
(``z[k] += v * W[j, k]``) stays scalar, about 22 cycles per non-zero on MNIST.
The intrinsics below let a kernel hold a row's logits in vector registers
instead (:mod:`skdigit.linear_model._kernels_csr`).

A ``F64x<n>`` value is an LLVM ``<n x double>``; each operation is a handful of
LLVM instructions, and LLVM legalizes the vector types for whatever the target
CPU offers (AVX-512, AVX2, SSE2, NEON: the results are the same, the speed
differs). Lane counts must be compile-time integer literals. Loads and stores
do no bounds checking and no negative-index wraparound: callers guarantee
``0 <= idx <= len(arr) - lanes``.

The kernels built on them were measured as fast on MNIST when compiled for
AVX2 or for plain SSE2 (``NUMBA_CPU_NAME=haswell`` or ``x86-64``) as for
AVX-512: they are bound by loads and stores, not by the vector width; the tests
pass on all three.

``vexp`` is a vectorized ``exp`` accurate to 2 ulp (tested against NumPy in
``tests/test_simd.py``, as is every other operation here).
"""

import math

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

_I32 = ir.IntType(32)
_I64 = ir.IntType(64)
_F64 = ir.DoubleType()


class F64VecType(types.Type):
    """``lanes`` float64 values held in a vector register."""

    def __init__(self, lanes):
        self.lanes = lanes
        super().__init__(name=f"F64x{lanes}")


_VEC_TYPES = {n: F64VecType(n) for n in (2, 4, 8)}


@register_model(F64VecType)
class _F64VecModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, ir.VectorType(_F64, fe_type.lanes))


def _llvm_vec(vt):
    return ir.VectorType(_F64, vt.lanes)


def _lanes_literal(n):
    if isinstance(n, types.IntegerLiteral) and n.literal_value in _VEC_TYPES:
        return _VEC_TYPES[n.literal_value]
    return None


def _contiguous_1d(arr):
    """Whether ``arr`` is typed as a contiguous 1-D array (pointer arithmetic is valid)."""
    return isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout in ("C", "F")


def _elem_ptr(context, builder, arrty, arr, idx, idxty):
    ary = context.make_array(arrty)(context, builder, arr)
    return builder.gep(ary.data, [context.cast(builder, idx, idxty, types.intp)])


def _splat(builder, s, vty):
    v = builder.insert_element(ir.Constant(vty, ir.Undefined), s, ir.Constant(_I32, 0))
    mask = ir.Constant(ir.VectorType(_I32, vty.count), [0] * vty.count)
    return builder.shuffle_vector(v, ir.Constant(vty, ir.Undefined), mask)


def _const(vty, x):
    return ir.Constant(vty, [float(x)] * vty.count)


def _llvm_fn(builder, name, vty, n_args):
    fnty = ir.FunctionType(vty, [vty] * n_args)
    return cgutils.get_or_insert_function(builder.module, fnty, f"{name}.v{vty.count}f64")


@intrinsic
def ld(typingctx, arr, idx):
    """``arr[idx]`` for a 1-D array, without negative-index wraparound."""
    if not (_contiguous_1d(arr) and isinstance(idx, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        return builder.load(_elem_ptr(context, builder, arr, args[0], args[1], idx))

    return arr.dtype(arr, idx), codegen


@intrinsic
def vload(typingctx, arr, idx, lanes):
    """``arr[idx:idx + lanes]`` as a vector; float32 arrays are widened to float64."""
    vt = _lanes_literal(lanes)
    if not (
        vt is not None
        and _contiguous_1d(arr)
        and arr.dtype in (types.float32, types.float64)
        and isinstance(idx, types.Integer)
    ):
        return None

    def codegen(context, builder, sig, args):
        vty = _llvm_vec(vt)
        p = _elem_ptr(context, builder, arr, args[0], args[1], idx)
        if arr.dtype == types.float64:
            return builder.load(builder.bitcast(p, vty.as_pointer()), align=8)
        v32 = ir.VectorType(ir.FloatType(), vt.lanes)
        return builder.fpext(builder.load(builder.bitcast(p, v32.as_pointer()), align=4), vty)

    return vt(arr, idx, lanes), codegen


@intrinsic
def vstore(typingctx, arr, idx, v):
    """``arr[idx:idx + lanes] = v`` for a float64 array."""
    if not (
        _contiguous_1d(arr)
        and arr.dtype == types.float64
        and isinstance(idx, types.Integer)
        and isinstance(v, F64VecType)
    ):
        return None

    def codegen(context, builder, sig, args):
        p = _elem_ptr(context, builder, arr, args[0], args[1], idx)
        builder.store(args[2], builder.bitcast(p, _llvm_vec(v).as_pointer()), align=8)
        return context.get_dummy_value()

    return types.none(arr, idx, v), codegen


@intrinsic
def vsplat(typingctx, x, lanes):
    """The vector with all ``lanes`` lanes equal to the scalar ``x``."""
    vt = _lanes_literal(lanes)
    if vt is None or not isinstance(x, (types.Float, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        s = context.cast(builder, args[0], x, types.float64)
        return _splat(builder, s, _llvm_vec(vt))

    return vt(x, lanes), codegen


@intrinsic
def vfma(typingctx, a, b, c):
    """``a * b + c`` lane-wise, fused (one rounding)."""
    if not (isinstance(a, F64VecType) and a == b == c):
        return None

    def codegen(context, builder, sig, args):
        return builder.call(_llvm_fn(builder, "llvm.fma", _llvm_vec(a), 3), args)

    return a(a, b, c), codegen


@intrinsic
def vadd(typingctx, a, b):
    """``a + b`` lane-wise."""
    if not (isinstance(a, F64VecType) and a == b):
        return None

    def codegen(context, builder, sig, args):
        return builder.fadd(args[0], args[1])

    return a(a, b), codegen


@intrinsic
def vscale(typingctx, v, s):
    """``v * s`` for a scalar ``s``."""
    if not (isinstance(v, F64VecType) and isinstance(s, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        sc = context.cast(builder, args[1], s, types.float64)
        return builder.fmul(args[0], _splat(builder, sc, _llvm_vec(v)))

    return v(v, s), codegen


@intrinsic
def vshift(typingctx, v, s):
    """``v + s`` for a scalar ``s``."""
    if not (isinstance(v, F64VecType) and isinstance(s, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        sc = context.cast(builder, args[1], s, types.float64)
        return builder.fadd(args[0], _splat(builder, sc, _llvm_vec(v)))

    return v(v, s), codegen


@intrinsic
def vget(typingctx, v, lane):
    """Lane ``lane`` of ``v`` (``0 <= lane < lanes``)."""
    if not (isinstance(v, F64VecType) and isinstance(lane, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        return builder.extract_element(args[0], context.cast(builder, args[1], lane, types.int32))

    return types.float64(v, lane), codegen


@intrinsic
def vset(typingctx, v, lane, x):
    """``v`` with lane ``lane`` replaced by the scalar ``x``."""
    if not (
        isinstance(v, F64VecType) and isinstance(lane, types.Integer) and isinstance(x, types.Float)
    ):
        return None

    def codegen(context, builder, sig, args):
        i = context.cast(builder, args[1], lane, types.int32)
        s = context.cast(builder, args[2], x, types.float64)
        return builder.insert_element(args[0], s, i)

    return v(v, lane, x), codegen


def _lane_tree(builder, v, n, op):
    lanes = [builder.extract_element(v, ir.Constant(_I32, k)) for k in range(n)]
    while len(lanes) > 1:
        lanes = [op(lanes[k], lanes[k + 1]) for k in range(0, len(lanes), 2)]
    return lanes[0]


@intrinsic
def vhsum(typingctx, v):
    """Sum of the lanes, in a fixed pairwise order (deterministic)."""
    if not isinstance(v, F64VecType):
        return None

    def codegen(context, builder, sig, args):
        return _lane_tree(builder, args[0], v.lanes, builder.fadd)

    return types.float64(v), codegen


@intrinsic
def vhmax(typingctx, v):
    """Largest lane."""
    if not isinstance(v, F64VecType):
        return None

    def codegen(context, builder, sig, args):
        def mx(a, b):
            return builder.select(builder.fcmp_ordered(">", a, b), a, b)

        return _lane_tree(builder, args[0], v.lanes, mx)

    return types.float64(v), codegen


# exp: x = n ln2 + r with |r| <= ln2 / 2 (Cody-Waite, two-part ln2), Taylor
# polynomial of degree 13 in r (truncation < 4e-18 relative), times 2**n through
# the exponent bits. Measured error <= 2 ulp on [-708, 709]. Arguments below
# -708 (-inf included) give exactly 0; arguments above 709 are clamped (the
# kernels only pass arguments <= 0).
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LOG2E = 1.4426950408889634
_EXP_DEGREE = 13


@intrinsic
def vexp(typingctx, v):
    """``exp`` lane-wise (see the comment above for accuracy and range)."""
    if not isinstance(v, F64VecType):
        return None

    def codegen(context, builder, sig, args):
        vty = _llvm_vec(v)
        ivty = ir.VectorType(_I64, v.lanes)
        fma = _llvm_fn(builder, "llvm.fma", vty, 3)
        rint = _llvm_fn(builder, "llvm.rint", vty, 1)
        x = args[0]
        under = builder.fcmp_ordered("<", x, _const(vty, -708.0))
        x = builder.select(builder.fcmp_ordered(">", x, _const(vty, 709.0)), _const(vty, 709.0), x)
        x = builder.select(under, _const(vty, 0.0), x)
        kf = builder.call(rint, [builder.fmul(x, _const(vty, _LOG2E))])
        r = builder.call(fma, [kf, _const(vty, -_LN2_HI), x])
        r = builder.call(fma, [kf, _const(vty, -_LN2_LO), r])
        p = _const(vty, 1.0 / math.factorial(_EXP_DEGREE))
        for d in range(_EXP_DEGREE - 1, -1, -1):
            p = builder.call(fma, [p, r, _const(vty, 1.0 / math.factorial(d))])
        scale = builder.shl(builder.fptosi(kf, ivty), ir.Constant(ivty, [52] * v.lanes))
        res = builder.bitcast(builder.add(builder.bitcast(p, ivty), scale), vty)
        return builder.select(under, _const(vty, 0.0), res)

    return v(v), codegen
