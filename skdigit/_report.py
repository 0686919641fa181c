"""The evaluation report of ``skdigit evaluate --report DIR``."""

import json
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

from ._persistence import METADATA_ATTR
from ._version import __version__
from .utils import MissingExtraError, atomic_write, import_optional, progress_bar

# The coefficient images are blurred this much (pixels) to be readable; see
# skdigit.plotting.plot_coefficients.
COEFFICIENT_SMOOTHING = 1.0


def _metrics(y_true, y_pred, target_names):
    labels = np.arange(len(target_names))
    per_class = classification_report(
        y_true, y_pred, labels=labels, target_names=target_names, output_dict=True,
        zero_division=0,
    )
    return {
        "n_samples": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "per_class": {
            name: {
                "precision": per_class[name]["precision"],
                "recall": per_class[name]["recall"],
                "f1": per_class[name]["f1-score"],
                "support": int(per_class[name]["support"]),
            }
            for name in target_names
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def _markdown(metrics, model_info, figures, skipped):
    lines = [
        "# skdigit evaluation report",
        "",
        f"- test images: {metrics['n_samples']}",
        f"- accuracy: **{metrics['accuracy']:.4f}**",
        f"- written by skdigit {__version__}",
    ]
    for key, value in model_info.items():
        if key == "skdigit_version":
            if value != __version__:
                lines.append(f"- model saved by skdigit {value}")
            continue
        lines.append(f"- {key}: {value}")
    lines += ["", "## Per class", "", "| class | precision | recall | F1 | support |",
              "|---|---|---|---|---|"]
    for name, m in metrics["per_class"].items():
        lines.append(
            f"| {name} | {m['precision']:.4f} | {m['recall']:.4f} | {m['f1']:.4f} "
            f"| {m['support']} |"
        )
    names = list(metrics["per_class"])
    lines += ["", "## Confusion matrix (rows: true, columns: predicted)", "",
              "| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for name, row in zip(names, metrics["confusion_matrix"]):
        lines.append(f"| **{name}** | " + " | ".join(str(v) for v in row) + " |")
    if figures or skipped:
        lines += ["", "## Figures", ""]
        lines += [f"![{path.stem}]({path.name})" for path in figures]
        if figures and skipped:
            lines.append("")
        lines += [f"- {name} skipped: {reason}" for name, reason in skipped]
    return "\n".join(lines) + "\n"


def _pixel_coefficients(model, target_names):
    """The weights as images, when they are weights on pixels; TypeError (a
    figure skipped, with the reason) otherwise."""
    from . import plotting

    final = model.steps[-1][1] if hasattr(model, "steps") else model
    width = np.shape(getattr(final, "coef_", np.empty((1, 0))))[-1]
    n_pixels = getattr(model, "n_features_in_", width)
    if width and width != n_pixels:
        steps = [type(step).__name__ for _, step in getattr(model, "steps", [])[:-1]
                 if step is not None and step != "passthrough"]
        raise TypeError(
            f"the classifier's {width:,} weights per class apply to the features that "
            f"{' -> '.join(steps)} computes (scattering coefficients: paths x "
            f"positions), not to the {n_pixels} pixels, so they do not form images"
            + ("; scattering_weights.png shows them summed per position instead"
               if _scattering_step(model) is not None else "")
        )
    return plotting.plot_coefficients(model, display_labels=target_names,
                                      smooth=COEFFICIENT_SMOOTHING)


def _scattering_step(model):
    """The fitted Scattering2D step of a pipeline, or None."""
    from .preprocessing import Scattering2D

    for _, step in getattr(model, "steps", [])[:-1]:
        if isinstance(step, Scattering2D):
            return step
    return None


def _scattering_weights(model, target_names):
    """For a scattering model: per class, where in the image its evidence lies.

    The classifier's weights on the standardized scattering coefficients,
    ``(n_classes, n_paths * h * w)``, are taken in absolute value and summed
    over the scattering paths at each of the ``h x w`` positions (7x7 for
    28x28 images, J=2): a map per class of how much the model weighs each
    region of the (deskewed) image.
    """
    import matplotlib.pyplot as plt

    scattering = _scattering_step(model)
    coef = np.abs(np.asarray(model.steps[-1][1].coef_, dtype=float))
    n_paths, (h, w) = scattering.n_channels_, scattering.channel_shape_
    maps = coef.reshape(len(coef), n_paths, h, w).sum(axis=1)
    titles = ([f"{target_names[1]} vs {target_names[0]}"] if len(coef) == 1
              else list(target_names))
    n_cols = min(len(maps), 5)
    n_rows = -(-len(maps) // n_cols)
    fig = plt.figure(figsize=(2.0 * n_cols + 1.4, 2.1 * n_rows + 0.6))
    axes = []
    for i, (m, title) in enumerate(zip(maps, titles)):
        ax = fig.add_subplot(n_rows, n_cols, i + 1)
        im = ax.imshow(m, cmap="viridis", vmin=0, vmax=maps.max(), interpolation="nearest")
        ax.set_title(title, fontsize="medium")
        ax.set_xticks([])
        ax.set_yticks([])
        axes.append(ax)
    fig.colorbar(im, ax=axes, shrink=0.8,
                 label=f"sum of |weight| over the {n_paths} scattering paths")
    fig.suptitle(f"Where each class's evidence lies: {h}x{w} positions of the deskewed "
                 "image", fontsize="medium")
    return fig


def _figures(model, X, y_true, y_pred, target_names):
    """(file name, function returning a matplotlib Figure) for each figure."""
    from . import plotting

    labels = list(range(len(target_names)))
    scattering = []
    if _scattering_step(model) is not None and hasattr(model.steps[-1][1], "coef_"):
        scattering = [("scattering_weights.png",
                       lambda: _scattering_weights(model, target_names))]
    return [
        ("confusion_matrix.png",
         lambda: plotting.plot_confusion_matrix(
             y_true, y_pred, labels=labels, display_labels=target_names).figure_),
        ("misclassified.png",
         lambda: plotting.plot_misclassified(
             X, y_true, y_pred, labels=labels, display_labels=target_names)),
        ("coefficients.png", lambda: _pixel_coefficients(model, target_names)),
        *scattering,
        ("precision_recall.png",
         lambda: plotting.plot_precision_recall(
             y_true, y_pred, labels=labels, display_labels=target_names)),
    ]


def write_report(model, X, y, y_pred, folder, *, target_names, progress=True):
    """Write the evaluation of ``model`` on ``(X, y)`` into ``folder``.

    Writes ``metrics.json`` and ``report.md`` and, when matplotlib is installed
    (``skdigit[plot]``), ``confusion_matrix.png``, ``misclassified.png``,
    ``coefficients.png`` (linear models on pixels only: the weights as images,
    blurred by :data:`COEFFICIENT_SMOOTHING` pixels; skipped, with the reason,
    for a scattering model, whose weights are not on pixels: it gets
    ``scattering_weights.png`` instead, the absolute weights summed over the
    scattering paths at each position, a map per class) and ``precision_recall.png``. A
    figure that does not apply, or all figures without matplotlib, is skipped
    and ``report.md`` says so and why. Every file is written atomically
    (temporary file, then rename).

    Parameters
    ----------
    model : estimator
        A fitted classifier (or pipeline) whose classes are ``0 .. n - 1``.
    X : ndarray of shape (n_samples, n_pixels)
        Test images, pixel intensities 0-255.
    y : ndarray of shape (n_samples,)
        True classes.
    y_pred : ndarray of shape (n_samples,)
        The model's predictions for ``X``.
    folder : str or os.PathLike
        Output folder, created if needed.
    target_names : list of str
        Display name of each class.
    progress : bool, default=True
        Show progress (:func:`skdigit.utils.progress_bar`).

    Returns
    -------
    written : list of pathlib.Path
        The files written, in order.
    skipped : list of (str, str)
        ``(figure, reason)`` for each figure not drawn.
    """
    folder = Path(folder)
    metrics = _metrics(y, y_pred, target_names)
    model_info = getattr(model, METADATA_ATTR, {})
    written, skipped = [], []
    try:
        plt = import_optional("matplotlib.pyplot", extra="plot", purpose="drawing the figures")
    except MissingExtraError as exc:
        plt = None
        skipped.append(("all figures", str(exc)))
    figure_jobs = [] if plt is None else _figures(model, X, y, y_pred, target_names)
    with progress_bar(len(figure_jobs) + 2, desc="Writing report", unit="files",
                      enabled=progress) as bar:
        for name, make_figure in figure_jobs:
            try:
                fig = make_figure()
            except TypeError as exc:  # plot_coefficients of a model without coef_
                skipped.append((name, str(exc)))
                bar.update(1)
                continue
            try:
                with atomic_write(folder / name) as fh:
                    fig.savefig(fh, format="png", dpi=100, bbox_inches="tight")
            finally:
                plt.close(fig)
            written.append(folder / name)
            bar.update(1)
        with atomic_write(folder / "metrics.json", "w", encoding="utf-8") as fh:
            json.dump({**metrics, "model": model_info, "skdigit_version": __version__,
                       "skipped_figures": dict(skipped)}, fh, indent=2)
        written.append(folder / "metrics.json")
        bar.update(1)
        with atomic_write(folder / "report.md", "w", encoding="utf-8") as fh:
            fh.write(_markdown(metrics, model_info, list(written[:-1]), skipped))
        written.append(folder / "report.md")
        bar.update(1)
    return written, skipped
