"""Unpacking a verified archive into its image folder, all or nothing.

MNIST's gzipped IDX file becomes ``mnist/image_<i>.jpg``; CelebA's zip is unpacked as it is, after
every member's path has been checked to stay inside the target folder. Both are written into a
temporary folder that is renamed once complete.
"""

from __future__ import annotations

import gzip
import math
import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image
from tqdm import tqdm

from harness import atomic
from harness.data.errors import CorruptArchiveError, UnsafeArchiveError
from harness.data.sources import Source, image_source_of

__all__ = ["extract", "leaves_folder", "read_idx"]


def leaves_folder(member: str) -> bool:
    """Whether an archive member's path would be written outside the folder it is extracted into:
    absolute, with a drive letter, or through ``..`` (with either slash)."""
    parts = PurePosixPath(member.replace("\\", "/")).parts
    return member.startswith(("/", "\\")) or (bool(parts) and ":" in parts[0]) or ".." in parts


def _check_member(archive: Path, member: str) -> None:
    if leaves_folder(member):
        raise UnsafeArchiveError(
            f"{archive} holds the member {member!r}, which would be written outside the "
            "target folder. Refusing to extract it: delete the archive and get a genuine copy."
        )


def _unpacked_size(archive: Path) -> int | None:
    """The bytes a zip's members take once extracted (from its directory); None for other archives."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            return sum(member.file_size for member in bundle.infolist())
    except (zipfile.BadZipFile, OSError):
        return None


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
    source = image_source_of(name)
    archive, data_dir = Path(archive), Path(data_dir)
    final = data_dir / source.folder
    work = Path(
        tempfile.mkdtemp(dir=data_dir, prefix=atomic.temporary_prefix(final), suffix=atomic.PART_SUFFIX)
    )
    try:
        with atomic.saying_disk_full(final, _unpacked_size(archive), work):
            if archive.name.endswith(".gz"):
                _extract_idx_gz(source, archive, work)
            else:
                _extract_zip(source, archive, work)
            os.rename(work / source.folder, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final
