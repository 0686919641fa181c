"""The one place the benchmarks reach into private code.

The kernel section times one loss + gradient evaluation, which no public API
exposes: skdigit's fused kernel through ``LogisticObjective`` (the object a
fit drives, so the row names the layout it picked) and the dense kernel
itself, and scikit-learn's ``LinearModelLoss.loss_gradient`` beside it.
Everything else in ``benchmarks/`` uses public API only. When the private
names move, :func:`skdigit_kernels` raises ``ImportError`` and the kernel
section is skipped with a note instead of failing the run.
"""

import numpy as np


def skdigit_kernels(inputs, y_idx, n_classes, params, n_threads):
    """``{row name: callable}`` evaluating skdigit's loss + gradient at ``params``.

    ``inputs`` maps names ("dense float32", "CSR float64", ...) to X;
    ``params`` is the flat ``(n_classes, n_features + 1)`` parameter vector.
    """
    from skdigit.linear_model._kernels import logistic_loss_gradient_dense
    from skdigit.linear_model._loss import LogisticObjective

    n, d = next(iter(inputs.values())).shape
    sw = np.ones(n)
    fns = {}
    for name, X in inputs.items():
        obj = LogisticObjective(X, y_idx, sw, n_classes, fit_intercept=True,
                                l2_reg_strength=1.0 / n, n_threads=n_threads)
        fns[f"skdigit {name} ({obj.layout} kernel)"] = (
            lambda o: lambda: o.loss_gradient(params))(obj)
    # the dense kernel itself: what data denser than MNIST runs
    P = params.reshape(n_classes, d + 1)
    W, b = P[:, :d].copy(), P[:, d].copy()
    for name, X in inputs.items():
        if name.startswith("dense"):
            fns[f"skdigit {name} (dense kernel)"] = (
                lambda X: lambda: logistic_loss_gradient_dense(
                    X, y_idx, sw, W, b, np.empty_like(W), np.empty(n_classes), False,
                    n_threads))(X)
    return fns


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
