"""Small helpers shared by the skdigit estimators and tools."""

from ._atomic import atomic_write
from ._image_shape import check_image_shape, infer_image_shape

__all__ = ["atomic_write", "check_image_shape", "infer_image_shape"]
