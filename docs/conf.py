"""Sphinx configuration of the skdigit documentation.

Build it with ``make -C docs html`` (warnings are errors; the gallery runs on
the MNIST bundled with skdigit). ``make -C docs html-noplot``
builds without running the examples.
"""

import importlib.util
import os
import sys
import warnings
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

import skdigit  # noqa: E402
from offline_inventories import write_inventories  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "skdigit"
author = "skdigit developers"
copyright = f"{date.today().year}, {author}"
release = skdigit.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "matplotlib.sphinxext.plot_directive",
    # MathJax 3 served from _static (from the sphinx-mathjax-offline package)
    # rather than from a CDN, so that the pages render offline.
    "sphinx-mathjax-offline",
    # the try-it page's model (exported from skdigit.load_pretrained) and
    # onnxruntime-web (from docs/node_modules: npm ci --prefix docs), into _static/tryit
    "tryit_assets",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "sphinxext"]
root_doc = "index"
default_role = "literal"
# Warnings are errors (-W in the Makefile), and so is a cross-reference that
# does not resolve (to skdigit, or through the offline inventories below).
nitpicky = True
# Private modules (``skdigit.app._model``) are not documented, so references
# to them cannot resolve; they render as code.
nitpick_ignore_regex = [(r"py:mod", r"skdigit(\..*)?\._.*")]
# The inventories come from the installed packages: a scikit-learn older than
# 1.9 has no callback API to link to (the page says so); render it as code.
if importlib.util.find_spec("sklearn.callback") is None:
    nitpick_ignore_regex.append((r"py:class", r"sklearn\.callback\..*"))

# -- autodoc / autosummary / numpydoc ----------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# numpydoc's own member tables would repeat the members autodoc documents.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- intersphinx (offline) ---------------------------------------------------
# The inventories are written from the installed packages (see
# sphinxext/offline_inventories.py): the build reaches no web site.

_inventories = write_inventories(HERE / "_build" / "inventories")
_online = os.environ.get("SKDIGIT_DOCS_ONLINE_INVENTORIES", "") not in {"", "0"}
intersphinx_mapping = {
    key: (url, (None, path) if _online else path)
    for key, (url, path) in _inventories.items()
}
intersphinx_timeout = 10
intersphinx_disabled_reftypes = ["std:doc"]

# -- matplotlib plot directive (the figures of the user guide) ---------------

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.dpi": 110, "savefig.bbox": "tight"}

# -- The command line's help texts, generated from the parser ----------------


def _write_cli_help(dest):
    """Write the ``--help`` output of ``skdigit`` and its subcommands."""
    from skdigit._cli import build_parser

    os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal width
    dest.mkdir(parents=True, exist_ok=True)
    parser = build_parser()
    (dest / "skdigit.txt").write_text(parser.format_help())
    subparsers = next(
        a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"
    )
    for name, sub in subparsers.choices.items():
        (dest / f"{name}.txt").write_text(sub.format_help())


_write_cli_help(HERE / "generated" / "cli")

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skdigit {release}"
html_static_path = ["_static"]
html_css_files = ["css/skdigit.css"]
html_show_sourcelink = False
# an icon of our own: without one, browsers ask the server for /favicon.ico
html_favicon = "_static/favicon.svg"
html_logo = "_static/favicon.svg"
html_theme_options = {
    "navbar_align": "left",
    "logo": {"text": "skdigit", "alt_text": "skdigit - home"},
    "show_prev_next": False,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    # the try-it page needs the width for its pad, image and probabilities
    "secondary_sidebar_items": {"**": ["page-toc"], "user_guide/try_it": []},
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    # no icon links, version switcher or analytics: nothing is fetched from
    # other sites when a page is opened
}
html_sidebars = {"index": [], "changelog": []}
html_context = {"default_mode": "light"}

# -- sphinx-gallery ----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "doc_module": ("skdigit",),
    "backreferences_dir": "generated",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "matplotlib_animations": False,
    # show DataFrames (their HTML), not the reprs of matplotlib artists
    "capture_repr": ("_repr_html_",),
    "default_thumb_file": None,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "plot_gallery": "True",
}

# Headless matplotlib while the examples run.
os.environ.setdefault("MPLBACKEND", "Agg")
# Only our own warnings should show in the examples' output.
warnings.filterwarnings("ignore", category=DeprecationWarning, module="numba")
