"""The files of the "try it" page: the exported model and onnxruntime-web.

A Sphinx extension. When the build starts (``config-inited``) it writes, into
``docs/_build/tryit_static/tryit/`` (added to ``html_static_path``, so the
files land in ``_static/tryit/`` of the site):

- ``model.js``: the model shipped with skdigit (:func:`skdigit.load_pretrained`,
  the default scattering pipeline fitted on MNIST) and the digit detector of
  :func:`skdigit.image.digit_likeness` (:func:`detector_pipeline`), exported
  with :func:`skdigit.onnx.to_onnx` at this build, never downloaded, with the
  minimum probability of ``is_digit``. The ONNX bytes are gzipped and
  base64-encoded into a classic script that sets ``window.SKDIGIT_MODEL``
  (the detector in its ``detector``).
- ``ort.wasm.min.js``: onnxruntime-web's WebAssembly-only build (a classic
  script defining ``window.ort``), copied from ``docs/node_modules`` (``npm ci
  --prefix docs`` installs the version pinned in ``docs/package-lock.json``),
  (its MIT licence notice is at the top of the file).
- ``ort-wasm-runtime.js``: the two files that build loads at run time, the
  Emscripten module (``ort-wasm-simd-threaded.mjs``, as text) and the
  WebAssembly binary (``ort-wasm-simd-threaded.wasm``, gzipped and
  base64-encoded), in a classic script that sets ``window.SKDIGIT_ORT``.

Why scripts rather than the files themselves: the page must work when opened
from disk (``file://``), where Chromium refuses ``fetch()`` and module imports
of local files, but runs classic ``<script src>`` tags. The page decodes the
bytes (``fetch`` of a ``data:`` URL, ``DecompressionStream``), gives the
binary to onnxruntime-web (``ort.env.wasm.wasmBinary``) and the module as a
``blob:`` URL (``ort.env.wasm.wasmPaths``). Gzip makes the 15 MB binary about
4 MB (5 MB in base64). Only the WebAssembly (CPU) backend is copied: no WebGPU
or WebGL build, no threads (``file://`` pages cannot share memory between
workers), no source maps.

The page itself (``docs/user_guide/try_it.rst``) and its script
(``docs/_static/tryit/tryit.js``) are in the repository.
"""

import base64
import gzip
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent
NODE_PACKAGE = DOCS / "node_modules" / "onnxruntime-web"
OUTPUT = DOCS / "_build" / "tryit_static"

_ORT_SCRIPT = "ort.wasm.min.js"
_ORT_MODULE = "ort-wasm-simd-threaded.mjs"
_ORT_BINARY = "ort-wasm-simd-threaded.wasm"


class TryItAssetsError(RuntimeError):
    """The page's files cannot be written (onnxruntime-web not installed)."""


def _b64gz(data):
    return base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0)).decode("ascii")


def _write_if_changed(path, text):
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def detector_pipeline():
    """The digit detector of :func:`skdigit.image.digit_likeness` as a fitted pipeline.

    Its feature steps (Deskew, PixelNormalizer, Scattering2D), then a
    ``StandardScaler`` and a ``LinearRegression`` holding the shipped arrays
    (``skdigit/data/not_a_digit.npz``: mean, scale, the ten classes'
    coefficients, their intercepts less the threshold): ``predict`` gives the
    ten scores, and their largest is ``digit_likeness``.
    :func:`skdigit.onnx.to_onnx` exports it (output ``"variable"``, shape
    ``(n, 10)``; the page takes the largest).
    """
    import numpy as np
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from skdigit.image._sure import load_detector

    state = load_detector()
    n_features = state["coef"].shape[0]
    scaler = StandardScaler()
    scaler.mean_ = np.asarray(state["mean"], dtype=np.float64)
    scaler.scale_ = np.asarray(state["scale"], dtype=np.float64)
    scaler.var_ = scaler.scale_**2
    scaler.n_features_in_, scaler.n_samples_seen_ = n_features, 1
    score = LinearRegression()
    score.coef_ = np.asarray(state["coef"], dtype=np.float64).T
    score.intercept_ = np.asarray(state["intercept"], dtype=np.float64) - float(state["threshold"])
    score.n_features_in_ = n_features
    return Pipeline([*state["steps"].steps, ("scale", scaler), ("likeness", score)])


def _onnx_info(model, name):
    from skdigit.onnx import to_onnx

    onx = to_onnx(model, name=name)
    data = onx.SerializeToString()
    return {
        "steps": [step for step, _ in model.steps],
        "opset": max(o.version for o in onx.opset_import if o.domain in {"", "ai.onnx"}),
        "bytes": len(data),
        "onnx_gz_b64": _b64gz(data),
    }


def _model_script():
    import numpy as np

    from skdigit import __version__, load_pretrained
    from skdigit.image._sure import MIN_PROBABILITY

    model = load_pretrained()
    info = {
        "name": "skdigit.load_pretrained() (the default scattering pipeline)",
        "skdigit": __version__,
        "classes": [int(c) for c in np.asarray(model.classes_)],
        **_onnx_info(model, "skdigit_pretrained"),
        # is_digit: the model's probability at least this, and the detector's
        # score (digit_likeness) at least 0
        "min_probability": MIN_PROBABILITY,
        "detector": {
            "name": "skdigit.image.digit_likeness (the shipped digit detector)",
            **_onnx_info(detector_pipeline(), "skdigit_digit_likeness"),
        },
    }
    return "window.SKDIGIT_MODEL = " + json.dumps(info) + ";\n"


def _ort_version():
    return json.loads((NODE_PACKAGE / "package.json").read_text())["version"]


def _runtime_script(dist):
    info = {
        "version": _ort_version(),
        "module": (dist / _ORT_MODULE).read_text(encoding="utf-8"),
        "wasm_gz_b64": _b64gz((dist / _ORT_BINARY).read_bytes()),
    }
    return "window.SKDIGIT_ORT = " + json.dumps(info) + ";\n"


def write_assets(output=OUTPUT, *, require_runtime=True):
    """Write the page's model and runtime into ``output/tryit``; return ``output``.

    Without onnxruntime-web in ``docs/node_modules``: raise
    :class:`TryItAssetsError` if ``require_runtime``, else write only the model
    (the page then says that its runtime is missing).
    """
    dist = NODE_PACKAGE / "dist"
    missing = [n for n in (_ORT_SCRIPT, _ORT_MODULE, _ORT_BINARY) if not (dist / n).is_file()]
    if missing and require_runtime:
        raise TryItAssetsError(
            f"onnxruntime-web is not installed in {NODE_PACKAGE.parent} (missing "
            f"{', '.join(missing)}): run `npm ci --prefix docs` (Node.js and npm), "
            "which installs the version pinned in docs/package-lock.json, or build "
            "with -D tryit_require_runtime=0 (the try-it page will not work)"
        )
    folder = Path(output) / "tryit"
    folder.mkdir(parents=True, exist_ok=True)
    _write_if_changed(folder / "model.js", _model_script())
    if missing:
        return Path(output)
    shutil.copyfile(dist / _ORT_SCRIPT, folder / _ORT_SCRIPT)
    # the runtime changes only with the npm package: rewritten when its version does
    runtime = folder / "ort-wasm-runtime.js"
    stamp = Path(output).parent / "tryit_ort_version.txt"  # not in the site
    if not runtime.is_file() or not stamp.is_file() or stamp.read_text() != _ort_version():
        runtime.write_text(_runtime_script(dist), encoding="utf-8")
        stamp.write_text(_ort_version())
    return Path(output)


def _on_config_inited(app, config):
    output = write_assets(require_runtime=bool(int(config.tryit_require_runtime)))
    config.html_static_path = [*config.html_static_path, str(output)]


def setup(app):
    # 0 (``-D tryit_require_runtime=0``): build without onnxruntime-web (tests)
    app.add_config_value("tryit_require_runtime", True, "env")
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
