"""Links from the HTML repr of our estimators to their API pages, as scikit-learn's have."""

from .._version import __version__

__all__ = ["DOCS_URL", "DocLinkMixin"]

DOCS_URL = "https://skdigit.readthedocs.io/en/{version}/"
"""Root of the documentation site; ``{version}`` is ``"latest"`` for development
versions, else ``major.minor``."""


def _version_url():
    if any(tag in __version__ for tag in ("dev", "+")):
        return "latest"
    return ".".join(__version__.split(".")[:2])


class DocLinkMixin:
    """Give an estimator's HTML repr (in Jupyter) a "?" link to its API page.

    scikit-learn's ``_doc_link_*`` hooks, pointed at skdigit's site: every
    public estimator is documented as ``skdigit.<ClassName>``.

    Examples
    --------
    >>> from skdigit import Deskew
    >>> Deskew()._get_doc_link()
    'https://skdigit.readthedocs.io/en/.../generated/skdigit.Deskew.html'
    """

    _doc_link_module = "skdigit"
    _doc_link_template = (
        DOCS_URL.format(version=_version_url()) + "generated/skdigit.{name}.html"
    )

    def _doc_link_url_param_generator(self):
        return {"name": type(self).__name__}
