"""Writing files and folders all or nothing: into a temporary name beside the target, then renamed.

A crash, a kill or a full disk while writing leaves the previous version (or nothing) under the
final name, never half of the new one. Temporary names are ``.<name>.<pid>.<random>.part``:
recognisable, never taken for a finished file, and naming the process that writes them, so that
``sweep`` can remove what a killed process left behind without touching a live writer's work.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PART_SUFFIX = ".part"
_PART = re.compile(r"^\..+?\.(?P<pid>\d+)\.[^.]+\.part$")
# A temporary name without a process id (an older version's) is stale after this long.
_UNOWNED_PART_SECONDS = 3600


def _umask() -> int:
    """This process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temporary_prefix(path: Path) -> str:
    """The start of a temporary name for ``path``: its name and this process's id."""
    return f".{path.name}.{os.getpid()}."


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yields a temporary path to write; it replaces ``path`` when the block ends without error.

    Args:
        path: The file to write; its folder must exist.

    Yields:
        A path beside ``path``, not yet created, for the writer to create.
    """
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path), suffix=PART_SUFFIX)
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        # mkstemp makes the file private (0600); the finished one gets the usual mode, as open() gives.
        os.chmod(temp, 0o666 & ~_umask())
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
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=temporary_prefix(path), suffix=PART_SUFFIX))
    try:
        yield work
        os.chmod(work, 0o777 & ~_umask())  # mkdtemp's 0700, made the usual mode for a new folder.
        os.rename(work, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _writer_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # Another user's live process.
    return True


def _size(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return path.lstat().st_size


def sweep(folder: str | os.PathLike) -> tuple[int, int]:
    """Removes the temporary files and folders that a killed or crashed writer left in ``folder``.

    A temporary name whose process is still running is left alone (a second notebook may be
    writing it); one without a process id only once it is an hour old.

    Returns:
        How many files and folders were removed, and the bytes freed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0, 0
    removed = freed = 0
    for path in folder.glob(f".*{PART_SUFFIX}"):
        match = _PART.match(path.name)
        if match and _writer_alive(int(match.group("pid"))):
            continue
        if not match and time.time() - path.lstat().st_mtime < _UNOWNED_PART_SECONDS:
            continue
        removed, freed = removed + 1, freed + _size(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed, freed


def sweep_and_say(folder: str | os.PathLike) -> int:
    """``sweep``, then one line saying how much an interrupted run had left, if anything.

    Returns:
        The bytes freed.
    """
    removed, freed = sweep(folder)
    if removed:
        print(
            f"Removed what an interrupted run left half-written in {folder}: {removed} temporary "
            f"file(s), {freed / 1e6:.1f} MB."
        )
    return freed
