"""Writing files and folders all or nothing: into a temporary name beside the target, then renamed.

A crash, a kill or a full disk while writing leaves the previous version (or nothing) under the
final name, never half of the new one. Temporary names start with ``.`` and end with ``.part``,
so that they are recognisable and never taken for a finished file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

PART_SUFFIX = ".part"


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yields a temporary path to write; it replaces ``path`` when the block ends without error.

    Args:
        path: The file to write; its folder must exist.

    Yields:
        A path beside ``path``, not yet created, for the writer to create.
    """
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX)
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Writes ``data`` to ``path`` all or nothing."""
    with replacing(path) as temp:
        temp.write_bytes(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` all or nothing."""
    write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def folder(path: str | os.PathLike) -> Iterator[Path]:
    """Yields a temporary folder to fill; it is renamed to ``path`` when the block ends without error.

    Args:
        path: The folder to create; it must not exist yet, and its parent must.

    Yields:
        An empty folder beside ``path``.
    """
    path = Path(path)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX))
    try:
        yield work
        os.rename(work, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
