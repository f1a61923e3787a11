"""Shared fixtures: small data sets in MNIST's and CelebA's own layouts, built by the tests.

No test reads ../shared or the internet: archives are made here and, where a download is
tested, served by a real HTTP server on 127.0.0.1 (pytest-httpserver).
"""

import dataclasses
import gzip
import hashlib
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib
import numpy as np
import pytest
from helpers.archives import face_photo, gzip_bytes, idx_images, jpeg_bytes, sha256, zip_bytes
from PIL import Image

from harness import project
from harness.data import sources

# Figures drawn by the notebook's functions in this process are not shown. (Not MPLBACKEND:
# the kernels that the notebook tests start would inherit it and show no figures either.)
matplotlib.use("Agg")


def pytest_collection_modifyitems(items):
    """Files that hold a slow test go first: on two workers, the long tests then run beside the
    many short ones, instead of one worker finishing them alone at the end."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # Stable: each file keeps its order.


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


@pytest.fixture
def use_source(monkeypatch):
    """Points a data set's table entry at test archives: use_source(name, archive, urls)."""

    def point(name: str, archive: bytes, urls: tuple[str, ...]) -> sources.Source:
        source = sources.SOURCES[name]
        payload = gzip.decompress(archive) if source.payload_sha256 else None
        source = dataclasses.replace(
            source,
            urls=urls,
            sha256=sha256(archive),
            md5=hashlib.md5(archive).hexdigest(),
            payload_sha256=sha256(payload) if payload is not None else None,
        )
        monkeypatch.setitem(sources.SOURCES, name, source)
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
    return project.load_functions()


@pytest.fixture
def data() -> np.ndarray:
    """32 random images in [-0.5, 0.5]: four batches of 8."""
    return np.random.default_rng(0).uniform(-0.5, 0.5, (32, 28, 28, 1)).astype(np.float32)


@pytest.fixture
def every_step(notebook, monkeypatch):
    """The notebook's train printing its losses every step and showing no samples."""
    monkeypatch.setitem(notebook, "PRINT_EVERY", 1)
    monkeypatch.setitem(notebook, "SHOW_EVERY", 10**6)
    return notebook
