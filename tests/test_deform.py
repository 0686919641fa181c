"""make_deformed_digits: the kernel against its SciPy twin, determinism, chunks, legibility."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils._param_validation import InvalidParameterError

from skdigit import Deskew, load_mnist, make_deformed_digits, make_digit_pipeline
from skdigit.datasets._deform import _draw, _smooth_noise
from skdigit.datasets._deform_kernels import deform_images
from skdigit.datasets._deform_reference import deform_images_reference
from skdigit.utils import MissingExtraError

DEFAULTS = dict(alpha=20.0, sigma=5.0, max_rotation=10.0, max_scale=0.1, max_shear=0.1,
                max_shift=1.0)
STRONG = dict(alpha=60.0, sigma=2.5, max_rotation=30.0, max_scale=0.3, max_shear=0.4,
              max_shift=3.0)
RIGID = dict(alpha=0.0, sigma=4.0, max_rotation=20.0, max_scale=0.2, max_shear=0.2,
             max_shift=2.0)
STILL = dict(alpha=0.0, max_rotation=0.0, max_scale=0.0, max_shear=0.0, max_shift=0.0)


def _settings(params):
    return tuple(params[k] for k in DEFAULTS)


@pytest.fixture(scope="module")
def digits8():
    """load_digits as uint8 0-255 (8x8 images): small, bundled with scikit-learn."""
    X, y = load_digits(return_X_y=True)
    return np.round(X * (255 / 16)).astype(np.uint8), y


@pytest.fixture(scope="module")
def mnist_test():
    return load_mnist(subset="test", return_X_y=True)


def _images(shape, n, seed=0):
    """Random uint8 'images' with a dark border, so that edges matter too."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(n,) + shape).astype(np.uint8)
    X[:, 0] = 0
    return X.reshape(n, -1)


@pytest.mark.parametrize("params", [DEFAULTS, STRONG, RIGID], ids=["default", "strong", "rigid"])
@pytest.mark.parametrize("shape", [(28, 28), (8, 8), (5, 9)])
def test_kernel_matches_scipy_twin_before_rounding(shape, params):
    X = _images(shape, 40)
    n_pix = shape[0] * shape[1]
    settings = _settings(params)
    noise, affine = _draw(7, 0, 0, len(X), n_pix, settings)
    field = np.zeros((1, 2, 1)) if noise is None else _smooth_noise(noise, shape, params["sigma"])
    out = np.empty((len(X), n_pix))
    deform_images(X, *shape, field, affine, params["alpha"], False, out)
    ref = deform_images_reference(X, shape, noise, affine, params["alpha"], params["sigma"])
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-5)
    assert np.abs(out - X).max() > 10  # something moved


@pytest.mark.parametrize("params", [DEFAULTS, STRONG], ids=["default", "strong"])
def test_public_function_matches_scipy_twin(digits8, params):
    """The batching, the seeds per block and the rounding of the public function."""
    X = digits8[0][:1100]  # more than one batch of the kernel
    X_def, _ = make_deformed_digits(X, n_copies=2, random_state=11, **params)
    for c in range(2):
        noise, affine = _draw(11, c, 0, len(X), 64, _settings(params))
        ref = deform_images_reference(X, (8, 8), noise, affine, params["alpha"],
                                      params["sigma"], quantize=True)
        diff = np.abs(X_def[c * len(X):(c + 1) * len(X)].astype(int) - ref)
        # the two round the same values, up to ties broken by the last bits
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-4


def test_identity_without_deformation(mnist_test):
    X = mnist_test[0][:300]
    X_def, _ = make_deformed_digits(X, n_copies=2, random_state=0, **STILL)
    np.testing.assert_array_equal(X_def, np.vstack([X, X]))
    X_float = np.clip(X - 0.3, 0, None)  # rounds back to X
    np.testing.assert_array_equal(make_deformed_digits(X_float, random_state=0, **STILL)[0], X)


def test_deterministic_given_random_state(mnist_test):
    X, y = mnist_test[0][:200], mnist_test[1][:200]
    a, ya = make_deformed_digits(X, y, n_copies=2, random_state=3)
    b, yb = make_deformed_digits(X, y, n_copies=2, random_state=3)
    c, _ = make_deformed_digits(X, y, n_copies=2, random_state=4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert (a != c).any(axis=1).all()  # every image differs under another seed
    assert (a[:200] != a[200:]).any(axis=1).all()  # and the two copies differ
    d, _ = make_deformed_digits(X, n_copies=2, random_state=np.random.RandomState(5))
    e, _ = make_deformed_digits(X, n_copies=2, random_state=np.random.RandomState(5))
    np.testing.assert_array_equal(d, e)
    f, _ = make_deformed_digits(X)
    g, _ = make_deformed_digits(X)
    assert (f != g).any()


def test_copy_of_an_image_depends_on_its_position_not_on_the_rest(mnist_test):
    X = mnist_test[0][:600]
    full, _ = make_deformed_digits(X, random_state=0)
    head, _ = make_deformed_digits(X[:300], random_state=0)
    np.testing.assert_array_equal(full[:300], head)
    # alpha changes the field, not the affine draws: rigid copies stay the same
    rigid_a, _ = make_deformed_digits(X, random_state=0, **RIGID)
    rigid_b, _ = make_deformed_digits(X, random_state=0, **{**RIGID, "sigma": 1.0})
    np.testing.assert_array_equal(rigid_a, rigid_b)


@pytest.mark.parametrize("chunks", [100, 257, (50, 300, 250), 600])
def test_dask_gives_the_same_digits_whatever_the_chunks(mnist_test, chunks):
    da = pytest.importorskip("dask.array")
    X, y = mnist_test[0][:600], mnist_test[1][:600]
    expected, y_expected = make_deformed_digits(X, y, n_copies=2, random_state=9,
                                                include_original=True)
    X_dask = da.from_array(X, chunks=(chunks, 784))
    X_def, y_def = make_deformed_digits(X_dask, da.from_array(y, chunks=50), n_copies=2,
                                        random_state=9, include_original=True)
    assert isinstance(X_def, da.Array) and isinstance(y_def, da.Array)
    assert X_def.dtype == np.uint8 and X_def.shape == expected.shape
    assert y_def.chunks == (X_def.chunks[0],)
    np.testing.assert_array_equal(X_def.compute(), expected)
    np.testing.assert_array_equal(y_def.compute(), y_expected)


def test_lazy_from_numpy_and_images(mnist_test):
    da = pytest.importorskip("dask.array")
    images = mnist_test[0][:500].reshape(-1, 28, 28)
    expected, _ = make_deformed_digits(images, random_state=2, n_copies=2)
    assert expected.shape == (1000, 28, 28)
    for chunk_size in (7, 128, 8192):
        lazy, y_lazy = make_deformed_digits(images, random_state=2, n_copies=2, lazy=True,
                                            chunk_size=chunk_size)
        assert y_lazy is None and lazy.chunksize[1:] == (28, 28)
        assert lazy.chunksize[0] == min(chunk_size, 500)
        np.testing.assert_array_equal(lazy.compute(), expected)
    # dask labels alone make the output lazy too
    X_def, y_def = make_deformed_digits(images, da.arange(500, chunks=100), random_state=2,
                                        n_copies=2)
    assert isinstance(X_def, da.Array) and y_def.chunks == (X_def.chunks[0],)
    np.testing.assert_array_equal(y_def.compute(), np.tile(np.arange(500), 2))
    # a dask X chunked along the pixels too is rechunked into whole images
    split = da.from_array(images, chunks=(100, 14, 28))
    np.testing.assert_array_equal(make_deformed_digits(split, random_state=2, n_copies=2)[0],
                                  expected)


def test_shapes_dtypes_and_labels(digits8):
    X, y = digits8
    X_def, y_def = make_deformed_digits(X, y, n_copies=3, include_original=True, random_state=0)
    assert X_def.shape == (4 * len(X), 64) and X_def.dtype == np.uint8
    np.testing.assert_array_equal(X_def[:len(X)], X)
    np.testing.assert_array_equal(y_def, np.tile(y, 4))
    assert make_deformed_digits(X, random_state=0)[1] is None
    images, _ = make_deformed_digits(X.reshape(-1, 8, 8), random_state=0)
    np.testing.assert_array_equal(images.reshape(len(X), 64), make_deformed_digits(
        X, random_state=0)[0])
    wide = np.zeros((3, 4 * 16), dtype=np.float32)
    assert make_deformed_digits(wide, image_shape=(4, -1))[0].shape == (3, 64)


def _orientation(img):
    """Angle in degrees of the principal axis, counterclockwise as displayed."""
    rows, cols = np.nonzero(img > 0)
    w = img[rows, cols].astype(float)
    x, up = cols - np.average(cols, weights=w), -(rows - np.average(rows, weights=w))
    cov = np.cov(np.vstack([x, up]), aweights=w)
    return np.degrees(0.5 * np.arctan2(2 * cov[0, 1], cov[0, 0] - cov[1, 1]))


def test_affine_parameters_mean_what_they_say():
    n = 30
    bars = np.zeros((n, 28, 28), dtype=np.uint8)
    bars[:, 13:15, 4:24] = 255  # horizontal bars
    params = dict(STILL, max_rotation=30.0)
    out, _ = make_deformed_digits(bars, random_state=1, **params)
    theta = np.degrees(_draw(1, 0, 0, n, 784, _settings({**DEFAULTS, **params}))[1][:, 0])
    angles = np.array([_orientation(img) for img in out])
    np.testing.assert_allclose(angles, theta, atol=1.5)  # positive: counterclockwise

    params = dict(STILL, max_shear=0.5)
    upright = np.ascontiguousarray(bars.transpose(0, 2, 1))  # vertical bars
    out, _ = make_deformed_digits(upright, random_state=1, **params)
    shear = _draw(1, 0, 0, n, 784, _settings({**DEFAULTS, **params}))[1][:, 2]
    skew = Deskew().skew(out.reshape(n, -1).astype(np.float32))
    np.testing.assert_allclose(skew, shear, atol=0.03)  # Deskew measures the same slant

    params = dict(STILL, max_shift=3.0)
    blob = np.zeros((n, 28, 28), dtype=np.uint8)
    blob[:, 10:18, 10:18] = 200
    out, _ = make_deformed_digits(blob, random_state=1, **params)
    shift = _draw(1, 0, 0, n, 784, _settings({**DEFAULTS, **params}))[1][:, 3:]
    grid = np.mgrid[:28, :28].reshape(2, -1)
    flat = out.reshape(n, -1).astype(float)
    centre = (flat @ grid.T) / flat.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(centre - 13.5, shift, atol=0.05)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(alpha=-1.0), "alpha"),
        (dict(sigma=0.0), "sigma"),
        (dict(max_scale=1.0), "max_scale"),
        (dict(max_rotation=200.0), "max_rotation"),
        (dict(n_copies=0), "n_copies"),
        (dict(chunk_size=0), "chunk_size"),
        (dict(random_state="seed"), "random_state"),
    ],
)
def test_parameters_are_validated(digits8, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        make_deformed_digits(digits8[0][:5], **kwargs)


def test_bad_input_gets_clear_errors(digits8):
    X, y = digits8
    with pytest.raises(ValueError, match="0-255"):
        make_deformed_digits(X[:5] * 2.0)
    with pytest.raises(ValueError, match="0-255"):
        make_deformed_digits(X[:5] - 1.0)
    with pytest.raises(ValueError, match="NaN"):
        make_deformed_digits(np.full((2, 64), np.nan))
    with pytest.raises(ValueError, match="shape"):
        make_deformed_digits(np.zeros((2, 3, 8, 8)))
    with pytest.raises(ValueError, match="perfect square"):
        make_deformed_digits(np.zeros((2, 65)))
    with pytest.raises(ValueError, match="image_shape"):
        make_deformed_digits(np.zeros((2, 8, 8)), image_shape=(4, 16))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make_deformed_digits(X[:5], y[:4])
    da = pytest.importorskip("dask.array")
    unknown = da.from_array(X[:50], chunks=10)
    unknown = unknown[unknown[:, 0] >= 0]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        make_deformed_digits(unknown)


def test_lazy_without_dask_says_how_to_install(digits8, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.array", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"skdigit\[dask\]"):
        make_deformed_digits(digits8[0][:5], lazy=True)


@pytest.mark.mnist
def test_a_model_trained_on_originals_reads_deformed_digits(mnist_home):
    X, y = load_mnist(subset="train", data_home=mnist_home, return_X_y=True)
    Xt, yt = load_mnist(subset="test", data_home=mnist_home, return_X_y=True)
    model = make_digit_pipeline().fit(X[:10_000], y[:10_000])
    original = model.score(Xt, yt)
    X_def, y_def = make_deformed_digits(Xt, yt, random_state=0)
    deformed = model.score(X_def, y_def)
    print(f"accuracy on the originals {original:.4f}, on deformed copies {deformed:.4f}")
    assert deformed >= 0.85
    assert deformed < original  # the deformations are not a no-op
    X_strong, _ = make_deformed_digits(Xt, random_state=0, **STRONG)
    assert model.score(X_strong, yt) < deformed  # harsher settings read worse


def test_benchmark_section_runs():
    """benchmarks/deform.py, as the harness runs it (a smoke run; no timing is asserted)."""
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not installed
    from benchmarks import harness, report

    result = harness.run_section("deform", {"quick": True, "data": None})
    steps = [row["step"] for row in result["rows"]]
    assert len(steps) == 6 and all(row["us_per_image"] > 0 for row in result["rows"])
    assert "Deformed digits" in report.markdown({"meta": {}, "deform": result})
