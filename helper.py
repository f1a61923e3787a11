"""Data for the Generate Faces project: get MNIST and CelebA, read their images, serve batches.

As in the original project: ``download_extract(name, data_dir)`` makes the images appear as
``data_dir/mnist/*.jpg`` and ``data_dir/img_align_celeba/*.jpg``; ``get_image`` and ``get_batch``
read them (CelebA cropped to the face and resized to 28x28); ``images_square_grid`` tiles samples
into one picture; ``Dataset(name, files)`` serves shuffled batches in [-0.5, 0.5].

What happens underneath lives in ``harness.data``: the table of sources and their checksums, the
download from mirrors, the safe extraction, and the cache that decodes every image once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from harness import atomic
from harness.data.cache import decode, fingerprint, path_for, read_or_build
from harness.data.download import fetch, fetch_all
from harness.data.errors import DataError
from harness.data.extract import extract
from harness.data.images import IMAGE_SIZE, get_image, images_square_grid
from harness.data.sources import MNIST_FILES, image_source_of

__all__ = [
    "MNIST_FILES",
    "DataError",
    "Dataset",
    "download_extract",
    "fetch",
    "fetch_all",
    "get_batch",
    "get_image",
    "images_square_grid",
]


def _has_images(folder: Path) -> bool:
    return any(entry.name.endswith(".jpg") for entry in os.scandir(folder))


def download_extract(name: str, data_dir: str | os.PathLike) -> Path:
    """Makes a data set's JPEG images available in ``data_dir``.

    Looks, in order, for the extracted image folder, for an archive placed in ``data_dir``
    (offline use), then downloads the archive from its mirrors. A second call finds the
    folder and returns at once.

    Args:
        name: ``'mnist'`` or ``'celeba'``.
        data_dir: Data folder, e.g. ``'data'``; created if missing.

    Returns:
        The folder of JPEG images: ``data_dir/mnist`` or ``data_dir/img_align_celeba``.

    Raises:
        ValueError: ``name`` is not a known data set.
        DataError: The data could not be made available; the message says how to fix it.
    """
    source = image_source_of(name)
    data_dir = Path(data_dir)
    folder = data_dir / source.folder
    atomic.sweep_and_say(data_dir)
    if folder.is_dir():
        if not _has_images(folder):
            raise DataError(
                f"{folder} exists but holds no .jpg images. Remove the empty folder, or fill it "
                f"with the {name} images, and run again."
            )
        print(f"Found {name} data in {folder}")
        return folder
    return extract(name, fetch(name, data_dir), data_dir)


def get_batch(image_files: Sequence[str], width: int, height: int, mode: str) -> np.ndarray:
    """Reads images into a float32 batch of shape (n, height, width, channels), in [0, 255].

    Args:
        image_files: Paths of the images.
        width: Width of each image.
        height: Height of each image.
        mode: PIL mode, ``'L'`` or ``'RGB'``.

    Returns:
        The images, as in the original project (not rescaled).
    """
    return decode(image_files, width, height, mode)[0].astype(np.float32)


class Dataset:
    """A data set's images, served in shuffled batches from an on-disk cache.

    The images are decoded, cropped and resized once into a uint8 cache (a memory-mapped
    ``.npy`` file), keyed by the file list, image size and mode, and rebuilt when any file
    changes. Batches are then slices of that cache.

    Attributes:
        image_mode: ``'L'`` for MNIST, ``'RGB'`` for CelebA.
        data_files: The image paths, in the order given.
        shape: (count, 28, 28, channels).
    """

    def __init__(
        self,
        dataset_name: str,
        data_files: Sequence[str],
        *,
        cache_dir: str | os.PathLike | None = None,
        seed: int | None = None,
        skip_damaged: bool = False,
    ) -> None:
        """Describes the data set; nothing is decoded until the first batch.

        Args:
            dataset_name: ``'mnist'`` or ``'celeba'``.
            data_files: Paths of the JPEG images, e.g. ``glob('data/mnist/*.jpg')``.
            cache_dir: Folder for the cache; defaults to ``.cache`` beside the images'
                folder (``data/.cache`` for ``data/mnist/*.jpg``).
            seed: Seed of the shuffling, for repeatable epochs.
            skip_damaged: Leave out images that cannot be decoded (with a count) instead of
                stopping at the first; ``shape`` then counts the images kept.

        Raises:
            ValueError: Unknown ``dataset_name``, or no files.
        """
        self.image_mode = image_source_of(dataset_name).image_mode
        self.data_files = [os.fspath(path) for path in data_files]
        if not self.data_files:
            raise ValueError(
                f"Dataset({dataset_name!r}) got an empty file list. Call "
                f"helper.download_extract({dataset_name!r}, data_dir) first, and check the "
                "glob pattern points at the extracted .jpg files."
            )
        channels = 1 if self.image_mode == "L" else 3
        self.shape = (len(self.data_files), IMAGE_SIZE, IMAGE_SIZE, channels)
        self.name = dataset_name
        if cache_dir is None:
            image_folder = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in self.data_files])
            cache_dir = Path(image_folder).parent / ".cache"
        self.cache_dir = Path(cache_dir)
        self._rng = np.random.default_rng(seed)
        self.skip_damaged = skip_damaged
        self._images: np.ndarray | None = None

    @property
    def fingerprint(self) -> str:
        """A digest of the data set: its name, shape, files and their sizes and modification times."""
        text = json.dumps([self.name, self.shape, fingerprint(self.data_files)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def cache_path(self) -> Path:
        """The ``.npy`` file in ``cache_dir`` that holds the decoded images."""
        shape = (len(self.data_files), *self.shape[1:])  # Not fewer once damaged images are left out.
        return path_for(self.cache_dir, self.name, self.data_files, shape, self.image_mode)

    @property
    def images(self) -> np.ndarray:
        """All images as a read-only uint8 array (n, 28, 28, c), building the cache if needed."""
        if self._images is None:
            self._images = read_or_build(
                self.data_files, self.shape, self.image_mode, self.cache_path, self.skip_damaged
            )
            self.shape = self._images.shape  # Fewer when damaged images were left out.
        return self._images

    def get_batches(self, batch_size: int) -> Iterator[np.ndarray]:
        """Yields one epoch of shuffled float32 batches in [-0.5, 0.5].

        Each call shuffles anew; the last partial batch is dropped, as in the original.

        Args:
            batch_size: Images per batch, from 1 to the number of images.

        Returns:
            An iterator of arrays of shape (batch_size, 28, 28, channels).

        Raises:
            ValueError: ``batch_size`` is not a whole number from 1 to the number of images.
        """
        count = self.shape[0]
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or not 1 <= batch_size <= count
        ):
            raise ValueError(
                f"batch_size must be a whole number from 1 to {count} (the number of images), "
                f"got {batch_size!r}. Use a smaller batch size or more images."
            )
        return self._epoch(int(batch_size))

    def _epoch(self, batch_size: int) -> Iterator[np.ndarray]:
        images = self.images
        order = self._rng.permutation(self.shape[0])
        for start in range(0, self.shape[0] - batch_size + 1, batch_size):
            batch = images[order[start : start + batch_size]]
            yield batch.astype(np.float32) * np.float32(1 / 255) - np.float32(0.5)
