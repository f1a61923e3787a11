"""Data for the Generate Faces project: download, verify, extract, cache and batch.

The data sets are described by the table ``SOURCES`` below: where each archive can be
downloaded from (mirrors, tried in turn), how to verify it, and where its images land.
``download_extract(name, data_dir)`` makes the images appear in the layout learners rely on
(``data_dir/mnist/*.jpg`` and ``data_dir/img_align_celeba/*.jpg``), and ``Dataset`` serves
them as float32 batches in [-0.5, 0.5] from an on-disk cache that is built once.

Nothing half-written is ever left under a final name: downloads go to a temporary name in
``data_dir`` and are renamed once verified; archives are extracted into a temporary folder
that is renamed once complete; caches are written to a temporary file, then renamed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import dataclasses
import functools
import gzip
import hashlib
import io
import json
import math
import multiprocessing
import os
import shutil
import signal
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import simplejpeg
from PIL import Image
from tqdm import tqdm

import atomic


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
    # (quality.py): used as they are, not extracted.
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

IMAGE_SIZE = 28  # Width and height of every image served, as in the original project.
FACE_CROP = 108  # CelebA images are cropped to their centre 108x108 before resizing.

# Seconds to wait for a mirror to connect, and between two chunks of a download: a dead
# mirror fails within seconds, a slow one is still allowed to finish.
_CONNECT_TIMEOUT = 5
_READ_TIMEOUT = 60
_DOWNLOAD_CHUNK = 1 << 20
# Bumped whenever the decoding changes, so that every older cache counts as stale.
_CACHE_VERSION = 1
_CACHE_CHUNK = 512  # Images decoded per task when the cache is built in parallel.


class DataError(Exception):
    """Base class of the errors raised while getting a data set ready."""


class DownloadError(DataError):
    """No mirror gave a verified archive, and none was placed in ``data_dir``."""


class ChecksumError(DataError, ValueError):
    """An archive's checksum is not the published one.

    Attributes:
        expected: The published SHA-256.
        got: The file's SHA-256.
    """

    def __init__(self, message: str, expected: str, got: str) -> None:
        super().__init__(message)
        self.expected, self.got = expected, got


class CorruptArchiveError(DataError, ValueError):
    """An archive cannot be read to the end (truncated, damaged or of the wrong kind)."""


class UnsafeArchiveError(DataError, ValueError):
    """An archive member would be written outside the target folder."""


class NotAnArchiveError(DataError):
    """A server answered with a web page instead of the archive."""


def _source(name: str) -> Source:
    if name not in SOURCES:
        raise ValueError(
            f"Unknown data set {name!r}: expected one of {sorted(SOURCES)}. "
            "Check the spelling of the name you passed."
        )
    return SOURCES[name]


def _image_source(name: str) -> Source:
    source = _source(name)
    if source.folder is None:
        raise ValueError(
            f"{name!r} is not an image data set but a file used as it is: get it with "
            f"helper.fetch({name!r}, data_dir). Image data sets: "
            f"{sorted(n for n, s in SOURCES.items() if s.folder)}."
        )
    return source


def _sha256(path: Path) -> str:
    import pooch  # Imported here, as in _fetch: see the note there.

    return pooch.file_hash(str(path), alg="sha256")


def _gzip_payload_sha256(path: Path) -> str | None:
    """SHA-256 of a gzip file's decompressed content, or None if it does not decompress."""
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as stream:
            for block in iter(lambda: stream.read(_DOWNLOAD_CHUNK), b""):
                digest.update(block)
    except (OSError, EOFError, zlib.error):
        return None
    return digest.hexdigest()


def verify(name: str, path: str | os.PathLike) -> None:
    """Checks that an archive is the published one, reading it in chunks.

    Args:
        name: Data set name, a key of ``SOURCES``.
        path: The archive to check.

    Raises:
        ChecksumError: The archive's SHA-256 (and, for gzip archives, its payload's
            SHA-256) differs from the published one.
    """
    source = _source(name)
    path = Path(path)
    got = _sha256(path)
    if got == source.sha256:
        return
    if source.payload_sha256 and _gzip_payload_sha256(path) == source.payload_sha256:
        return
    raise ChecksumError(
        f"{path} is not the {name} archive: SHA-256 expected {source.sha256}, got {got}. "
        "The file is damaged or incomplete. Delete it and run download_extract again, "
        f"or replace it with a good copy of {source.archive}.",
        expected=source.sha256,
        got=got,
    )


def _looks_like_web_page(path: Path) -> bool:
    with open(path, "rb") as stream:
        head = stream.read(512).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _fetch(url: str, destination: Path) -> None:
    """Streams ``url`` into ``destination`` with a progress bar (bytes, rate, ETA)."""
    # pooch and requests are imported where they are used, not at the top: the processes
    # that build the image cache import this module, and start 0.25 s sooner without them.
    import pooch

    downloader = pooch.HTTPDownloader(
        progressbar=True,
        chunk_size=_DOWNLOAD_CHUNK,
        timeout=(_CONNECT_TIMEOUT, _READ_TIMEOUT),
    )
    downloader(url, str(destination), None)
    if _looks_like_web_page(destination):
        raise NotAnArchiveError(
            "answered with a web page instead of the archive "
            "(Google Drive does this when its download quota is exceeded)"
        )


def download(name: str, data_dir: str | os.PathLike) -> Path:
    """Downloads a data set's archive into ``data_dir``, trying each mirror in turn.

    Each download streams into a temporary file in ``data_dir``; only a verified archive
    is renamed to its final name, so an interrupted or failed download leaves nothing
    behind.

    Args:
        name: Data set name, a key of ``SOURCES``.
        data_dir: Folder to save the archive in; created if missing.

    Returns:
        The path of the verified archive.

    Raises:
        DownloadError: No mirror gave a verified archive. The message lists each URL with
            what it answered, and where to place the archive by hand.
    """
    import requests  # See the note in _fetch.

    source = _source(name)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    final = data_dir / source.archive
    failures = []
    for url in source.urls:
        print(f"Downloading {name} from {url}")
        try:
            with atomic.replacing(final) as temp:
                _fetch(url, temp)
                verify(name, temp)
            return final
        except requests.HTTPError as error:
            failures.append(f"{url}: HTTP {error.response.status_code} {error.response.reason}")
        except requests.RequestException as error:
            failures.append(f"{url}: no answer ({type(error).__name__}: {error})")
        except ChecksumError as error:
            failures.append(f"{url}: another file (SHA-256 expected {error.expected}, got {error.got})")
        except DataError as error:
            failures.append(f"{url}: {error}")
    tried = "\n".join(f"  - {failure}" for failure in failures)
    raise DownloadError(
        f"Could not download the {name} data set. Tried:\n{tried}\n{placement([name], data_dir)}"
    )


def placement(names: Sequence[str], data_dir: str | os.PathLike) -> str:
    """What a user may place by hand instead of a download, for each named data set: every form,
    with its name, size and checksums, and the folder to place it in."""
    data_dir = Path(data_dir)
    lines = [
        f"Fix: on a machine with internet access, download the files from the URLs above, and place "
        f"{'them' if len(names) > 1 else 'it'} in the folder {data_dir} (the notebook's data_dir):"
    ]
    for name in names:
        source = _source(name)
        size = f"{source.size:,} bytes, " if source.size else ""
        files = " or ".join((source.archive, *source.other_names))
        lines.append(f"  - {files}: {size}SHA-256 {source.sha256} (MD5 {source.md5})")
        if source.payload_sha256:
            lines.append(f"    (re-compressed copies are fine: gunzipped SHA-256 {source.payload_sha256})")
        if source.folder and source.count and name != "mnist":
            folder = data_dir / source.folder
            lines.append(f"    or the extracted folder {folder} holding its {source.count:,} .jpg images")
    lines.append("Then run again: a placed file is verified and used, with no download.")
    return "\n".join(lines)


def fetch_all(names: Sequence[str], data_dir: str | os.PathLike) -> dict[str, Path]:
    """Fetches several archives, and reports every one that could not be had in one message.

    Returns:
        Each name's verified archive.

    Raises:
        DownloadError: Naming every archive that could not be had, what each URL answered,
            and what to place where instead.
    """
    found, failures = {}, []
    for name in names:
        try:
            found[name] = fetch(name, data_dir)
        except DownloadError as error:
            failures.append((name, str(error).split("\nFix:")[0]))
    if failures:
        what = "\n".join(reason for _, reason in failures)
        raise DownloadError(
            f"{len(failures)} of {len(names)} files could not be had.\n{what}\n"
            f"{placement([name for name, _ in failures], data_dir)}"
        )
    return found


def _check_member(archive: Path, member: str) -> None:
    parts = PurePosixPath(member.replace("\\", "/")).parts
    if member.startswith(("/", "\\")) or (parts and ":" in parts[0]) or ".." in parts:
        raise UnsafeArchiveError(
            f"{archive} holds the member {member!r}, which would be written outside the "
            "target folder. Refusing to extract it: delete the archive and get a genuine copy."
        )


def _extract_zip(source: Source, archive: Path, target: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            for member in members:
                _check_member(archive, member.filename)
            for member in tqdm(members, desc=f"Extracting {archive.name}", unit="file"):
                bundle.extract(member, target)
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise CorruptArchiveError(
            f"{archive} is not a complete zip archive ({error}). Expected a zip holding "
            f"{source.folder}/*.jpg. Delete it and run download_extract again."
        ) from error
    if not (target / source.folder).is_dir():
        raise CorruptArchiveError(
            f"{archive} has no {source.folder}/ folder: expected {source.folder}/000001.jpg and "
            f"so on, got top-level entries {sorted(p.name for p in target.iterdir())}. "
            "Use the aligned-and-cropped CelebA archive (img_align_celeba.zip)."
        )


_IDX_RANKS = {"labels": 1, "images": 3}  # Dimensions of each kind of IDX file.


def read_idx(archive: str | os.PathLike, expected: str = "images") -> np.ndarray:
    """Reads a gzipped IDX file, MNIST's format, of uint8 images or labels.

    Args:
        archive: A ``*-idx3-ubyte.gz`` (images) or ``*-idx1-ubyte.gz`` (labels) file.
        expected: ``'images'`` (returns (n, rows, cols)) or ``'labels'`` (returns (n,)).

    Returns:
        The uint8 array the file holds.

    Raises:
        CorruptArchiveError: The file is not a gzipped IDX file of ``expected``, or is
            truncated.
    """
    if expected not in _IDX_RANKS:
        raise ValueError(f"expected must be one of {sorted(_IDX_RANKS)}, got {expected!r}.")
    archive, rank = Path(archive), _IDX_RANKS[expected]
    try:
        with gzip.open(archive, "rb") as stream:
            magic = stream.read(4)
            if len(magic) < 4:
                raise EOFError(f"header has {len(magic)} of 4 bytes")
            if magic != bytes((0, 0, 8, rank)):
                raise CorruptArchiveError(
                    f"{archive} is not an IDX file of {expected}: magic number expected "
                    f"{0x800 + rank}, got {int.from_bytes(magic, 'big')}. Use MNIST's "
                    f"{'train-images-idx3' if rank == 3 else 'train-labels-idx1'}-ubyte.gz or its t10k file."
                )
            sizes = stream.read(4 * rank)
            if len(sizes) < 4 * rank:
                raise EOFError(f"header has {4 + len(sizes)} of {4 + 4 * rank} bytes")
            shape = struct.unpack(f">{rank}I", sizes)
            expected_bytes = math.prod(shape)
            data = stream.read(expected_bytes)
    except (OSError, EOFError, zlib.error) as error:
        raise CorruptArchiveError(
            f"{archive} cannot be decompressed ({error}): it is truncated or damaged. "
            "Delete it and run again to download it anew."
        ) from error
    if len(data) != expected_bytes:
        raise CorruptArchiveError(
            f"{archive} is truncated: expected {expected_bytes} bytes of {expected} for "
            f"{shape[0]} items, got {len(data)}. Delete it and run again to download it anew."
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _extract_idx_gz(source: Source, archive: Path, target: Path) -> None:
    images = read_idx(archive, "images")
    folder = target / source.folder
    folder.mkdir()
    for index, image in enumerate(tqdm(images, desc=f"Extracting {archive.name}", unit="img")):
        Image.fromarray(image, source.image_mode).save(folder / f"image_{index}.jpg")


def extract(name: str, archive: str | os.PathLike, data_dir: str | os.PathLike) -> Path:
    """Extracts a data set's archive into ``data_dir/<folder>``, all or nothing.

    The images are written into a temporary folder inside ``data_dir`` that is renamed to
    its final name once complete; on any error it is removed.

    Args:
        name: Data set name, a key of ``SOURCES``.
        archive: The verified archive.
        data_dir: Folder that receives the image folder.

    Returns:
        The folder holding the images.

    Raises:
        CorruptArchiveError: The archive is truncated, damaged or not laid out as expected.
        UnsafeArchiveError: A member has an absolute path or ``..`` in it.
    """
    source = _image_source(name)
    archive, data_dir = Path(archive), Path(data_dir)
    final = data_dir / source.folder
    work = Path(
        tempfile.mkdtemp(dir=data_dir, prefix=atomic.temporary_prefix(final), suffix=atomic.PART_SUFFIX)
    )
    try:
        if archive.name.endswith(".gz"):
            _extract_idx_gz(source, archive, work)
        else:
            _extract_zip(source, archive, work)
        os.rename(work / source.folder, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final


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
    source = _image_source(name)
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


def fetch(name: str, data_dir: str | os.PathLike) -> Path:
    """Returns a data set's verified archive in ``data_dir``, downloading it if none is there.

    An archive placed in ``data_dir`` by hand (under its name or one of its other names)
    is verified and used, with no network.

    Args:
        name: Data set name, a key of ``SOURCES``.
        data_dir: Data folder; created if missing.

    Returns:
        The path of the verified archive.

    Raises:
        ValueError: ``name`` is not a known data set.
        DataError: The archive could not be had, or the placed one is not the published one.
    """
    source = _source(name)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    atomic.sweep_and_say(data_dir)
    placed = [data_dir / n for n in (source.archive, *source.other_names) if (data_dir / n).is_file()]
    if not placed:
        return download(name, data_dir)
    print(f"Verifying {placed[0]}")
    verify(name, placed[0])
    return placed[0]


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


class DamagedImageError(DataError, ValueError):
    """An image file cannot be decoded."""


def _decode(
    image_files: Sequence[str], width: int, height: int, mode: str, skip_damaged: bool = False
) -> tuple[np.ndarray, list[int]]:
    """Decodes a chunk of images; returns them and the positions of the damaged ones (left black)."""
    channels = 1 if mode == "L" else 3
    batch = np.zeros((len(image_files), height, width, channels), np.uint8)
    damaged = []
    for index, path in enumerate(image_files):
        try:
            batch[index] = get_image(path, width, height, mode).reshape(height, width, channels)
        except Exception as error:  # PIL and simplejpeg raise many kinds; each means the same here.
            if not skip_damaged:
                raise DamagedImageError(
                    f"{path} cannot be read as an image ({type(error).__name__}: {error}). Replace it with "
                    "a good copy from the archive, or delete it, or leave it out with "
                    "Dataset(..., skip_damaged=True); then run again."
                ) from None
            damaged.append(index)
    return batch, damaged


def _die_with_parent(parent: int) -> None:
    """In a worker: end when the process that started it ends, even by kill -9 (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # The parent died before this worker was up: end now.
        os._exit(1)


def _main_is_guarded() -> bool:
    """Whether worker processes may be spawned: spawning re-runs the main script, so a script
    without ``if __name__ == "__main__":`` would run again in each worker."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path is None or not path.endswith(".py"):
        return True  # A notebook kernel, an interactive session: nothing to re-run.
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "__name__" in source and "__main__" in source


def _executor(workers: int) -> concurrent.futures.Executor:
    if _main_is_guarded():
        # Spawned, not forked: forking a process that runs TensorFlow can deadlock.
        context = multiprocessing.get_context("spawn")
        return concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
        )
    return concurrent.futures.ThreadPoolExecutor(workers)


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
    return _decode(image_files, width, height, mode)[0].astype(np.float32)


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


def _fingerprint(files: Sequence[str]) -> str:
    """Digest of the files' sizes and modification times: changes when any file changes."""
    digest = hashlib.sha256()
    for path in files:
        stat = os.stat(path)
        digest.update(f"{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def build_cache(
    image_files: Sequence[str],
    shape: tuple[int, int, int, int],
    mode: str,
    cache_path: str | os.PathLike,
    workers: int | None = None,
    skip_damaged: bool = False,
) -> list[str]:
    """Decodes every image once into a uint8 ``.npy`` file, in parallel across cores.

    Written to a temporary file beside ``cache_path`` and renamed when complete.

    Args:
        image_files: Paths of the images, in cache order.
        shape: (count, height, width, channels) of the cache.
        mode: PIL mode of the images.
        cache_path: Where the cache is written.
        workers: Worker processes; defaults to the number of cores.
        skip_damaged: Leave out the images that cannot be decoded, instead of stopping.

    Returns:
        The damaged images left out (none unless ``skip_damaged``); the cache then holds
        that many images fewer than ``shape`` says.

    Raises:
        DamagedImageError: An image cannot be decoded, naming it.
        DataError: Not enough disk space, or writing failed.
    """
    cache_path = Path(cache_path)
    count, height, width, _ = shape
    needed = int(np.prod(shape)) + 128
    free = shutil.disk_usage(cache_path.parent).free
    if free < needed:
        raise DataError(
            f"The cache of {count} images needs {needed / 1e6:.0f} MB in {cache_path.parent}, which has "
            f"{free / 1e6:.0f} MB free. Free some space there (or pass Dataset(..., cache_dir=...) another "
            "folder) and run again."
        )
    starts = range(0, count, _CACHE_CHUNK)
    chunks = [image_files[start : start + _CACHE_CHUNK] for start in starts]
    workers = min(workers or os.cpu_count() or 1, len(chunks))
    try:
        with atomic.replacing(cache_path) as temp:
            cache = np.lib.format.open_memmap(temp, mode="w+", dtype=np.uint8, shape=shape)
            # Claim the disk space now: a full disk then fails here, as an error, and not later as a
            # SIGBUS in a write to the memory-mapped file.
            with open(temp, "r+b") as stream:
                os.posix_fallocate(stream.fileno(), 0, temp.stat().st_size)
            with tqdm(total=count, desc=f"Caching {count} images", unit="img") as progress:
                decode = functools.partial(
                    _decode, width=width, height=height, mode=mode, skip_damaged=skip_damaged
                )
                pool = None if workers == 1 else _executor(workers)
                decoded = map(decode, chunks) if pool is None else pool.map(decode, chunks)
                damaged = []
                try:
                    for start, (images, bad) in zip(starts, decoded, strict=True):
                        cache[start : start + len(images)] = images
                        damaged += [start + index for index in bad]
                        progress.update(len(images))
                finally:
                    if pool is not None:
                        pool.shutdown(cancel_futures=True)
            cache.flush()
            if damaged:
                _leave_out(cache, damaged, cache_path)
                named = ", ".join(image_files[index] for index in damaged[:3])
                print(
                    f"Left out {len(damaged)} damaged image(s): {named}{' ...' if len(damaged) > 3 else ''}"
                )
            del cache
    except OSError as error:
        raise DataError(
            f"Writing the cache {cache_path} failed ({error.strerror or error}). Free space in "
            f"{cache_path.parent} (it needs {needed / 1e6:.0f} MB) and run again."
        ) from error
    return [image_files[index] for index in damaged]


def _cache_seal(cache_path: Path) -> dict:
    """What a finished cache file looks like: its size and a digest of its header and first rows."""
    with open(cache_path, "rb") as stream:
        head = stream.read(1 << 16)
    return {"bytes": cache_path.stat().st_size, "head_sha256": hashlib.sha256(head).hexdigest()}


def _cache_problem(cache_path: Path, stamp_path: Path, expected: dict) -> str | None:
    """Why the cache cannot be used as it is ('missing', 'is out of date'...), or None."""
    if not cache_path.is_file():
        return "missing"
    try:
        stamp = json.loads(stamp_path.read_text())
        fits = all(stamp[key] == value for key, value in expected.items())
    except (OSError, ValueError, KeyError, TypeError):
        return "has no readable stamp (an interrupted run?)"
    if not fits:
        return "is out of date (the images changed)"
    if {key: stamp.get(key) for key in ("bytes", "head_sha256")} != _cache_seal(cache_path):
        return "is incomplete or damaged (an interrupted run, or a full disk?)"
    return None


def _leave_out(cache: np.ndarray, damaged: list[int], cache_path: Path) -> None:
    """Replaces the cache's temporary file by one without the rows of the damaged images."""
    kept = np.setdiff1d(np.arange(len(cache)), damaged)
    handle, name = tempfile.mkstemp(
        dir=cache_path.parent, prefix=atomic.temporary_prefix(cache_path), suffix=atomic.PART_SUFFIX
    )
    os.close(handle)
    try:
        compact = np.lib.format.open_memmap(
            name, mode="w+", dtype=np.uint8, shape=(len(kept), *cache.shape[1:])
        )
        step = _CACHE_CHUNK * 8
        for start in range(0, len(kept), step):
            compact[start : start + step] = cache[kept[start : start + step]]
        compact.flush()
        del compact
        os.replace(name, cache.filename)
    finally:
        Path(name).unlink(missing_ok=True)


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
        self.image_mode = _image_source(dataset_name).image_mode
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
        text = json.dumps([self.name, self.shape, _fingerprint(self.data_files)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _cache_path(self) -> Path:
        key = hashlib.sha256(
            json.dumps([_CACHE_VERSION, self.shape, self.image_mode, self.data_files]).encode()
        ).hexdigest()[:16]
        return self.cache_dir / f"{self.name}-{key}.npy"

    @property
    def images(self) -> np.ndarray:
        """All images as a read-only uint8 array (n, 28, 28, c), building the cache if needed."""
        if self._images is None:
            cache_path = self._cache_path()
            stamp_path = cache_path.with_suffix(".json")
            expected = {"fingerprint": _fingerprint(self.data_files), "shape": list(self.shape)}
            atomic.sweep_and_say(self.cache_dir)
            problem = _cache_problem(cache_path, stamp_path, expected)
            if problem:
                if problem != "missing":
                    print(f"The cache {cache_path.name} {problem}: building it again.")
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                skipped = build_cache(
                    self.data_files, self.shape, self.image_mode, cache_path, skip_damaged=self.skip_damaged
                )
                stamp = {**expected, **_cache_seal(cache_path), "skipped": skipped}
                atomic.write_text(stamp_path, json.dumps(stamp))
            self._images = np.load(cache_path, mmap_mode="r")
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
