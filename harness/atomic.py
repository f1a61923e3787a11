"""Writing files and folders all or nothing: into a temporary name beside the target, then renamed.

A crash, a kill or a full disk while writing leaves the previous version (or nothing) under the
final name, never half of the new one. Temporary names are ``.<name>.<pid>.<random>.part``:
recognisable, never taken for a finished file, and naming the process that writes them, so that
``sweep`` can remove what a killed process left behind without touching a live writer's work.
"""

from __future__ import annotations

import contextlib
import errno
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
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
# How a full disk is said by writers that drop the errno: TensorFlow's file writer, numpy's array writer.
_DISK_FULL_WORDS = re.compile(r"No space left on device|Disk quota exceeded|\d+ requested and \d+ written")


class DiskFullError(OSError):
    """A file could not be written because its disk (or the user's quota there) is full."""


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says that a disk or a quota is full, in whichever words its writer uses."""
    if isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS:
        return True
    return bool(_DISK_FULL_WORDS.search(getattr(error, "message", None) or str(error)))


def _amount(size: int) -> str:
    """A size in the unit a person reads best: ``"512 bytes"``, ``"47 kB"``, ``"1,443.5 MB"``."""
    if size < 1e3:
        return f"{size} bytes"
    return f"{size / 1e3:,.0f} kB" if size < 1e6 else f"{size / 1e6:,.1f} MB"


def require_space(path: str | os.PathLike, needed: int) -> None:
    """Raises DiskFullError, before anything is written, if ``path``'s disk has less than ``needed`` free."""
    path = Path(path)
    if shutil.disk_usage(path.parent).free < needed:
        raise disk_full(path, needed)


def disk_full(path: str | os.PathLike, needed: int | None, written: int = 0) -> DiskFullError:
    """The error for a write of ``path`` that a full disk stopped: where, how much is needed, the fix.

    Args:
        path: The file or folder that was being written.
        needed: Its size in bytes, where known; else the message says "more than ``written``".
        written: How much had been written when the disk was full.
    """
    path = Path(path)
    free = shutil.disk_usage(path.parent).free
    if needed:
        need, short = _amount(needed), f"at least {_amount(max(needed - free, 1))}"
    else:
        need, short = f"more than {_amount(written)}", "more"
    error = DiskFullError(
        f"Disk full: {path} could not be written. It needs {need}, and the disk holding {path.parent} has "
        f"{_amount(free)} free. Free {short} there (or choose a folder on another disk), then run again. "
        "Nothing was half-written, and what was already there is kept."
    )
    error.errno = errno.ENOSPC
    return error


@contextlib.contextmanager
def saying_disk_full(path: Path, needed: int | None, partial: Path) -> Iterator[None]:
    """Turns a full disk's error in the block, whoever raised it, into a DiskFullError for ``path``."""
    try:
        yield
    except DiskFullError:
        raise
    except Exception as error:
        if not is_disk_full(error):
            raise
        raise disk_full(path, needed, _size(partial) if partial.exists() else 0) from error


def _umask() -> int:
    """This process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temporary_prefix(path: Path) -> str:
    """The start of a temporary name for ``path``: its name and this process's id."""
    return f".{path.name}.{os.getpid()}."


@contextlib.contextmanager
def replacing(path: str | os.PathLike, needed: int | None = None) -> Iterator[Path]:
    """Yields a temporary path to write; it replaces ``path`` when the block ends without error.

    Args:
        path: The file to write; its folder must exist.
        needed: Its expected size in bytes, for the message if the disk is full.

    Yields:
        A path beside ``path``, not yet created, for the writer to create.

    Raises:
        DiskFullError: The disk was full; ``path`` is as it was before.
    """
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path), suffix=PART_SUFFIX)
    os.close(handle)
    temp = Path(temp_name)
    try:
        with saying_disk_full(path, needed, temp):
            yield temp
            # mkstemp makes the file private (0600); the finished one gets the usual mode, as open() gives.
            os.chmod(temp, 0o666 & ~_umask())
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Writes ``data`` to ``path`` all or nothing.

    Raises:
        DiskFullError: The disk was full; ``path`` is as it was before.
    """
    with replacing(path, len(data)) as temp:
        temp.write_bytes(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` all or nothing."""
    write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def folder(path: str | os.PathLike, needed: int | None = None) -> Iterator[Path]:
    """Yields a temporary folder to fill; it is renamed to ``path`` when the block ends without error.

    Args:
        path: The folder to create; it must not exist yet, and its parent must.
        needed: The expected size of what goes in it, in bytes, for the message if the disk is full.

    Yields:
        An empty folder beside ``path``.

    Raises:
        DiskFullError: The disk was full; nothing is left of the new folder.
    """
    path = Path(path)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=temporary_prefix(path), suffix=PART_SUFFIX))
    try:
        with saying_disk_full(path, needed, work):
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
