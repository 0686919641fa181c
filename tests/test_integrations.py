"""skdigit in the tools its users plug it into (the ``integrations`` test extra).

Each test imports its tool with ``pytest.importorskip``: without the tool it is
skipped and the rest of the suite runs. ``pip install "skdigit[test,integrations]"``
installs them all. Where a tool only knows scikit-learn's own classes, the test
pins the workaround that the user guide gives (:ref:`integrations`).
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skdigit import DigitLogisticClassifier, DigitLogisticClassifierCV, PixelNormalizer


@pytest.fixture(scope="module")
def digits_small():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


def test_imbalanced_learn_pipeline_equals_sample_weights(digits_small):
    """RandomOverSampler's repeated rows are integer sample weights to us."""
    imblearn = pytest.importorskip("imblearn")
    from imblearn.over_sampling import RandomOverSampler

    X, y = digits_small
    y = (y == 3).astype(int)  # imbalanced: about one in ten
    pipe = imblearn.pipeline.make_pipeline(
        RandomOverSampler(random_state=0), DigitLogisticClassifier(tol=1e-10, max_iter=2000)
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*failed to converge")  # tol at rounding
        pipe.fit(X, y)
        sampler = RandomOverSampler(random_state=0)
        sampler.fit_resample(X, y)
        counts = np.bincount(sampler.sample_indices_, minlength=len(y))
        weighted = DigitLogisticClassifier(tol=1e-10, max_iter=2000).fit(
            X, y, sample_weight=counts
        )
    np.testing.assert_allclose(pipe[-1].coef_, weighted.coef_, rtol=1e-5, atol=1e-7)
    # and the CV estimator in the same pipeline
    cv_pipe = imblearn.pipeline.make_pipeline(
        RandomOverSampler(random_state=0), DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=3)
    ).fit(X, y)
    assert cv_pipe[-1].C_ in (0.1, 1.0) and cv_pipe.score(X, y) > 0.9


# optuna's own warnings (experimental features; its _more_tags on scikit-learn 1.6)
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_optuna_search_cv(digits_small):
    optuna = pytest.importorskip("optuna")
    integration = pytest.importorskip("optuna_integration")
    X, y = digits_small
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = integration.OptunaSearchCV(
        DigitLogisticClassifier(max_iter=300),
        {
            "C": optuna.distributions.FloatDistribution(1e-2, 1e2, log=True),
            "l1_ratio": optuna.distributions.FloatDistribution(0.0, 1.0),
        },
        n_trials=4, cv=3, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna's experimental-feature warnings
        search.fit(X, y)
    assert len(search.trials_) == 4
    best = search.best_estimator_
    assert isinstance(best, DigitLogisticClassifier)
    assert best.C == search.best_params_["C"] and best.score(X, y) > 0.9


def test_mlflow_autolog_in_a_pipeline(digits_small, tmp_path, monkeypatch):
    """mlflow's sklearn autolog patches scikit-learn's classes (Pipeline among
    them), not third-party estimators: in a Pipeline every parameter and the
    training metrics are logged (the workaround the user guide gives)."""
    mlflow = pytest.importorskip("mlflow")
    X, y = digits_small
    monkeypatch.chdir(tmp_path)  # mlflow's artifacts go to ./mlruns
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mlflow's own deprecations and notices
        mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
        mlflow.sklearn.autolog(log_models=False, silent=True)
        try:
            with mlflow.start_run() as run:
                make_pipeline(PixelNormalizer(max_value=1.0),
                              DigitLogisticClassifier(C=0.5)).fit(X, y)
            data = mlflow.tracking.MlflowClient().get_run(run.info.run_id).data
        finally:
            mlflow.sklearn.autolog(disable=True)
    assert data.params["digitlogisticclassifier__C"] == "0.5"
    assert float(data.metrics["training_accuracy_score"]) > 0.9


def test_shap_linear_explainer(digits_small):
    shap = pytest.importorskip("shap")
    X, y = digits_small
    clf = DigitLogisticClassifier(C=0.5).fit(X, y == 3)
    explainer = shap.LinearExplainer(clf, X[:200])
    values = np.asarray(explainer.shap_values(X[:5]))
    # the contributions add up to the logit, as for LogisticRegression
    np.testing.assert_allclose(
        values.sum(axis=-1) + np.ravel(explainer.expected_value)[0],
        clf.decision_function(X[:5]), rtol=1e-6, atol=1e-6,
    )


# fairlearn's own use of pandas deprecations, not ours
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_fairlearn_exponentiated_gradient(digits_small):
    pytest.importorskip("fairlearn")
    from fairlearn.metrics import demographic_parity_difference
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient

    X, y = digits_small
    y = (y >= 5).astype(int)
    group = (X[:, 20] > 0.3).astype(int)  # a pixel as the "sensitive feature"
    plain = DigitLogisticClassifier(max_iter=300).fit(X, y)
    mitigated = ExponentiatedGradient(
        DigitLogisticClassifier(max_iter=300), DemographicParity(), max_iter=10
    ).fit(X, y, sensitive_features=group)
    assert all(isinstance(p, DigitLogisticClassifier) for p in mitigated.predictors_)
    before = demographic_parity_difference(y, plain.predict(X), sensitive_features=group)
    after = demographic_parity_difference(
        y, mitigated.predict(X, random_state=0), sensitive_features=group
    )
    assert after <= before + 0.02


def test_mapie_split_conformal_classifier(digits_small):
    pytest.importorskip("mapie")
    from mapie.classification import SplitConformalClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16
    fit, calibrate, test = slice(0, 600), slice(600, 1200), slice(1200, None)
    clf = DigitLogisticClassifier(C=0.05).fit(X[fit], y[fit])
    mapie = SplitConformalClassifier(estimator=clf, confidence_level=0.9, prefit=True)
    mapie.conformalize(X[calibrate], y[calibrate])
    y_pred, sets = mapie.predict_set(X[test])
    np.testing.assert_array_equal(y_pred, clf.predict(X[test]))
    sets = np.asarray(sets)[:, :, 0]  # (n_samples, n_classes) at the one level asked
    coverage = sets[np.arange(len(sets)), y[test]].mean()
    assert 0.85 <= coverage  # 0.9 asked, 600 calibration points


def test_polars_input(digits_small):
    pl = pytest.importorskip("polars")
    X, y = digits_small
    columns = [f"px{i}" for i in range(X.shape[1])]
    frame = pl.DataFrame(X, schema=columns)
    clf = DigitLogisticClassifier(C=0.5).fit(frame, y)
    # the column names are kept where scikit-learn keeps them (polars: 1.7 on)
    theirs = LogisticRegression(C=0.5, max_iter=500).fit(frame, y)
    if hasattr(theirs, "feature_names_in_"):
        np.testing.assert_array_equal(clf.feature_names_in_, columns)
        np.testing.assert_array_equal(
            DigitLogisticClassifierCV(Cs=[1.0], cv=2).fit(frame, y).feature_names_in_, columns
        )
    else:
        assert not hasattr(clf, "feature_names_in_")
    ref = DigitLogisticClassifier(C=0.5).fit(X, y)
    np.testing.assert_array_equal(clf.coef_, ref.coef_)
    np.testing.assert_array_equal(clf.predict(frame), ref.predict(X))
    cv = DigitLogisticClassifierCV(Cs=[0.1, 1.0], cv=3).fit(frame, pl.Series(y))
    assert cv.score(frame, y) > 0.9


def test_select_from_model_needs_the_l1_threshold(digits_small):
    """SelectFromModel picks its default threshold by class name
    (``LogisticRegression`` with ``l1_ratio=1``: 1e-5, the weights that are not
    zero); for any other class it is the mean importance. The user guide's
    workaround: ``threshold=1e-5``."""
    from sklearn.feature_selection import SelectFromModel

    X, y = digits_small
    clf = DigitLogisticClassifier(l1_ratio=1.0, C=0.1)
    selector = SelectFromModel(clf, threshold=1e-5).fit(X, y)
    nonzero = np.abs(selector.estimator_.coef_).sum(axis=0) > 0
    np.testing.assert_array_equal(selector.get_support(), nonzero)
    assert 0 < nonzero.sum() < X.shape[1]
    default = SelectFromModel(clf).fit(X, y)
    assert default.get_support().sum() < nonzero.sum()  # the mean drops non-zero weights
