"""The geometry of an MNIST digit, defined once (LeCun et al. 1998).

MNIST's digits were size-normalized to fit a 20x20 box, preserving their aspect
ratio, then centred by their centre of mass in a 28x28 image.
"""

__all__ = ["MNIST_BOX", "MNIST_CENTRE", "MNIST_SHAPE", "MNIST_SIDE"]

MNIST_SIDE = 28
"""Side of an MNIST image, in pixels."""

MNIST_SHAPE = (MNIST_SIDE, MNIST_SIDE)
"""Shape ``(height, width)`` of an MNIST image."""

MNIST_BOX = 20
"""Side of the box the ink of a digit is fitted into, in pixels."""

MNIST_CENTRE = (MNIST_SIDE / 2.0, MNIST_SIDE / 2.0)
"""Where the centre of mass of the ink lands, ``(row, column)`` in pixel units
(the centre of the image: 14, 14)."""
