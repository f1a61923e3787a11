"""Where each data set comes from, how to verify it and where its images land: the table ``SOURCES``.

MNIST's four files come from several mirrors, tried in turn; CelebA's aligned faces from
Udacity's bucket, then Google Drive. ``payload_sha256`` lets a re-compressed copy of a gzip file
count as the published one.
"""

from __future__ import annotations

import dataclasses

__all__ = ["MNIST_FILES", "SOURCES", "Source", "image_source_of", "source_of"]


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a data set's archive comes from and where its images go.

    Attributes:
        archive: File name the archive is saved under in ``data_dir``.
        urls: Mirrors, tried in order until one answers with a verified archive.
        sha256: SHA-256 of the archive as published.
        md5: MD5 of the archive as published (the original project's check; for reference).
        folder: Folder in ``data_dir`` that holds the extracted JPEG images; None for a
            file used as it is (MNIST's labels and test set, read by ``read_idx``).
        image_mode: PIL mode of the images: ``'L'`` (grayscale) or ``'RGB'``; None for a
            file used as it is.
        payload_sha256: For gzip archives, SHA-256 of the decompressed payload, so that a
            re-compressed copy of the same data is accepted too.
        other_names: Other file names a user may have saved the same archive under.
        size: Size of the archive as published, in bytes, to tell a user what to place.
        count: How many images the extracted folder holds.
    """

    archive: str
    urls: tuple[str, ...]
    sha256: str
    md5: str
    folder: str | None
    image_mode: str | None
    payload_sha256: str | None = None
    other_names: tuple[str, ...] = ()
    size: int | None = None
    count: int | None = None


_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_MNIST_FILE = "train-images-idx3-ubyte.gz"
_CELEBA_DRIVE_ID = "0B7EVK8r0v71pZjFTYXZWM3FlRnM"


def _mnist_file(
    archive: str, sha256: str, md5: str, payload_sha256: str, size: int, **images: str | int
) -> Source:
    return Source(
        archive=archive,
        urls=tuple(mirror + archive for mirror in _MNIST_MIRRORS),
        sha256=sha256,
        md5=md5,
        payload_sha256=payload_sha256,
        folder=images.get("folder"),
        image_mode=images.get("image_mode"),
        size=size,
        count=images.get("count"),
    )


SOURCES: dict[str, Source] = {
    "mnist": _mnist_file(
        _MNIST_FILE,
        sha256="440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        md5="f68b3c2dcbeaaa9fbdd348bbdeb94873",
        payload_sha256="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        size=9_912_422,
        folder="mnist",
        image_mode="L",
        count=60_000,
    ),
    "celeba": Source(
        archive="celeba.zip",
        urls=(
            "https://s3-us-west-1.amazonaws.com/udacity-dlnfd/datasets/celeba.zip",
            f"https://drive.usercontent.google.com/download?id={_CELEBA_DRIVE_ID}&export=download&confirm=t",
        ),
        sha256="46fb89443c578308acf364d7d379fe1b9efb793042c0af734b6112e4fd3a8c74",
        md5="00d2c5bc6d35e252742224ab0c1e8fcb",
        folder="img_align_celeba",
        image_mode="RGB",
        other_names=("img_align_celeba.zip",),
        size=1_443_490_838,
        count=202_599,
    ),
    # MNIST's labels and test set, for the digit classifier that measures the GAN's samples
    # (judges/classifier.py): used as they are, not extracted.
    "mnist-train-labels": _mnist_file(
        "train-labels-idx1-ubyte.gz",
        sha256="3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        md5="d53e105ee54ea40749a09fcbcd1e9432",
        payload_sha256="65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        size=28_881,
    ),
    "mnist-test-images": _mnist_file(
        "t10k-images-idx3-ubyte.gz",
        sha256="8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        md5="9fb629c4189551a2d022fa330f9573f3",
        payload_sha256="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        size=1_648_877,
    ),
    "mnist-test-labels": _mnist_file(
        "t10k-labels-idx1-ubyte.gz",
        sha256="f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        md5="ec29112dd5afa0611ce80d1b7f02629c",
        payload_sha256="ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        size=4_542,
    ),
}
# Everything the notebook reads of MNIST: the digits, and the labels and test set of the judge.
MNIST_FILES = ("mnist", "mnist-train-labels", "mnist-test-images", "mnist-test-labels")


def source_of(name: str) -> Source:
    """The table's entry for ``name``.

    Raises:
        ValueError: ``name`` is not in ``SOURCES``.
    """
    if name not in SOURCES:
        raise ValueError(
            f"Unknown data set {name!r}: expected one of {sorted(SOURCES)}. "
            "Check the spelling of the name you passed."
        )
    return SOURCES[name]


def image_source_of(name: str) -> Source:
    """The table's entry for ``name``, a data set of images (not a file used as it is).

    Raises:
        ValueError: ``name`` is unknown, or names a file used as it is (MNIST's labels).
    """
    source = source_of(name)
    if source.folder is None:
        raise ValueError(
            f"{name!r} is not an image data set but a file used as it is: get it with "
            f"helper.fetch({name!r}, data_dir). Image data sets: "
            f"{sorted(n for n, s in SOURCES.items() if s.folder)}."
        )
    return source
