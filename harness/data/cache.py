"""Decoding every image once into a memory-mapped uint8 ``.npy`` file, in parallel across cores.

A cache is keyed by its file list, size and mode (``path_for``) and stamped with the files'
sizes and modification times and its own size and first bytes (``read_or_build``): a cache whose
stamp does not match is built again, with a one-line note. The disk space is claimed before the
images are decoded, so that a full disk is a clear error and not a crash.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import functools
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from harness import atomic
from harness.data.errors import DamagedImageError, DataError
from harness.data.images import get_image

__all__ = ["build_cache", "decode", "fingerprint", "path_for", "read_or_build"]

# Bumped whenever the decoding changes, so that every older cache counts as stale.
_CACHE_VERSION = 1
_CACHE_CHUNK = 512  # Images decoded per task when the cache is built in parallel.


def decode(
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


def fingerprint(files: Sequence[str]) -> str:
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
    atomic.require_space(cache_path, needed)
    starts = range(0, count, _CACHE_CHUNK)
    chunks = [image_files[start : start + _CACHE_CHUNK] for start in starts]
    workers = min(workers or os.cpu_count() or 1, len(chunks))
    try:
        with atomic.replacing(cache_path, needed) as temp:
            cache = np.lib.format.open_memmap(temp, mode="w+", dtype=np.uint8, shape=shape)
            # Claim the disk space now: a full disk then fails here, as an error, and not later as a
            # SIGBUS in a write to the memory-mapped file.
            with open(temp, "r+b") as stream:
                os.posix_fallocate(stream.fileno(), 0, temp.stat().st_size)
            with tqdm(total=count, desc=f"Caching {count} images", unit="img") as progress:
                decode_chunk = functools.partial(
                    decode, width=width, height=height, mode=mode, skip_damaged=skip_damaged
                )
                pool = None if workers == 1 else _executor(workers)
                decoded = map(decode_chunk, chunks) if pool is None else pool.map(decode_chunk, chunks)
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
    except atomic.DiskFullError:
        raise
    except OSError as error:
        raise DataError(
            f"Writing the cache {cache_path} failed ({error.strerror or error}). Check that you may write "
            f"in {cache_path.parent} (or pass Dataset(..., cache_dir=...) another folder) and run again."
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


def path_for(cache_dir: Path, name: str, files: Sequence[str], shape: tuple, mode: str) -> Path:
    """Where the cache of these files, decoded to ``shape`` in ``mode``, is kept in ``cache_dir``."""
    key = json.dumps([_CACHE_VERSION, list(shape), mode, list(files)])
    return cache_dir / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npy"


def read_or_build(
    files: Sequence[str], shape: tuple[int, int, int, int], mode: str, path: Path, skip_damaged: bool = False
) -> np.ndarray:
    """The cache at ``path`` as a read-only memory map, built first if it is missing or stale.

    Args:
        files: Paths of the images, in cache order.
        shape: (count, height, width, channels) of the cache.
        mode: PIL mode of the images.
        path: The cache file; its stamp is the ``.json`` beside it.
        skip_damaged: Leave out the images that cannot be decoded, instead of stopping.

    Returns:
        The images, uint8; fewer than ``shape`` says when damaged ones were left out.

    Raises:
        DamagedImageError: An image cannot be decoded, naming it.
        DataError: Not enough disk space, or writing failed.
    """
    stamp_path = path.with_suffix(".json")
    expected = {"fingerprint": fingerprint(files), "shape": list(shape)}
    atomic.sweep_and_say(path.parent)
    problem = _cache_problem(path, stamp_path, expected)
    if problem:
        if problem != "missing":
            print(f"The cache {path.name} {problem}: building it again.")
        path.parent.mkdir(parents=True, exist_ok=True)
        skipped = build_cache(files, shape, mode, path, skip_damaged=skip_damaged)
        atomic.write_text(stamp_path, json.dumps({**expected, **_cache_seal(path), "skipped": skipped}))
    return np.load(path, mmap_mode="r")
