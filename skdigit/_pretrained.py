"""The model shipped with skdigit: the default scattering pipeline, fitted on MNIST.

The fitted state of ``make_digit_pipeline(features="scattering")`` trained on
the 60,000 bundled MNIST training images is stored as plain arrays in
``skdigit/data/pretrained.npz`` (no pickle: the file is read with
``numpy.load(allow_pickle=False)``). Only what training learns is stored, the
:class:`~sklearn.preprocessing.StandardScaler`'s mean, variance and scale and the
:class:`~skdigit.DigitLogisticClassifier`'s weights, in the dtypes the fit gave them; the
:class:`~skdigit.Deskew`, :class:`~skdigit.PixelNormalizer` and
:class:`~skdigit.Scattering2D` steps learn nothing from data (their filter
bank is recomputed). :func:`load_pretrained` rebuilds the same scikit-learn
``Pipeline``.

Regenerate the file (about a minute on two cores) with::

    python -m skdigit._pretrained            # writes skdigit/data/pretrained.npz
    python -m skdigit._pretrained --output other.npz

and check the published accuracy with ``skdigit evaluate`` on a model saved
by ``skdigit train``, or with ``load_pretrained().score(*load_mnist("test",
return_X_y=True))``.
"""

import argparse
import sys
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["PRETRAINED_PATH", "fit_pretrained", "load_pretrained", "save_pretrained"]

# The file inside the package (setuptools' package-data in pyproject.toml).
PRETRAINED_PATH = Path(str(resources.files("skdigit") / "data" / "pretrained.npz"))

# Keys of the archive; FORMAT changes when the layout does.
_FORMAT = 1
_N_PIXELS = 784


def fit_pretrained(*, data_home=None, verbose=0):
    """Fit the default scattering pipeline on the MNIST training images.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Where MNIST is (see :func:`skdigit.load_mnist`); None: the bundled copy.
    verbose : int, default=0
        The classifier's ``verbose``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        ``make_digit_pipeline(features="scattering")``, fitted on all 60,000
        training images.
    """
    from ._pipeline import make_digit_pipeline
    from .datasets import load_mnist

    X, y = load_mnist(subset="train", data_home=data_home, return_X_y=True)
    pipeline = make_digit_pipeline(features="scattering", verbose=verbose)
    return pipeline.fit(X, y)


def _state(pipeline):
    """The arrays that describe a fitted default scattering pipeline."""
    scattering = pipeline.named_steps["scattering"]
    scale = pipeline.named_steps["scale"]
    classifier = pipeline.named_steps["classifier"]
    deskew = pipeline.named_steps["deskew"]
    return {
        "format": np.array(_FORMAT),
        "deskew": np.array(deskew != "passthrough"),
        "J": np.array(scattering.J),
        "L": np.array(scattering.L),
        "max_order": np.array(scattering.max_order),
        "scale_mean": np.asarray(scale.mean_),
        "scale_scale": np.asarray(scale.scale_),
        "scale_var": np.asarray(scale.var_),
        "n_samples_seen": np.array(scale.n_samples_seen_, dtype=np.int64),
        "C": np.array(classifier.C, dtype=np.float64),
        "coef": np.asarray(classifier.coef_, dtype=np.float32),
        "intercept": np.asarray(classifier.intercept_, dtype=np.float32),
        "classes": np.asarray(classifier.classes_, dtype=np.int64),
        "n_iter": np.asarray(classifier.n_iter_, dtype=np.int32),
    }


def save_pretrained(pipeline, path=PRETRAINED_PATH):
    """Write a fitted default scattering pipeline's state to a ``.npz`` file.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        As :func:`fit_pretrained` returns.
    path : str or os.PathLike, default=PRETRAINED_PATH
        The file to write.

    Returns
    -------
    path : pathlib.Path
    """
    from .utils import atomic_write

    with atomic_write(path) as f:  # a killed run leaves the old file whole
        np.savez_compressed(f, **_state(pipeline))
    return Path(path)


def load_pretrained(path=None):
    """The digit model shipped with skdigit, ready to predict.

    The default pipeline of ``skdigit train`` (Deskew -> PixelNormalizer ->
    Scattering2D -> StandardScaler -> DigitLogisticClassifier) fitted on the
    60,000 MNIST training images; 99.43% accuracy on the 10,000 test images.
    It is rebuilt from plain arrays (no pickle is read), so it loads with any
    scikit-learn version skdigit supports.

    Parameters
    ----------
    path : str or os.PathLike, default=None
        A file written by ``python -m skdigit._pretrained``; None: the one
        shipped in the package.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Fitted; takes 28x28 images flattened to 784 pixel intensities 0-255.

    Raises
    ------
    ValueError
        If the file is not one written by ``python -m skdigit._pretrained``.

    See Also
    --------
    skdigit.make_digit_pipeline : The pipeline, unfitted.
    skdigit.load_model : Load a model file written by ``skdigit train``.

    Examples
    --------
    >>> from skdigit import load_pretrained
    >>> model = load_pretrained()
    >>> list(model.named_steps)
    ['deskew', 'normalize', 'scattering', 'scale', 'classifier']
    >>> model.classes_.tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    from ._pipeline import make_digit_pipeline

    path = PRETRAINED_PATH if path is None else Path(path)
    with np.load(path, allow_pickle=False) as archive:
        state = {key: archive[key] for key in archive.files}
    if int(state.get("format", -1)) != _FORMAT:
        raise ValueError(f"{path} is not a skdigit pretrained-model file (format {_FORMAT})")
    pipeline = make_digit_pipeline(
        features="scattering", deskew=bool(state["deskew"]), C=float(state["C"]),
        J=int(state["J"]),
    )
    pipeline.set_params(scattering__L=int(state["L"]),
                        scattering__max_order=int(state["max_order"]))
    # the steps before the scaler learn nothing but the image shape
    dummy = np.zeros((1, _N_PIXELS), dtype=np.float32)
    for name in ("deskew", "normalize", "scattering"):
        step = pipeline.named_steps[name]
        if step != "passthrough":
            dummy = step.fit(dummy).transform(dummy)
    scale = pipeline.named_steps["scale"]
    scale.mean_ = state["scale_mean"]
    scale.scale_ = state["scale_scale"]
    scale.var_ = state["scale_var"]
    scale.n_samples_seen_ = int(state["n_samples_seen"])
    scale.n_features_in_ = scale.mean_.shape[0]
    if scale.n_features_in_ != dummy.shape[1]:
        raise ValueError(f"{path}: {scale.n_features_in_} scaler features, but the "
                         f"scattering transform makes {dummy.shape[1]}")
    classifier = pipeline.named_steps["classifier"]
    classifier.coef_ = state["coef"]
    classifier.intercept_ = state["intercept"]
    classifier.classes_ = state["classes"]
    classifier.n_iter_ = state["n_iter"]
    classifier.n_features_in_ = classifier.coef_.shape[1]
    classifier.solver_ = "lbfgs"
    return pipeline


def main(argv=None):
    """``python -m skdigit._pretrained``: refit the shipped model and write its file."""
    parser = argparse.ArgumentParser(
        prog="python -m skdigit._pretrained",
        description="Fit the default scattering pipeline on the 60,000 MNIST training "
        "images and write its fitted state as plain arrays (.npz).",
    )
    parser.add_argument("--output", "-o", default=str(PRETRAINED_PATH),
                        help="file to write (default: the one shipped in the package)")
    parser.add_argument("--data-home", metavar="DIR", help="where MNIST is")
    parser.add_argument("--quiet", "-q", action="store_true")
    args = parser.parse_args(argv)
    pipeline = fit_pretrained(data_home=args.data_home, verbose=0 if args.quiet else 1)
    path = save_pretrained(pipeline, args.output)
    if not args.quiet:
        from .datasets import load_mnist

        X, y = load_mnist(subset="test", data_home=args.data_home, return_X_y=True)
        print(f"test accuracy: {pipeline.score(X, y):.4f}")
        print(f"written to {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
