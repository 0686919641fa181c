"""Tests for skdigit.preprocessing: PixelNormalizer, Deskew, TargetBinarizer."""

import gzip
import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from _sklearn_versions import parametrize_with_checks
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_param_validation,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
)

from skdigit import make_digit_pipeline
from skdigit.preprocessing import Deskew, PixelNormalizer, TargetBinarizer
from skdigit.preprocessing import _deskew
from skdigit.preprocessing._deskew_kernels import image_moments
from skdigit.preprocessing._deskew_reference import deskew_reference, image_moments_reference
from skdigit.utils import _numba_cache, check_image_shape, infer_image_shape


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X, y


def _read_idx_gz(path):
    """Minimal IDX reader (fallback while skdigit.datasets is unavailable)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


@pytest.fixture(scope="module")
def mnist(mnist_home):
    """All 70,000 MNIST images (uint8, shape (70000, 784)) and labels."""
    try:
        from skdigit.datasets import load_mnist

        return load_mnist(
            subset="all", data_home=mnist_home, return_X_y=True
        )
    except ImportError:  # pragma: no cover - the loader is being written
        parts = [
            (_read_idx_gz(mnist_home / f"{p}-images-idx3-ubyte.gz"),
             _read_idx_gz(mnist_home / f"{p}-labels-idx1-ubyte.gz"))
            for p in ("train", "t10k")
        ]
        X = np.concatenate([img.reshape(len(img), -1) for img, _ in parts])
        y = np.concatenate([lab for _, lab in parts])
        return X, y


# --------------------------------------------------------------------------
# scikit-learn's common checks
# --------------------------------------------------------------------------

# The common checks feed 1 to 10 features, most of them not perfect squares:
# Deskew() (image_shape inferred only for square counts) raises for those by
# design, so it is checked as single-row and single-column images, for which
# every feature count is valid. Square images are covered by the tests below.
COMMON_CHECK_INSTANCES = [
    PixelNormalizer(),
    PixelNormalizer(dtype=np.float64),
    Deskew(image_shape=(1, -1)),
    Deskew(image_shape=(-1, 1)),
    TargetBinarizer(),
]


# the common checks feed data in [0, 1): PixelNormalizer warns that it looks scaled
@pytest.mark.filterwarnings("ignore:PixelNormalizer.*looks already scaled:UserWarning")
@parametrize_with_checks(COMMON_CHECK_INSTANCES)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator", [PixelNormalizer(), Deskew(image_shape=(1, -1))], ids=repr
)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize(
    "estimator, params",
    [
        (PixelNormalizer(), {"max_value": 0}),
        (PixelNormalizer(), {"max_value": -255}),
        (PixelNormalizer(), {"dtype": "int8"}),
        (PixelNormalizer(), {"dtype": np.float16}),
        (Deskew(), {"image_shape": 28}),
        (TargetBinarizer(), {"positive_label": None}),
    ],
)
def test_invalid_params(estimator, params):
    est = clone(estimator).set_params(**params)
    arg = np.array([0, 1, 2]) if isinstance(est, TargetBinarizer) else np.ones((3, 4))
    with pytest.raises(InvalidParameterError):
        est.fit(arg)


# --------------------------------------------------------------------------
# PixelNormalizer
# --------------------------------------------------------------------------


def test_pixel_normalizer_uint8_to_float32():
    X = np.array([[0, 51, 255], [255, 102, 0]], dtype=np.uint8)
    Xt = PixelNormalizer().fit_transform(X)
    assert Xt.dtype == np.float32
    assert_allclose(Xt, X / 255.0, rtol=1e-7)
    assert Xt.min() == 0 and Xt.max() == 1
    assert_array_equal(X, [[0, 51, 255], [255, 102, 0]])  # input untouched


@pytest.mark.parametrize("dtype", [np.float64, "float64"])
def test_pixel_normalizer_float64_selectable(dtype):
    X = np.arange(256, dtype=np.uint8).reshape(16, 16)
    Xt = PixelNormalizer(dtype=dtype).fit_transform(X)
    assert Xt.dtype == np.float64
    assert_allclose(Xt, X / 255.0, rtol=1e-15)


@pytest.mark.parametrize("in_dtype", [np.uint8, np.int64, np.float32, np.float64, bool])
def test_pixel_normalizer_output_dtype_is_fixed(in_dtype):
    X = np.array([[0, 100], [3, 0]], dtype=in_dtype)
    Xt = PixelNormalizer().fit_transform(X)
    assert Xt.dtype == np.float32
    assert_allclose(Xt, X.astype(np.float64) / 255)


def test_pixel_normalizer_makes_no_float64_copy():
    """Default path on uint8 input: peak memory ~ the float32 output only."""
    X = np.random.RandomState(0).randint(0, 256, size=(4000, 784)).astype(np.uint8)
    normalizer = PixelNormalizer().fit(X[:10])
    out_bytes = X.size * 4
    tracemalloc.start()
    try:
        Xt = normalizer.transform(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Xt.dtype == np.float32
    # a float64 temporary would add X.size * 8 bytes
    assert peak < out_bytes + X.size * 2, (peak, out_bytes)


def test_pixel_normalizer_load_digits_scale(digits):
    X, _ = digits
    Xt = PixelNormalizer(max_value=16).fit_transform(X)
    assert Xt.dtype == np.float32
    assert Xt.min() == 0 and Xt.max() == 1
    assert_allclose(Xt, X / 16, rtol=1e-6)


@pytest.mark.parametrize("method", ["fit", "transform"])
def test_pixel_normalizer_negative_error(method):
    X = np.array([[0.0, -1.5], [3.0, 4.0]])
    normalizer = PixelNormalizer()
    with pytest.raises(ValueError, match=r"Negative values in data.*-1\.5.*\[0, 255"):
        getattr(normalizer, method)(X)


@pytest.mark.parametrize("method", ["fit", "transform"])
def test_pixel_normalizer_too_large_error(method):
    X = np.array([[0.0, 300.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match=r"maximum of 300\.0.*Set max_value"):
        getattr(PixelNormalizer(), method)(X)
    # a larger scale is fine once declared
    assert PixelNormalizer(max_value=300).fit_transform(X).max() == 1


def test_pixel_normalizer_checks_range_at_transform_after_fit():
    normalizer = PixelNormalizer().fit(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="maximum of 256"):
        normalizer.transform(np.full((2, 3), 256, dtype=np.int64))
    with pytest.raises(ValueError, match="Negative values"):
        normalizer.transform(np.full((2, 3), -1, dtype=np.int8))


def test_pixel_normalizer_nan_error():
    X = np.array([[0.0, np.nan]])
    with pytest.raises(ValueError, match="NaN"):
        PixelNormalizer().fit(X)


def test_pixel_normalizer_already_scaled():
    X = np.array([[0.0, 0.25], [1.0, 0.5]], dtype=np.float32)
    normalizer = PixelNormalizer(max_value=1.0)
    Xt = normalizer.fit_transform(X)
    assert_array_equal(Xt, X)  # only validated and cast
    assert Xt.dtype == np.float32 and not np.shares_memory(Xt, X)
    # copy=False: nothing to do, no copy
    assert PixelNormalizer(max_value=1.0, copy=False).fit_transform(X) is X
    # cast only
    X64 = PixelNormalizer(max_value=1.0, dtype=np.float64).fit_transform(X)
    assert X64.dtype == np.float64
    assert_array_equal(X64, X)
    # 0-255 data declared "already scaled" is a clear error
    with pytest.raises(ValueError, match=r"already scaled.*max_value=255"):
        normalizer.fit(X * 255)


def test_pixel_normalizer_copy_false_in_place():
    X = np.array([[0.0, 51.0], [255.0, 102.0]], dtype=np.float32)
    Xt = PixelNormalizer(copy=False).fit_transform(X)
    assert Xt is X
    assert_allclose(X, [[0, 0.2], [1, 0.4]], rtol=1e-7)
    # a read-only array is not written into, even with copy=False
    Y = np.array([[0.0, 51.0]], dtype=np.float32)
    Y.flags.writeable = False
    Yt = PixelNormalizer(copy=False).fit_transform(Y)
    assert Yt is not Y and Y[0, 1] == 51
    # another dtype needs a new array anyway
    Z = np.array([[0, 51]], dtype=np.uint8)
    assert PixelNormalizer(copy=False).fit_transform(Z).dtype == np.float32


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_pixel_normalizer_keeps_sparse_format(fmt):
    rng = np.random.RandomState(0)
    dense = rng.randint(0, 256, size=(20, 30)) * (rng.rand(20, 30) < 0.2)
    X = sp.csr_matrix(dense.astype(np.uint8)).asformat(fmt)
    Xt = PixelNormalizer().fit_transform(X)
    assert sp.issparse(Xt) and Xt.format == fmt
    assert Xt.dtype == np.float32
    assert Xt.nnz == X.nnz
    assert_array_equal(Xt.indices, X.indices)
    assert_allclose(Xt.toarray(), dense / 255, rtol=1e-6)
    assert_array_equal(X.toarray(), dense)  # input untouched


def test_pixel_normalizer_sparse_other_formats_become_csr():
    X = sp.coo_matrix(np.array([[0, 255], [51, 0]], dtype=np.uint8))
    Xt = PixelNormalizer().fit_transform(X)
    assert Xt.format == "csr"
    assert_allclose(Xt.toarray(), [[0, 1], [0.2, 0]], rtol=1e-7)


def test_pixel_normalizer_sparse_range_errors():
    X = sp.csr_matrix(np.array([[0.0, -2.0], [300.0, 0.0]]))
    with pytest.raises(ValueError, match="Negative values"):
        PixelNormalizer().fit(X)
    with pytest.raises(ValueError, match="maximum of 300"):
        PixelNormalizer().fit(abs(X))


def test_pixel_normalizer_sparse_copy_false_in_place():
    X = sp.csr_matrix(np.array([[0, 255], [51, 0]], dtype=np.float32))
    Xt = PixelNormalizer(copy=False).fit_transform(X)
    assert Xt is X
    assert_allclose(X.toarray(), [[0, 1], [0.2, 0]], rtol=1e-7)


def test_pixel_normalizer_stateless():
    X = np.array([[0, 255]], dtype=np.uint8)
    # usable without fit
    assert_allclose(PixelNormalizer().transform(X), [[0, 1]])
    normalizer = PixelNormalizer().fit(X)
    assert normalizer.n_features_in_ == 2
    with pytest.raises(ValueError, match="features"):
        normalizer.transform(np.zeros((1, 3)))


def test_pixel_normalizer_feature_names_and_pandas_output():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"p0": [0, 255], "p1": [51, 102]}, dtype=np.uint8)
    normalizer = PixelNormalizer().set_output(transform="pandas").fit(df)
    assert_array_equal(normalizer.get_feature_names_out(), ["p0", "p1"])
    out = normalizer.transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["p0", "p1"]
    assert_array_equal(out.index, df.index)
    assert all(out.dtypes == np.float32)
    assert_allclose(out.to_numpy(), [[0, 0.2], [1, 0.4]], rtol=1e-7)
    # without names: x0, x1, ...
    plain = PixelNormalizer().fit(np.zeros((2, 3)))
    assert_array_equal(plain.get_feature_names_out(), ["x0", "x1", "x2"])


# --------------------------------------------------------------------------
# Deskew
# --------------------------------------------------------------------------


def _bar(slope, shape=(28, 28), rows=(4, 24), col0=None, value=255.0):
    """A one-pixel wide bar whose column moves by ``slope`` per row down."""
    n_rows, n_cols = shape
    col0 = (n_cols - 1) / 2 if col0 is None else col0
    mid = (rows[0] + rows[1] - 1) / 2
    img = np.zeros(shape)
    for r in range(*rows):
        x = col0 + slope * (r - mid)
        x0 = int(np.floor(x))
        f = x - x0
        img[r, x0] += (1 - f) * value
        img[r, x0 + 1] += f * value
    return img


def _moments(img):
    total, cy, cx, mu11, mu02, vmax = image_moments(
        np.ascontiguousarray(img, dtype=np.float64).ravel(), *img.shape
    )
    return total, cy, cx, mu11, mu02


@pytest.mark.parametrize("slope", [0.5, 0.3, -0.4, 0.0])
@pytest.mark.parametrize("shape, col0", [((28, 28), 9.3), ((20, 32), 20.6)])
def test_deskew_makes_slanted_bar_vertical(slope, shape, col0):
    img = _bar(slope, shape=shape, rows=(3, shape[0] - 5), col0=col0)
    X = img.reshape(1, -1)
    deskew = Deskew(image_shape=shape).fit(X)
    _, _, _, mu11, mu02 = _moments(img)
    assert_allclose(mu11 / mu02, slope, atol=1e-12)
    assert_allclose(deskew.skew(X), [slope], atol=1e-12)

    out = deskew.transform(X)[0].reshape(shape)
    total, cy, cx, mu11_after, mu02_after = _moments(out)
    # principal axis vertical, centre of mass at the image centre
    assert abs(mu11_after) < 1e-9 * mu02_after
    assert_allclose([cy, cx], [(shape[0] - 1) / 2, (shape[1] - 1) / 2], atol=1e-9)
    assert_allclose(deskew.skew(out[None].reshape(1, -1)), [0], atol=1e-9)
    # vertical for real: in every inked row the ink is centred on the same column
    cols = np.arange(shape[1])
    inked = out.sum(axis=1) > 1e-6 * out.sum()
    row_centres = (out[inked] * cols).sum(axis=1) / out[inked].sum(axis=1)
    assert_allclose(row_centres, (shape[1] - 1) / 2, atol=1e-9)
    # no ink lost (the bar stays inside the frame), nothing negative
    assert_allclose(total, img.sum(), rtol=1e-12)
    assert out.min() >= 0 and out.max() <= img.max()


def test_deskew_sign_convention_leans():
    """Positive skew = ink moves right going down (a '\\' stroke)."""
    backslash = _bar(0.5)
    slash = _bar(-0.5)
    X = np.stack([backslash.ravel(), slash.ravel()])
    skew = Deskew().fit(X).skew(X)
    assert skew[0] > 0.4 and skew[1] < -0.4


def test_deskew_blank_images_pass_through():
    X = np.zeros((3, 64))
    X[1] = _bar(0.5, shape=(8, 8), rows=(1, 7), col0=3.2).ravel()
    deskew = Deskew()
    out = deskew.fit_transform(X)
    assert_array_equal(out[0], 0)
    assert_array_equal(out[2], 0)
    assert np.all(np.isfinite(out))
    assert_allclose(deskew.skew(X), [0, 0.5, 0], atol=1e-12)


def test_deskew_single_row_image_is_only_centred():
    img = np.zeros((8, 8))
    img[2, 1:4] = [1.0, 2.0, 1.0]
    out = Deskew().fit_transform(img.reshape(1, -1)).reshape(8, 8)
    assert np.all(np.isfinite(out))
    total, cy, cx, mu11, mu02 = _moments(out)
    assert_allclose([cy, cx], [3.5, 3.5], atol=1e-12)
    assert_allclose(total, img.sum())


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.uint8])
def test_deskew_matches_reference_on_load_digits(digits, dtype):
    X = digits[0].astype(dtype)
    out = Deskew().fit_transform(X)
    expected_dtype = np.float32 if dtype == np.uint8 else dtype
    assert out.dtype == expected_dtype
    ref, skew_ref = deskew_reference(X.astype(expected_dtype), (8, 8))
    assert ref.dtype == expected_dtype
    assert_allclose(out, ref, rtol=1e-5, atol=1e-5 * 16)
    assert_allclose(Deskew().fit(X).skew(X), skew_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.mnist
def test_deskew_matches_reference_on_mnist(mnist):
    X = mnist[0][::140][:500]  # 500 images spread over train and test
    assert X.shape == (500, 784) and X.dtype == np.uint8
    out = Deskew().fit_transform(X)
    assert out.dtype == np.float32
    ref, _ = deskew_reference(X.astype(np.float32), (28, 28))
    assert_allclose(out, ref, rtol=1e-5, atol=1e-5 * 255)
    assert out.min() >= 0 and out.max() <= 255


@pytest.mark.mnist
def test_deskew_straightens_mnist(mnist):
    X = mnist[0]
    deskew = Deskew().fit(X)
    assert deskew.image_shape_ == (28, 28)
    out = deskew.transform(X)
    assert out.shape == X.shape and out.dtype == np.float32
    before = np.abs(deskew.skew(X))
    after = np.abs(deskew.skew(out))
    # about 0.23 before and 0.0015 after on the 70,000 images
    assert before.mean() > 0.15
    assert after.mean() < before.mean() / 20
    # the ink moves, it is not lost: total intensity kept to a few percent
    kept = out.sum(axis=1, dtype=np.float64) / X.sum(axis=1, dtype=np.float64)
    assert np.median(kept) > 0.99


def test_deskew_image_shape_inference_and_errors():
    assert Deskew().fit(np.zeros((2, 784))).image_shape_ == (28, 28)
    assert Deskew().fit(np.zeros((2, 64))).image_shape_ == (8, 8)
    assert Deskew(image_shape=(4, 16)).fit(np.zeros((2, 64))).image_shape_ == (4, 16)
    assert Deskew(image_shape=[-1, 28]).fit(np.zeros((2, 784))).image_shape_ == (28, 28)
    msg = r"785 features.*not a perfect square.*image_shape"
    with pytest.raises(ValueError, match=msg):
        Deskew().fit(np.zeros((2, 785)))
    with pytest.raises(ValueError, match=r"holds 784 pixels, but X has 785 features"):
        Deskew(image_shape=(28, 28)).fit(np.zeros((2, 785)))
    with pytest.raises(ValueError, match="pair of positive integers"):
        Deskew(image_shape=(0, 28)).fit(np.zeros((2, 784)))
    with pytest.raises(ValueError, match="pair of positive integers"):
        Deskew(image_shape=(28, 28, 1)).fit(np.zeros((2, 784)))
    with pytest.raises(ValueError, match="not a multiple of 27"):
        Deskew(image_shape=(-1, 27)).fit(np.zeros((2, 784)))


def test_image_shape_helpers():
    assert infer_image_shape(1) == (1, 1)
    assert infer_image_shape(784) == (28, 28)
    with pytest.raises(ValueError, match="perfect square"):
        infer_image_shape(2)
    assert check_image_shape((np.int64(2), 3), 6) == (2, 3)
    assert type(check_image_shape((np.int64(2), 3), 6)[0]) is int
    assert check_image_shape((1, -1), 5) == (1, 5)
    for bad in [(-1, -1), (2.0, 3), (True, 6), (2,), "28x28"]:
        with pytest.raises(ValueError, match="image_shape"):
            check_image_shape(bad, 6)


def test_deskew_keeps_scale_and_float_dtypes(digits):
    X = digits[0]  # float64, 0-16
    X32 = X.astype(np.float32)
    out64 = Deskew().fit_transform(X)
    out32 = Deskew().fit_transform(X32)
    out_u8 = Deskew().fit_transform(X.astype(np.uint8))
    out_i64 = Deskew().fit_transform(X.astype(np.int64))
    assert (out64.dtype, out32.dtype) == (np.float64, np.float32)
    assert out_u8.dtype == np.float32 and out_i64.dtype == np.float32
    assert_allclose(out32, out64, rtol=1e-5, atol=1e-5)
    assert_array_equal(out_u8, out32)
    assert_array_equal(out_i64, out32)
    assert out64.min() >= 0 and out64.max() <= 16
    # [0, 1] input: the same images, on the [0, 1] scale (no rescaling)
    out01 = Deskew().fit_transform(X / 16)
    assert_allclose(out01, out64 / 16, rtol=1e-10, atol=1e-12)
    assert out01.max() <= 1


def test_deskew_of_a_few_images_runs_the_numpy_twin(digits, monkeypatch):
    """Below NUMPY_TWIN_BELOW images: no kernel called (nothing to compile on a first
    run), the same images and skews as the kernel's, dense or sparse."""
    X = np.array(digits[0][:_numba_cache.NUMPY_TWIN_BELOW - 1])
    kernel_out, kernel_skew = Deskew().fit_transform(X), Deskew().fit(X).skew(X)

    def refuse(*args):
        raise AssertionError("the numba kernel was called")

    monkeypatch.setattr(_deskew, "deskew_images", refuse)
    monkeypatch.setattr(_deskew, "image_skews", refuse)
    for given in (X, sp.csr_matrix(X)):
        # the kernel's own tolerance against its twin (test_deskew_matches_reference)
        assert_allclose(Deskew().fit_transform(given), kernel_out, rtol=1e-5, atol=1e-5 * 16)
        assert_allclose(Deskew().fit(given).skew(given), kernel_skew, rtol=1e-10, atol=1e-12)
    assert Deskew().fit_transform(X.astype(np.float32)).dtype == np.float32


def test_deskew_does_not_touch_input_and_handles_layouts(digits, monkeypatch):
    # the compiled kernel for every batch (not only from NUMPY_TWIN_BELOW images)
    monkeypatch.setattr(_numba_cache, "NUMPY_TWIN_BELOW", 0)
    X = np.array(digits[0][:50])
    X_copy = X.copy()
    expected = Deskew().fit_transform(X)
    assert_array_equal(X, X_copy)
    assert_array_equal(Deskew().fit_transform(np.asfortranarray(X)), expected)
    readonly = X.copy()
    readonly.flags.writeable = False
    assert_array_equal(Deskew().fit_transform(readonly), expected)
    # each image on its own gives the same result (no cross-talk)
    assert_array_equal(Deskew().fit_transform(X[7:8]), expected[7:8])
    with pytest.raises(ValueError, match="0 sample"):
        Deskew().fit_transform(X[:0])


def test_deskew_rejects_negative():
    X = np.zeros((2, 64))
    X[0, 10] = 1
    X[1, 3] = -0.5
    msg = r"Negative values in data passed to Deskew.*-0\.5"
    with pytest.raises(ValueError, match=msg):
        Deskew().fit(X)
    with pytest.raises(ValueError, match="Negative values"):
        Deskew().transform(X)


@pytest.mark.parametrize("dtype, expected", [(np.uint8, np.float32), (np.float32, np.float32),
                                             (np.float64, np.float64)])
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_deskew_sparse_input_matches_dense(digits, monkeypatch, dtype, expected, fmt):
    X = digits[0].astype(dtype)
    # small blocks, so that several blocks and a partial last one are used
    monkeypatch.setattr(_deskew, "_CHUNK_BYTES", 100 * 64 * np.dtype(expected).itemsize)
    X_sparse = sp.csr_matrix(X).asformat(fmt)
    deskew = Deskew().fit(X_sparse)
    out = deskew.transform(X_sparse)
    assert isinstance(out, np.ndarray) and out.dtype == expected and out.flags.c_contiguous
    assert_array_equal(out, Deskew().fit_transform(X))
    assert_array_equal(deskew.skew(X_sparse), Deskew().fit(X).skew(X))
    assert_array_equal(X_sparse.toarray(), X)  # not modified


def test_deskew_sparse_negative_values_and_pipeline(digits):
    X = sp.csr_matrix(np.array([[0.0, 1.0, 0.0, -2.0]]))
    with pytest.raises(ValueError, match=r"Negative values in data passed to Deskew.*-2\.0"):
        Deskew().fit(X)
    X, y = digits
    X = sp.csr_matrix((X * (255 / 16)).astype(np.uint8))
    pipe = make_digit_pipeline(C=0.1).fit(X, y)
    assert pipe.score(X, y) == pytest.approx(pipe.score(X.toarray(), y))


def test_deskew_moments_kernel_matches_reference(digits):
    for img in digits[0][:50].reshape(-1, 8, 8):
        kernel = image_moments(np.ascontiguousarray(img, dtype=np.float64).ravel(), 8, 8)
        assert_allclose(kernel, image_moments_reference(img), rtol=1e-12, atol=1e-12)
    assert image_moments_reference(np.zeros((3, 3)))[0] == 0


def test_deskew_stateless_and_n_features_check(digits):
    X = digits[0][:20]
    # no fit needed (stateless), same result as after fit
    assert_array_equal(Deskew().transform(X), Deskew().fit(X).transform(X))
    with pytest.raises(ValueError, match="perfect square"):
        Deskew().transform(np.zeros((2, 10)))
    deskew = Deskew().fit(X)
    assert deskew.n_features_in_ == 64
    with pytest.raises(ValueError, match="features"):
        deskew.transform(np.zeros((2, 784)))
    # pickles with its fitted state
    restored = pickle.loads(pickle.dumps(deskew))
    assert restored.image_shape_ == (8, 8)
    assert_array_equal(restored.transform(X), deskew.transform(X))


def test_deskew_feature_names_and_pandas_output(digits):
    pd = pytest.importorskip("pandas")
    X = digits[0][:30]
    columns = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    df = pd.DataFrame(X, columns=columns, index=np.arange(100, 130))
    deskew = Deskew().set_output(transform="pandas").fit(df)
    assert_array_equal(deskew.get_feature_names_out(), columns)
    out = deskew.transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == columns
    assert_array_equal(out.index, df.index)
    assert_allclose(out.to_numpy(), Deskew().fit_transform(X))


# --------------------------------------------------------------------------
# Pipelines
# --------------------------------------------------------------------------


def test_pipeline_grid_search_over_deskew(digits):
    X, y = digits
    X, y = X[:600], y[:600]
    pipe = Pipeline(
        [
            ("deskew", Deskew()),
            ("scale", PixelNormalizer(max_value=16)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"deskew": ["passthrough", Deskew()]},
        cv=3,
    )
    search.fit(X, y)
    params = search.cv_results_["params"]
    assert params[0]["deskew"] == "passthrough"
    assert isinstance(params[1]["deskew"], Deskew)
    assert np.all(search.cv_results_["mean_test_score"] > 0.85)
    assert search.score(X, y) > 0.9
    best_step = search.best_estimator_.named_steps["deskew"]
    assert best_step == "passthrough" or best_step.image_shape_ == (8, 8)


def test_pipeline_set_output_pandas_keeps_names(digits):
    pd = pytest.importorskip("pandas")
    X = digits[0][:40]
    columns = [f"px{i}" for i in range(64)]
    df = pd.DataFrame(X, columns=columns)
    pipe = Pipeline([("deskew", Deskew()), ("scale", PixelNormalizer(max_value=16))])
    out = pipe.set_output(transform="pandas").fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == columns
    assert_array_equal(pipe.get_feature_names_out(), columns)
    assert float(out.to_numpy().max()) <= 1


# --------------------------------------------------------------------------
# TargetBinarizer
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "check",
    [
        check_estimator_cloneable,
        check_estimator_repr,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_get_params_invariance,
        check_set_params,
        check_do_not_raise_errors_in_init_or_set_params,
        check_mixin_order,
        check_valid_tag_types,
    ],
    ids=lambda c: c.__name__,
)
def test_target_binarizer_api_checks(check):
    # parametrize_with_checks skips label transformers (no 2-D X), as it does
    # sklearn's LabelEncoder; run the checks that need no X here
    check("TargetBinarizer", TargetBinarizer())


def test_target_binarizer_transform():
    y = np.array([0, 2, 7, 2, 9, 1])
    binarizer = TargetBinarizer(2)
    yt = binarizer.fit_transform(y)
    assert_array_equal(yt, [0, 1, 0, 1, 0, 0])
    assert yt.dtype == np.int64 and yt.shape == (6,)
    assert_array_equal(binarizer.classes_, [0, 1, 2, 7, 9])
    assert_array_equal(binarizer.transform([9, 2]), [0, 1])
    y9 = TargetBinarizer(positive_label=9).fit_transform(y)
    assert_array_equal(y9, [0, 0, 0, 0, 1, 0])


def test_target_binarizer_string_and_float_labels():
    y = np.array(["cat", "dog", "cat"])
    assert_array_equal(TargetBinarizer("cat").fit_transform(y), [1, 0, 1])
    assert_array_equal(TargetBinarizer(2).fit_transform([1.0, 2.0, 3.0]), [0, 1, 0])


def test_target_binarizer_missing_positive_label_error():
    with pytest.raises(
        ValueError, match=r"positive_label=5 not found in y; labels seen: \[0, 1, 2\]"
    ):
        TargetBinarizer(5).fit([0, 1, 2, 1])
    # same text, other type: say so
    msg = r"differs from positive_label=2.*only in type"
    with pytest.raises(ValueError, match=msg):
        TargetBinarizer(2).fit(np.array(["1", "2", "3"]))


def test_target_binarizer_rejects_unseen_labels_and_non_labels():
    binarizer = TargetBinarizer(2).fit([1, 2, 3])
    with pytest.raises(ValueError, match=r"not seen during fit: \[4\]"):
        binarizer.transform([1, 4])
    with pytest.raises(ValueError, match="Unknown label type"):
        TargetBinarizer(2).fit([0.5, 2.0, 3.7])
    with pytest.raises(ValueError):
        TargetBinarizer(2).fit(np.array([[0, 2], [2, 1]]))


def test_target_binarizer_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TargetBinarizer().transform([1, 2])
    with pytest.raises(NotFittedError):
        TargetBinarizer().inverse_transform([0, 1])


def test_target_binarizer_inverse_transform():
    binarizer = TargetBinarizer(2).fit(np.arange(10))
    is_two = binarizer.inverse_transform([1, 0, 0, 1])
    assert is_two.dtype == bool
    assert_array_equal(is_two, [True, False, False, True])
    from_bool = binarizer.inverse_transform(np.array([True, False]))
    assert_array_equal(from_bool, [True, False])
    y = np.array([3, 2, 2, 8])
    assert_array_equal(binarizer.inverse_transform(binarizer.transform(y)), y == 2)
    with pytest.raises(ValueError, match=r"encoded labels 0 and 1; got \[2\]"):
        binarizer.inverse_transform([0, 2])


def test_target_binarizer_column_vector_and_pandas():
    pd = pytest.importorskip("pandas")
    binarizer = TargetBinarizer(2)
    with pytest.warns(DataConversionWarning):
        yt = binarizer.fit_transform(np.array([[1], [2], [2]]))
    assert_array_equal(yt, [0, 1, 1])
    series = pd.Series([2, 0, 2], name="digit")
    assert_array_equal(TargetBinarizer(2).fit_transform(series), [1, 0, 1])
    # a label transformer: no set_output, its output stays a 1-D ndarray
    assert not hasattr(binarizer, "set_output")
    assert not hasattr(binarizer, "get_feature_names_out")
    with config_context(transform_output="pandas"):
        out = TargetBinarizer(2).fit_transform(series)
    assert isinstance(out, np.ndarray) and out.shape == (3,)


def test_target_binarizer_with_cross_val_score(digits):
    X, y = digits
    y2 = TargetBinarizer(2).fit_transform(y)
    assert y2.sum() == np.sum(y == 2)
    scores = cross_val_score(LogisticRegression(max_iter=1000), X / 16, y2, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.95


# --- PixelNormalizer: data already scaled (issue 28) --------------------------------


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("method", ["fit", "transform"])
def test_pixel_normalizer_warns_on_data_already_scaled(method, sparse):
    import scipy.sparse as sp

    X = np.array([[0.0, 0.5], [0.25, 1.0]], dtype=np.float32)
    X = sp.csr_matrix(X) if sparse else X
    with pytest.warns(UserWarning, match=r"PixelNormalizer\(max_value=255.0\) got X with a "
                      r"maximum of 1.0: it looks already scaled to \[0, 1\], and dividing it "
                      r"by 255.0 again leaves it near 0. If it is already scaled, use "
                      r"max_value=1.0"):
        getattr(PixelNormalizer(), method)(X)


@pytest.mark.parametrize(
    "X, max_value",
    [
        (np.array([[0.0, 1.0]]), 1.0),  # declared scaled
        (np.array([[0.0, 2.0]]), 255.0),  # above 1: intensities
        (np.zeros((2, 2)), 255.0),  # blank
        (np.array([[0, 1]], dtype=np.uint8), 255.0),  # integers: not checked
    ],
)
def test_pixel_normalizer_does_not_warn_otherwise(X, max_value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PixelNormalizer(max_value=max_value).fit_transform(X)
