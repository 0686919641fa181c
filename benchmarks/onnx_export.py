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

Models: the pixel pipeline with and without deskewing, the scattering
pipeline, the "is it a 2" detector, an L1 model (``l1_ratio=1``, C=0.1), and
the pixel pipeline with a ``DigitLogisticClassifierCV`` (3 folds, 4 values of
C). Skipped, with a note, without the ``onnx`` extra.
"""

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
    return rows


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
    }]
