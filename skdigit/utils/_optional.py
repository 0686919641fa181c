"""Optional dependencies: one way to import them, one message when they are missing."""

import importlib

__all__ = ["MissingExtraError", "import_optional"]


class MissingExtraError(ImportError):
    """An optional dependency of skdigit is not installed.

    The message names the package, what needs it and the ``pip`` command
    that installs the matching extra, in one line.
    """


def import_optional(module, *, extra, purpose, package=None):
    """Import ``module``, or raise :class:`~skdigit.utils.MissingExtraError` (which says how to install it).

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"PIL.Image"``.
    extra : str
        The skdigit extra that provides it, e.g. ``"image"``.
    purpose : str
        What needs it, completing "... needs <package>", e.g.
        ``"reading digit images"``.
    package : str, default=None
        The name to install, when it differs from the module's (``"Pillow"``
        for ``PIL``); by default the module's top-level name.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    skdigit.utils.MissingExtraError
        If the module cannot be imported.

    Examples
    --------
    >>> from skdigit.utils import import_optional
    >>> import_optional("json", extra="none", purpose="this example").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = package or module.split(".")[0]
        raise MissingExtraError(
            f"{purpose} needs {package}, which is not installed: "
            f'pip install "skdigit[{extra}]"'
        ) from exc
