"""Unpacking a submission without trusting it: no path escapes, no links, bounded sizes.

A submission is a zip, a folder or a notebook alone. Whatever it is, its files are copied into a
fresh scratch folder, checked member by member before anything is written: a member whose path
leaves the folder (absolute, ``..``, a drive letter), a link, or more bytes or members than the
limits allow stops the unpacking with ``HostileSubmission``, and nothing is left behind.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from harness.data.extract import leaves_folder

MOST_BYTES = 512 * 2**20  # A real submission (notebook, report, two .py files) is under 20 MB.
MOST_MEMBERS = 1_000
_CHUNK = 2**20


class HostileSubmission(ValueError):
    """The submission tries to leave its folder or fill the disk; the message says how."""


def _check_path(submission: Path, name: str) -> PurePosixPath:
    if leaves_folder(name):
        raise HostileSubmission(f"{submission.name} holds {name!r}, a path that leaves its folder.")
    return PurePosixPath(name.replace("\\", "/"))


def _is_link(member: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(member.external_attr >> 16)


def _copy_limited(source, target: Path, budget: int, most: int, submission: Path, name: str) -> int:
    """Copies ``source`` to ``target`` counting bytes as they come (a zip's sizes can lie)."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise HostileSubmission(
                    f"{submission.name} expands past {most / 2**20:g} MiB (at {name!r}): a "
                    "submission is a notebook, its report and two .py files."
                )
            out.write(chunk)
    return written


def _unpack_zip(submission: Path, into: Path, most_bytes: int, most_members: int) -> None:
    try:
        with zipfile.ZipFile(submission) as bundle:
            members = bundle.infolist()
            if len(members) > most_members:
                raise HostileSubmission(
                    f"{submission.name} holds {len(members):,} members, over {most_members:,}."
                )
            for member in members:
                _check_path(submission, member.filename)
                if _is_link(member):
                    raise HostileSubmission(f"{submission.name} holds {member.filename!r}, a link.")
            budget = most_bytes
            for member in members:
                target = into / _check_path(submission, member.filename)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source:
                    budget -= _copy_limited(source, target, budget, most_bytes, submission, member.filename)
    except (zipfile.BadZipFile, EOFError) as error:
        raise HostileSubmission(f"{submission.name} is not a readable zip ({error}).") from error


def _unpack_folder(submission: Path, into: Path, most_bytes: int, most_members: int) -> None:
    files = [path for path in sorted(submission.rglob("*")) if not path.is_dir() or path.is_symlink()]
    if len(files) > most_members:
        raise HostileSubmission(f"{submission.name} holds {len(files):,} files, over {most_members:,}.")
    budget = most_bytes
    for path in files:
        name = path.relative_to(submission).as_posix()
        if path.is_symlink() or not path.is_file():
            raise HostileSubmission(f"{submission.name} holds {name!r}, a link or a special file.")
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with path.open("rb") as source:
            budget -= _copy_limited(source, target, budget, most_bytes, submission, name)


def unpack(
    submission: str | Path, into: str | Path, most_bytes: int = MOST_BYTES, most_members: int = MOST_MEMBERS
) -> Path:
    """Copies a submission's files into ``into``, a folder that must not exist yet.

    Args:
        submission: A zip, a folder, or a notebook (``.ipynb``) alone.
        into: The scratch folder to create.
        most_bytes: The most bytes all files may take once unpacked.
        most_members: The most files and folders.

    Returns:
        ``into``.

    Raises:
        HostileSubmission: A member leaves the folder, is a link, or the limits are exceeded;
            ``into`` is then removed.
        FileNotFoundError: The submission does not exist.
    """
    submission, into = Path(submission), Path(into)
    if not submission.exists():
        raise FileNotFoundError(f"No submission at {submission}: give a .zip, a folder or a .ipynb.")
    into.mkdir(parents=True)
    try:
        if submission.is_dir():
            _unpack_folder(submission, into, most_bytes, most_members)
        elif zipfile.is_zipfile(submission):
            _unpack_zip(submission, into, most_bytes, most_members)
        elif submission.suffix == ".ipynb":
            name = submission.name
            with submission.open("rb") as source:
                _copy_limited(source, into / name, most_bytes, most_bytes, submission, name)
        else:
            raise HostileSubmission(f"{submission.name} is neither a zip, a folder nor a notebook.")
    except BaseException:
        shutil.rmtree(into, ignore_errors=True)
        raise
    return into
