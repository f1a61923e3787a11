"""Shared fixtures: small data sets in MNIST's and CelebA's own layouts, built by the tests.

No test reads ../shared or the internet: archives are made here and, where a download is
tested, served by a real HTTP server on 127.0.0.1 (pytest-httpserver).
"""

import dataclasses
import gzip
import hashlib
import io
import os
import struct
import zipfile

# tf.compat.v1.layers needs the legacy Keras; it must be chosen before TensorFlow loads.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib
import numpy as np
import pytest
from PIL import Image

import helper
import run_notebook

# Figures drawn by the notebook's functions in this process are not shown. (Not MPLBACKEND:
# the kernels that the notebook tests start would inherit it and show no figures either.)
matplotlib.use("Agg")

CELEBA_SIZE = (178, 218)  # Width, height of an img_align_celeba photo.


def idx_images(images: np.ndarray) -> bytes:
    """Encodes uint8 images (n, rows, cols) in MNIST's IDX3 format."""
    count, rows, cols = images.shape
    return struct.pack(">IIII", 2051, count, rows, cols) + images.tobytes()


def idx_labels(labels: np.ndarray) -> bytes:
    """Encodes uint8 labels (n,) in MNIST's IDX1 format."""
    return struct.pack(">II", 2049, len(labels)) + labels.astype(np.uint8).tobytes()


def gzip_bytes(payload: bytes, level: int = 9) -> bytes:
    return gzip.compress(payload, compresslevel=level, mtime=0)


def jpeg_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def face_photo(seed: int) -> np.ndarray:
    """A CelebA-sized RGB photo of random smooth colour."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(7, 6, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize(CELEBA_SIZE, Image.BILINEAR))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def mnist_digits() -> np.ndarray:
    """60 random 28x28 grayscale images standing in for MNIST digits."""
    return np.random.default_rng(0).integers(0, 256, size=(60, 28, 28), dtype=np.uint8)


@pytest.fixture(scope="session")
def mnist_archive(mnist_digits) -> bytes:
    return gzip_bytes(idx_images(mnist_digits))


@pytest.fixture(scope="session")
def celeba_archive() -> bytes:
    """A zip in img_align_celeba.zip's layout: img_align_celeba/000001.jpg, ..."""
    return zip_bytes({f"img_align_celeba/{i:06d}.jpg": jpeg_bytes(face_photo(i)) for i in range(1, 13)})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def use_source(monkeypatch):
    """Points a data set's table entry at test archives: use_source(name, archive, urls)."""

    def point(name: str, archive: bytes, urls: tuple[str, ...]) -> helper.Source:
        source = helper.SOURCES[name]
        payload = gzip.decompress(archive) if source.payload_sha256 else None
        source = dataclasses.replace(
            source,
            urls=urls,
            sha256=sha256(archive),
            md5=hashlib.md5(archive).hexdigest(),
            payload_sha256=sha256(payload) if payload is not None else None,
        )
        monkeypatch.setitem(helper.SOURCES, name, source)
        return source

    return point


@pytest.fixture
def mnist_files(tmp_path, mnist_digits) -> list[str]:
    """The stand-in digits written as data/mnist/image_<i>.jpg, as download_extract does."""
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    paths = []
    for index, digit in enumerate(mnist_digits):
        path = folder / f"image_{index}.jpg"
        Image.fromarray(digit, "L").save(path)
        paths.append(str(path))
    return paths


@pytest.fixture(scope="session")
def notebook() -> dict:
    """The notebook's namespace after running its defining cells: model_inputs, train, ..."""
    return run_notebook.load_functions()


class ArrayData:
    """Images in [-0.5, 0.5] served in order as helper.Dataset serves them.

    Batches are counted over all epochs: ``stop_after`` raises KeyboardInterrupt before that batch
    (as a Ctrl-C while data is read), and from ``nan_from`` on the batches are NaN.
    """

    image_mode = "L"

    def __init__(
        self, images: np.ndarray, stop_after: int | None = None, nan_from: int | None = None
    ) -> None:
        self.images, self.shape = images, images.shape
        self.stop_after, self.nan_from = stop_after, nan_from
        self.served: list[int] = []

    def get_batches(self, batch_size: int):
        for start in range(0, len(self.images) - batch_size + 1, batch_size):
            index = len(self.served)
            if index == self.stop_after:
                raise KeyboardInterrupt
            self.served.append(index)
            batch = self.images[start : start + batch_size]
            yield batch if self.nan_from is None or index < self.nan_from else np.full_like(batch, np.nan)
