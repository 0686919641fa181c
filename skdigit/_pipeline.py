"""The digit pipelines: pixels, scattering or kernel features, then a logistic regression."""

from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from .linear_model import DigitLogisticClassifier, DigitLogisticClassifierCV
from .preprocessing import Deskew, PixelNormalizer, Scattering2D, SeededRBFSampler

__all__ = ["FEATURES", "default_C", "make_digit_pipeline"]

FEATURES = ("scattering", "pixels", "kernel")  # the command line offers them in this order

# Regularization that works for each kind of features, on MNIST: on 3,969
# standardized scattering coefficients, C=0.1 (the measurement); on
# [0, 1] pixels, 1.0 (the former default); on the kernel features, 0.01
# (benchmarks/kernel_features.py: chosen on held-out training images).
_DEFAULT_C = {"scattering": 0.1, "pixels": 1.0, "kernel": 0.01}

# The kernel features: the standardized scattering coefficients next to
# random Fourier features of them (gamma near 1 / the median squared distance
# between MNIST's standardized coefficients, about 1 / 7,100), weighted so that
# one C suits both blocks (benchmarks/kernel_features.py).
KERNEL_GAMMA = 1.4e-4
KERNEL_COMPONENTS = 8000
KERNEL_WEIGHT = 10.0


def kernel_map(random_state=0):
    """The ``"kernel"`` step: ``[x, 10 * rff(x)]`` (a FeatureUnion)."""
    rff = SeededRBFSampler(gamma=KERNEL_GAMMA, n_components=KERNEL_COMPONENTS,
                           random_state=random_state)
    return FeatureUnion([("linear", "passthrough"), ("rff", rff)],
                        transformer_weights={"rff": KERNEL_WEIGHT})


def default_C(features):
    """The default inverse regularization strength of a pipeline's classifier."""
    return _DEFAULT_C[features]


def make_digit_pipeline(
    *, features="pixels", deskew=True, C=None, cv=None, Cs=10, max_iter=1000, J=2,
    **classifier_params,
):
    """Build the default pipeline for MNIST-style digit images.

    ``features="pixels"`` (the default; about 95.6% test accuracy on MNIST,
    fit in seconds): Deskew -> PixelNormalizer -> classifier, steps named
    ``"deskew"``, ``"normalize"`` and ``"classifier"``; the classifier's
    weights are images (:func:`skdigit.plotting.plot_coefficients`).
    ``features="scattering"`` (about 99.4% on MNIST, the default of ``skdigit
    train``; about a minute to train on 60,000 images on two cores): Deskew -> PixelNormalizer ->
    Scattering2D -> StandardScaler -> classifier, steps named ``"deskew"``,
    ``"normalize"``, ``"scattering"``, ``"scale"`` and ``"classifier"``.
    ``features="kernel"`` (one logistic regression on kernel features: the
    most accurate of the three, about 99.5 % on MNIST, see the user guide's
    "Kernel features" for its cost): the scattering pipeline with a
    step ``"kernel"`` before the classifier, a
    :class:`~sklearn.pipeline.FeatureUnion` of the standardized coefficients
    (``"linear"``) and 8,000 random Fourier features of them (``"rff"``,
    :class:`~skdigit.SeededRBFSampler`, ``gamma=1.4e-4``, seed 0) weighted by
    10. A :class:`~sklearn.model_selection.GridSearchCV` can switch deskewing
    on and off (``{"deskew": ["passthrough", Deskew()]}``) and tune
    ``"classifier__C"`` (and ``"kernel__rff__gamma"``,
    ``"kernel__rff__n_components"``).

    Parameters
    ----------
    features : {"pixels", "scattering", "kernel"}, default="pixels"
        What the classifier sees: the deskewed pixels scaled to [0, 1], the
        wavelet scattering coefficients of the deskewed images,
        standardized, or those next to random Fourier features of them (an
        approximation of the Gaussian kernel, Rahimi & Recht 2007). The
        default stays "pixels" so that existing code keeps its fast,
        pixel-space model.
    deskew : bool, default=True
        Whether the first step is :class:`~skdigit.Deskew` (otherwise
        ``"passthrough"``).
    C : float, default=None
        Inverse regularization strength of the classifier; None means 0.1 for
        ``features="scattering"``, 0.01 for ``features="kernel"`` and 1.0 for
        ``features="pixels"``.
    cv : int, cross-validation generator or iterable, default=None
        When given, the classifier is a
        :class:`~skdigit.DigitLogisticClassifierCV` that chooses ``C`` among
        ``Cs`` by this cross-validation (then leave ``C`` unset).
    Cs : int or array-like, default=10
        The grid of ``C`` for ``cv`` (see
        :class:`~skdigit.DigitLogisticClassifierCV`); ignored without ``cv``.
    max_iter : int, default=1000
        Maximum number of solver iterations of the classifier.
    J : int, default=2
        Number of scales of :class:`~skdigit.Scattering2D` (2 for 28x28
        images, 1 for 8x8 ones); ignored for ``features="pixels"``.
    **classifier_params : dict
        Further parameters of :class:`~skdigit.DigitLogisticClassifier` (or
        of :class:`~skdigit.DigitLogisticClassifierCV` with ``cv``).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted; it takes pixel intensities 0-255 of shape
        ``(n_samples, n_pixels)`` (square images).

    Raises
    ------
    ValueError
        If ``features`` is not one of ``"scattering"``, ``"pixels"`` and
        ``"kernel"``, or if both ``C`` and ``cv`` are given.

    See Also
    --------
    skdigit.Deskew : The deskewing step.
    skdigit.PixelNormalizer : Scales 0-255 intensities to [0, 1] (float32).
    skdigit.Scattering2D : The scattering features.
    skdigit.SeededRBFSampler : The random Fourier features of ``features="kernel"``.
    skdigit.DigitLogisticClassifier : The classifier.
    skdigit.DigitLogisticClassifierCV : The classifier that chooses ``C``.

    Notes
    -----
    The pixel path has no float64 copy of the images: :class:`~skdigit.Deskew`
    turns the ``uint8`` intensities into float32, :class:`~skdigit.PixelNormalizer`
    keeps float32, and the classifier copies the (mostly zero) float32 pixels
    once to a compact CSR form that its kernel reads. The scattering path
    makes 3,969 dense float32 features per 28x28 image (about 16 KB each:
    0.95 GB for the 60,000 MNIST training images, and as much again for the
    standardized copy). The kernel path makes 11,969 float32 features per
    image (2.9 GB for 60,000 images, with the random features and their
    weighted copy beside it while the union is made); its classifier, on
    dense data of more than 4,096 features, whitens by the largest
    eigenpairs of their second moments (``solver="auto"``, see
    :class:`~skdigit.DigitLogisticClassifier`). Saved, the random map is its
    seed (:class:`~skdigit.SeededRBFSampler`).

    References
    ----------
    .. [1] A. Rahimi and B. Recht, "Random features for large-scale kernel
       machines", Advances in Neural Information Processing Systems 20, 2007.
    .. [2] J. Bruna and S. Mallat, "Invariant scattering convolution
       networks", IEEE Trans. PAMI 35(8), 2013.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import make_digit_pipeline
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X * (255 / 16)  # load_digits has intensities 0-16; MNIST 0-255
    >>> pipe = make_digit_pipeline(C=0.1)
    >>> list(pipe.named_steps)
    ['deskew', 'normalize', 'classifier']
    >>> pipe.fit(X, y).score(X, y) > 0.95
    True
    >>> tuned = make_digit_pipeline(cv=3, Cs=[0.01, 0.1]).fit(X, y)
    >>> float(tuned[-1].C_) in (0.01, 0.1)
    True
    >>> pipe = make_digit_pipeline(features="scattering", J=1)  # 8x8: one scale
    >>> list(pipe.named_steps)
    ['deskew', 'normalize', 'scattering', 'scale', 'classifier']
    >>> pipe.fit(X, y).score(X, y) > 0.95
    True
    >>> pipe = make_digit_pipeline(features="kernel", J=1)
    >>> list(pipe.named_steps)
    ['deskew', 'normalize', 'scattering', 'scale', 'kernel', 'classifier']
    >>> pipe.set_params(kernel__rff__n_components=500).fit(X, y).score(X, y) > 0.95
    True
    """
    if features not in FEATURES:
        raise ValueError(
            f"features must be one of {', '.join(map(repr, FEATURES))}; got "
            f"{features!r}."
        )
    if cv is not None and C is not None:
        raise ValueError(
            "Give either C (a fixed regularization) or cv (to choose C among Cs "
            "by cross-validation), not both."
        )
    steps = [
        ("deskew", Deskew() if deskew else "passthrough"),
        ("normalize", PixelNormalizer()),
    ]
    if features in ("scattering", "kernel"):
        steps += [("scattering", Scattering2D(J=J)), ("scale", StandardScaler())]
    if features == "kernel":
        steps.append(("kernel", kernel_map()))
    if cv is not None:
        classifier = DigitLogisticClassifierCV(
            Cs=Cs, cv=cv, max_iter=max_iter, **classifier_params
        )
    else:
        C = default_C(features) if C is None else C
        classifier = DigitLogisticClassifier(C=C, max_iter=max_iter, **classifier_params)
    steps.append(("classifier", classifier))
    return Pipeline(steps)
