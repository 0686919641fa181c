"""What the ``skdigit`` command prints: result text, one-line errors and warnings."""

import re
import sys

from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

from ._digit_model import class_names, image_error_message

# Python-API advice in library messages, said the command line's way.
_FLAG_WORDING = [
    (r"pass invert=True/False", "use --invert yes/no"),
    (r"try the other invert", "try the other --invert (yes/no), or --invert auto"),
    (r"[Pp]ass frame=k to choose another frame and silence this warning",
     "use --frame K to choose another frame"),
    (r"pass a larger max_pixels \(or None\) if you trust it",
     "give a larger --max-pixels N (or --max-pixels 0) if you trust it"),
    (r"max_pixels=", "--max-pixels "),
    (r"pass data_home=", "use --data-home DIR"),
]


def format_confusion(cm, names):
    """A confusion matrix as text: rows are true labels, columns predictions."""
    corner = "true \\ predicted"
    first = max(len(corner), max(len(n) for n in names)) + 2
    width = max(6, max(len(n) for n in names) + 1, len(str(cm.max())) + 1)
    lines = [corner.ljust(first) + "".join(n.rjust(width) for n in names)]
    for name, row in zip(names, cm):
        lines.append(name.ljust(first) + "".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)


def evaluation(y_test, y_pred, positive_label):
    """The test-set accuracy and a printable report (metrics, confusion matrix)."""
    accuracy = accuracy_score(y_test, y_pred)
    names = class_names(positive_label)
    task = "ten digits" if positive_label is None else f"is it a {positive_label}?"
    report = "\n".join([
        f"MNIST test set ({len(y_test)} images, {task}): accuracy {accuracy:.4f}",
        "",
        classification_report(y_test, y_pred, target_names=names, digits=4),
        "Confusion matrix",
        format_confusion(confusion_matrix(y_test, y_pred), names),
    ])
    return accuracy, report


# The convergence advice in ``skdigit train``, whose pipeline already scales
# its features: the flags that set max_iter and tol.
_TRAIN_WORDING = [
    (r"Increase the number of iterations \(max_iter=(\d+)\), scale the features to "
     r"\[0, 1\] \(skdigit\.PixelNormalizer for pixels\), or loosen tol\.",
     r"Give a larger --max-iter (now \1), or a looser --tol."),
    (r"Loosen tol, or scale the features to \[0, 1\] \(skdigit\.PixelNormalizer "
     r"for pixels\)\.",
     "Give a looser --tol."),
]


def cli_wording(message, *, train=False):
    """``message`` with its Python-API advice given as command-line flags
    (``train``: the advice of a ConvergenceWarning, given as ``skdigit train``'s)."""
    for pattern, flag in (_TRAIN_WORDING if train else []) + _FLAG_WORDING:
        message = re.sub(pattern, flag, message)
    return message


def image_error(source, exc):
    """One line for an image that cannot be read, naming the file once."""
    return f"{source}: {cli_wording(image_error_message(exc, source))}"


def warning_printer(prog):
    """A :func:`warnings.showwarning` printing one line, without source file and line."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{prog}: warning: {cli_wording(str(message))}", file=sys.stderr, flush=True)

    return show
