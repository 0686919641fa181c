"""scikit-learn's callback API (``sklearn.callback``, 1.9) on our solvers.

Where the installed scikit-learn has it, :class:`CallbackSupportMixin` is its
mixin (``set_callbacks``), and :class:`FitCallbacks` reports a fit to the
callbacks as scikit-learn's ``LogisticRegression`` does: one root task for
the fit and one subtask per solver iteration, each ending with the
coefficients reached (``ProgressBar`` and ``ScoringMonitor`` work as they do
there). A callback asking to stop stops the solver. On an older
scikit-learn the mixin adds nothing and :class:`FitCallbacks` does nothing.
"""

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stand-in for ``sklearn.callback.CallbackSupportMixin`` (absent here)."""


__all__ = ["CallbackSupportMixin", "FitCallbacks"]


class FitCallbacks:
    """One callback task per solver iteration, for one fit.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted (with ``classes_`` already set).
    X, y : arrays
        The training data, as the callbacks receive it.
    sample_weight : ndarray or None
        Passed to the callbacks as metadata.
    max_iter : int
        The solver's iteration limit (bounds the number of subtasks).
    attributes : callable
        ``attributes(params) -> dict`` of fitted attributes (``coef_``,
        ``intercept_``) at a flat parameter vector.
    """

    def __init__(self, estimator, X, y, sample_weight, *, max_iter, attributes):
        self._enabled = hasattr(estimator, "_init_callback_context")
        if not self._enabled:
            return
        self._estimator, self._X, self._y = estimator, X, y
        self._metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        self._attributes = attributes
        self._ctx = estimator._init_callback_context(max_subtasks=max(max_iter, 1) + 1)
        self._ctx.call_on_fit_task_begin(
            estimator=estimator, X=X, y=y, metadata=self._metadata
        )
        self._iter_ctx = None

    def _hooks(self):
        return dict(estimator=self._estimator, X=self._X, y=self._y, metadata=self._metadata)

    def begin(self, params):
        """Start the first iteration's task at the starting point."""
        if self._enabled:
            self._iter_ctx = self._start(params)

    def _start(self, params):
        ctx = self._ctx.subcontext(task_name="solver-iter")
        ctx.call_on_fit_task_begin(**self._hooks(), reconstruction_attributes=self._lazy(params))
        return ctx

    def _lazy(self, params):
        """The fitted attributes at ``params``, computed only if a callback asks.

        scikit-learn evaluates a callable ``reconstruction_attributes`` only for
        a hook that takes ``fitted_estimator``: without such a callback no
        iteration copies the coefficients (two weight-sized arrays an
        iteration, hundreds of MB of allocations on wide data).
        """
        return lambda: self._attributes(params)

    def __call__(self, n_iter, params):
        """End iteration ``n_iter`` at ``params`` and start the next; True to stop."""
        if not self._enabled:
            return False
        stop = self._iter_ctx.call_on_fit_task_end(
            **self._hooks(), reconstruction_attributes=self._lazy(params)
        )
        self._iter_ctx = self._start(params)
        return bool(stop)

    def close(self):
        """End the left-over (empty) iteration task and the fit's task."""
        if not self._enabled:
            return
        if self._iter_ctx is not None:
            self._iter_ctx.call_on_fit_task_end(estimator=self._estimator)
        self._ctx.call_on_fit_task_end(**self._hooks(), reconstruction_attributes={})
