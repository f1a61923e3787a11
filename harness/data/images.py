"""Image arrays: one file decoded to the project's size, and many arranged in a grid.

A CelebA photo is cropped to its centre ``FACE_CROP`` square, where the face is, and resized to
``IMAGE_SIZE``, as in the original project; JPEGs are decoded by libjpeg-turbo (``simplejpeg``) at
the smallest scale that still leaves that crop large enough.
"""

from __future__ import annotations

import io
import math
import os

import numpy as np
import simplejpeg
from PIL import Image

__all__ = ["FACE_CROP", "IMAGE_SIZE", "get_image", "images_square_grid"]

IMAGE_SIZE = 28  # Width and height of every image served, as in the original project.
FACE_CROP = 108  # CelebA images are cropped to their centre 108x108 before resizing.


def _read_pixels(data: bytes, width: int, height: int, mode: str) -> tuple[np.ndarray, int]:
    """Decodes an image file's bytes; returns its pixels and its full (undecoded) width.

    A JPEG larger than ``width`` x ``height`` is decoded at the smallest scale libjpeg-turbo
    offers (1/2, 1/4, 1/8) that still leaves its centre face crop at least ``width`` x
    ``height`` pixels: for CelebA that halves the work of decoding, with no visible change.
    """
    if simplejpeg.is_jpeg(data):
        full_height, full_width = simplejpeg.decode_jpeg_header(data)[:2]
        at_least = (full_width, full_height)
        if at_least != (width, height):
            at_least = (
                math.ceil(full_width * width / FACE_CROP),
                math.ceil(full_height * height / FACE_CROP),
            )
        pixels = simplejpeg.decode_jpeg(
            data,
            colorspace="GRAY" if mode == "L" else "RGB",
            min_width=at_least[0],
            min_height=at_least[1],
        )
        return (pixels[..., 0] if mode == "L" else pixels), full_width
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert(mode)), image.size[0]


def get_image(image_path: str | os.PathLike, width: int, height: int, mode: str) -> np.ndarray:
    """Reads one image as a uint8 array; CelebA faces are centre-cropped and resized.

    An image that is not already ``width`` x ``height`` (a CelebA photo) is cropped to
    its centre ``FACE_CROP`` x ``FACE_CROP`` square, where the face is, then resized
    (bilinear), as in the original project.

    Args:
        image_path: Path of the image file.
        width: Width of the returned image.
        height: Height of the returned image.
        mode: PIL mode of the returned image, ``'L'`` or ``'RGB'``.

    Returns:
        Array of shape (height, width) for ``'L'`` or (height, width, 3) for ``'RGB'``.
    """
    with open(image_path, "rb") as stream:
        pixels, full_width = _read_pixels(stream.read(), width, height, mode)
    if pixels.shape[:2] == (height, width):
        return pixels
    crop = round(FACE_CROP * pixels.shape[1] / full_width)
    left = (pixels.shape[1] - crop) // 2
    top = (pixels.shape[0] - crop) // 2
    face = Image.fromarray(np.ascontiguousarray(pixels[top : top + crop, left : left + crop]), mode)
    return np.asarray(face.resize((width, height), Image.BILINEAR))


def images_square_grid(images: np.ndarray, mode: str) -> Image.Image:
    """Arranges the first n*n images into one square grid image, in reading order.

    Args:
        images: Array of shape (count, height, width, channels), any value range: it is
            stretched to 0-255.
        mode: PIL mode of the result, ``'L'`` or ``'RGB'``.

    Returns:
        A PIL image of floor(sqrt(count)) x floor(sqrt(count)) tiles.
    """
    side = math.floor(math.sqrt(images.shape[0]))
    if side == 0:
        raise ValueError("images_square_grid needs at least one image; got an empty array.")
    low, high = float(images.min()), float(images.max())
    scaled = (images[: side * side] - low) * (255 / max(high - low, 1e-12))
    tiles = scaled.astype(np.uint8).reshape((side, side, *images.shape[1:]))
    height, width, channels = images.shape[1:]
    grid = tiles.swapaxes(1, 2).reshape(side * height, side * width, channels)
    return Image.fromarray(grid[..., 0] if mode == "L" else grid, mode)
