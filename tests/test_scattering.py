"""Tests of the 2-D scattering transform, its filter bank, kernels and pipeline."""

import time
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils._param_validation import InvalidParameterError

from skdigit import Scattering2D, load_mnist, make_digit_pipeline
from skdigit.preprocessing import _scattering
from skdigit.utils import _numba_cache
from skdigit.preprocessing._scattering_fft import fft_batch, fft_batch_numpy, fft_plan
from skdigit.preprocessing._scattering_filters import padded_shape, scattering_filters
from skdigit.preprocessing._scattering_kernels import (
    LANES,
    kernel_arrays,
    scatter_images,
    scattering_numpy,
)


def _kymatio_frontend():
    """kymatio's NumPy frontend, the reference (an optional test dependency).

    kymatio 0.3 imports ``scipy.special.sph_harm`` (for its 3-D scattering),
    which SciPy >= 1.17 removed; the 2-D code does not use it, so a stand-in
    lets the package import. Only kymatio sees it, in the tests only.
    """
    import scipy.special

    if not hasattr(scipy.special, "sph_harm"):
        scipy.special.sph_harm = None
    frontend = pytest.importorskip("kymatio.scattering2d.frontend.numpy_frontend")
    return frontend.ScatteringNumPy2D


def _kymatio_scattering(X, image_shape, J, L=8, max_order=2):
    reference = _kymatio_frontend()(J=J, shape=image_shape, L=L, max_order=max_order)
    images = np.asarray(X, dtype=np.float64).reshape(-1, *image_shape)
    return reference.scattering(images).reshape(len(X), -1)


def _relative_error(actual, expected):
    return np.abs(actual - expected).max() / np.abs(expected).max()


@pytest.mark.parametrize(
    "image_shape, J, L, max_order",
    [((28, 28), 2, 8, 2), ((8, 8), 1, 8, 2), ((20, 28), 3, 6, 2), ((28, 28), 2, 8, 1),
     ((16, 12), 2, 3, 2)],
)
def test_matches_kymatio_on_random_images(image_shape, J, L, max_order):
    rng = np.random.default_rng(0)
    X = rng.random((12, image_shape[0] * image_shape[1])) * 255
    X[0] -= 128  # negative values too: the transform is defined on any real image
    expected = _kymatio_scattering(X, image_shape, J, L, max_order)
    S = Scattering2D(J=J, L=L, max_order=max_order, image_shape=image_shape).fit_transform(X)
    assert S.dtype == np.float32
    assert S.shape == expected.shape
    assert _relative_error(S, expected) < 1e-4
    # and coefficient by coefficient, not only relative to the largest one
    np.testing.assert_allclose(S, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max() / 100)


@pytest.mark.mnist
def test_matches_kymatio_on_mnist(mnist_home):
    X, _ = load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    X = X[:200] / 255.0
    expected = _kymatio_scattering(X, (28, 28), J=2)
    S = Scattering2D().fit_transform(X)
    assert S.shape == (200, 3969)
    assert _relative_error(S, expected) < 1e-4
    np.testing.assert_allclose(S, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("image_shape, J, L", [((28, 28), 2, 8), ((8, 8), 1, 8), ((20, 28), 3, 6)])
def test_filter_bank_matches_kymatio(image_shape, J, L):
    _kymatio_frontend()
    from kymatio.scattering2d.filter_bank import filter_bank

    filters = scattering_filters(image_shape, J, L)
    reference = filter_bank(*filters.padded_shape, J, L)
    for psi in reference["psi"]:
        for res, level in enumerate(psi["levels"]):
            ours = filters.psi[psi["j"]][res][psi["theta"]]
            assert _relative_error(ours, level) < 1e-6
    assert len(filters.phi) == len(reference["phi"]["levels"])
    for ours, level in zip(filters.phi, reference["phi"]["levels"]):
        assert _relative_error(ours, level) < 1e-6


def test_filter_bank_is_cached_and_read_only():
    a = scattering_filters((28, 28), 2, 8)
    assert scattering_filters((28, 28), 2, 8) is a
    assert padded_shape((28, 28), 2) == a.padded_shape == (36, 36)
    with pytest.raises(ValueError, match="read-only"):
        a.psi[0][0][0, 0, 0] = 1.0


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 9, 12, 18, 36, 40, 7, 25, 14])
@pytest.mark.parametrize("sign", [-1, 1])
def test_fft_kernel_matches_numpy(n, sign):
    # the radices of the scattering sizes (4, 2, 3) and the generic one (5, 7)
    rng = np.random.default_rng(n)
    K = 5
    x = (rng.standard_normal((n, K)) + 1j * rng.standard_normal((n, K))).astype(np.complex64)
    xr, xi = x.real.ravel().copy(), x.imag.ravel().copy()
    before = xr.copy(), xi.copy()
    yr, yi, tr, ti = (np.full(n * K, np.nan, dtype=np.float32) for _ in range(4))
    fft_batch(xr, xi, yr, yi, tr, ti, n, K, *fft_plan(n), np.float32(sign))
    expected = fft_batch_numpy(x.astype(np.complex128), sign)
    np.testing.assert_allclose((yr + 1j * yi).reshape(n, K), expected,
                               rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    np.testing.assert_array_equal(xr, before[0])
    np.testing.assert_array_equal(xi, before[1])


def test_fft_plan_radices_and_cache():
    radices, cos, sin = fft_plan(36)
    assert radices.tolist() == [4, 3, 3]
    assert cos.shape == sin.shape == (36 + 9 + 3,)
    assert fft_plan(36) is fft_plan(36)
    assert fft_plan(1)[0].size == 0
    assert fft_plan(40)[0].tolist() == [4, 2, 5]


@pytest.mark.parametrize(
    "image_shape, J, L, max_order, n",
    [((28, 28), 2, 8, 2, LANES + 3), ((8, 8), 1, 8, 2, 2), ((20, 28), 3, 6, 2, LANES),
     ((16, 12), 2, 3, 1, 5), ((5, 7), 0, 8, 2, 3)],
)
def test_scattering_kernel_matches_numpy(image_shape, J, L, max_order, n):
    # n: a full group of LANES images, a partial one, or both
    rng = np.random.default_rng(7)
    images = (rng.random((n, *image_shape)) * 2 - 0.5).astype(np.float32)
    filters = scattering_filters(image_shape, J, L)
    n_coef = Scattering2D(J=J, L=L, max_order=max_order, image_shape=image_shape).fit(
        images.reshape(n, -1)).get_feature_names_out().size
    out = np.full((n, n_coef), np.nan, dtype=np.float32)
    before = images.copy()
    scatter_images(images, J, L, max_order, *kernel_arrays(filters), out)
    expected = scattering_numpy(images, filters, max_order)
    assert expected.shape == out.shape
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())
    np.testing.assert_array_equal(images, before)


def test_kernel_arrays_are_read_only_and_complete():
    filters = scattering_filters((28, 28), 2, 8)
    rows, _, psi, psi_off, *_ = kernel_arrays(filters)
    assert rows.tolist() == [4, 3, 2, 1] + list(range(28)) + [26, 25, 24, 23]
    assert psi.size == sum(level.size for levels in filters.psi for level in levels)
    # transposed, and divided by the size of the grid (the inverse DFT's 1/n)
    np.testing.assert_allclose(psi[psi_off[1, 0]:psi_off[1, 0] + 36 * 36].reshape(36, 36),
                               filters.psi[1][0][0].T / 36**2)
    with pytest.raises(ValueError, match="read-only"):
        psi[0] = 1.0


def test_mnist_shape_and_feature_names():
    X = np.random.default_rng(3).random((3, 784)) * 255
    scattering = Scattering2D().fit(X)
    assert scattering.n_channels_ == 81
    assert scattering.channel_shape_ == (7, 7)
    names = scattering.get_feature_names_out()
    assert names.shape == (3969,) and len(set(names)) == 3969
    assert names[0] == "s0_y0_x0"
    assert names[49] == "s1_j0_t0_y0_x0"
    assert names[49 * 9] == "s1_j1_t0_y0_x0"
    assert names[49 * 17] == "s2_j0_t0_j1_t0_y0_x0"
    assert names[-1] == "s2_j0_t7_j1_t7_y6_x6"
    assert scattering.transform(X).shape == (3, 3969)


def test_load_digits_with_J1():
    X, y = load_digits(return_X_y=True)
    S = Scattering2D(J=1).fit_transform(X)
    assert S.shape == (1797, 9 * 16)
    assert np.isfinite(S).all()


def test_homogeneous_dtype_and_input_untouched():
    X = np.random.default_rng(4).random((5, 64)) * 16
    X_before = X.copy()
    scattering = Scattering2D(J=1).fit(X)
    S64 = scattering.transform(X)
    np.testing.assert_array_equal(X, X_before)
    S32 = scattering.transform(X.astype(np.float32))
    assert S64.dtype == S32.dtype == np.float32
    np.testing.assert_allclose(S64, S32, rtol=1e-5, atol=1e-5)
    # positively homogeneous: the output is in the units of the input
    np.testing.assert_allclose(scattering.transform(X / 16), S64 / 16, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("dtype, scale", [(np.float32, 1e20), (np.float32, 1e37),
                                          (np.float64, 1e20), (np.float64, 1e37)])
def test_huge_finite_input_is_scaled_safely_not_nan(dtype, scale):
    # float32 squared moduli overflow near 1.8e19: the kernel gave NaN
    X = np.random.default_rng(6).random((3, 64))
    scattering = Scattering2D(J=1).fit(X)
    S = scattering.transform(X)
    huge = np.vstack([X[:2] * dtype(scale), X[2:]]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning either
        S_huge = scattering.transform(huge)
    assert np.isfinite(S_huge).all()
    np.testing.assert_allclose(S_huge[:2], S[:2] * scale, rtol=1e-5, atol=1e-5 * scale)
    # an ordinary image is untouched by its huge neighbours, bit for bit
    np.testing.assert_array_equal(S_huge[2:], scattering.transform(X[2:].astype(dtype)))


@pytest.mark.parametrize("value", [1e300, -1e300, 1e39])
def test_input_beyond_float32_coefficients_is_a_clear_error(value):
    X = np.random.default_rng(7).random((2, 64))
    scattering = Scattering2D(J=1).fit(X)
    X[1, 5] = value
    with pytest.raises(ValueError, match=r"X holds values up to 1e\+(300|39) in absolute value, "
                       r"whose scattering coefficients exceed the range of float32.*Scale the "
                       r"images down first"):
        scattering.transform(X)


def test_chunks_do_not_change_the_result(monkeypatch):
    monkeypatch.setattr(_numba_cache, "NUMPY_TWIN_BELOW", 0)  # the kernel for any batch
    X = np.random.default_rng(5).random((7, 784))
    S = Scattering2D().fit_transform(X)
    monkeypatch.setattr(_scattering, "_CHUNK_BYTES", 1)  # one image per chunk
    np.testing.assert_array_equal(Scattering2D().fit_transform(X), S)


def test_threads_do_not_change_the_result(monkeypatch):
    import numba

    monkeypatch.setattr(_numba_cache, "NUMPY_TWIN_BELOW", 0)  # the kernel for any batch
    X = np.random.default_rng(8).random((2 * LANES + 1, 784))
    S = Scattering2D().fit_transform(X)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        np.testing.assert_array_equal(Scattering2D().fit_transform(X), S)
    finally:
        numba.set_num_threads(threads)
    # nor the images an image is transformed with
    np.testing.assert_array_equal(Scattering2D().fit_transform(X[::-1]), S[::-1])


def test_a_few_images_use_the_numpy_twin_not_the_kernel(monkeypatch):
    """Below NUMPY_TWIN_BELOW images the kernel is not called (nothing for numba
    to compile on a first run); the twin's coefficients agree with the kernel's."""
    calls = []
    kernel = _scattering.scatter_images
    monkeypatch.setattr(_scattering, "scatter_images",
                        lambda images, *args: calls.append(len(images)) or kernel(images, *args))
    X = 255 * np.random.default_rng(9).random((_numba_cache.NUMPY_TWIN_BELOW, 784))
    scattering = Scattering2D().fit(X)
    few = scattering.transform(X[:-1])
    assert calls == [] and few.dtype == np.float32
    filters = scattering_filters((28, 28), 2, 8)
    np.testing.assert_allclose(
        few, scattering_numpy(X[:-1].astype(np.float32).reshape(-1, 28, 28), filters, 2),
        rtol=1e-6)
    many = scattering.transform(X)
    assert calls == [len(X)]
    np.testing.assert_allclose(few, many[:-1], rtol=1e-4, atol=1e-5 * np.abs(many).max())


def _drawn_digits(cy, cx):
    """Two smooth strokes drawn at 28x28 (a "0" ring and a slanted "1"), 0-255."""
    yy, xx = np.mgrid[:28, :28]
    ring = np.exp(-((np.hypot(yy - cy, xx - cx) - 7) ** 2) / 2)
    bar = np.exp(-((xx - cx - 0.3 * (yy - cy)) ** 2) / 2) * (np.abs(yy - cy) < 9)
    return 255 * np.stack([ring.ravel(), bar.ravel()])


def _relative_change(A, B):
    return np.linalg.norm(A - B, axis=1) / np.linalg.norm(A, axis=1)


@pytest.mark.parametrize("shift", [(1, 0), (0, 1), (1, 1)])
def test_small_shifts_change_scattering_far_less_than_pixels(shift):
    X = _drawn_digits(13.5, 13.5)
    X_shifted = _drawn_digits(13.5 + shift[0], 13.5 + shift[1])
    scattering = Scattering2D().fit(X)
    pixel_change = _relative_change(X, X_shifted)
    scattering_change = _relative_change(scattering.transform(X), scattering.transform(X_shifted))
    assert (pixel_change > 0.3).all()
    assert (scattering_change < 0.5 * pixel_change).all()


@pytest.mark.mnist
def test_small_shifts_on_mnist(mnist_home):
    X, _ = load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    X = X[:100].astype(np.float32)
    images = X.reshape(-1, 28, 28)
    scattering = Scattering2D().fit(X)
    S = scattering.transform(X)
    for shift, axis in [(1, 1), (-1, 2), (1, 2)]:
        # MNIST digits have blank borders: rolling by a pixel is a shift
        shifted = np.roll(images, shift, axis=axis).reshape(100, -1)
        pixel_change = _relative_change(X, shifted)
        scattering_change = _relative_change(S, scattering.transform(shifted))
        assert np.median(scattering_change / pixel_change) < 0.5
        assert (scattering_change < pixel_change).all()


def test_images_smaller_than_the_scale_are_refused():
    with pytest.raises(ValueError, match=r"at least 2\*\*J = 4 pixels"):
        Scattering2D(J=2).fit(np.zeros((2, 9)))


def test_J0_works_on_one_pixel_wide_images():
    X = np.random.default_rng(6).random((4, 5))
    S = Scattering2D(J=0, image_shape=(1, -1)).fit_transform(X)
    assert S.shape == (4, 5)


@pytest.mark.parametrize("params", [{"J": -1}, {"L": 0}, {"max_order": 3}, {"J": 1.5}])
def test_bad_parameters(params):
    with pytest.raises(InvalidParameterError):
        Scattering2D(**params).fit(np.zeros((2, 64)))


def test_pipeline_features():
    pixels = make_digit_pipeline(features="pixels")
    assert list(pixels.named_steps) == ["deskew", "normalize", "classifier"]
    assert pixels.named_steps["classifier"].C == 1.0
    assert list(make_digit_pipeline().named_steps) == list(pixels.named_steps)
    scattering = make_digit_pipeline(features="scattering")
    assert list(scattering.named_steps) == [
        "deskew", "normalize", "scattering", "scale", "classifier"]
    assert scattering.named_steps["classifier"].C == 0.1
    with pytest.raises(ValueError, match="features must be one of"):
        make_digit_pipeline(features="hog")


@pytest.mark.mnist
def test_scattering_pipeline_accuracy_on_mnist(mnist_home):
    # the default of ``skdigit train``
    X_train, y_train = load_mnist(subset="train", data_home=mnist_home,
                                  return_X_y=True)
    X_test, y_test = load_mnist(subset="test", data_home=mnist_home,
                                return_X_y=True)
    start = time.perf_counter()
    pipeline = make_digit_pipeline(features="scattering").fit(X_train, y_train)
    accuracy = pipeline.score(X_test, y_test)
    print(f"scattering pipeline: test accuracy {accuracy:.4f} in {time.perf_counter() - start:.0f} s")
    assert accuracy >= 0.994


def test_set_output_pandas_uses_the_feature_names():
    pd = pytest.importorskip("pandas")
    X, _ = load_digits(return_X_y=True)
    frame = pd.DataFrame(X[:5], columns=[f"pixel{i}" for i in range(64)])
    scattering = Scattering2D(J=1).set_output(transform="pandas").fit(frame)
    out = scattering.transform(frame)
    assert list(out.columns) == list(scattering.get_feature_names_out())
    assert out.shape == (5, 144)
    with pytest.raises(ValueError):
        scattering.get_feature_names_out([f"other{i}" for i in range(64)])
