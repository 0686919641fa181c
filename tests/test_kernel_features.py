"""SeededRBFSampler (random Fourier features saved as their seed) and the kernel pipeline."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.kernel_approximation import RBFSampler

from skdigit import SeededRBFSampler, load_model, make_digit_pipeline, save_model
from skdigit._cli_progress import fit_with_progress


@pytest.fixture(scope="module")
def features():
    return np.random.default_rng(0).normal(size=(40, 300)).astype(np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("gamma", [0.01, "scale"])
def test_fit_and_transform_are_rbfsamplers(features, dtype, gamma):
    X = features.astype(dtype)
    ours = SeededRBFSampler(gamma=gamma, n_components=500, random_state=3).fit(X)
    theirs = RBFSampler(gamma=gamma, n_components=500, random_state=3).fit(X)
    np.testing.assert_array_equal(ours.random_weights_, theirs.random_weights_)
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))
    assert ours.transform(X).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("gamma", [0.01, "scale"])
def test_pickle_holds_the_seed_not_the_map(features, dtype, gamma):
    X = features.astype(dtype)
    sampler = SeededRBFSampler(gamma=gamma, n_components=2000, random_state=7).fit(X)
    saved = pickle.dumps(sampler)
    assert sampler.random_weights_.nbytes >= 2_400_000
    assert len(saved) < 10_000
    loaded = pickle.loads(saved)
    assert loaded.random_weights_.dtype == dtype
    np.testing.assert_array_equal(loaded.random_weights_, sampler.random_weights_)
    np.testing.assert_array_equal(loaded.random_offset_, sampler.random_offset_)
    np.testing.assert_array_equal(loaded.transform(X), sampler.transform(X))


def test_without_an_integer_seed_the_map_is_saved(features):
    for random_state in (None, np.random.RandomState(0)):
        sampler = SeededRBFSampler(gamma=0.01, n_components=2000,
                                   random_state=random_state).fit(features)
        loaded = pickle.loads(pickle.dumps(sampler))
        assert len(pickle.dumps(sampler)) > 2_400_000
        np.testing.assert_array_equal(loaded.transform(features), sampler.transform(features))


def test_unfitted_sampler_pickles_as_it_is():
    loaded = pickle.loads(pickle.dumps(SeededRBFSampler(random_state=0)))
    assert not hasattr(loaded, "random_weights_")
    assert loaded.get_params() == SeededRBFSampler(random_state=0).get_params()


@pytest.fixture(scope="module")
def digits_255():
    X, y = load_digits(return_X_y=True)
    return X * (255 / 16), y


def _kernel_pipeline(**params):
    return make_digit_pipeline(features="kernel", J=1, max_iter=300).set_params(
        kernel__rff__n_components=1500, **params)


def test_kernel_pipeline_steps_and_default_c(digits_255):
    pipe = make_digit_pipeline(features="kernel")
    assert list(pipe.named_steps) == ["deskew", "normalize", "scattering", "scale", "kernel",
                                      "classifier"]
    assert pipe[-1].C == 0.01
    rff = pipe.named_steps["kernel"].named_transformers["rff"]
    assert isinstance(rff, SeededRBFSampler)
    assert (rff.gamma, rff.n_components, rff.random_state) == (1.4e-4, 8000, 0)
    X, y = digits_255
    fitted = _kernel_pipeline().fit(X[:1000], y[:1000])
    # the union: the 144 coefficients of J=1, then 1,500 random features times 10
    Z = fitted[:-1].transform(X[1000:1010])
    assert Z.shape == (10, 144 + 1500) and Z.dtype == np.float32
    np.testing.assert_allclose(Z[:, :144], fitted[:4].transform(X[1000:1010]))
    assert np.abs(Z[:, 144:]).max() <= 10 * np.sqrt(2 / 1500) * (1 + 1e-6)
    assert fitted.score(X[1000:], y[1000:]) > 0.9


@pytest.mark.parametrize("suffix", [".joblib", ".skops"])
def test_saved_kernel_pipeline_is_small_and_predicts_the_same(digits_255, tmp_path, suffix):
    if suffix == ".skops":
        pytest.importorskip("skops")
    X, y = digits_255
    fitted = _kernel_pipeline().fit(X[:1000], y[:1000])
    path = tmp_path / f"model{suffix}"
    save_model(fitted, path)
    rff = fitted.named_steps["kernel"].named_transformers["rff"]
    # the map: 144 x 1,500 float32; the model: the classifier's 10 x 1,644 weights
    assert path.stat().st_size < rff.random_weights_.nbytes / 2
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X[1000:]), fitted.predict_proba(X[1000:]))
    np.testing.assert_array_equal(
        joblib.load(path).predict(X[1000:]) if suffix == ".joblib" else loaded.predict(X[1000:]),
        fitted.predict(X[1000:]))


def test_command_line_fit_of_the_kernel_step_is_the_pipelines(digits_255, monkeypatch):
    """The command line maps the images by batches: the same features as one transform."""
    from skdigit import _cli_progress

    monkeypatch.setattr(_cli_progress, "_KERNEL_BATCH", 97)
    X, y = digits_255
    plain = _kernel_pipeline().fit(X[:1000], y[:1000])
    batches = []
    union = type(plain.named_steps["kernel"])
    transform = union.transform
    monkeypatch.setattr(union, "transform",
                        lambda self, X: batches.append(len(X)) or transform(self, X))
    batched = fit_with_progress(_kernel_pipeline(), X[:1000], y[:1000], quiet=True)
    assert max(batches) == 97 and sum(batches) == 1000
    np.testing.assert_allclose(batched[-1].coef_, plain[-1].coef_, rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(batched.predict(X[1000:]), plain.predict(X[1000:]))


def test_a_kernel_step_that_learns_from_the_data_is_fitted_whole(digits_255):
    from skdigit._cli_progress import _learns_shape_only

    union = make_digit_pipeline(features="kernel").named_steps["kernel"]
    assert _learns_shape_only(union)
    assert not _learns_shape_only(union.set_params(rff__gamma="scale"))
    assert not _learns_shape_only(union.set_params(rff__gamma=0.1, rff__random_state=None))
