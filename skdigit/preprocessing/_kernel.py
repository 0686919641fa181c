"""Random Fourier features whose random map is drawn again from its seed, not stored."""

from numbers import Integral

import numpy as np
from sklearn.kernel_approximation import RBFSampler

from ..utils import DocLinkMixin

__all__ = ["SeededRBFSampler"]

# The fitted attributes drawn from the seed: dropped from the saved state.
_DRAWN = ("random_weights_", "random_offset_")


class SeededRBFSampler(DocLinkMixin, RBFSampler):
    """scikit-learn's :class:`~sklearn.kernel_approximation.RBFSampler`, saved without its map.

    Random Fourier features (Rahimi & Recht 2007 [1]_) approximate the
    Gaussian kernel ``exp(-gamma * ||x - x'||**2)`` by
    ``sqrt(2 / n_components) * cos(X @ W + b)``, with ``W`` of shape
    ``(n_features, n_components)`` drawn from a normal distribution and ``b``
    uniform on ``[0, 2 pi)``. Fitting and transforming are exactly
    ``RBFSampler``'s. The difference is what a saved model holds: with an
    integer ``random_state``, pickling (``joblib``, :func:`skdigit.save_model`)
    leaves out ``random_weights_`` and ``random_offset_``, and loading draws
    them again from the seed, as ``RBFSampler.fit`` drew them. The 3,969
    scattering coefficients of a 28x28 digit mapped to 8,000 features make a
    ``W`` of 127 MB in float32: the saved pipeline of
    ``make_digit_pipeline(features="kernel")`` is 0.58 MB instead.

    Parameters
    ----------
    gamma : 'scale' or float, default=1.0
        The kernel's ``gamma``, as in ``RBFSampler`` (``'scale'``: ``1 /
        (n_features * X.var())``, fixed at ``fit``).
    n_components : int, default=100
        Number of random features (columns of the output).
    random_state : int, RandomState instance or None, default=None
        The seed of ``W`` and ``b``. Only an int makes the map reproducible:
        with ``None`` or a ``RandomState`` the map is saved with the model, as
        ``RBFSampler`` saves it.

    Attributes
    ----------
    random_offset_ : ndarray of shape (n_components,)
        ``b``, in the dtype of the data seen in ``fit``.
    random_weights_ : ndarray of shape (n_features, n_components)
        ``W``, in the dtype of the data seen in ``fit``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (only when ``X`` has string
        column names).

    See Also
    --------
    sklearn.kernel_approximation.RBFSampler : The same map, saved with its arrays.
    sklearn.kernel_approximation.Nystroem : A data-dependent approximation.
    skdigit.make_digit_pipeline : ``features="kernel"`` puts this map after the
        scattering transform.

    References
    ----------
    .. [1] A. Rahimi and B. Recht, "Random features for large-scale kernel
       machines", Advances in Neural Information Processing Systems 20, 2007.

    Examples
    --------
    >>> import pickle
    >>> import numpy as np
    >>> from skdigit.preprocessing import SeededRBFSampler
    >>> X = np.random.default_rng(0).normal(size=(5, 300)).astype(np.float32)
    >>> sampler = SeededRBFSampler(gamma=0.01, n_components=2000, random_state=0).fit(X)
    >>> sampler.random_weights_.shape
    (300, 2000)
    >>> saved = pickle.dumps(sampler)
    >>> len(saved) < 10_000  # the 2.4 MB map is not in it
    True
    >>> loaded = pickle.loads(saved)
    >>> bool(np.array_equal(loaded.transform(X), sampler.transform(X)))
    True
    """

    def __getstate__(self):
        state = super().__getstate__()
        if isinstance(self.random_state, Integral) and all(k in state for k in _DRAWN):
            state = {k: v for k, v in state.items() if k not in _DRAWN}
            state["_drawn_dtype"] = np.dtype(self.random_weights_.dtype).str
        return state

    def __setstate__(self, state):
        state = dict(state)
        dtype = state.pop("_drawn_dtype", None)
        super().__setstate__(state)
        if dtype is not None:
            self._draw(np.dtype(dtype))

    def _draw(self, dtype):
        """Draw ``random_weights_`` and ``random_offset_`` again, as ``fit`` drew them."""
        again = RBFSampler(gamma=self._gamma, n_components=self.n_components,
                           random_state=self.random_state)
        again.fit(np.zeros((1, self.n_features_in_), dtype=dtype))
        self.random_weights_ = again.random_weights_
        self.random_offset_ = again.random_offset_
