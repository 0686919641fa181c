"""make_deformed_digits: microseconds per deformed 28x28 digit, and its parts against SciPy.

Rows (median of interleaved repeats, one process):

- ``make_deformed_digits`` end to end (random numbers, smoothing, numba kernel;
  all threads), the default settings, and with ``alpha=0`` (affine only);
- its elastic-field smoothing (two BLAS products per batch) against
  ``scipy.ndimage.gaussian_filter`` on the same batch of noise (one thread
  each);
- the SciPy twin (``gaussian_filter`` + ``map_coordinates`` per image) against
  the whole path, one thread each: the ratio is what the kernel buys.
"""

import numpy as np

from benchmarks.harness import interleaved


def run(quick=False):
    import numba
    from scipy import ndimage
    from threadpoolctl import threadpool_limits

    from skdigit import load_mnist, make_deformed_digits
    from skdigit.datasets._deform import _draw, _smooth_noise
    from skdigit.datasets._deform_reference import deform_images_reference

    X = load_mnist(subset="test", return_X_y=True)[0]
    n = 1000 if quick else len(X)
    n_ref = 100 if quick else 1000
    repeats = 3 if quick else 5
    X = X[:n]
    settings = (20.0, 5.0, 10.0, 0.1, 0.1, 1.0)
    noise, _ = _draw(0, 0, 0, 1024, 784, settings)
    make_deformed_digits(X[:10], random_state=0)  # compile (or load the cache)

    threads = numba.get_num_threads()
    rows = []

    def add(name, seconds, images, n_threads):
        rows.append({"step": name, "threads": n_threads,
                     "us_per_image": 1e6 * float(np.median(seconds)) / images})

    times = interleaved({
        "default": lambda: make_deformed_digits(X, random_state=0),
        "affine only": lambda: make_deformed_digits(X, alpha=0.0, random_state=0),
    }, repeats)
    add("make_deformed_digits, defaults", times["default"], n, threads)
    add("make_deformed_digits, alpha=0 (affine only)", times["affine only"], n, threads)

    with threadpool_limits(1):
        noise3 = noise.reshape(-1, 2, 28, 28)
        times = interleaved({
            "blas": lambda: _smooth_noise(noise, (28, 28), 5.0),
            "scipy": lambda: ndimage.gaussian_filter(noise3, (0, 0, 5.0, 5.0), mode="reflect"),
        }, repeats)
    add("field smoothing, BLAS products (ours)", times["blas"], 1024, 1)
    add("field smoothing, scipy.ndimage.gaussian_filter", times["scipy"], 1024, 1)

    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with threadpool_limits(1):
            sub = X[:n_ref]
            noise_r, affine_r = _draw(0, 0, 0, n_ref, 784, settings)
            times = interleaved({
                "ours": lambda: make_deformed_digits(sub, random_state=0),
                "twin": lambda: deform_images_reference(sub, (28, 28), noise_r, affine_r,
                                                        20.0, 5.0, quantize=True),
            }, repeats)
    finally:
        numba.set_num_threads(previous)
    add("make_deformed_digits, defaults", times["ours"], n_ref, 1)
    add("SciPy twin (gaussian_filter + map_coordinates per image)", times["twin"], n_ref, 1)
    ours, twin = rows[-2]["us_per_image"], rows[-1]["us_per_image"]
    blas, scipy_gf = rows[2]["us_per_image"], rows[3]["us_per_image"]
    for row in rows:
        row["note"] = ""
    rows[-1]["note"] = f"{twin / ours:.1f}x the time of ours"
    rows[3]["note"] = f"{scipy_gf / blas:.1f}x the time of ours"
    return rows


def tables(res):
    return [{"title": "Deformed digits (make_deformed_digits), per 28x28 image",
             "header": ["step", "threads", "us/image", ""],
             "rows": [[r["step"], str(r["threads"]), f"{r['us_per_image']:,.1f}", r["note"]]
                      for r in res["rows"]],
             "notes": [("Default settings: alpha 20, sigma 5, +-10 degrees, +-10% scale, "
                        "shear 0.1, shift 1 pixel.")]}]
