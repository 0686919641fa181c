"""The one place the benchmarks reach into private code.

The kernel section times one loss + gradient evaluation, which no public API
exposes: skdigit's fused kernel through ``LogisticObjective`` (the object a
fit drives, so the row names the data layout it picked) and the dense layout
on its own, and scikit-learn's ``LinearModelLoss.loss_gradient`` beside it.
Everything else in ``benchmarks/`` uses public API only. Two generations of
skdigit's core are understood (0.2's layouts and penalties, 0.1's single
objective); when the private names move again, :func:`skdigit_kernels` raises
``ImportError`` and the kernel section is skipped with a note.
"""

import numpy as np


def skdigit_kernels(inputs, y_idx, n_classes, params, n_threads):
    """``{row name: callable}`` evaluating skdigit's loss + gradient at ``params``.

    ``inputs`` maps names ("dense float32", "CSR float64", ...) to X; ``params``
    is the flat ``(n_classes, n_features + 1)`` vector (intercepts last, per row).
    ``l2 = 1 / n``: the objective at ``C=1``.
    """
    n, d = next(iter(inputs.values())).shape
    sw = np.ones(n)
    try:  # skdigit >= 0.2: a data layout and a penalty
        from skdigit.linear_model._layouts import DenseLayout, make_layout
        from skdigit.linear_model._loss import LogisticObjective
        from skdigit.linear_model._penalties import L2

        def objective(layout):
            return LogisticObjective(layout, y_idx, sw, n_classes, fit_intercept=True,
                                     penalty=L2(1.0 / n), n_threads=n_threads)

        layouts = {name: make_layout(X, n_threads=n_threads) for name, X in inputs.items()}
        layouts.update({f"{name}@dense": DenseLayout(X) for name, X in inputs.items()
                        if name.startswith("dense")})
        objectives = {name: (objective(lay), lay.name) for name, lay in layouts.items()}
    except ImportError:  # skdigit 0.1: one objective that picks its own layout
        from skdigit.linear_model._loss import LogisticObjective

        def objective(X):
            return LogisticObjective(X, y_idx, sw, n_classes, fit_intercept=True,
                                     l2_reg_strength=1.0 / n, n_threads=n_threads)

        objectives = {name: (o, o.layout) for name, o in
                      ((name, objective(X)) for name, X in inputs.items())}
        objectives.update(_dense_kernel_01(inputs, objectives, y_idx, sw, n_classes, params,
                                           n_threads))
    flat = _skdigit_order(params, n_classes, d)
    return {f"skdigit {name.split('@')[0]} ({layout} kernel)":
            (o if callable(o) else (lambda o: lambda: o.loss_gradient(flat))(o))
            for name, (o, layout) in objectives.items()}


def _skdigit_order(params, n_classes, d):
    """``[W.ravel(), b]`` from scikit-learn's ``(n_classes, d + 1)`` layout."""
    P = params.reshape(n_classes, d + 1)
    return np.r_[P[:, :d].ravel(), P[:, d]]


def _dense_kernel_01(inputs, objectives, y_idx, sw, n_classes, params, n_threads):
    from skdigit.linear_model._kernels import logistic_loss_gradient_dense

    d = next(iter(inputs.values())).shape[1]
    P = params.reshape(n_classes, d + 1)
    W, b = P[:, :d].copy(), P[:, d].copy()
    return {f"{name}@dense": ((lambda X: lambda: logistic_loss_gradient_dense(
        X, y_idx, sw, W, b, np.empty_like(W), np.empty(n_classes), False, n_threads))(X),
        "dense") for name, X in inputs.items() if name.startswith("dense")}


def sklearn_loss_gradient(X, y_idx, n_classes, params, n_threads):
    """scikit-learn's multinomial ``LinearModelLoss.loss_gradient`` in X's dtype."""
    from sklearn._loss.loss import HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    lml = LinearModelLoss(base_loss=HalfMultinomialLoss(n_classes=n_classes),
                          fit_intercept=True)
    coef = params.reshape(n_classes, -1).astype(X.dtype)
    yy = y_idx.astype(X.dtype)
    return lambda: lml.loss_gradient(coef, X, yy, None, l2_reg_strength=1.0 / X.shape[0],
                                     n_threads=n_threads)


def packed_read_floor(X, n_threads):
    """``(callable, nbytes)``: one parallel pass reading every byte of the compact
    copy a fit makes of dense ``X``, and those bytes.

    No kernel pass can be faster than reading its input once: this is the
    memory-bandwidth floor of the CSR kernels (their float64 accumulators and
    the weights stay in cache).
    """
    from numba import njit, prange

    from skdigit.linear_model._layouts import make_layout

    data, indices, indptr = make_layout(X, n_threads=n_threads).csr

    @njit(parallel=True, cache=False)
    def read(data, indices, n_chunks):
        chunk = (data.shape[0] + n_chunks - 1) // n_chunks
        total = 0.0
        for c in prange(n_chunks):
            s = 0.0
            for p in range(c * chunk, min(data.shape[0], (c + 1) * chunk)):
                s += data[p] + indices[p]
            total += s
        return total

    read(data[:10], indices[:10], 1)
    return (lambda: read(data, indices, n_threads)), data.nbytes + indices.nbytes + indptr.nbytes
