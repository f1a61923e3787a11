"""Shared fixtures: small data sets in MNIST's and CelebA's own layouts, built by the tests.

No test reads ../shared or the internet: archives are made here and, where a download is
tested, served by a real HTTP server on 127.0.0.1 (pytest-httpserver).
"""

import ast
import dataclasses
import gzip
import hashlib
import io
import os
import re
import struct
import zipfile

# tf.compat.v1.layers needs the legacy Keras; it must be chosen before TensorFlow loads.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib
import nbformat
import numpy as np
import pytest
from PIL import Image

import student_edition
from harness import execution, project
from harness.data import sources

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


def leftovers(data_dir) -> list[str]:
    """Everything in data_dir: temporary names start with a dot."""
    return sorted(os.listdir(data_dir)) if data_dir.exists() else []


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


# Running the whole notebook in a kernel, on tiny data served from 127.0.0.1.


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


def serving(httpserver, name: str, archive: bytes) -> str:
    """Code for the kernel: points helper's table entry for `name` at the test server."""
    path = f"/{name}/{sources.SOURCES[name].archive}"
    httpserver.expect_request(path).respond_with_data(archive)
    fields = {"urls": (httpserver.url_for(path),), "sha256": hashlib.sha256(archive).hexdigest()}
    if name.startswith("mnist"):
        fields["payload_sha256"] = hashlib.sha256(gzip.decompress(archive)).hexdigest()
    return f"sources.SOURCES[{name!r}] = dataclasses.replace(sources.SOURCES[{name!r}], **{fields!r})"


def refusing_celeba(httpserver) -> str:
    """Code for the kernel: CelebA's only host answers 403, as Google Drive does when busy."""
    httpserver.expect_request("/celeba.zip").respond_with_data("Forbidden", status=403)
    refused = (httpserver.url_for("/celeba.zip"),)
    return f"sources.SOURCES['celeba'] = dataclasses.replace(sources.SOURCES['celeba'], urls={refused!r})"


def serving_mnist(httpserver) -> list[str]:
    return [serving(httpserver, name, archive) for name, archive in mnist_archives().items()]


def shortened(tmp_path, setup_lines, notebook=None, **parameters):
    """A copy of ``notebook`` (the committed one by default) set up for a short run on test data."""
    notebook = notebook or nbformat.read(project.NOTEBOOK, as_version=4)
    setup = "\n".join(["import dataclasses", "from harness.data import sources", *setup_lines])
    parameters = {
        "data_dir": str(tmp_path / "data"),
        "mnist_epochs": 1,
        "celeba_epochs": 1,
        "quality_samples": 64,
        **parameters,
    }
    return project.with_parameters(notebook, parameters, setup)


def run(tmp_path, setup_lines, notebook=None, stream=None, **parameters):
    """Executes ``notebook`` short, then exports it; returns both."""
    notebook = shortened(tmp_path, setup_lines, notebook, **parameters)
    executed = execution.execute(notebook, timeout=600, stream=stream)
    html = tmp_path / "report.html"
    execution.export_html(executed, html)
    return executed, html.read_text(encoding="utf-8")


# Filling the exercise edition with a learner's own solution.

HYPERPARAMETERS = ("batch_size", "z_dim", "learning_rate", "beta1")


def learner_cells(source: str) -> dict[str, str]:
    """A learner's solution file cut into the cells they would write: one per exercise function
    (with the helpers and constants written before it), and the hyperparameters."""
    cells, pending, tree = {}, [], ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue  # The notebook's setup cell imports tf and np.
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "\n".join(source.splitlines()[first - 1 : node.end_lineno])  # With its decorators.
        if isinstance(node, ast.FunctionDef) and node.name in student_edition.PLACEHOLDERS:
            cells[node.name], pending = "\n\n\n".join([*pending, text]), []
        elif isinstance(node, ast.Assign) and node.targets[0].id in HYPERPARAMETERS:
            cells["hyperparameters"] = cells.get("hyperparameters", "") + text + "\n"
        else:
            pending.append(text)
    return cells


def fill_exercises(notebook, source: str):
    """A copy of ``notebook`` whose exercise cells hold the learner's ``source`` instead."""
    filled = nbformat.from_dict(notebook)
    cells = learner_cells(source)
    for cell in filled.cells:
        if "exercise" not in project.tags(cell):
            continue
        defined = re.search(r"^def (\w+)\(", cell.source, re.M)
        key = defined.group(1) if defined else "hyperparameters"
        cell.source = f"# EXERCISE: {key}, written by a learner.\n{cells[key]}"
    return filled


# The training tests (tests/harness/training): small data, and the notebook's train printing every step.


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
