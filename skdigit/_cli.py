"""The ``skdigit`` command line: train on MNIST, evaluate a saved model.

``skdigit train`` fits a pipeline (by default Deskew -> PixelNormalizer ->
Scattering2D -> StandardScaler -> DigitLogisticClassifier; ``--features pixels``
for the raw-pixel logistic regression) on the 60,000 MNIST training images, evaluates it on the
10,000 test images and saves it; ``skdigit evaluate MODEL`` re-scores a saved
model; ``skdigit predict`` and ``skdigit read`` use the model shipped with
skdigit (:func:`skdigit.load_pretrained`) unless ``--model`` names one.
Progress goes to standard error (the solver's iterations to standard output,
as scikit-learn's ``verbose`` does), results to standard output. Every
failure is one line on standard error: a user error (bad arguments, a missing,
wrong or foreign model file, an unwritable output, a missing extra, MNIST not
found) exits with status 2, Ctrl-C with 130, SIGTERM (``train``, ``evaluate``) with
143; warnings are one line each too.
The parser and its value checks are in :mod:`skdigit._cli_args`, the wording
of results and errors in :mod:`skdigit._cli_output`.
"""

import json
import os
import signal
import sys
import threading
import time
import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.base import clone
from sklearn.model_selection import check_cv

from ._cli_args import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    _UsageError,
    build_parser,
    split_model_argument,
)
from ._cli_progress import fit_with_progress, predict_with_progress
from ._cli_output import cli_wording, evaluation, image_error, warning_printer
from ._digit_model import class_names, load_digit_model, top_k
from ._persistence import ModelFileError, check_save_path, save_model
from ._pipeline import make_digit_pipeline
from .datasets import load_mnist
from .datasets._mnist import MNISTNotFoundError
from .preprocessing import TargetBinarizer
from .utils import MissingExtraError, import_optional


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


def _check_parameters(pipeline):
    """Let the classifier refuse its parameters now, not after loading MNIST."""
    classifier = pipeline.named_steps["classifier"]
    try:
        classifier._validate_params()
    except (TypeError, ValueError) as exc:
        raise _UsageError(str(exc)) from exc


def _check_folds(folds, y):
    """``--cv K`` needs K images of every class in the training set."""
    smallest = int(np.unique(y, return_counts=True)[1].min())
    if folds > smallest:
        raise _UsageError(
            f"--cv {folds}: the rarest class of the training set has {smallest} "
            f"images; give at most --cv {smallest}"
        )


def _train(args):
    quiet = args.quiet
    positive_label = args.binary_digit
    output = args.output
    if output is None:
        output = ("skdigit-mnist.joblib" if positive_label is None
                  else f"skdigit-mnist-is-{positive_label}.joblib")
    try:
        check_save_path(output)
    except (ModelFileError, MissingExtraError) as exc:
        raise _UsageError(f"--output {output}: {exc}") from exc
    pipeline = make_digit_pipeline(
        features=args.features, deskew=not args.no_deskew, C=args.C, max_iter=args.max_iter,
        tol=args.tol,
    )
    _check_parameters(pipeline)
    with _stage("Loading MNIST", quiet):
        X_train, y_train = _load("train", args)
        X_test, y_test = _load("test", args)
    if positive_label is not None:
        binarizer = TargetBinarizer(positive_label=positive_label).fit(y_train)
        y_train, y_test = binarizer.transform(y_train), binarizer.transform(y_test)
    if args.cv:
        _check_folds(args.cv, y_train)
        with _stage(f"{args.cv}-fold cross_val_score on the training set", quiet):
            scores = _cross_val_score(pipeline, X_train, y_train, args.cv, quiet)
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
    if not _kernels_compiled(positive_label is not None, args.features):
        _say(
            "First run on this machine: numba compiles skdigit's kernels once "
            "(later runs reuse them)",
            quiet,
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        with _stage(f"Fitting {steps} on {len(y_train)} images", quiet):
            fit_with_progress(pipeline, X_train, y_train, quiet=quiet)
    for warning in caught:
        _say(f"skdigit train: warning: {cli_wording(str(warning.message), train=True)}",
             quiet)
    pipeline.set_params(classifier__verbose=0)
    classifier = pipeline.named_steps["classifier"]
    _say(f"solver iterations: {int(classifier.n_iter_[0])}", quiet)
    y_pred = predict_with_progress(pipeline, X_test, quiet=quiet,
                                   desc="Evaluating on the test set")
    accuracy, report = evaluation(y_test, y_pred, positive_label)
    print(report, flush=True)  # before saving: a failed save loses no result
    metadata = {
        "task": "multiclass" if positive_label is None else "binary",
        "positive_label": positive_label,
        "trained_on": f"MNIST train ({len(y_train)} images)",
        "test_accuracy": float(accuracy),
    }
    try:
        path = save_model(pipeline, output, metadata=metadata)
    except OSError as exc:  # a full disk, say: the report above is not lost
        reason = exc.strerror or str(exc)
        raise OSError(exc.errno, f"cannot save the model to {output}: {reason}") from exc
    print(f"\nModel saved to {path}")
    return 0


def _cross_val_score(pipeline, X, y, folds, quiet):
    """``cross_val_score(pipeline, X, y, cv=folds)`` (the same folds and scores),
    fold after fold, with progress."""
    cv = check_cv(folds, y, classifier=True)
    scores = []
    for k, (train, test) in enumerate(cv.split(X, y), start=1):
        prefix = f"fold {k}/{folds}: "
        _say(f"{prefix}fitting on {len(train)} images", quiet)
        model = clone(pipeline).set_params(classifier__verbose=0 if quiet else 1)
        fit_with_progress(model, X[train], y[train], quiet=quiet, prefix=prefix)
        y_pred = predict_with_progress(model, X[test], quiet=quiet,
                                       desc=f"{prefix}scoring")
        scores.append(float(np.mean(y_pred == y[test])))
        _say(f"{prefix}accuracy {scores[-1]:.4f}", quiet)
    return np.array(scores)


def _kernels_compiled(binary, features):
    """Whether the kernels a default fit of these features runs are compiled on disk."""
    from .linear_model import _kernels, _kernels_csr
    from .preprocessing import _deskew_kernels, _scattering_kernels
    from .utils._numba_cache import kernels_on_disk

    if features == "scattering":  # dense, wide features: the dense kernel
        return kernels_on_disk(
            _scattering_kernels._scatter_groups, _kernels._dense_chunk,
            _deskew_kernels._deskew_rows,
        )
    loss = (_kernels_csr._binomial_csr_chunk if binary
            else _kernels_csr._MULTINOMIAL_CSR[2].chunk_sums)
    return kernels_on_disk(
        loss, _kernels_csr._row_nnz, _kernels_csr._fill_rows, _deskew_kernels._deskew_rows
    )


def _evaluate(args):
    if args.report:
        try:
            check_save_path(Path(args.report) / "report.md")
        except ModelFileError as exc:
            raise _UsageError(f"--report {args.report}: {exc}") from exc
    quiet = args.quiet
    model, positive_label = load_digit_model(args.model)  # a second at most
    with _stage("Loading the MNIST test set", quiet):
        X_test, y_test = _load("test", args)
    if positive_label is not None:
        y_test = TargetBinarizer(positive_label=positive_label).fit_transform(y_test)
    y_pred = predict_with_progress(model, X_test, quiet=quiet,
                                   desc="Evaluating on the test set")
    print(evaluation(y_test, y_pred, positive_label)[1], flush=True)
    if args.report:
        from ._report import write_report

        written, skipped = write_report(
            model, X_test, y_test, y_pred, args.report,
            target_names=class_names(positive_label), progress=not quiet,
        )
        print(f"\nReport written to {Path(args.report).resolve()}: "
              + ", ".join(p.name for p in written))
        for name, reason in skipped:
            print(f"{name} skipped: {reason}")
    return 0


def _image_model(args, *, ten_classes=False):
    """The model of ``predict``/``read``: ``--model`` (or the older positional
    MODEL), else the one shipped with skdigit; and its positive label."""
    if args.model is not None:
        return load_digit_model(args.model, ten_classes=ten_classes)
    from ._digit_model import check_digit_model
    from ._pretrained import load_pretrained

    model = load_pretrained()
    return model, check_digit_model(model, "the shipped model", ten_classes=ten_classes)


def _image_options(args):
    """The reader's ``frame`` and ``max_pixels`` options given on the command line."""
    options = {} if args.frame is None else {"frame": args.frame}
    if args.max_pixels != -1:
        options["max_pixels"] = args.max_pixels
    return options


def _image_failed(command, source, exc, results, as_json):
    """Record an image that could not be read; say so on standard error unless ``as_json``."""
    line = image_error(source, exc)
    results.append({"file": source, "error": line[len(source) + 2:]})
    if not as_json:
        print(f"skdigit {command}: error: {line}", file=sys.stderr)


def _predict(args):
    import_optional("PIL.Image", extra="image", purpose="skdigit predict", package="Pillow")
    from .image import DigitImageError
    from .image._number import digit_and_count
    from .image._sure import is_digit

    model, positive_label = _image_model(args)
    if not hasattr(model, "predict_proba"):
        raise _UsageError(f"{args.model!r} has no predict_proba; predict needs probabilities")
    names = class_names(positive_label)
    invert = {"auto": "auto", "yes": True, "no": False}[args.invert]
    options = _image_options(args)
    results, failed = [], 0
    for source in args.images:
        try:
            x, n_digits = digit_and_count(source, invert=invert, **options)
        except (DigitImageError, OSError, ImportError, ValueError) as exc:
            failed += 1
            _image_failed("predict", source, exc, results, args.json)
            continue
        if n_digits > 1:
            print(f"skdigit predict: warning: {source} holds {n_digits} separate "
                  "marks, maybe several digits; predict reads one digit per image "
                  "(use 'skdigit read' for a number)", file=sys.stderr)
        classes, probabilities = top_k(model.predict_proba(x.reshape(1, -1)), args.top)
        top = [
            {"label": names[k], "probability": round(float(p), 6)}
            for k, p in zip(classes[0], probabilities[0])
        ]
        sure = bool(is_digit(x.reshape(1, -1), [probabilities[0][0]])[0])
        results.append({"file": source, "prediction": top[0]["label"],
                        "probability": top[0]["probability"], "is_digit": sure,
                        "top": top})
        if not args.json:
            shown = "" if sure else "not sure: "
            print(f"{source}: {shown}{top[0]['label']} ({top[0]['probability']:.3f})"
                  + "".join(f"  {t['label']} ({t['probability']:.3f})" for t in top[1:]))
    if args.json:
        print(json.dumps(results, indent=2))
    return EXIT_USAGE if failed else 0


def _read(args):
    import_optional("PIL.Image", extra="image", purpose="skdigit read", package="Pillow")
    from .image import DigitImageError, read_number

    model, _ = _image_model(args, ten_classes=True)
    invert = {"auto": "auto", "yes": True, "no": False}[args.invert]
    options = _image_options(args)
    results, failed = [], 0
    for source in args.images:
        try:
            reading = read_number(source, model, invert=invert, **options)
        except (DigitImageError, OSError, ImportError, ValueError) as exc:
            failed += 1
            _image_failed("read", source, exc, results, args.json)
            continue
        digits = [
            {"label": str(label), "probability": round(float(p), 6), "is_digit": bool(ok),
             "line": int(line), "box": [int(v) for v in box]}
            for label, p, ok, line, box in zip(reading.labels, reading.probabilities,
                                               reading.is_digit, reading.lines, reading.boxes)
        ]
        results.append({"file": source, "number": reading.text, "digits": digits})
        if not args.json:
            print(f"{source}: {reading.text}  " + "  ".join(
                f"{d['label']} ({d['probability']:.3f})" if d["is_digit"]
                else f"? (not sure: {d['label']} {d['probability']:.3f})" for d in digits))
    if args.json:
        print(json.dumps(results, indent=2))
    return EXIT_USAGE if failed else 0


def _onnx_opset(onx):
    return next(o.version for o in onx.opset_import if o.domain in ("", "ai.onnx"))


def _export(args):
    import_optional("skl2onnx", extra="onnx", purpose="skdigit export")
    from ._persistence import load_model
    from .onnx import OnnxExportError, to_onnx
    from .utils._atomic import atomic_write

    output = check_save_path(args.output)
    model = load_model(args.model)
    try:
        onx = to_onnx(model, target_opset=args.opset)
    except OnnxExportError as exc:
        raise _UsageError(f"{args.model!r}: {exc}") from exc
    data = onx.SerializeToString()
    with atomic_write(output) as f:
        f.write(data)
    print(f"Exported {args.model} to {output} ({len(data) / 2**20:.1f} MiB, "
          f"opset {_onnx_opset(onx)})")
    return 0


def _app(args):
    import_optional("streamlit", extra="app", purpose="skdigit app")
    from .app import launch

    if args.model is not None:  # refused here, not in the browser after the server starts
        load_digit_model(args.model, ten_classes=True)
    return launch(model_path=args.model, port=args.port, data_home=args.data_home)


class _Terminated(BaseException):
    """SIGTERM arrived; a BaseException, as KeyboardInterrupt, so that no
    ``except Exception`` on the way swallows it."""


def _raise_terminated(signum, frame):
    raise _Terminated


@contextmanager
def _sigterm_raises():
    """While in the block, SIGTERM raises :class:`_Terminated` in the main thread
    (so that ``finally`` blocks remove temporary files, and one line is printed)."""
    if not hasattr(signal, "SIGTERM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv=None):
    """Run the ``skdigit`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success; 2 on a user error (bad arguments, a missing, wrong or
        untrusted model file, an output that cannot be written, a missing
        extra, MNIST not found); 1 when writing fails midway (disk full, say);
        130 when interrupted (Ctrl-C); 143 when ``train`` or ``evaluate`` is
        terminated (SIGTERM). Each failure prints one line on standard error.
    """
    args = build_parser().parse_args(argv)
    command = {
        "train": _train, "evaluate": _evaluate, "predict": _predict, "read": _read,
        "app": _app, "export": _export,
    }[args.command]
    prog = f"skdigit {args.command}"
    terminable = _sigterm_raises() if args.command in ("train", "evaluate") else nullcontext()
    with warnings.catch_warnings(), terminable:
        warnings.showwarning = warning_printer(prog)
        try:
            if args.command in ("predict", "read"):
                split_model_argument(args)
            return command(args)
        except _Terminated:
            print(f"{prog}: terminated", file=sys.stderr)
            return EXIT_TERMINATED
        except (ModelFileError, _UsageError, MissingExtraError, MNISTNotFoundError) as exc:
            print(f"{prog}: error: {cli_wording(str(exc))}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # the reader went away (``skdigit evaluate M | head``): not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            print(f"{prog}: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return 1
