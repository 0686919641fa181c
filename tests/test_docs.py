"""Checks of the documentation sources that need no full build.

The API reference must list every public name, the gallery examples must be
self-contained and offline, and the offline intersphinx inventories must be
readable by Sphinx. The last test builds the site without running the gallery
(warnings as errors); it, and the inventory test, skip when the ``docs``
extra is not installed.
"""

import ast
import importlib
import inspect
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import skdigit

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"


def _public_modules():
    """skdigit's public subpackages and modules (no leading underscore)."""
    modules = []
    for info in pkgutil.walk_packages(skdigit.__path__, "skdigit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError:  # an optional dependency is missing
            continue
    return modules


def _public_names():
    """Every public class and function, as documented: ``X`` or ``<module>.X``.

    ``X`` for what the top-level package exports, ``<module>.X`` (relative to
    ``skdigit``) for the rest; constants are not listed on their own.
    """
    names = {name for name in skdigit.__all__ if not name.startswith("_")}
    top_level = {id(getattr(skdigit, name)) for name in names}
    for module in _public_modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if id(obj) in top_level or not (inspect.isclass(obj) or callable(obj)):
                continue
            names.add(f"{module.__name__.removeprefix('skdigit.')}.{name}")
    return sorted(names)


def _api_entries():
    """The names listed in the autosummary tables of docs/api.rst."""
    entries, inside = set(), False
    for line in (DOCS / "api.rst").read_text().splitlines():
        if line.startswith(".. autosummary::"):
            inside = True
        elif inside and line and not line[0].isspace():
            inside = False
        elif inside and line.strip() and not line.strip().startswith(":"):
            entries.add(line.strip())
    return entries


@pytest.mark.parametrize("name", _public_names())
def test_api_reference_lists_every_public_name(name):
    assert name in _api_entries(), f"{name} is public but missing from docs/api.rst"


def test_api_reference_lists_only_public_names():
    assert _api_entries() <= set(_public_names())


def _examples():
    return sorted(EXAMPLES.rglob("plot_*.py"))


def test_there_are_examples():
    assert len(_examples()) >= 6


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_example_is_self_contained_and_offline(path):
    source = path.read_text()
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=False)
    assert docstring, "a gallery example starts with a docstring holding its title"
    lines = docstring.strip("\n").splitlines()
    title = lines[1] if set(lines[0]) == {"="} else lines[0]
    underline = lines[2] if set(lines[0]) == {"="} else lines[1]
    assert set(underline) == {"="} and len(underline) >= len(title), (
        f"the title {title!r} needs an '=' underline at least as long"
    )
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert "load_mnist" in calls, "examples read MNIST with skdigit.load_mnist"
    for forbidden in ["fetch_openml", "urlopen", "urlretrieve", "fetch_file"]:
        assert forbidden not in calls, f"examples must not use the network ({forbidden})"
    # each example is one script: it imports nothing from the docs or other examples
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            assert not (module or "").startswith(("examples", "docs", "conf")), module


@pytest.mark.parametrize("folder", sorted(p for p in EXAMPLES.iterdir() if p.is_dir()))
def test_gallery_sections_have_a_readme(folder):
    assert (folder / "README.txt").is_file()


def _read_inventory(path):
    inventory = pytest.importorskip("sphinx.util.inventory")
    with open(path, "rb") as stream:
        data = inventory.InventoryFile.load(stream, "https://example.org/", lambda a, b: a + b)
    # Sphinx >= 8.2 returns an object; older versions a dict
    return data if isinstance(data, dict) else data.data


def test_offline_inventories(tmp_path):
    pytest.importorskip("sphinx")
    sys.path.insert(0, str(DOCS / "sphinxext"))
    try:
        from offline_inventories import write_inventories
    finally:
        sys.path.remove(str(DOCS / "sphinxext"))
    written = write_inventories(tmp_path)
    assert set(written) >= {"sklearn", "numpy", "scipy", "python"}
    sklearn_inv = _read_inventory(written["sklearn"][1])
    target = sklearn_inv["py:class"]["sklearn.linear_model.LogisticRegression"]
    uri = target[2] if isinstance(target, tuple) else target.uri
    assert uri.endswith(
        "modules/generated/sklearn.linear_model.LogisticRegression.html"
        "#sklearn.linear_model.LogisticRegression"
    )
    assert "fit" in sklearn_inv["std:term"]
    assert "numpy.reshape" in _read_inventory(written["numpy"][1])["py:function"]
    assert "FileNotFoundError" in _read_inventory(written["python"][1])["py:exception"]


def test_check_site_help():
    result = subprocess.run(
        [sys.executable, str(DOCS / "check_site.py"), "--help"],
        capture_output=True, text=True, check=False,
    )
    if "No module named 'websocket'" in result.stderr:
        pytest.skip("websocket-client (docs extra) is not installed")
    assert result.returncode == 0, result.stderr
    assert "--screenshots" in result.stdout


def test_site_builds_without_running_the_gallery(tmp_path, mnist_home, monkeypatch):
    """The whole site, warnings as errors, gallery not run (about 20 s)."""
    pytest.importorskip("sphinx")
    pytest.importorskip("pydata_sphinx_theme")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("sphinx_copybutton")
    pytest.importorskip("matplotlib")
    pytest.importorskip("sphinx-mathjax-offline")
    # the user guide's deskewing figure is drawn from the MNIST test images
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(mnist_home))
    # build a copy, so that the gallery's outputs in docs/ are left alone
    ignore = shutil.ignore_patterns("_build", "generated", "auto_examples", "__pycache__",
                                    "node_modules")
    shutil.copytree(DOCS, tmp_path / "docs", ignore=ignore)
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=ignore)
    result = subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
            "-q", "-D", "plot_gallery=0",
            # no onnxruntime-web (npm ci --prefix docs) here: the try-it page's model only
            "-D", "tryit_require_runtime=0",
            ".", "_build/html",
        ],
        capture_output=True, text=True, check=False, cwd=tmp_path / "docs",
    )
    assert result.returncode == 0, result.stderr[-5000:]
    html = tmp_path / "docs" / "_build" / "html"
    assert (html / "generated" / "skdigit.DigitLogisticClassifier.html").is_file()
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    # the try-it page and its model, exported from the shipped weights by the build
    assert (html / "user_guide" / "try_it.html").is_file()
    model = (html / "_static" / "tryit" / "model.js").read_text()
    assert model.startswith("window.SKDIGIT_MODEL = ") and "onnx_gz_b64" in model


def test_tryit_detector_is_digit_likeness():
    """The try-it page's digit detector, exported by the docs build, scores as
    skdigit.image.digit_likeness (on MNIST test digits and on a letter)."""
    from skdigit import load_mnist
    from skdigit.image import digit_likeness, load_digit_image

    sys.path.insert(0, str(DOCS / "sphinxext"))
    try:
        from tryit_assets import detector_pipeline
    finally:
        sys.path.remove(str(DOCS / "sphinxext"))
    X = load_mnist(subset="test", return_X_y=True)[0][:200].astype(np.float32)
    H = np.zeros((28, 28), dtype=np.uint8)
    H[4:24, 8:11] = H[4:24, 18:21] = H[13:16, 8:21] = 255
    X = np.vstack([X, load_digit_image(H)[None]]).astype(np.float32)
    expected = digit_likeness(X)
    assert expected[-1] < 0 <= np.median(expected[:-1])  # a letter, and digits
    detector = detector_pipeline()
    np.testing.assert_allclose(detector.predict(X).max(axis=1), expected, atol=1e-4)

    onnxruntime = pytest.importorskip("onnxruntime")
    from skdigit.onnx import to_onnx

    session = onnxruntime.InferenceSession(to_onnx(detector).SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    (scores,) = session.run(None, {"X": X})
    assert scores.shape == (len(X), 10)  # one a digit class; the page takes the largest
    np.testing.assert_allclose(scores.max(axis=1), expected, atol=1e-3)
    assert np.array_equal(scores.max(axis=1) >= 0, expected >= 0)
