"""The ``skdigit`` command line's arguments: the parser, its value checks, exit codes.

:func:`build_parser` defines every subcommand and option (the docs print its
help texts); each value is checked where it is parsed, so a bad one is one
line on standard error and exit status 2, before any work starts. The commands
themselves are in :mod:`skdigit._cli`.
"""

import argparse
import math

from ._pipeline import FEATURES, default_C
from ._version import __version__

__all__ = [
    "EXIT_INTERRUPTED", "EXIT_TERMINATED", "EXIT_USAGE", "build_parser",
    "split_model_argument",
]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM



class _UsageError(Exception):
    """An error the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _inverse_regularization(text):
    """A positive number, or ``inf`` for no penalty."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number (give a positive number, or inf for no penalty)"
        ) from None
    if math.isnan(value) or not value > 0:
        raise argparse.ArgumentTypeError(
            f"must be positive (or inf for no penalty), got {text}"
        )
    return value


def _integer(text, minimum):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {text}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _positive_int(text):
    return _integer(text, 1)


def _non_negative_int(text):
    return _integer(text, 0)


def _file_name(text):
    """A non-empty file name (``--output ""`` would otherwise mean the default)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a file, got an empty name")
    return text


def _port(text):
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 1-65535, got {text}")
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


MODEL_SUFFIXES = (".joblib", ".skops")


def _add_image_arguments(parser, model_help):
    """[MODEL] IMAGE..., --model, --json, --invert, --frame and --max-pixels, for
    predict and read."""
    parser.add_argument(
        "images", metavar="IMAGE", nargs="+",
        help="image files; a first argument ending in .joblib or .skops is the model "
        "(the older form 'MODEL IMAGE...')",
    )
    parser.add_argument(
        "--model", metavar="MODEL",
        help=f"{model_help} (default: the model shipped with skdigit, "
        "skdigit.load_pretrained())",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--invert", choices=["auto", "yes", "no"], default="auto",
        help="invert the image (dark ink on light paper); default: decide per image",
    )
    parser.add_argument(
        "--frame", type=_non_negative_int, metavar="K",
        help="frame to read from a multi-frame image (animated GIF, multi-page "
        "TIFF); default the first",
    )
    parser.add_argument(
        "--max-pixels", type=_max_pixels, metavar="N", default=-1,
        help="refuse images of more than N pixels, a guard against decompression "
        "bombs (default 50,000,000; 0 for no limit)",
    )


def _max_pixels(text):
    """A positive pixel count, or 0 for no limit (None)."""
    value = _non_negative_int(text.replace(",", "").replace("_", ""))
    return None if value == 0 else value


def split_model_argument(args):
    """``MODEL IMAGE...`` (the older form): move a first IMAGE that names a model
    file (.joblib, .skops) to ``args.model``; an error if both forms are used or
    nothing but a model is given."""
    first = args.images[0]
    if not first.lower().endswith(MODEL_SUFFIXES):
        return args
    if args.model is not None:
        raise _UsageError(f"{first} looks like a model file, but --model {args.model} "
                          "is given too; give one model")
    if len(args.images) == 1:
        raise _UsageError(f"{first} is a model file: give the images to read after it")
    args.model, args.images = first, args.images[1:]
    return args


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
        description="Fit Deskew -> PixelNormalizer -> Scattering2D -> StandardScaler -> "
        "DigitLogisticClassifier (or, with --features pixels, Deskew -> PixelNormalizer "
        "-> DigitLogisticClassifier) on the 60,000 MNIST training images, evaluate on "
        "the 10,000 test images and save the fitted pipeline with joblib.",
    )
    _add_data_arguments(train)
    train.add_argument(
        "--features", choices=FEATURES, default="scattering",
        help="what the classifier sees: wavelet scattering coefficients (default; about "
        "99.4%% accuracy), the pixels (about 95.6%%, and trains in seconds), or the "
        "scattering coefficients next to random Fourier features of them (kernel: the "
        "most accurate, about twice the memory of scattering)",
    )
    train.add_argument("--no-deskew", action="store_true", help="skip deskewing")
    train.add_argument(
        "--C", type=_inverse_regularization, default=None,
        help="inverse regularization: a positive number, or inf for no penalty "
        f"(default {default_C('scattering')} for scattering features, "
        f"{default_C('kernel')} for kernel features, {default_C('pixels')} for pixels)",
    )
    train.add_argument(
        "--max-iter", type=_positive_int, default=1000,
        help="solver iterations at most (default 1000)",
    )
    train.add_argument(
        "--tol", type=_positive_float, default=1e-4,
        help="the solver stops when the largest entry of the gradient is at most "
        "this (default 1e-4)",
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
        "--output", "-o", type=_file_name, metavar="PATH",
        help="model file to write, .joblib or .skops (default skdigit-mnist.joblib, "
        "or skdigit-mnist-is-D.joblib for a detector); checked before training",
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
    evaluate.add_argument("--quiet", "-q", action="store_true", help="no progress output")

    predict = commands.add_parser(
        "predict",
        help="predict the digit in your own image files",
        description="Read each image (PNG, JPEG, ...: dark ink on light paper or the "
        "reverse), prepare it the way MNIST was prepared, and print the predicted "
        "digit with its probability, with the model shipped with skdigit unless "
        "--model names one. Needs skdigit[image].",
    )
    _add_image_arguments(predict, "model file (.joblib or .skops)")
    predict.add_argument(
        "--top", type=_positive_int, default=1, metavar="K",
        help="show the K most probable digits (default 1)",
    )

    read = commands.add_parser(
        "read",
        help="read a number written on paper, digit by digit",
        description="Find the digits in each image (left to right), prepare each "
        "the way MNIST was prepared, and print the number with each digit's "
        "probability, with the model shipped with skdigit unless --model names one. "
        "The digits must stand on one line, not touching. Needs skdigit[image].",
    )
    _add_image_arguments(read, "ten-digit model file (.joblib or .skops)")

    export = commands.add_parser(
        "export",
        help="export a saved model to ONNX, to run it with ONNX Runtime",
        description="Convert a model saved by 'skdigit train' (or skdigit.save_model) "
        "to an ONNX file: input 'X' (float32 pixel intensities, one image per row), "
        "outputs 'label' and 'probabilities'. Needs skdigit[onnx].",
    )
    export.add_argument("model", metavar="MODEL", help="model file (.joblib or .skops)")
    export.add_argument("output", type=_file_name, metavar="OUT",
                        help="ONNX file to write (e.g. model.onnx)")
    export.add_argument(
        "--opset", type=_positive_int, default=None, metavar="N",
        help="ONNX opset of the graph (default 18; Deskew needs 13 or later)",
    )

    app = commands.add_parser(
        "app",
        help="start the web app (Streamlit): upload a digit, see the prediction",
        description="Start a Streamlit page to upload a digit image and see what the "
        "model predicts. Uses MODEL (checked before the server starts), or the "
        "model shipped with skdigit. Needs skdigit[app].",
    )
    app.add_argument(
        "--model", metavar="MODEL",
        help="ten-class model file to serve (default: the model shipped with skdigit)",
    )
    app.add_argument("--port", type=_port, help="port to listen on (1-65535)")
    app.add_argument("--data-home", metavar="DIR", help=argparse.SUPPRESS)  # no longer used
    return parser
