"""The dask version of make_deformed_digits: lazy arrays, one task per chunk and copy.

Imported only when a dask array or ``lazy=True`` asks for it; dask is an
optional dependency (the ``dask`` extra).
"""

import numpy as np

from ..utils import import_optional
from ._deform import _deform_rows, _is_dask_array, _to_uint8

__all__ = ["deform_lazily"]


def _deform_block(block, *, copy, entropy, image_shape, settings, block_info=None):
    """A dask block of ``X`` (rows, then one image per row) -> its deformed copy."""
    start = block_info[0]["array-location"][0][0]
    flat = np.asarray(block).reshape(block.shape[0], -1)
    return _deform_rows(flat, start, copy, entropy, image_shape, settings).reshape(block.shape)


def deform_lazily(X, y, reps, include_original, chunk_size, image_shape, entropy, settings):
    """The dask version of :func:`make_deformed_digits`: one task per chunk and copy."""
    da = import_optional("dask.array", extra="dask", purpose="lazy deformed digits")
    if not _is_dask_array(X):
        X = da.from_array(X, chunks=(chunk_size,) + X.shape[1:])
    X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    meta = np.empty((0,) * X.ndim, dtype=np.uint8)
    parts = [X.map_blocks(_to_uint8, dtype=np.uint8, meta=meta)] if include_original else []
    parts += [
        X.map_blocks(_deform_block, copy=c, entropy=entropy, image_shape=image_shape,
                     settings=settings, dtype=np.uint8, meta=meta)
        for c in range(reps - bool(include_original))
    ]
    X_def = da.concatenate(parts, axis=0)
    if y is None:
        return X_def, None
    if _is_dask_array(y):
        y_def = da.concatenate([y] * reps)
        if not any(np.isnan(c) for c in y_def.chunks[0]):
            y_def = y_def.rechunk((X_def.chunks[0],))
    else:
        y_def = da.from_array(np.tile(y, reps), chunks=(X_def.chunks[0],))
    return X_def, y_def
