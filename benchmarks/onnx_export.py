"""ONNX export: ONNX Runtime against skdigit on the MNIST test set, model by model.

For each model (fitted on the MNIST training images; ``--quick``: 2,000 of
them), :func:`skdigit.onnx.to_onnx` exports it and ONNX Runtime (CPU, its
default threads) runs it on every test digit. Rows:

- the largest absolute difference between ONNX Runtime's probabilities and
  ``predict_proba`` (the target: at most 1e-4), and the number of test digits
  whose predicted label differs;
- the median time of ``predict`` (skdigit) and of ``InferenceSession.run``
  (ONNX Runtime) on the whole test set, interleaved; the scattering graph runs
  in batches of 250 images (its intermediate tensors take about 0.7 MB per
  image), the others in one call;
- the size of the ONNX file.

A second table backs the choice made for ``Scattering2D``: 2-D DFTs of 36 x
36 (the padded MNIST grid) on a batch of 4,000 real images (``--quick``:
1,000), written as the two real ``MatMul`` of the export against ONNX's
``DFT`` operator (opset 17, one call per axis): time, error against
:func:`numpy.fft.fft2` and graph size.

Models: the pixel pipeline with and without deskewing, the scattering
pipeline, the "is it a 2" detector, an L1 model (``l1_ratio=1``, C=0.1), and
the pixel pipeline with a ``DigitLogisticClassifierCV`` (3 folds, 4 values of
C). Skipped, with a note, without the ``onnx`` extra.
"""

import functools
import time

import numpy as np

from benchmarks.harness import interleaved, log

_BATCH = {"scattering": 250}


def _models(quick):
    from skdigit import make_digit_pipeline

    iters = 200 if quick else 1000
    return [
        ("pixels, deskew", "pixels", lambda: make_digit_pipeline(features="pixels",
                                                                 max_iter=iters), None),
        ("pixels, no deskew", "pixels", lambda: make_digit_pipeline(
            features="pixels", deskew=False, max_iter=iters), None),
        ("scattering (default of skdigit train)", "scattering", lambda: make_digit_pipeline(
            features="scattering", max_iter=iters), None),
        ('"is it a 2" detector (pixels)', "pixels", lambda: make_digit_pipeline(
            features="pixels", max_iter=iters), 2),
        ("L1 (l1_ratio=1, C=0.1, pixels)", "pixels", lambda: make_digit_pipeline(
            features="pixels", C=0.1, l1_ratio=1.0, max_iter=iters), None),
        ("DigitLogisticClassifierCV (3 folds, 4 C, pixels)", "pixels",
         lambda: make_digit_pipeline(features="pixels", cv=3, Cs=4, max_iter=iters), None),
    ]


def _session_run(session, X, batch):
    if batch is None or len(X) <= batch:
        return session.run(None, {"X": X})
    parts = [session.run(None, {"X": X[i:i + batch]}) for i in range(0, len(X), batch)]
    return [np.concatenate([p[k] for p in parts]) for k in range(len(parts[0]))]


def _dft_graphs(n):
    """Two ONNX models of the 2-D DFT of a real (B, n, n) batch: ONNX's ``DFT``
    operator (output (B, n, n, 2)) and the export's real products (output (B, n, 2n))."""
    from onnx import TensorProto, helper, numpy_helper

    from skdigit.onnx._dft import dft_matrix, right_block

    def model(nodes, initializers):
        graph = helper.make_graph(
            nodes, "dft", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, n, n])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
            [numpy_helper.from_array(v, k) for k, v in initializers.items()])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    operator = model([
        helper.make_node("Unsqueeze", ["X", "axis"], ["X1"]),
        helper.make_node("DFT", ["X1"], ["Y1"], axis=1),
        helper.make_node("DFT", ["Y1"], ["Y"], axis=2),
    ], {"axis": np.array([-1], np.int64)})
    F = dft_matrix(n)
    products = model([
        helper.make_node("MatMul", ["L", "X"], ["A"]),
        helper.make_node("Reshape", ["A", "s1"], ["A1"]),
        helper.make_node("Transpose", ["A1"], ["A2"], perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["A2", "s2"], ["A3"]),
        helper.make_node("MatMul", ["A3", "R"], ["Y"]),
    ], {"L": np.vstack([F.real, F.imag]).astype(np.float32), "R": right_block(F),
        "s1": np.array([-1, 2, n, n], np.int64), "s2": np.array([-1, n, 2 * n], np.int64)})
    return {"DFT operator (opset 17)": (operator, lambda y: y[..., 0] + 1j * y[..., 1]),
            "real MatMul (the export's)": (products, lambda y: y[..., :n] + 1j * y[..., n:])}


def _dft_rows(quick, repeats):
    import onnxruntime as ort

    n, batch = 36, 1000 if quick else 4000
    x = np.random.default_rng(0).standard_normal((batch, n, n)).astype(np.float32)
    reference = np.fft.fft2(x)
    rows, fns = [], {}
    for name, (onx, to_complex) in _dft_graphs(n).items():
        session = ort.InferenceSession(onx.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        y = to_complex(session.run(None, {"X": x})[0])
        error = float(np.abs(y - reference).max() / np.abs(reference).max())
        fns[name] = functools.partial(session.run, None, {"X": x})
        rows.append({"graph": name, "n": n, "batch": batch, "relative_error": error,
                     "graph_bytes": len(onx.SerializeToString())})
    times = interleaved(fns, repeats)
    for row in rows:
        row["ms"] = 1e3 * float(np.median(times[row["graph"]]))
    return rows


def run(quick=False, *, data, repeats=3):
    try:
        import onnxruntime as ort

        from skdigit.onnx import to_onnx
    except ImportError as exc:
        return {"skipped": f"needs the onnx extra (pip install '.[onnx]'): {exc}"}

    n_train = 2000 if quick else len(data.X8)
    X, y = data.X8[:n_train].astype(np.float32), data.y[:n_train]
    Xt = data.Xt8.astype(np.float32)
    rows = []
    for name, features, make, digit in _models(quick):
        target = y if digit is None else (y == digit)
        start = time.perf_counter()
        model = make().fit(X, target)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        onx = to_onnx(model)
        export_s = time.perf_counter() - start
        data_bytes = onx.SerializeToString()
        session = ort.InferenceSession(data_bytes, providers=["CPUExecutionProvider"])
        batch = _BATCH.get(features)
        label, proba = _session_run(session, Xt, batch)
        expected_proba = model.predict_proba(Xt)
        expected = model.predict(Xt)
        if expected.dtype == bool:
            expected = expected.astype(np.int64)
        times = interleaved({
            "skdigit": lambda: model.predict(Xt),
            "onnxruntime": lambda: _session_run(session, Xt, batch),
        }, repeats)
        sk, rt = float(np.median(times["skdigit"])), float(np.median(times["onnxruntime"]))
        row = {
            "model": name, "n_test": len(Xt),
            "max_abs_proba_diff": float(np.abs(proba - expected_proba).max()),
            "labels_differ": int((label != expected).sum()),
            "accuracy": float((expected == (data.yt if digit is None
                                            else (data.yt == digit).astype(np.int64))).mean()),
            "skdigit_predict_s": sk, "onnxruntime_s": rt, "ratio": rt / sk,
            "onnx_mib": len(data_bytes) / 2**20, "fit_s": fit_s, "export_s": export_s,
            "batch": batch or len(Xt),
        }
        log(f"onnx_export: {name}: max |dp| {row['max_abs_proba_diff']:.2e}, "
            f"{row['labels_differ']} labels differ, skdigit {sk:.3f} s, "
            f"onnxruntime {rt:.3f} s, {row['onnx_mib']:.2f} MiB")
        rows.append(row)
    return {"rows": rows, "dft": _dft_rows(quick, repeats)}


def tables(res):
    rows = res["rows"]
    n = rows[0]["n_test"] if rows else 0
    return [{
        "title": f"ONNX export: ONNX Runtime against skdigit on {n:,} MNIST test digits",
        "header": ["model", "largest proba difference", "labels differ", "test accuracy",
                   "skdigit predict (s)", "ONNX Runtime (s)", "ratio", "ONNX file (MiB)"],
        "rows": [[r["model"], f"{r['max_abs_proba_diff']:.1e}", str(r["labels_differ"]),
                  f"{r['accuracy']:.4f}", f"{r['skdigit_predict_s']:.3f}",
                  f"{r['onnxruntime_s']:.3f}", f"{r['ratio']:.2f}x",
                  f"{r['onnx_mib']:.2f}"] for r in rows],
        "notes": ["Target: probabilities within 1e-4 of predict_proba (float32) and the "
                  "same labels. Times are medians of interleaved repeats on the whole test "
                  "set, one process, each library with its default threads; ONNX Runtime "
                  "runs the scattering graph in batches of 250 images."],
    }, {
        "title": "2-D DFTs in ONNX Runtime: the export's real products against the DFT "
                 "operator",
        "header": ["graph", "size", "batch", "time (ms)", "relative error", "graph bytes"],
        "rows": [[r["graph"], f"{r['n']}x{r['n']}", f"{r['batch']:,}", f"{r['ms']:.1f}",
                  f"{r['relative_error']:.1e}", f"{r['graph_bytes']:,}"]
                 for r in res.get("dft", [])],
        "notes": ["The error is the largest difference from numpy.fft.fft2 over the "
                  "largest coefficient."],
    }]
