"""ONNX export (skdigit.onnx): every converter against the estimator it exports.

Each test runs the exported graph in onnxruntime and compares with the
estimator's own output on real digits (MNIST or scikit-learn's 8x8 digits),
in float32: probabilities within 1e-4 and the same labels.
"""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.kernel_approximation import RBFSampler  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402

from skdigit import (  # noqa: E402
    Deskew,
    DigitLogisticClassifier,
    DigitLogisticClassifierCV,
    PixelNormalizer,
    Scattering2D,
    SeededRBFSampler,
    load_mnist,
    make_digit_pipeline,
)
from skdigit.onnx import OnnxExportError, register_converters, to_onnx  # noqa: E402


def _run(onx, X):
    session = ort.InferenceSession(onx.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: np.asarray(X, np.float32)})


@pytest.fixture(scope="module")
def mnist():
    X_train, y_train = load_mnist(subset="train", return_X_y=True)
    X_test, y_test = load_mnist(subset="test", return_X_y=True)
    return (np.asarray(X_train[:3000], np.float32), y_train[:3000],
            np.asarray(X_test[:500], np.float32), y_test[:500])


def _check_classifier(model, X):
    label, proba = _run(to_onnx(model), X)
    assert isinstance(proba, np.ndarray) and proba.dtype == np.float32
    assert_allclose(proba, model.predict_proba(X), atol=1e-4, rtol=0)
    expected = model.predict(X)
    if expected.dtype == bool:  # boolean classes give int64 labels 0 and 1
        expected = expected.astype(np.int64)
    assert_array_equal(label, expected)
    return label, proba


@pytest.mark.parametrize("deskew", [True, False])
def test_pixel_pipeline_multinomial(mnist, deskew):
    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="pixels", deskew=deskew, max_iter=200).fit(X, y)
    _check_classifier(model, X_test)


def test_binary_detector_uses_sigmoid(mnist):
    """The "is it a 2" detector: one row of coef_, sigmoid probabilities."""
    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="pixels", max_iter=200).fit(X, y == 2)
    assert model[-1].coef_.shape[0] == 1
    label, proba = _check_classifier(model, X_test)
    assert label.dtype == np.int64 and set(np.unique(label)) <= {0, 1}
    assert_allclose(proba.sum(axis=1), 1, atol=1e-6)


def test_two_classes_with_two_rows_of_coef_use_softmax(mnist):
    """The choice follows coef_'s shape, not the number of classes or the class."""
    X, y, X_test, _ = mnist
    binary = DigitLogisticClassifier(max_iter=200).fit(X[:1000] / 255, y[:1000] == 2)
    model = DigitLogisticClassifier().fit(X[:20] / 255, y[:20] == 2)
    # a two-row model with the binary one's logits split into two halves
    model.coef_ = np.vstack([-binary.coef_ / 2, binary.coef_ / 2])
    model.intercept_ = np.array([-binary.intercept_[0] / 2, binary.intercept_[0] / 2])
    X01 = X_test / 255
    assert model.decision_function(X01).ndim == 2
    _check_classifier(model, X01)
    # same probabilities as the sigmoid of the one-row model
    assert_allclose(model.predict_proba(X01), binary.predict_proba(X01), atol=1e-6)


def test_string_classes(mnist):
    X, y, X_test, _ = mnist
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven",
                      "eight", "nine"])
    model = make_pipeline(PixelNormalizer(), DigitLogisticClassifier(max_iter=100))
    model.fit(X[:1000], names[y[:1000]])
    label, _ = _check_classifier(model, X_test[:50])
    assert label.dtype == object


def test_l1_model_sparse_coef(mnist):
    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="pixels", C=0.05, l1_ratio=1.0,
                                max_iter=300).fit(X, y)
    assert (model[-1].coef_ == 0).mean() > 0.3
    _check_classifier(model, X_test)


def test_cv_estimator(mnist):
    X, y, X_test, _ = mnist
    model = make_pipeline(PixelNormalizer(), DigitLogisticClassifierCV(
        Cs=[0.1, 1.0], cv=2, max_iter=100)).fit(X[:1500], y[:1500])
    _check_classifier(model, X_test)


def test_scattering_pipeline(mnist):
    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="scattering", max_iter=200).fit(X[:1500], y[:1500])
    assert isinstance(model.named_steps["scale"], StandardScaler)
    _check_classifier(model, X_test[:200])


def test_kernel_pipeline(mnist):
    """make_digit_pipeline(features="kernel"): the FeatureUnion of the
    coefficients ("passthrough") and 10 times 8,000 random Fourier features."""
    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="kernel", max_iter=200).fit(X[:600], y[:600])
    assert isinstance(model.named_steps["kernel"], FeatureUnion)
    _check_classifier(model, X_test[:200])


@pytest.mark.parametrize("sampler", [RBFSampler, SeededRBFSampler])
def test_random_fourier_features_in_a_union(sampler):
    """skl2onnx has no RBFSampler converter: ours, for scikit-learn's and
    ours, alone and in a union with "passthrough", "drop" and weights."""
    X, _ = load_digits(return_X_y=True)
    X = X[:300].astype(np.float32) / 16
    alone = sampler(gamma=0.05, n_components=300, random_state=0).fit(X)
    (out,) = _run(to_onnx(alone), X)
    assert_allclose(out, alone.transform(X), rtol=0, atol=1e-5)
    union = FeatureUnion([("linear", "passthrough"), ("none", "drop"),
                          ("rff", sampler(gamma=0.05, n_components=300, random_state=1))],
                         transformer_weights={"rff": 10.0, "none": 2.0}).fit(X)
    (out,) = _run(to_onnx(union), X)
    expected = union.transform(X)
    assert out.shape == expected.shape == (300, 64 + 300)
    assert_allclose(out, expected, rtol=0, atol=1e-4)
    # fitting put an identity in place of "passthrough"; one set afterwards
    union.set_params(linear="passthrough")
    (out,) = _run(to_onnx(union), X)
    assert_allclose(out, union.transform(X), rtol=0, atol=1e-4)


def test_unregistered_part_of_a_union_is_named(mnist):
    X, y, _, _ = mnist
    union = FeatureUnion([("linear", "passthrough"), ("odd", _Unknown())])
    model = make_pipeline(union, DigitLogisticClassifier(max_iter=20))
    model.fit(X[:200] / 255, y[:200])
    with pytest.raises(OnnxExportError, match=r"step 'featureunion.odd' \(_Unknown\).*no converter"):
        to_onnx(model)


@pytest.mark.parametrize("transformer, scale", [
    (PixelNormalizer(), 1),
    (PixelNormalizer(max_value=16.0), 1 / 16),
    (PixelNormalizer(max_value=1.0), 1 / 255),
    (Deskew(), 1),
    (Scattering2D(), 1 / 255),
    (Scattering2D(max_order=1), 1 / 255),
])
def test_transformers_mnist(mnist, transformer, scale):
    X = mnist[2][:100] * np.float32(scale)
    transformer.fit(X)
    (out,) = _run(to_onnx(transformer), X)
    expected = transformer.transform(X)
    assert out.shape == expected.shape
    assert_allclose(out, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("J", [0, 1])
def test_scattering_8x8(J):
    from sklearn.datasets import load_digits

    X = load_digits().data[:100].astype(np.float32) / 16
    transformer = Scattering2D(J=J).fit(X)
    (out,) = _run(to_onnx(transformer), X)
    assert_allclose(out, transformer.transform(X), rtol=1e-5, atol=1e-6)


def test_deskew_edge_cases():
    """Blank images pass through; one-row ink is only centred; 8x8 and 28x20 shapes."""
    rng = np.random.default_rng(0)
    X = np.zeros((3, 28 * 20), np.float32)
    X[1].reshape(28, 20)[5, 2:9] = 200  # one row: no skew, only centred
    X[2] = rng.uniform(0, 1, 28 * 20) * (rng.uniform(size=28 * 20) < 0.2)
    deskew = Deskew(image_shape=(28, 20)).fit(X)
    (out,) = _run(to_onnx(deskew), X)
    expected = deskew.transform(X)
    assert_array_equal(out[0], 0)
    assert_allclose(out, expected, atol=1e-5 * 200)
    with pytest.raises(OnnxExportError, match="opset 13"):
        to_onnx(deskew, target_opset=12)


def test_zipmap_option(mnist):
    X, y, X_test, _ = mnist
    model = make_pipeline(PixelNormalizer(), DigitLogisticClassifier(max_iter=50))
    model.fit(X[:500], y[:500])
    _, proba = _run(to_onnx(model, zipmap=True), X_test[:3])
    assert isinstance(proba, list) and set(proba[0]) == set(range(10))
    assert_allclose(proba[0][3], model.predict_proba(X_test[:1])[0, 3], atol=1e-5)


def test_skl2onnx_to_onnx_after_registration(mnist):
    """The documented mechanism: skl2onnx.to_onnx itself, zipmap=False honoured."""
    from skl2onnx import to_onnx as skl2onnx_to_onnx

    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="pixels", max_iter=50).fit(X[:500], y[:500] == 2)
    register_converters()
    onx = skl2onnx_to_onnx(model, X_test[:1], options={"zipmap": False}, target_opset=17)
    label, proba = _run(onx, X_test)
    assert_allclose(proba, model.predict_proba(X_test), atol=1e-4)
    assert_array_equal(label, model.predict(X_test).astype(np.int64))


def test_unsupported_step_is_named(mnist):
    X, y, _, _ = mnist
    model = Pipeline([("normalize", PixelNormalizer()),
                      ("square", FunctionTransformer(np.square)),
                      ("classifier", DigitLogisticClassifier(max_iter=20))])
    model.fit(X[:200], y[:200])
    with pytest.raises(OnnxExportError, match=r"step 'square' \(FunctionTransformer\)"):
        to_onnx(model)


class _Unknown(FunctionTransformer):
    """A transformer that no converter knows."""


def test_unregistered_step_is_named(mnist):
    X, y, _, _ = mnist
    model = make_pipeline(_Unknown(), DigitLogisticClassifier(max_iter=20))
    model.fit(X[:200] / 255, y[:200])
    with pytest.raises(OnnxExportError, match=r"step '_unknown' \(_Unknown\).*no converter"):
        to_onnx(model)


def test_import_skdigit_registers_nothing():
    code = ("import sys, skdigit, skdigit.linear_model, skdigit.preprocessing; "
            "assert 'skl2onnx' not in sys.modules, 'skl2onnx imported'; "
            "import skdigit.onnx; assert 'skl2onnx' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_export(mnist, tmp_path, capsys):
    from skdigit import save_model
    from skdigit._cli import main

    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="pixels", max_iter=100).fit(X, y)
    save_model(model, tmp_path / "model.joblib")
    out = tmp_path / "model.onnx"
    assert main(["export", str(tmp_path / "model.joblib"), str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and "model.onnx" in printed[0] and "opset 18" in printed[0]
    import onnx

    label, proba = _run(onnx.load(str(out)), X_test)
    assert_allclose(proba, model.predict_proba(X_test), atol=1e-4)
    assert_array_equal(label, model.predict(X_test))


def test_cli_export_unconvertible_step(mnist, tmp_path, capsys):
    from skdigit import save_model
    from skdigit._cli import main

    X, y, _, _ = mnist
    model = Pipeline([("normalize", PixelNormalizer()),
                      ("square", FunctionTransformer(np.square)),
                      ("classifier", DigitLogisticClassifier(max_iter=50))])
    model.fit(X[:300], y[:300])
    save_model(model, tmp_path / "model.joblib")
    out = tmp_path / "model.onnx"
    assert main(["export", str(tmp_path / "model.joblib"), str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("skdigit export: error:") and "'square'" in err[0]
    assert not out.exists()


@pytest.mark.parametrize("opset", [13, 21])
def test_pixel_pipeline_opsets(mnist, opset):
    """Deskew's graph reads in opset 13 (GatherElements, Clip with inputs) and later."""
    X, y, X_test, _ = mnist
    model = make_digit_pipeline(features="pixels", max_iter=100).fit(X[:1000], y[:1000])
    onx = to_onnx(model, target_opset=opset)
    assert max(o.version for o in onx.opset_import if o.domain in ("", "ai.onnx")) <= opset
    label, proba = _run(onx, X_test)
    assert_allclose(proba, model.predict_proba(X_test), atol=1e-4)
    assert_array_equal(label, model.predict(X_test))


def test_scattering_opset_16(mnist):
    X = mnist[2][:20] / np.float32(255)
    transformer = Scattering2D().fit(X)
    (out,) = _run(to_onnx(transformer, target_opset=16), X)
    assert_allclose(out, transformer.transform(X), rtol=1e-5, atol=1e-6)


def test_unfitted_model_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        to_onnx(make_digit_pipeline(features="pixels"))


def test_cli_export_opset_too_low_for_deskew(mnist, tmp_path, capsys):
    from skdigit import save_model
    from skdigit._cli import main

    X, y, _, _ = mnist
    model = make_digit_pipeline(features="pixels", max_iter=50).fit(X[:300], y[:300])
    save_model(model, tmp_path / "model.joblib")
    out = tmp_path / "model.onnx"
    status = main(["export", str(tmp_path / "model.joblib"), str(out), "--opset", "12"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1
    assert "step 'deskew' (Deskew)" in err[0] and "opset 13" in err[0]
    assert not out.exists()
