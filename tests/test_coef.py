"""The coefficient layout ``[W.ravel(), b]``: shapes, packing, the rows view."""

import numpy as np
import pytest

from skdigit.linear_model._coef import CoefLayout


@pytest.mark.parametrize("n_rows_w", [1, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_pack_unpack_rows_round_trip(n_rows_w, fit_intercept):
    coef = CoefLayout(n_rows_w, 5, fit_intercept)
    assert coef.n_weights == n_rows_w * 5
    assert coef.n_dof == 5 + fit_intercept
    assert coef.n_params == n_rows_w * (5 + fit_intercept) == coef.zeros().shape[0]
    rng = np.random.default_rng(0)
    W = rng.normal(size=(n_rows_w, 5)).astype(np.float32)
    b = rng.normal(size=n_rows_w)
    params = coef.pack(W, b)
    assert params.dtype == np.float64 and params.shape == (coef.n_params,)
    # intercepts stored last, W in C order (scikit-learn's LinearModelLoss)
    np.testing.assert_array_equal(params[: W.size], W.ravel())
    W2, b2 = coef.unpack(params)
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(b2, b if fit_intercept else np.zeros(n_rows_w))
    rows = coef.as_rows(params)
    assert rows.shape == (n_rows_w, coef.n_dof)
    np.testing.assert_array_equal(rows[:, :5], W)
    if fit_intercept:
        np.testing.assert_array_equal(rows[:, 5], b)
    np.testing.assert_array_equal(coef.as_flat(rows), params)
    mask = coef.weight_mask()
    assert mask.sum() == coef.n_weights and mask[: coef.n_weights].all()


def test_unpack_is_a_view_and_as_rows_a_copy():
    coef = CoefLayout(3, 2, True)
    params = np.arange(coef.n_params, dtype=float)
    W, b = coef.unpack(params)
    assert np.shares_memory(W, params) and np.shares_memory(b, params)
    rows = coef.as_rows(params)
    rows[:] = -1
    assert params.min() == 0  # writing the rows view leaves the flat vector alone
