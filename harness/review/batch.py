"""Reviewing a batch of submissions: one task each, on Dask's ``distributed`` or one after another.

A course receives hundreds of submissions a term. Each review is one task: the submission's
bytes and the review's options go in, the ``Review`` comes out, and this process writes its
files and the summary's row as soon as it arrives. The tasks run on a ``distributed`` cluster
(a ``LocalCluster`` on this machine, or a course's own scheduler), which places them on its
workers and, when a worker dies in the middle of one, runs it again on another; or, with no
cluster, one after another in this process. On the worker, the review runs exactly as it runs
here: unpacked, checked in the sandbox and judged (``draft``).

A rerun skips the submissions whose digest (content, options and the grader's version) the
summary already holds and whose review is written, and reviews the rest, so a stopped batch loses
nothing done. After the grader changed, each earlier review is kept beside the new one, and the
summary says which verdicts changed (``grader``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import atomic
from harness.review import grader, render, retraining, sandbox, summary, unpack
from harness.review.draft import Review, draft

__all__ = ["Options", "Submission", "review_all", "review_file", "submission_of"]

TRAINING_SAMPLES = 10_000  # As the notebook measures each epoch.
TRAINING_CORES = 2  # What a review that trains asks of a worker: training keeps them busy.


@dataclass(frozen=True)
class Options:
    """What a review is asked to do, as the worker gets it.

    Attributes:
        data_dir: The data folder on the worker: the digit classifier, and MNIST for ``train``.
        minutes: Wall time for each submission's code.
        train: MNIST epochs to train again, or None.
        max_batches: With ``train``: batches per epoch, or None for all.
    """

    data_dir: str
    minutes: float = 10
    train: int | None = None
    max_batches: int | None = None

    def limits(self) -> sandbox.Limits:
        """The limits of the submission's code: ``minutes`` of wall time, and CPU time to match."""
        # Training keeps every core busy for the whole wall time; the checks alone need far less CPU.
        cpu = int(self.minutes * 60 * (os.cpu_count() or 1)) if self.train else sandbox.Limits.cpu_seconds
        return sandbox.Limits(wall_seconds=self.minutes * 60, cpu_seconds=cpu)

    def training(self) -> retraining.Training | None:
        if not self.train:
            return None
        return retraining.Training(self.train, self.max_batches, TRAINING_SAMPLES, Path(self.data_dir))

    def needs(self, declared: set[str]) -> dict[str, float]:
        """The worker resources a review asks for, of those the cluster's workers declare."""
        if self.train and "GPU" in declared:
            return {"GPU": 1}
        if "CPU" in declared:
            return {"CPU": TRAINING_CORES if self.train else 1}
        return {}


@dataclass(frozen=True)
class Submission:
    """A submission as a task takes it: its name, its kind (".zip" or ".ipynb") and its bytes."""

    name: str
    suffix: str
    payload: bytes

    def digest(self, options: Options) -> str:
        """What identifies its review: its content, the options and the grader's version, not where
        it lies."""
        chosen = {key: value for key, value in asdict(options).items() if key != "data_dir"}
        hashed = hashlib.sha256(self.payload)
        hashed.update(json.dumps(chosen | {"grader": grader.version()}, sort_keys=True).encode())
        return hashed.hexdigest()[:16]


class TooLarge(ValueError):
    """A submission too large to be sent to a worker; the message says its size and the limit."""


def submission_of(path: Path) -> Submission:
    """The submission at ``path`` (a zip, a notebook or a folder, zipped here) as a task takes it.

    Raises:
        TooLarge: It is larger than a submission may expand to (``unpack.MOST_BYTES``).
    """
    name = path.name.removesuffix(".zip")
    if path.is_dir():
        return Submission(name, ".zip", _zipped(path))
    size = path.stat().st_size
    if size > unpack.MOST_BYTES:
        raise TooLarge(
            f"{path.name} is {size / 2**20:.0f} MiB, over {unpack.MOST_BYTES / 2**20:.0f} MiB: "
            "a submission is a notebook, its report and two .py files."
        )
    return Submission(name, ".ipynb" if path.suffix == ".ipynb" else ".zip", path.read_bytes())


def _zipped(folder: Path) -> bytes:
    """A folder's files as a zip; a link stays a link, which unpacking refuses as it refuses it here."""
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            member = path.relative_to(folder).as_posix()
            if path.is_symlink():
                info = zipfile.ZipInfo(member)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                bundle.writestr(info, os.readlink(path))
            elif path.is_file():
                total += path.stat().st_size
                if total > unpack.MOST_BYTES:
                    raise TooLarge(f"{folder.name} holds over {unpack.MOST_BYTES / 2**20:.0f} MiB of files.")
                bundle.write(path, member)
    return buffer.getvalue()


def review_file(path: Path, options: Options) -> Review:
    """Reviews the submission at ``path`` in a fresh working folder, removed after; never raises."""
    with tempfile.TemporaryDirectory(prefix="review-") as work:
        os.chmod(work, 0o711)  # The sandbox's user must reach its scratch folder inside.
        try:
            review = draft(
                path, Path(work) / "draft", Path(options.data_dir), options.limits(), options.training()
            )
        except Exception as error:  # One broken submission does not stop the others' reviews.
            review = Review(path.name.removesuffix(".zip"), refused=f"It could not be reviewed: {error}")
        shutil.rmtree(work, ignore_errors=True)  # Whatever the sandbox's user left in it too.
    return review


def review_submission(submission: Submission, options: Options) -> Review:
    """The task: reviews ``submission`` where it runs (a worker, or this process)."""
    with tempfile.TemporaryDirectory(prefix="submission-") as folder:
        path = Path(folder) / f"{submission.name}{submission.suffix}"
        path.write_bytes(submission.payload)
        return review_file(path, options)


def write_review(review: Review, output: Path) -> Path:
    """Writes ``NAME.review.md`` and ``NAME.review.html`` in ``output``; returns the Markdown's path."""
    output.mkdir(parents=True, exist_ok=True)
    for suffix, text in ((".md", render.markdown(review)), (".html", render.page(review))):
        with atomic.replacing(output / f"{review.name}.review{suffix}") as temp:
            temp.write_text(text, encoding="utf-8")
    return output / f"{review.name}.review.md"


def done_before(rows: list[summary.Row], output: Path) -> dict[str, summary.Row]:
    """The rows of reviews that a rerun need not do again, by digest: ended, and written."""
    return {
        row.digest: row
        for row in rows
        if row.result != summary.FAILED and (output / f"{row.name}.review.md").is_file()
    }


def review_all(
    submissions: list[Submission],
    options: Options,
    output: Path,
    client=None,
    told: Callable[[str, summary.Row, int], None] = lambda event, row, running: None,
) -> list[summary.Row]:
    """Reviews every submission not reviewed before with the same digest; returns all the rows.

    The summary in ``output`` is rewritten as each review arrives, so a stop loses nothing done.

    Args:
        submissions: The batch.
        options: The reviews' options.
        output: Where the reviews and the summary are written.
        client: A ``distributed.Client`` to run the reviews on; None for one after another here.
        told: ``told(event, row, running)`` for each submission as its row is known: the event
            is "skipped", "done" or "failed"; ``running`` counts the reviews under way then.
    """
    output.mkdir(parents=True, exist_ok=True)
    earlier = {row.name: row for row in summary.read(output)}
    before = done_before(list(earlier.values()), output)
    rows: dict[str, summary.Row] = {}
    todo = []
    for submission in submissions:
        digest = submission.digest(options)
        if digest in before and before[digest].name == submission.name:
            rows[submission.name] = before[digest]
            told("skipped", before[digest], 0)
        else:
            todo.append((submission, digest))
    summary.write(list(rows.values()), output)
    results = _on_cluster(client, todo, options) if client is not None else _here(todo, options)
    for submission, digest, review, failure, running in results:
        if review is not None:
            row = summary.row_of(review, digest)
            keep_earlier(earlier.get(submission.name), row, output)
            write_review(review, output)
        else:
            row = summary.failed(submission.name, digest, failure)
        rows[submission.name] = row
        summary.write(list(rows.values()), output)
        told("failed" if row.result == summary.FAILED else "done", row, running)
    return sorted(rows.values(), key=lambda row: row.name)


def keep_earlier(before: summary.Row | None, row: summary.Row, output: Path) -> None:
    """When another grader judged ``before``, keeps its review as ``NAME.review.VERSION.md`` (and
    .html) beside the new one, and tells ``row`` what changed since."""
    if before is None or before.grader == row.grader or before.result == summary.FAILED:
        return
    version = before.grader or "unversioned"
    for suffix in (".md", ".html"):
        written = output / f"{before.name}.review{suffix}"
        if written.is_file():
            written.replace(output / f"{before.name}.review.{version}{suffix}")
    row.previous_grader, row.changed = version, summary.changes(before, row)


def _here(todo: list, options: Options) -> Iterator[tuple]:
    for index, (submission, digest) in enumerate(todo):
        yield submission, digest, review_submission(submission, options), None, int(index + 1 < len(todo))


def _on_cluster(client, todo: list, options: Options) -> Iterator[tuple]:
    """The reviews as they end on ``client``'s cluster, in the order they end.

    At most two tasks per worker thread are handed over at a time, so that the scheduler holds
    a few submissions' bytes, not a term's.
    """
    from distributed import as_completed

    workers = client.scheduler_info()["workers"].values()
    needs = options.needs({name for worker in workers for name in worker.get("resources", {})})
    window = max(4, 2 * sum(worker.get("nthreads", 1) for worker in workers))
    waiting, futures = iter(todo), {}

    def submit_next() -> object | None:
        for submission, digest in waiting:
            key = f"review-{submission.name}-{digest}"
            future = client.submit(review_submission, submission, options, key=key, resources=needs or None)
            futures[future] = (submission, digest)
            return future
        return None

    ended = as_completed([future for future in (submit_next() for _ in range(window)) if future is not None])
    for future in ended:
        submission, digest = futures.pop(future)
        try:
            review, failure = future.result(), None
        except Exception as error:  # A worker that died too often, a lost connection: a row, not the end.
            review, failure = None, _failure(error)
        future.release()
        if (following := submit_next()) is not None:
            ended.add(following)
        yield submission, digest, review, failure, _running(client, futures)


def _failure(error: Exception) -> str:
    """Why a task failed, with the fix when it is a worker's set-up."""
    said = f"{type(error).__name__}: {error}"
    if isinstance(error, ModuleNotFoundError) and error.name and error.name.startswith("harness"):
        said += " (start the workers from this project's folder with PYTHONPATH set to it)"
    return said


def _running(client, futures: dict) -> int:
    """How many of ``futures`` a worker is computing now."""
    processing = {key for keys in client.processing().values() for key in keys}
    return sum(future.key in processing for future in futures)
