"""Intersphinx inventories for scikit-learn, NumPy, SciPy, matplotlib and Python,
written offline from the installed packages.

Why: intersphinx normally downloads ``objects.inv`` from each project's site,
but the machines that build these docs (CI included) reach no web site. A
failed download is a warning, and the build treats warnings as errors. So the
build writes its own inventories, before intersphinx reads them, by walking
the public API of the *installed* packages and pointing each name at the page
where the project's own documentation puts it:

- scikit-learn: ``modules/generated/<full name>.html#<full name>`` for every
  name in the ``__all__`` of every public subpackage (and their public
  methods), ``api/<module>.html`` for the subpackages, and the glossary terms
  and labels that scikit-learn's inherited docstrings refer to;
- NumPy: ``reference/generated/numpy.<name>.html`` for the functions and
  classes of the top-level namespace (scalar types on their shared page);
- SciPy: ``reference/generated/scipy.<sub>.<name>.html`` for a few
  subpackages;
- matplotlib: ``api/_as_gen/matplotlib.pyplot.<name>.html`` and the
  ``Axes``/``Figure`` methods;
- joblib: ``generated/joblib.<name>.html`` for its main functions; skops:
  the ``skops.io`` functions on its API page;
- numba: the two thread-count functions;
- Python: the built-in functions, types and exceptions, and a few classes.

The trade-off: links to API objects resolve exactly as with the downloaded
inventories (same targets), with no network and no flakiness, but links to
other projects' *narrative* pages exist only for the labels listed here. Set
``SKDIGIT_DOCS_ONLINE_INVENTORIES=1`` to try the real inventories first (with
these as the fallback).
"""

import builtins
import importlib
import inspect
import zlib
from pathlib import Path

# Glossary terms and labels of scikit-learn's documentation that are referred
# to by the docstrings skdigit inherits or writes (``:term:`fit```).
SKLEARN_TERMS = [
    "array-like", "classifier", "classes_", "coef_", "cross-validation",
    "decision_function", "estimator", "feature_names_in_", "fit",
    "fit_transform", "get_feature_names_out", "hyperparameter", "intercept_",
    "max_iter", "meta-estimator", "n_features_in_", "n_jobs", "partial_fit",
    "pipeline", "predict", "predict_log_proba", "predict_proba",
    "random_state", "sample_weight", "score", "sparse matrix", "tol",
    "transform", "transformer", "verbose", "warm_start", "class_weight",
]
# label -> (page, anchor, title)
SKLEARN_LABELS = {
    "metadata_routing": ("metadata_routing.html", "metadata-routing", "Metadata Routing"),
    "glossary": ("glossary.html", "glossary", "Glossary of Common Terms and API Elements"),
    "model_persistence": ("model_persistence.html", "model-persistence", "Model persistence"),
    "grid_search": ("modules/grid_search.html", "grid-search", "Tuning the hyper-parameters of an estimator"),
    "cross_validation": ("modules/cross_validation.html", "cross-validation", "Cross-validation: evaluating estimator performance"),
    "logistic_regression": ("modules/linear_model.html", "logistic-regression", "Logistic regression"),
    "combining_estimators": ("modules/compose.html", "combining-estimators", "Pipelines and composite estimators"),
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py": (
        "auto_examples/miscellaneous/plot_set_output.html",
        "sphx-glr-auto-examples-miscellaneous-plot-set-output-py",
        "Introducing the set_output API",
    ),
    "df_output_transform": (
        "modules/df_output_transform.html",
        "df-output-transform",
        "Pandas/Polars Output for Transformers with set_output API",
    ),
    "accuracy_score": ("modules/model_evaluation.html", "accuracy-score", "Accuracy score"),
}


def _public(names):
    return [n for n in names if not n.startswith("_")]


def _kind(obj):
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return None


def _class_methods(cls):
    return [
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member) and not inspect.isclass(member)
    ]


def _sklearn_entries():
    import sklearn

    entries = []
    for sub in [*sklearn.__all__, "utils", "base", "utils.metadata_routing"]:
        full = f"sklearn.{sub}"
        try:
            module = importlib.import_module(full)
        except ImportError:
            continue  # a top-level function such as sklearn.clone
        if not inspect.ismodule(module) or sub in {"externals", "experimental"}:
            continue
        entries.append((full, "py:module", f"api/{full}.html#module-{full}"))
        names = getattr(module, "__all__", None) or [
            n for n, o in vars(module).items()
            # metadata_routing re-exports the classes of a private module
            if getattr(o, "__module__", "") == full
            or (sub == "utils.metadata_routing"
                and getattr(o, "__module__", "").startswith("sklearn."))
        ]
        for name in _public(names):
            try:
                obj = getattr(module, name, None)
            except ImportError:  # experimental names need an explicit enable
                continue
            kind = _kind(obj)
            if kind is None:
                continue
            qual = f"{full}.{name}"
            page = f"modules/generated/{qual}.html"
            entries.append((qual, f"py:{kind}", f"{page}#{qual}"))
            if kind in {"class", "exception"}:
                for meth in _class_methods(obj):
                    entries.append(
                        (f"{qual}.{meth}", "py:method", f"{page}#{qual}.{meth}")
                    )
    for name in ["clone", "get_config", "set_config", "config_context", "show_versions"]:
        qual = f"sklearn.{name}"
        entries.append((qual, "py:function", f"modules/generated/{qual}.html#{qual}"))
    for term in SKLEARN_TERMS:
        anchor = "term-" + "-".join(term.split())
        entries.append((term, "std:term", f"glossary.html#{anchor}", term))
    for label, (page, anchor, title) in SKLEARN_LABELS.items():
        entries.append((label, "std:label", f"{page}#{anchor}", title))
    return entries


def _numpy_entries():
    import numpy as np

    entries = []
    for name in _public(getattr(np, "__all__", dir(np))):
        obj = getattr(np, name, None)
        kind = _kind(obj)
        if kind is None:
            continue
        qual = f"numpy.{name}"
        if kind == "class" and issubclass(obj, np.generic):
            entries.append((qual, "py:class", f"reference/arrays.scalars.html#{qual}"))
            continue
        entries.append((qual, f"py:{kind}", f"reference/generated/{qual}.html#{qual}"))
    for sub in ["random", "linalg"]:
        module = importlib.import_module(f"numpy.{sub}")
        for name in _public(getattr(module, "__all__", [])):
            kind = _kind(getattr(module, name, None))
            if kind:
                qual = f"numpy.{sub}.{name}"
                page = "random/generated" if sub == "random" else "generated"
                entries.append((qual, f"py:{kind}", f"reference/{page}/{qual}.html#{qual}"))
    # the new random API lives on one page, its methods on their own pages
    for name in ["default_rng", "Generator"]:
        qual = f"numpy.random.{name}"
        kind = "py:function" if name == "default_rng" else "py:class"
        entries.insert(0, (qual, kind, f"reference/random/generator.html#{qual}"))
    for meth in _class_methods(np.random.Generator):
        qual = f"numpy.random.Generator.{meth}"
        entries.append((qual, "py:method", f"reference/random/generated/{qual}.html#{qual}"))
    return entries


def _scipy_entries():
    entries = []
    for sub in ["ndimage", "optimize", "sparse", "special", "stats", "linalg"]:
        module = importlib.import_module(f"scipy.{sub}")
        entries.append((f"scipy.{sub}", "py:module", f"reference/{sub}.html#module-scipy.{sub}"))
        for name in _public(getattr(module, "__all__", [])):
            kind = _kind(getattr(module, name, None))
            if kind:
                qual = f"scipy.{sub}.{name}"
                entries.append((qual, f"py:{kind}", f"reference/generated/{qual}.html#{qual}"))
    return entries


def _matplotlib_entries():
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    entries = []
    for name in _public(dir(plt)):
        obj = getattr(plt, name)
        if inspect.isfunction(obj) and getattr(obj, "__module__", "") == "matplotlib.pyplot":
            qual = f"matplotlib.pyplot.{name}"
            entries.append((qual, "py:function", f"api/_as_gen/{qual}.html#{qual}"))
    for cls, qual_cls in [(Axes, "matplotlib.axes.Axes"), (Figure, "matplotlib.figure.Figure")]:
        for meth in _class_methods(cls):
            qual = f"{qual_cls}.{meth}"
            page = (f"api/_as_gen/{qual}.html" if cls is Axes else "api/figure_api.html")
            entries.append((qual, "py:method", f"{page}#{qual}"))
    entries.append(("matplotlib.axes.Axes", "py:class", "api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes"))
    entries.append(("matplotlib.figure.Figure", "py:class", "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure"))
    return entries


def _python_entries():
    entries = []
    for name in _public(dir(builtins)):
        obj = getattr(builtins, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            entries.append((name, "py:exception", f"library/exceptions.html#{name}"))
        elif inspect.isclass(obj):
            entries.append((name, "py:class", f"library/functions.html#{name}"))
        elif callable(obj):
            entries.append((name, "py:function", f"library/functions.html#{name}"))
    for qual, kind, page in [
        ("os.PathLike", "class", "library/os.html"),
        ("os.fspath", "function", "library/os.html"),
        ("os.fdopen", "function", "library/os.html"),
        ("os.replace", "function", "library/os.html"),
        ("os.fsync", "function", "library/os.html"),
        ("os.umask", "function", "library/os.html"),
        ("pathlib.Path", "class", "library/pathlib.html"),
        ("tempfile.TemporaryDirectory", "class", "library/tempfile.html"),
        ("tempfile.mkstemp", "function", "library/tempfile.html"),
        ("io.BytesIO", "class", "library/io.html"),
        ("gzip.open", "function", "library/gzip.html"),
        ("pickle", "module", "library/pickle.html"),
        ("http.server", "module", "library/http.server.html"),
    ]:
        anchor = f"module-{qual}" if kind == "module" else qual
        entries.append((qual, f"py:{kind}", f"{page}#{anchor}"))
    return entries


def _numba_entries():
    page = "user/threading-layer.html"
    return [
        (f"numba.{name}", "py:function", f"{page}#numba.{name}")
        for name in ["set_num_threads", "get_num_threads"]
    ]


def _joblib_entries():
    entries = [
        (f"joblib.{name}", "py:function", f"generated/joblib.{name}.html#joblib.{name}")
        for name in ["dump", "load", "delayed", "parallel_config", "cpu_count"]
    ]
    entries += [
        (f"joblib.{name}", "py:class", f"generated/joblib.{name}.html#joblib.{name}")
        for name in ["Parallel", "Memory"]
    ]
    return entries


def _skops_entries():
    # skops need not be installed: its API page lists these functions
    return [
        (f"skops.io.{name}", "py:function", f"modules/classes.html#skops.io.{name}")
        for name in ["dump", "dumps", "load", "loads", "get_untrusted_types"]
    ]


PROJECTS = {
    # key: (project name, base URL, entry builder, version getter)
    "sklearn": ("scikit-learn", "https://scikit-learn.org/stable/", _sklearn_entries, "sklearn"),
    "numpy": ("NumPy", "https://numpy.org/doc/stable/", _numpy_entries, "numpy"),
    "scipy": ("SciPy", "https://docs.scipy.org/doc/scipy/", _scipy_entries, "scipy"),
    "matplotlib": ("Matplotlib", "https://matplotlib.org/stable/", _matplotlib_entries, "matplotlib"),
    "joblib": ("joblib", "https://joblib.readthedocs.io/en/stable/", _joblib_entries, "joblib"),
    "skops": ("skops", "https://skops.readthedocs.io/en/stable/", _skops_entries, None),
    "numba": ("Numba", "https://numba.readthedocs.io/en/stable/", _numba_entries, "numba"),
    "python": ("Python", "https://docs.python.org/3/", _python_entries, None),
}


def _encode(project, version, entries):
    seen = set()
    lines = []
    for entry in entries:
        name, role, uri = entry[:3]
        display = entry[3] if len(entry) > 3 else "-"
        if (name, role) in seen:
            continue
        seen.add((name, role))
        if uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"  # the inventory shorthand
        lines.append(f"{name} {role} 1 {uri} {display}")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    return header.encode() + zlib.compress("\n".join(lines).encode() + b"\n")


def write_inventories(dest):
    """Write one ``<key>-objects.inv`` per project into ``dest``.

    Returns ``{key: (base_url, path)}``.
    """
    import platform

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written = {}
    for key, (project, url, builder, module) in PROJECTS.items():
        if module:
            version = importlib.import_module(module).__version__
        else:
            version = platform.python_version() if key == "python" else "stable"
        path = dest / f"{key}-objects.inv"
        path.write_bytes(_encode(project, version, builder()))
        written[key] = (url, str(path))
    return written
