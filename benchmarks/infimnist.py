"""End to end, InfiMNIST-style: deformed digits generated lazily, fitted on a LocalCluster.

The 60,000 MNIST training digits and ``n_copies`` deformed copies of each
(:func:`skdigit.make_deformed_digits` on a Dask array: generated on the
workers, chunk by chunk, never in this process), deskewed and scaled to [0, 1]
there (``map_blocks``), persisted on a ``LocalCluster`` of 2 worker processes
and fitted with ``DigitLogisticClassifier`` on the Dask arrays; then scored
on the 10,000 MNIST test digits against the same pipeline fitted on the
60,000 originals alone. One row per deformation setting: the generator's
defaults, and a milder one. The full run makes 1,020,000 digits (16 copies).

Features: deskewed pixels. The scattering features of a million digits
(3,969 float32 each: 16 GB) do not fit in this 24 GB machine's memory; the
``scattering`` rows here measure whether deformed copies help that pipeline
on 60,000 originals plus one copy each, in memory, and the
``infimnist_scattering`` section (:mod:`benchmarks.infimnist_scattering`)
fits a million of them out of core.
"""

import time

import numpy as np

from benchmarks.dask_fit import _cluster
from benchmarks.harness import log

C = 1.0
SETTINGS = {
    "defaults (alpha 20, sigma 5, 10 deg, 10% scale, 0.1 shear, 1 px)": {},
    "mild (alpha 8, sigma 5, 5 deg, 5% scale, 0.05 shear, 1 px)": dict(
        alpha=8.0, max_rotation=5.0, max_scale=0.05, max_shear=0.05),
}


def _prepare(block):
    from skdigit import Deskew, PixelNormalizer

    return PixelNormalizer().fit_transform(Deskew().fit_transform(block)).astype(np.float32)


def _pixels(data, n_copies, chunk_rows):
    import dask.array as da

    from skdigit import DigitLogisticClassifier, make_deformed_digits

    X_test = _prepare(data.Xt8)
    base = DigitLogisticClassifier(C=C).fit(_prepare(data.X8), data.y)
    rows = [{"features": "deskewed pixels", "training digits": len(data.y),
             "deformations": "none (the originals)", "seconds": None,
             "accuracy": base.score(X_test, data.yt)}]
    cluster, client = _cluster(2)
    with cluster, client:
        client.wait_for_workers(2)
        X = da.from_array(data.X8, chunks=(chunk_rows, -1))
        y = da.from_array(data.y, chunks=chunk_rows)
        for label, settings in SETTINGS.items():
            t0 = time.perf_counter()
            D, yD = make_deformed_digits(X, y, n_copies=n_copies, include_original=True,
                                         random_state=0, **settings)
            F = D.map_blocks(_prepare, dtype=np.float32).persist()
            yD = yD.persist()
            clf = DigitLogisticClassifier(C=C).fit(F, yD)
            seconds = time.perf_counter() - t0
            rows.append({"features": "deskewed pixels", "training digits": int(yD.shape[0]),
                         "deformations": label, "seconds": seconds,
                         "n_iter": int(clf.n_iter_[0]),
                         "accuracy": clf.score(X_test, data.yt)})
            log(f"  {rows[-1]}")
            del F, yD
    return rows


def _scattering(data):
    from skdigit import make_deformed_digits, make_digit_pipeline

    rows = []
    t0 = time.perf_counter()
    base = make_digit_pipeline(features="scattering").fit(data.X8, data.y)
    rows.append({"features": "scattering", "training digits": len(data.y),
                 "deformations": "none (the originals)", "seconds": time.perf_counter() - t0,
                 "accuracy": base.score(data.Xt8, data.yt)})
    log(f"  {rows[-1]}")
    for label, settings in SETTINGS.items():
        t0 = time.perf_counter()
        D, yD = make_deformed_digits(data.X8, data.y, n_copies=1, include_original=True,
                                     random_state=0, **settings)
        model = make_digit_pipeline(features="scattering").fit(D, yD)
        rows.append({"features": "scattering", "training digits": len(yD),
                     "deformations": label, "seconds": time.perf_counter() - t0,
                     "accuracy": model.score(data.Xt8, data.yt)})
        log(f"  {rows[-1]}")
        del D, yD, model
    return rows


def run(data, quick=False, options=None):
    n_copies = 1 if quick else 16
    rows = _pixels(data, n_copies, 500 if quick else 10_000)
    if not quick:
        rows += _scattering(data)
    return rows


def tables(res):
    def fmt(r):
        seconds = r.get("seconds")
        return [r["features"], f"{r['training digits']:,}", r["deformations"],
                "" if seconds is None else f"{seconds:.0f}", f"{r['accuracy']:.4f}"]

    return [{"title": "Deformed digits, end to end (MNIST test accuracy)",
             "header": ["features", "training digits", "deformations",
                        "generate + fit (s)", "test accuracy"],
             "rows": [fmt(r) for r in res["rows"]],
             "notes": ["Pixels: generated, deskewed and fitted on a LocalCluster of 2 "
                       "worker processes; scattering: in memory, 60,000 originals plus one "
                       "deformed copy each."]}]
