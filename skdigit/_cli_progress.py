"""Fitting and predicting with progress, for the command line.

:func:`fit_with_progress` fits a :class:`~sklearn.pipeline.Pipeline` as
``pipeline.fit`` does, but runs the transformers that learn nothing from the
data (:class:`~skdigit.Deskew`, :class:`~skdigit.PixelNormalizer`,
:class:`~skdigit.Scattering2D`) by batches of images under a progress bar;
:func:`predict_with_progress` predicts by batches. Each row of these
transforms depends on that image only, so they are those of ``pipeline.fit``
and ``model.predict``, bit for bit. A
:class:`~sklearn.preprocessing.StandardScaler` (about 10 s on the 60,000
scattering vectors, silent, in one ``fit``) accumulates its mean and variance
batch by batch (``partial_fit``: equal to ``fit``'s to about 1e-15, relative)
and then scales by batches. The ``"kernel"`` step of
``make_digit_pipeline(features="kernel")`` (a
:class:`~sklearn.pipeline.FeatureUnion` of ``"passthrough"`` and random
Fourier features with a fixed ``gamma``, which learn only the number of
features) also runs by batches.
"""

from numbers import Real

import numpy as np
from sklearn.kernel_approximation import RBFSampler
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from .preprocessing import Deskew, PixelNormalizer, Scattering2D
from .utils import progress_bar

__all__ = ["fit_with_progress", "predict_with_progress"]

# Rows per batch: a bar step every second or so on two cores.
_BATCH = {Deskew: 10_000, PixelNormalizer: 60_000, Scattering2D: 2_000}
_NAMES = {Deskew: "Deskewing", PixelNormalizer: "Scaling pixels",
          Scattering2D: "Scattering transform"}
_PREDICT_BATCH = 2_000
_SCALER_BATCH = 5_000
# 3,969 coefficients to 8,000 random features: about 0.6 s for 500 images on
# two cores, and the first batch comes after the random map is drawn.
_KERNEL_BATCH = 500


def _learns_shape_only(union):
    """Whether ``union`` (a FeatureUnion) fitted on one row is the one fitted on all.

    True when each of its transformers is ``"passthrough"``, ``"drop"`` or an
    :class:`~sklearn.kernel_approximation.RBFSampler` with a numeric ``gamma``
    and an integer seed (its map depends on the number of features only).
    """
    for _, transformer in union.transformer_list:
        if isinstance(transformer, str) and transformer in ("passthrough", "drop"):
            continue
        if not (isinstance(transformer, RBFSampler) and isinstance(transformer.gamma, Real)
                and isinstance(transformer.random_state, (int, np.integer))):
            return False
    return True


def _transform_into_bar(step, X, batch, bar):
    """``step.transform(X)``, ``batch`` rows at a time, each counted on ``bar``."""
    out = None
    for start in range(0, len(X), batch):
        block = step.transform(X[start:start + batch])
        if out is None:
            out = np.empty((len(X), block.shape[1]), dtype=block.dtype)
        out[start:start + len(block)] = block
        bar.update(len(block))
    return out


def _transform_by_batches(step, X, *, desc, batch, quiet):
    """``step.transform(X)``, ``batch`` rows at a time, under a progress bar."""
    with progress_bar(len(X), desc=desc, unit="images", enabled=not quiet) as bar:
        return _transform_into_bar(step, X, batch, bar)


def _standardize_by_batches(scaler, X, *, desc, quiet):
    """``scaler.fit_transform(X)``: statistics by ``partial_fit``, then scaling,
    batch by batch, under one bar (two passes over the images)."""
    batch = _SCALER_BATCH
    with progress_bar(2 * len(X), desc=desc, unit="images", enabled=not quiet) as bar:
        for start in range(0, len(X), batch):
            scaler.partial_fit(X[start:start + batch])
            bar.update(len(X[start:start + batch]))
        return _transform_into_bar(scaler, X, batch, bar)


def fit_with_progress(pipeline, X, y, *, quiet=False, prefix=""):
    """Fit ``pipeline`` on ``(X, y)`` as ``pipeline.fit`` does, with progress.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline or estimator
        Fitted in place (any other estimator is fitted directly).
    X, y : array-like
    quiet : bool, default=False
        No progress output.
    prefix : str, default=""
        Put before each bar's label (``"fold 2/5: "``).

    Returns
    -------
    pipeline
    """
    if not isinstance(pipeline, Pipeline):
        return pipeline.fit(X, y)
    Xt = X
    for _, step in pipeline.steps[:-1]:
        if step is None or step == "passthrough":
            continue
        kind = type(step)
        if kind is StandardScaler and len(Xt) > _SCALER_BATCH:
            Xt = _standardize_by_batches(step, Xt, desc=prefix + "Standardizing",
                                         quiet=quiet)
        elif kind in _BATCH and len(Xt) > _BATCH[kind]:
            step.fit(Xt[:1])  # these steps learn the image shape only
            step.n_features_in_ = Xt.shape[1]
            Xt = _transform_by_batches(step, Xt, desc=prefix + _NAMES[kind],
                                       batch=_BATCH[kind], quiet=quiet)
        elif (kind is FeatureUnion and len(Xt) > _KERNEL_BATCH
              and _learns_shape_only(step)):
            step.fit(Xt[:1])  # the number of features and the dtype only
            Xt = _transform_by_batches(step, Xt, desc=prefix + "Kernel features",
                                       batch=_KERNEL_BATCH, quiet=quiet)
        else:
            Xt = step.fit_transform(Xt, y)
    pipeline.steps[-1][1].fit(Xt, y)
    return pipeline


def predict_with_progress(model, X, *, quiet=False, desc="Predicting"):
    """``model.predict(X)`` by batches of images, under a progress bar."""
    parts = []
    with progress_bar(len(X), desc=desc, unit="images", enabled=not quiet) as bar:
        for start in range(0, len(X), _PREDICT_BATCH):
            parts.append(model.predict(X[start:start + _PREDICT_BATCH]))
            bar.update(len(parts[-1]))
    return np.concatenate(parts) if parts else model.predict(X)
