"""The ``skdigit`` command line: train on MNIST, evaluate a saved model.

``skdigit train`` fits the default pipeline (Deskew -> PixelNormalizer ->
DigitLogisticClassifier) on the 60,000 MNIST training images, evaluates it on the
10,000 test images and saves it; ``skdigit evaluate MODEL`` re-scores a saved
model. Progress goes to standard error, results to standard output. Any user
error (bad arguments, a missing or wrong model file, MNIST not found) prints a
clear message and exits with status 2.
"""

import argparse
import json
import os
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix
from sklearn.model_selection import cross_val_score

from ._persistence import (
    METADATA_ATTR,
    ModelFileError,
    has_digit_classes,
    load_model,
    save_model,
)
from ._pipeline import make_digit_pipeline
from ._version import __version__
from .datasets import load_mnist
from .datasets._mnist import MNISTNotFoundError
from .preprocessing import TargetBinarizer

EXIT_USAGE = 2


class _UsageError(Exception):
    """An error the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _digit(text):
    if text not in tuple("0123456789"):
        raise argparse.ArgumentTypeError(f"must be a digit 0-9, got {text!r}")
    return int(text)


def _cv_folds(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 folds, got {text}")
    return value


def _add_data_arguments(parser):
    parser.add_argument(
        "--data-home",
        metavar="DIR",
        help="folder holding the four MNIST IDX files (default: $SKDIGIT_DATA_HOME, "
        "else the copy bundled with skdigit)",
    )


def build_parser():
    """The argument parser of the ``skdigit`` command."""
    parser = _Parser(
        prog="skdigit",
        description="Handwritten-digit recognition on MNIST with scikit-learn.",
    )
    parser.add_argument("--version", action="version", version=f"skdigit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    train = commands.add_parser(
        "train",
        help="train on MNIST, evaluate on its test set, save the model",
        description="Fit Deskew -> PixelNormalizer -> DigitLogisticClassifier on the "
        "60,000 MNIST training images, evaluate on the 10,000 test images and save "
        "the fitted pipeline with joblib.",
    )
    _add_data_arguments(train)
    train.add_argument("--no-deskew", action="store_true", help="skip deskewing")
    train.add_argument(
        "--C", type=_positive_float, default=1.0, help="inverse regularization (default 1.0)"
    )
    train.add_argument(
        "--max-iter", type=_positive_int, default=1000,
        help="solver iterations at most (default 1000)",
    )
    train.add_argument(
        "--binary-digit", type=_digit, metavar="D",
        help="train a one-digit detector: 'is it a D?' instead of ten classes",
    )
    train.add_argument(
        "--cv", type=_cv_folds, metavar="K",
        help="also report cross_val_score with K folds on the training set",
    )
    train.add_argument(
        "--output", "-o", metavar="PATH",
        help="model file to write (default skdigit-mnist.joblib, or "
        "skdigit-mnist-is-D.joblib for a detector)",
    )
    train.add_argument("--quiet", "-q", action="store_true", help="no progress output")

    evaluate = commands.add_parser(
        "evaluate",
        help="score a saved model on the MNIST test set",
        description="Re-score a model saved by 'skdigit train' on the 10,000 MNIST "
        "test images.",
    )
    evaluate.add_argument("model", metavar="MODEL", help="model file (.joblib or .skops)")
    _add_data_arguments(evaluate)
    evaluate.add_argument(
        "--report", metavar="DIR",
        help="also write metrics.json, report.md and (with skdigit[plot]) PNG figures "
        "into DIR",
    )

    predict = commands.add_parser(
        "predict",
        help="predict the digit in your own image files",
        description="Read each image (PNG, JPEG, ...: dark ink on light paper or the "
        "reverse), prepare it the way MNIST was prepared, and print the predicted "
        "digit with its probability. Needs skdigit[image].",
    )
    predict.add_argument("model", metavar="MODEL", help="model file (.joblib or .skops)")
    predict.add_argument("images", metavar="IMAGE", nargs="+", help="image files")
    predict.add_argument("--json", action="store_true", help="machine-readable output")
    predict.add_argument(
        "--top", type=_positive_int, default=1, metavar="K",
        help="show the K most probable digits (default 1)",
    )
    predict.add_argument(
        "--invert", choices=["auto", "yes", "no"], default="auto",
        help="invert the image (dark ink on light paper); default: decide per image",
    )

    read = commands.add_parser(
        "read",
        help="read a number written on paper, digit by digit",
        description="Find the digits in each image (left to right), prepare each "
        "the way MNIST was prepared, and print the number with each digit's "
        "probability. The digits must stand on one line, not touching. Needs "
        "skdigit[image].",
    )
    read.add_argument("model", metavar="MODEL", help="ten-digit model file (.joblib or .skops)")
    read.add_argument("images", metavar="IMAGE", nargs="+", help="image files")
    read.add_argument("--json", action="store_true", help="machine-readable output")
    read.add_argument(
        "--invert", choices=["auto", "yes", "no"], default="auto",
        help="invert the image (dark ink on light paper); default: decide per image",
    )

    app = commands.add_parser(
        "app",
        help="start the web app (Streamlit): upload a digit, see the prediction",
        description="Start a Streamlit page to upload a digit image and see what the "
        "model predicts. Uses MODEL, or trains a quick model on first run. Needs "
        "skdigit[app].",
    )
    app.add_argument("--model", metavar="MODEL", help="model file to serve")
    app.add_argument("--port", type=_positive_int, help="port to listen on")
    app.add_argument("--data-home", metavar="DIR", help="where MNIST is, for training")
    return parser


def _say(message, quiet):
    """A progress message on standard error, unless ``quiet``."""
    if not quiet:
        print(message, file=sys.stderr, flush=True)


@contextmanager
def _stage(message, quiet):
    """Announce a stage of work, then how long it took."""
    _say(f"{message} ...", quiet)
    start = time.perf_counter()
    yield
    _say(f"{message}: done in {time.perf_counter() - start:.1f} s", quiet)


def _load(subset, args):
    """MNIST as ``(X, y)``; a missing or corrupted file becomes a usage error."""
    try:
        return load_mnist(subset=subset, data_home=args.data_home, return_X_y=True)
    except MNISTNotFoundError as exc:
        raise _UsageError(_mnist_not_found(exc)) from exc
    except ValueError as exc:
        # a corrupted file: the loader's message names it and says what to do
        raise _UsageError(str(exc)) from exc
    except OSError as exc:  # a file that cannot be read (permissions, say)
        raise _UsageError(f"cannot read {exc.filename}: {exc.strerror}") from exc


def _mnist_not_found(exc):
    """The loader's MNISTNotFoundError as one line in terms of the flags."""
    if exc.origin == "bundled":
        return (f"the copy of MNIST bundled with skdigit lacks {', '.join(exc.missing)}: "
                "reinstall skdigit, or pass --data-home DIR")
    if exc.origin == "data_home":
        given, otherwise = "--data-home", "leave out --data-home"
    else:
        given, otherwise = f"${exc.origin}", f"unset {exc.origin}"
    if not exc.data_home.exists():
        problem = "does not exist"
    elif not exc.data_home.is_dir():
        problem = "is not a folder"
    else:
        problem = f"lacks the MNIST file(s) {', '.join(exc.missing)}"
    return (f"{given} {exc.data_home} {problem}: give a folder holding the four MNIST IDX "
            f"files, or {otherwise} to use the copy bundled with skdigit")


def _target_names(positive_label):
    if positive_label is None:
        return [str(d) for d in range(10)]
    return [f"not {positive_label}", str(positive_label)]


def _format_confusion(cm, names):
    """A confusion matrix as text: rows are true labels, columns predictions."""
    width = max(6, max(len(n) for n in names) + 1, len(str(cm.max())) + 1)
    lines = ["true \\ predicted".ljust(width * 2)
             + "".join(n.rjust(width) for n in names)]
    for name, row in zip(names, cm):
        lines.append(name.ljust(width * 2) + "".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)


def _evaluation(y_test, y_pred, positive_label):
    """The test-set accuracy and a printable report (metrics, confusion matrix)."""
    accuracy = accuracy_score(y_test, y_pred)
    names = _target_names(positive_label)
    task = "ten digits" if positive_label is None else f"is it a {positive_label}?"
    report = "\n".join([
        f"MNIST test set ({len(y_test)} images, {task}): accuracy {accuracy:.4f}",
        "",
        classification_report(y_test, y_pred, target_names=names, digits=4),
        "Confusion matrix",
        _format_confusion(confusion_matrix(y_test, y_pred), names),
    ])
    return accuracy, report


def _train(args):
    quiet = args.quiet
    with _stage("Loading MNIST", quiet):
        X_train, y_train = _load("train", args)
        X_test, y_test = _load("test", args)
    positive_label = args.binary_digit
    if positive_label is not None:
        binarizer = TargetBinarizer(positive_label=positive_label).fit(y_train)
        y_train, y_test = binarizer.transform(y_train), binarizer.transform(y_test)
    pipeline = make_digit_pipeline(
        deskew=not args.no_deskew, C=args.C, max_iter=args.max_iter
    )
    if args.cv:
        with _stage(f"{args.cv}-fold cross_val_score on the training set", quiet):
            scores = cross_val_score(pipeline, X_train, y_train, cv=args.cv)
        print(
            f"cross_val_score (cv={args.cv}) accuracy: {scores.mean():.4f} "
            f"+/- {scores.std():.4f}  folds: "
            + " ".join(f"{s:.4f}" for s in scores)
        )
    pipeline.set_params(classifier__verbose=0 if args.quiet else 1)
    steps = " -> ".join(
        type(step).__name__ for step in pipeline.named_steps.values()
        if step != "passthrough"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        with _stage(f"Fitting {steps} on {len(y_train)} images", quiet):
            pipeline.fit(X_train, y_train)
    for warning in caught:
        _say(f"warning: {warning.message}", quiet)
    pipeline.set_params(classifier__verbose=0)
    classifier = pipeline.named_steps["classifier"]
    _say(f"solver iterations: {int(classifier.n_iter_[0])}", quiet)
    accuracy, report = _evaluation(y_test, pipeline.predict(X_test), positive_label)
    default_name = (
        "skdigit-mnist.joblib" if positive_label is None
        else f"skdigit-mnist-is-{positive_label}.joblib"
    )
    path = save_model(
        pipeline,
        args.output or default_name,
        metadata={
            "task": "multiclass" if positive_label is None else "binary",
            "positive_label": positive_label,
            "trained_on": f"MNIST train ({len(y_train)} images)",
            "test_accuracy": float(accuracy),
        },
    )
    print(report)
    print(f"\nModel saved to {path}")
    return 0


def _load_digit_model(path):
    """A saved model and its positive label (None for ten digits), checked."""
    model = load_model(path)
    positive_label = getattr(model, METADATA_ATTR, {}).get("positive_label")
    if not has_digit_classes(model, positive_label):
        classes = getattr(model, "classes_", None)
        raise ModelFileError(
            f"{str(path)!r} is not an MNIST digit model: its classes are "
            f"{None if classes is None else list(classes)}"
        )
    return model, positive_label


def _evaluate(args):
    model, positive_label = _load_digit_model(args.model)
    X_test, y_test = _load("test", args)
    if positive_label is not None:
        y_test = TargetBinarizer(positive_label=positive_label).fit_transform(y_test)
    y_pred = model.predict(X_test)
    print(_evaluation(y_test, y_pred, positive_label)[1])
    if args.report:
        from ._report import write_report

        written = write_report(
            model, X_test, y_test, y_pred, args.report,
            target_names=_target_names(positive_label),
        )
        print(f"\nReport written to {Path(args.report).resolve()}: "
              + ", ".join(p.name for p in written))
    return 0


def _predict(args):
    try:
        from .image import DigitImageError
        from .image._number import digit_and_count
    except ImportError as exc:
        raise _UsageError(str(exc)) from exc
    model, positive_label = _load_digit_model(args.model)
    names = _target_names(positive_label)
    invert = {"auto": "auto", "yes": True, "no": False}[args.invert]
    results, failed = [], 0
    for source in args.images:
        try:
            x, n_digits = digit_and_count(source, invert=invert)
        except (DigitImageError, OSError, ImportError) as exc:
            failed += 1
            results.append({"file": source, "error": str(exc)})
            if not args.json:
                print(f"skdigit predict: error: {source}: {exc}", file=sys.stderr)
            continue
        if n_digits > 1:
            print(f"skdigit predict: warning: {source} holds {n_digits} separate "
                  "marks, maybe several digits; predict reads one digit per image "
                  "(use 'skdigit read' for a number)", file=sys.stderr)
        proba = model.predict_proba(x.reshape(1, -1))[0]
        order = np.argsort(proba)[::-1][: args.top]
        top = [
            {"label": names[k], "probability": round(float(proba[k]), 6)}
            for k in order
        ]
        results.append({"file": source, "prediction": top[0]["label"],
                        "probability": top[0]["probability"], "top": top})
        if not args.json:
            print(f"{source}: {top[0]['label']} ({top[0]['probability']:.3f})"
                  + "".join(f"  {t['label']} ({t['probability']:.3f})" for t in top[1:]))
    if args.json:
        print(json.dumps(results, indent=2))
    return EXIT_USAGE if failed else 0


def _read(args):
    try:
        from .image import DigitImageError, read_number
    except ImportError as exc:
        raise _UsageError(str(exc)) from exc
    model, positive_label = _load_digit_model(args.model)
    if positive_label is not None:
        raise _UsageError(
            f"{args.model} is a one-digit detector ('is it a {positive_label}?'); "
            "reading a number needs a ten-digit model (skdigit train without "
            "--binary-digit)"
        )
    invert = {"auto": "auto", "yes": True, "no": False}[args.invert]
    results, failed = [], 0
    for source in args.images:
        try:
            reading = read_number(source, model, invert=invert)
        except (DigitImageError, OSError, ImportError) as exc:
            failed += 1
            results.append({"file": source, "error": str(exc)})
            if not args.json:
                print(f"skdigit read: error: {source}: {exc}", file=sys.stderr)
            continue
        digits = [
            {"label": str(label), "probability": round(float(p), 6),
             "box": [int(v) for v in box]}
            for label, p, box in zip(reading.labels, reading.probabilities, reading.boxes)
        ]
        results.append({"file": source, "number": reading.text, "digits": digits})
        if not args.json:
            print(f"{source}: {reading.text}  "
                  + "  ".join(f"{d['label']} ({d['probability']:.3f})" for d in digits))
    if args.json:
        print(json.dumps(results, indent=2))
    return EXIT_USAGE if failed else 0


def _app(args):
    try:
        from .app import launch
    except ImportError as exc:
        raise _UsageError(str(exc)) from exc
    return launch(model_path=args.model, port=args.port, data_home=args.data_home)


def main(argv=None):
    """Run the ``skdigit`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 on a user error (bad arguments, missing or wrong model
        file, MNIST not found).
    """
    args = build_parser().parse_args(argv)
    command = {
        "train": _train, "evaluate": _evaluate, "predict": _predict, "read": _read,
        "app": _app,
    }[args.command]
    try:
        return command(args)
    except (ModelFileError, _UsageError) as exc:
        print(f"skdigit {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader went away (``skdigit evaluate M | head``): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
