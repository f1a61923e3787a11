"""Getting a data set's archive: a placed copy, else each mirror in turn; verified before it is kept.

Each download streams into a temporary file beside its final name and is renamed only once its
checksum is the published one (``atomic``), so an interrupted or failed download leaves nothing.
When no archive can be had, the error lists what each mirror answered and what to place where.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Sequence
from pathlib import Path

import requests

from harness import atomic
from harness.data.errors import ChecksumError, DataError, DownloadError, NotAnArchiveError
from harness.data.sources import source_of

__all__ = ["download", "fetch", "fetch_all", "placement", "verify"]

# Seconds to wait for a mirror to connect, and between two chunks of a download: a dead
# mirror fails within seconds, a slow one is still allowed to finish.
_CONNECT_TIMEOUT = 5
_READ_TIMEOUT = 60
_DOWNLOAD_CHUNK = 1 << 20


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
    source = source_of(name)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    atomic.sweep_and_say(data_dir)
    placed = [data_dir / n for n in (source.archive, *source.other_names) if (data_dir / n).is_file()]
    if not placed:
        return download(name, data_dir)
    print(f"Verifying {placed[0]}")
    verify(name, placed[0])
    return placed[0]


def _sha256(path: Path) -> str:
    import pooch  # Imported where it is used: see _fetch.

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
    source = source_of(name)
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
    # Not imported at the top: pooch imports tqdm.auto, which warns in a notebook without
    # ipywidgets; imported here, that comes after the notebook's setup cell has silenced it.
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
    source = source_of(name)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    final = data_dir / source.archive
    failures: dict[str, list[str]] = {}
    for url in source.urls:
        print(f"Downloading {name} from {url}")
        try:
            with atomic.replacing(final, source.size) as temp:
                _fetch(url, temp)
                verify(name, temp)
            return final
        except requests.RequestException as error:
            failures.setdefault(_in_words(error), []).append(url)
        except ChecksumError as error:
            failures.setdefault(
                f"another file (SHA-256 expected {error.expected}, got {error.got})", []
            ).append(url)
        except DataError as error:
            failures.setdefault(str(error), []).append(url)
    # Mirrors that answered alike are named together: offline, that is one reason for all.
    answers = "; ".join(f"{', '.join(urls)}: {answer}" for answer, urls in failures.items())
    raise DownloadError(f"Could not download the {name} data set: {answers}. {placement([name], data_dir)}")


def _in_words(error: requests.RequestException) -> str:
    """What a mirror answered, in a few plain words rather than the network library's report."""
    if isinstance(error, requests.HTTPError):
        return f"HTTP {error.response.status_code} {error.response.reason}"
    text = str(error)
    if isinstance(error, requests.Timeout):
        return "no answer (it timed out)"
    if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return "no answer (no internet connection, or the server's name is unknown)"
    if "refused" in text.lower():
        return "no answer (the connection was refused)"
    if isinstance(error, requests.ConnectionError):
        return "no answer (the connection failed)"
    return "the download broke off midway"


def placement(names: Sequence[str], data_dir: str | os.PathLike) -> str:
    """What a user may place by hand instead of a download, for each named data set: every form,
    with its name and size, and the folder to place it in; one paragraph."""
    data_dir = Path(data_dir)
    forms = []
    for name in names:
        source = source_of(name)
        size = f" ({source.size:,} bytes)" if source.size else ""
        form = f"{' or '.join((source.archive, *source.other_names))}{size}"
        if source.folder and source.count and name != "mnist":
            form += (
                f", or the extracted folder {data_dir / source.folder} with its {source.count:,} .jpg images"
            )
        forms.append(form)
    them = "them" if len(names) > 1 else "it"
    return (
        f"Fix: on a machine with internet access, download {them} from an address above and place {them} "
        f"in the folder {data_dir} (the notebook's data_dir): {'; '.join(forms)}. Then run again: a placed "
        "file is checked against its published checksum and used, with no download."
    )


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
            failures.append((name, str(error).split(" Fix:")[0]))
    if failures:
        what = " ".join(reason for _, reason in failures)
        raise DownloadError(
            f"{len(failures)} of {len(names)} files could not be had. {what} "
            f"{placement([name for name, _ in failures], data_dir)}"
        )
    return found
