"""Small helpers shared by the skdigit estimators."""

from ._image_shape import check_image_shape, infer_image_shape

__all__ = ["check_image_shape", "infer_image_shape"]
