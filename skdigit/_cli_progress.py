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
and then scales by batches.
"""

import numpy as np
from sklearn.pipeline import Pipeline
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
