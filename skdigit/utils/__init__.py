"""Small helpers shared by the skdigit estimators and tools."""

from ._atomic import atomic_write
from ._doc_link import DocLinkMixin  # noqa: F401 (shared inside skdigit)
from ._geometry import MNIST_BOX, MNIST_CENTRE, MNIST_SHAPE, MNIST_SIDE  # noqa: F401
from ._image_shape import check_image_shape, infer_image_shape
from ._optional import MissingExtraError, import_optional
from ._progress import progress_bar
from ._threads import (  # noqa: F401
    blas_threads,
    kernel_threads,
    parallel_kernel_lock,
    resolve_n_threads,
    single_threaded_blas,
)

# The documented helpers (docs/api.rst). The MNIST geometry, the thread
# policy and the doc-link mixin are shared inside skdigit, importable from
# here, but not part of the public API.
__all__ = [
    "MissingExtraError",
    "atomic_write",
    "check_image_shape",
    "import_optional",
    "infer_image_shape",
    "progress_bar",
]
