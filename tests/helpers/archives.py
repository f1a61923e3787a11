"""Data in MNIST's and CelebA's own formats, built by the tests: archives, digits, photos, and a
data set served in order as helper.Dataset serves it. No test reads ../shared or the internet."""

import gzip
import hashlib
import io
import os
import struct
import zipfile

import numpy as np
from PIL import Image

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


def leftovers(data_dir) -> list[str]:
    """Everything in data_dir: temporary names start with a dot."""
    return sorted(os.listdir(data_dir)) if data_dir.exists() else []


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """28x28 'digits': a bright stroke on black whose column is the label."""
    labels = np.random.default_rng(seed).integers(0, 10, count)
    images = np.zeros((count, 28, 28), np.uint8)
    for image, label in zip(images, labels, strict=True):
        image[4:24, 4 + 2 * label : 6 + 2 * label] = 255
    return images, labels


def mnist_archives() -> dict[str, bytes]:
    """MNIST's four files, made of 200 training and 100 test 'digits'."""
    train, train_labels = digits(200, 0)
    test, test_labels = digits(100, 1)
    return {
        "mnist": gzip_bytes(idx_images(train)),
        "mnist-train-labels": gzip_bytes(idx_labels(train_labels)),
        "mnist-test-images": gzip_bytes(idx_images(test)),
        "mnist-test-labels": gzip_bytes(idx_labels(test_labels)),
    }


def faces_archive() -> bytes:
    return zip_bytes({f"img_align_celeba/{i:06d}.jpg": jpeg_bytes(face_photo(i)) for i in range(1, 131)})


def place_mnist(folder, use_source) -> None:
    """Places the test MNIST archives in ``folder``, as offline, and points the sources at them
    (``use_source`` is conftest's fixture)."""
    for name, archive in mnist_archives().items():
        source = use_source(name, archive, ("http://127.0.0.1:9/never-asked",))
        (folder / source.archive).write_bytes(archive)
