"""Figures for digit classifiers: confusion matrix, mistakes, weights, per-class scores.

Every function draws on a new figure (or on the axes or figure given) and
returns it, so that a caller can save and close it::

    fig = plot_misclassified(X_test, y_test, y_pred)
    fig.savefig("misclassified.png")
    plt.close(fig)

(:func:`plot_confusion_matrix` returns scikit-learn's display, whose figure
is ``display.figure_``.) Figures are made with :mod:`matplotlib.pyplot`, so
they show in notebooks and with ``plt.show()``; a script that makes many
should close them.

matplotlib is an optional dependency (``pip install "skdigit[plot]"``); it is
imported only when a function is called, so ``import skdigit.plotting`` is
cheap.
"""

import functools
import math

import numpy as np
from sklearn.metrics import precision_recall_fscore_support
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .utils import check_image_shape, import_optional

__all__ = [
    "plot_coefficients",
    "plot_confusion_matrix",
    "plot_misclassified",
    "plot_precision_recall",
]

# matplotlib is imported on the first call, through the one optional-import helper
_pyplot = functools.partial(
    import_optional, "matplotlib.pyplot", extra="plot", purpose="plotting"
)


def _check_display_labels(labels, display_labels, y_true=None, y_pred=None):
    """``(display_labels, labels)``, labels defaulting to those of ``y_true``, ``y_pred``."""
    if display_labels is None:
        return None, labels
    if labels is None:
        from sklearn.utils.multiclass import unique_labels

        labels = unique_labels(y_true, y_pred)
    if len(display_labels) != len(labels):
        raise ValueError(
            f"display_labels has {len(display_labels)} names for {len(labels)} labels."
        )
    return display_labels, labels


def _names(display_labels, labels):
    """A function giving the display name of a label."""
    if display_labels is None:
        return str
    mapping = dict(zip(np.asarray(labels).tolist(), display_labels))
    return lambda label: str(mapping.get(np.asarray(label).item(), label))


def _grid(n):
    """(n_rows, n_cols) of a near-square grid holding n panels."""
    n_cols = max(1, math.ceil(math.sqrt(n)))
    return math.ceil(n / n_cols), n_cols


def _new_figure(plt, fig, figsize):
    if fig is None:
        return plt.figure(figsize=figsize, layout="constrained")
    fig.clear()
    return fig


def plot_confusion_matrix(
    y_true,
    y_pred,
    *,
    labels=None,
    display_labels=None,
    normalize=None,
    ax=None,
    cmap="Blues",
    values_format=None,
):
    """Plot the confusion matrix of a digit classifier's predictions.

    A thin wrapper of scikit-learn's
    :meth:`~sklearn.metrics.ConfusionMatrixDisplay.from_predictions` with
    digit-friendly defaults (a blue colormap, a title that says what is
    normalized).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (e.g. digits 0-9).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, e.g. ``model.predict(X_test)``.
    labels : array-like of shape (n_classes,), default=None
        The labels to show, in this order; ``None`` uses those that occur in
        ``y_true`` or ``y_pred``, sorted.
    display_labels : array-like of shape (n_classes,), default=None
        Names shown on the axes for the labels (e.g. ``["not 2", "2"]``);
        ``None`` shows the labels themselves.
    normalize : {"true", "pred", "all"}, default=None
        Show proportions instead of counts: over each true class (rows, so the
        diagonal is the recall), over each predicted class (columns, so the
        diagonal is the precision) or over all samples. ``None`` shows counts.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; ``None`` makes a new figure.
    cmap : str or matplotlib.colors.Colormap, default="Blues"
        Colormap of the cells.
    values_format : str, default=None
        Format of the numbers in the cells (e.g. ``"d"`` or ``".2f"``);
        ``None`` lets scikit-learn choose.

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay
        The display; ``display.confusion_matrix`` is the matrix (rows: true
        labels, columns: predicted ones), ``display.figure_`` the Figure to
        save and ``display.ax_`` its Axes.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "skdigit[plot]"``).
    ValueError
        If ``y_true`` and ``y_pred`` differ in length, or ``normalize`` is
        invalid (raised by scikit-learn).

    See Also
    --------
    sklearn.metrics.confusion_matrix : The matrix alone.
    plot_precision_recall : Per-class precision and recall.
    plot_misclassified : The misclassified images themselves.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from skdigit.plotting import plot_confusion_matrix
    >>> disp = plot_confusion_matrix([3, 3, 5, 8], [3, 5, 5, 8])
    >>> disp.confusion_matrix
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 1]])
    >>> plt.close(disp.figure_)
    """
    plt = _pyplot()
    from sklearn.metrics import ConfusionMatrixDisplay

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 5.6), layout="constrained")
    display = ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=labels,
        display_labels=display_labels,
        normalize=normalize,
        ax=ax,
        cmap=cmap,
        values_format=values_format,
        colorbar=True,
    )
    what = {
        "true": ", normalized over true labels",
        "pred": ", normalized over predictions",
        "all": ", normalized over all samples",
    }.get(normalize, "")
    ax.set_title(f"Confusion matrix{what}", fontsize="medium")
    return display


def plot_misclassified(
    images,
    y_true,
    y_pred,
    *,
    n=25,
    image_shape=None,
    proba=None,
    labels=None,
    display_labels=None,
    fig=None,
    cmap="gray_r",
):
    """Show misclassified digits in a grid, titled "true 4 / pred 9".

    Parameters
    ----------
    images : array-like of shape (n_samples, n_pixels)
        The images, one flattened image per row (row-major), as given to the
        model: intensities 0-255 (e.g. MNIST's uint8) or in [0, 1].
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    n : int, default=25
        Show at most this many misclassified digits.
    image_shape : tuple of (int, int), default=None
        ``(n_rows, n_cols)`` of each image; ``None`` infers a square
        (784 pixels -> 28x28).
    proba : array-like of shape (n_samples, n_classes), default=None
        Predicted class probabilities (``model.predict_proba(images)``). When
        given, the most confident mistakes are shown first and each title
        adds the probability of the predicted class (the row maximum), e.g.
        "true 4 / pred 9 (0.93)". Otherwise the mistakes are shown in the
        order of the samples.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw in (it is cleared first); ``None`` makes a new one.
    cmap : str or matplotlib.colors.Colormap, default="gray_r"
        Colormap; the default shows ink dark on white paper.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One Axes per misclassified digit shown (``min(n, n_misclassified)``),
        each with one image and a title. With no mistakes, a single empty
        Axes says so.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "skdigit[plot]"``).
    ValueError
        If the lengths of ``images``, ``y_true``, ``y_pred`` and ``proba``
        differ, if ``n`` is not a positive integer, if ``display_labels``
        and ``labels`` differ in length, or if the image shape cannot be
        inferred or does not match the number of pixels.

    See Also
    --------
    plot_confusion_matrix : Which digits are confused, in counts.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from skdigit.plotting import plot_misclassified
    >>> images = np.random.default_rng(0).integers(0, 256, size=(4, 784))
    >>> fig = plot_misclassified(images, [1, 2, 3, 4], [1, 7, 3, 9])
    >>> [ax.get_title() for ax in fig.axes]
    ['true 2 / pred 7', 'true 4 / pred 9']
    >>> plt.close(fig)
    """
    plt = _pyplot()
    images = np.asarray(images)
    if images.ndim != 2:
        raise ValueError(
            f"images must be 2-D (n_samples, n_pixels); got shape {images.shape}."
        )
    y_true = column_or_1d(y_true)
    y_pred = column_or_1d(y_pred)
    if not len(images) == len(y_true) == len(y_pred):
        raise ValueError(
            f"images, y_true and y_pred must have the same length; got {len(images)}, "
            f"{len(y_true)} and {len(y_pred)}."
        )
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}.")
    shape = check_image_shape(image_shape, images.shape[1])
    name = _names(*_check_display_labels(labels, display_labels, y_true, y_pred))

    wrong = np.flatnonzero(y_true != y_pred)
    confidence = None
    if proba is not None:
        proba = np.asarray(proba, dtype=float)
        if proba.ndim != 2 or len(proba) != len(images):
            raise ValueError(
                f"proba must have shape (n_samples, n_classes) = ({len(images)}, ...); "
                f"got {proba.shape}."
            )
        confidence = proba.max(axis=1)
        wrong = wrong[np.argsort(-confidence[wrong], kind="stable")]
    wrong = wrong[:n]

    k = len(wrong)
    n_rows, n_cols = _grid(max(k, 1))
    fig = _new_figure(plt, fig, (1.3 * n_cols + 0.4, 1.45 * n_rows + 0.4))
    if k == 0:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No misclassified digits (out of {len(images)})",
                ha="center", va="center", transform=ax.transAxes)
        return fig
    vmax = 1.0 if images.size and float(images.max()) <= 1 else 255.0
    for panel, i in enumerate(wrong):
        ax = fig.add_subplot(n_rows, n_cols, panel + 1)
        ax.imshow(images[i].reshape(shape), cmap=cmap, vmin=0, vmax=vmax,
                  interpolation="nearest")
        title = f"true {name(y_true[i])} / pred {name(y_pred[i])}"
        if confidence is not None:
            title += f" ({confidence[i]:.2f})"
        ax.set_title(title, fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{len(np.flatnonzero(y_true != y_pred))} of {len(images)} misclassified"
                 + (", most confident first" if confidence is not None else ""),
                 fontsize="medium")
    return fig


def _final_coef(estimator):
    """(coef_, classes_) of a fitted linear classifier or Pipeline ending in one."""
    final = estimator
    if hasattr(estimator, "steps"):  # a Pipeline: its last step
        final = estimator.steps[-1][1]
    if final is None or final == "passthrough" or not hasattr(final, "fit"):
        raise TypeError(
            f"plot_coefficients needs a fitted linear classifier (with coef_) or a "
            f"Pipeline ending in one; the last step is {final!r}."
        )
    check_is_fitted(
        final,
        msg=(
            f"This {type(final).__name__} is not fitted yet: fit it (or the pipeline) "
            "before plotting its coefficients."
        ),
    )
    coef = getattr(final, "coef_", None)
    if coef is None:
        raise TypeError(
            f"plot_coefficients needs a linear model with a coef_ attribute, such as "
            f"DigitLogisticClassifier or LogisticRegression; {type(final).__name__} "
            "has none."
        )
    coef = np.asarray(coef, dtype=float)
    if coef.ndim == 1:
        coef = coef[np.newaxis]
    return coef, getattr(final, "classes_", None)


def plot_coefficients(
    estimator,
    *,
    image_shape=None,
    display_labels=None,
    percentile=99.0,
    smooth=0.0,
    fig=None,
    cmap="RdBu_r",
):
    """Show a linear classifier's weights as images, one per class.

    Red pixels push towards the class, blue ones away from it; the color
    scale is the same for every class and symmetric around 0 (white), so the
    images can be compared. Weakly regularized models (``C=1`` on MNIST) give
    a few large weights on pixels that are rarely inked, near the border,
    which would wash every image out on a plain max-scale; by default the
    scale ends at the 99th percentile of the absolute weights instead (larger
    ones saturate), and ``smooth`` can blur away pixel-to-pixel noise.

    Parameters
    ----------
    estimator : estimator
        A fitted :class:`~skdigit.DigitLogisticClassifier` (or any classifier
        with ``coef_`` of shape ``(n_classes, n_pixels)`` or ``(1, n_pixels)``,
        such as :class:`~sklearn.linear_model.LogisticRegression`), or a
        fitted :class:`~sklearn.pipeline.Pipeline` whose last step is one
        (as :func:`skdigit.make_digit_pipeline` makes). In the default
        pipeline the weights apply to the deskewed pixels scaled to [0, 1].
    image_shape : tuple of (int, int), default=None
        ``(n_rows, n_cols)`` of each image; ``None`` infers a square
        (784 weights -> 28x28).
    display_labels : array-like of shape (n_classes,), default=None
        Names of the classes, in the order of ``classes_`` (e.g. ``["not 2",
        "2"]`` for a one-digit detector); ``None`` shows the classes.
    percentile : float, default=99.0
        The color scale runs from ``-v`` to ``v``, ``v`` this percentile of
        the absolute weights (in (0, 100]; 100 is the largest weight).
    smooth : float, default=0.0
        Standard deviation, in pixels, of a Gaussian blur applied to each
        image before drawing (:func:`scipy.ndimage.gaussian_filter`); 0
        draws the weights as they are.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw in (it is cleared first); ``None`` makes a new one.
    cmap : str or matplotlib.colors.Colormap, default="RdBu_r"
        A diverging colormap.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One Axes per coefficient vector -- one per class, titled with the
        class, or a single one for a binary classifier, titled
        "<classes_[1]> vs <classes_[0]>" (e.g. "2 vs not 2") -- and one more
        for the shared colorbar.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "skdigit[plot]"``).
    sklearn.exceptions.NotFittedError
        If the classifier (or pipeline) is not fitted.
    TypeError
        If the classifier has no ``coef_`` (e.g. a random forest).
    ValueError
        If the image shape cannot be inferred or does not match, if
        ``display_labels`` does not name every class, or if ``percentile``
        or ``smooth`` is out of range.

    See Also
    --------
    skdigit.DigitLogisticClassifier : The classifier whose weights these are.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import DigitLogisticClassifier
    >>> from skdigit.plotting import plot_coefficients
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DigitLogisticClassifier(C=0.1).fit(X[:500] / 16, y[:500])
    >>> fig = plot_coefficients(clf)  # 8x8 images: load_digits has 64 pixels
    >>> len(fig.axes)  # 10 classes and a colorbar
    11
    >>> plt.close(fig)
    """
    plt = _pyplot()
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100]; got {percentile!r}.")
    if not smooth >= 0:
        raise ValueError(f"smooth must be >= 0 (pixels); got {smooth!r}.")
    coef, classes = _final_coef(estimator)
    shape = check_image_shape(image_shape, coef.shape[1])
    if classes is None:
        classes = np.arange(2 if len(coef) == 1 else len(coef))
    names = [str(c) for c in classes] if display_labels is None else list(display_labels)
    if len(names) != max(len(coef), 2):
        raise ValueError(
            f"display_labels has {len(names)} names for {max(len(coef), 2)} classes."
        )
    titles = [f"{names[1]} vs {names[0]}"] if len(coef) == 1 else names

    images = coef.reshape(len(coef), *shape)
    if smooth > 0:
        from scipy.ndimage import gaussian_filter

        images = np.stack([gaussian_filter(w, sigma=smooth) for w in images])
    vmax = float(np.percentile(np.abs(images), percentile)) or 1.0
    n_rows, n_cols = _grid(len(coef)) if len(coef) > 3 else (1, len(coef))
    # a panel or three (a one-digit detector) drawn larger: readable on a page
    panel = 1.6 if len(coef) > 3 else 3.2
    fig = _new_figure(plt, fig, (panel * n_cols + 1.2, (panel + 0.1) * n_rows + 0.3))
    axes = []
    for i, (w, title) in enumerate(zip(images, titles)):
        ax = fig.add_subplot(n_rows, n_cols, i + 1)
        im = ax.imshow(w, cmap=cmap, vmin=-vmax, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize="medium")
        ax.set_xticks([])
        ax.set_yticks([])
        axes.append(ax)
    label = "weight" + (f" (blurred, sigma {smooth:g} px)" if smooth > 0 else "")
    extend = "both" if vmax < float(np.abs(images).max()) else "neither"
    fig.colorbar(im, ax=axes, shrink=0.8, label=label, extend=extend)
    return fig


def plot_precision_recall(y_true, y_pred, *, labels=None, display_labels=None, ax=None):
    """Bar chart of the precision and recall of each class.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        The classes to show, in this order; ``None`` uses those that occur in
        ``y_true`` or ``y_pred``, sorted.
    display_labels : array-like of shape (n_classes,), default=None
        Names shown for the classes (e.g. ``["not 2", "2"]``); ``None`` shows
        the labels themselves.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: one Axes with two bars per class (precision, then recall;
        ``ax.containers[0]`` and ``ax.containers[1]``), heights in [0, 1],
        computed by :func:`sklearn.metrics.precision_recall_fscore_support`
        (a class never predicted has precision 0). The tick labels give each
        class and its number of true samples.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "skdigit[plot]"``).
    ValueError
        If ``y_true`` and ``y_pred`` differ in length (raised by
        scikit-learn), or ``display_labels`` and ``labels`` do.

    See Also
    --------
    sklearn.metrics.classification_report : The same numbers as text.
    plot_confusion_matrix : Where the errors go.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from skdigit.plotting import plot_precision_recall
    >>> fig = plot_precision_recall([0, 0, 1, 1], [0, 1, 1, 1])
    >>> ax = fig.axes[0]
    >>> [round(float(bar.get_height()), 2) for bar in ax.containers[0]]  # precision
    [1.0, 0.67]
    >>> [round(float(bar.get_height()), 2) for bar in ax.containers[1]]  # recall
    [0.5, 1.0]
    >>> plt.close(fig)
    """
    plt = _pyplot()
    from sklearn.utils.multiclass import unique_labels

    if labels is None:
        labels = unique_labels(y_true, y_pred)
    labels = np.asarray(labels)
    if display_labels is None:
        display_labels = labels
    _check_display_labels(labels, display_labels)
    precision, recall, _, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.4, 0.7 * len(labels) + 1.5), 4.2),
                             layout="constrained")
    x = np.arange(len(labels))
    width = 0.4
    bars_p = ax.bar(x - width / 2, precision, width, label="precision")
    bars_r = ax.bar(x + width / 2, recall, width, label="recall")
    for bars in (bars_p, bars_r):
        ax.bar_label(bars, fmt="%.2f", fontsize="x-small", padding=1)
    ax.set_xticks(x, [f"{c}\n(n={s})" for c, s in zip(display_labels, support)])
    # Scores of a good classifier differ in hundredths: start the axis just
    # below the lowest bar (at a multiple of 0.05) rather than at 0, and end
    # it at 1 plus room for the value labels; the legend sits above the axes.
    scores = np.r_[precision, recall]
    low = max(0.0, np.floor((scores.min(initial=1.0) - 0.02) * 20) / 20)
    ax.set_ylim(low, 1 + 0.06 * (1 - low))
    ax.set_ylabel("score" if low == 0 else f"score (axis from {low:.2f})")
    ax.set_xlabel("class (true samples)")
    ax.set_title("Precision and recall per class", fontsize="medium", loc="left")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False,
              fontsize="small")
    return ax.figure
