"""Drafting a review of a submission, by the project's rubric, without trusting it.

    python review.py dlnd_face_generation_submission.zip   # also a folder, or a notebook alone
    python review.py submissions/ --workers 4              # every zip in it, 4 at a time, and a summary
    python review.py submissions/ --scheduler tcp://HOST:8786   # on a course's Dask cluster

Each review is written as Markdown (to edit and send) and as HTML, in ``reviews/``; a batch also
gets ``summary.md``, ``summary.html`` and ``summary.csv`` (for a gradebook), rewritten as each
review arrives, and ``similarity.html`` and ``similarity.csv``: the submissions too alike to be
independent (the same code, or the reference's; the same figures or samples), named in their
drafts. A rerun skips what it already reviewed with the same content and options. The
submission's code runs only in a sandbox (bubblewrap where the machine has it) with limits on
time, memory and processes; the top of each review says which. No training runs unless asked
(``--train``): the figures are read from the executed notebook and its report, and the samples it
shows are measured again with the digit classifier your own run of the notebook left in ``data/``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from harness.project import PROJECT
from harness.review import batch, render, retraining, sandbox, similarity_report, summary
from harness.review.batch import Options

CONNECT_TIMEOUT = "10s"  # How long to try a scheduler given by --scheduler.
INSTALL_REVIEW = "`.venv/bin/pip install -r requirements-review.txt`"


class BadArguments(ValueError):
    """What review.py was given cannot be reviewed; the message says what to give instead."""


def submissions_in(paths: list[Path]) -> list[Path]:
    """The submissions named: a zip, a notebook, a submission's folder, or a folder of zips."""
    found = []
    for path in paths:
        if not path.exists():
            raise BadArguments(f"{path} does not exist: give a submission's zip, folder or notebook.")
        zips = sorted(path.glob("*.zip")) if path.is_dir() else []
        found += zips or [path]
    return found


def options_of(args: argparse.Namespace) -> Options:
    """The reviews' options; with ``--train``, once the data it needs is known to be there."""
    if args.train:
        lacking = retraining.missing(args.data_dir)
        if lacking:
            raise BadArguments(
                f"--train needs MNIST and the digit classifier in {args.data_dir}, which lacks "
                f"{', '.join(lacking)}: run the notebook once (`python run_notebook.py`) first."
            )
    return Options(str(args.data_dir.resolve()), args.minutes, args.train, args.max_batches)


def loaded(paths: list[Path], output: Path) -> list[batch.Submission]:
    """The submissions' bytes; one that cannot be sent gets its refusal written at once."""
    found = []
    for path in paths:
        try:
            found.append(batch.submission_of(path))
        except (batch.TooLarge, OSError) as error:
            review = batch.Review(
                path.name.removesuffix(".zip"), refused=f"It could not be reviewed: {error}"
            )
            print(f"{batch.write_review(review, output)}: {render.verdict_line(review)}")
    return found


@contextlib.contextmanager
def cluster(args: argparse.Namespace, count: int):
    """A ``distributed.Client``: on ``--scheduler``'s cluster, or on a ``LocalCluster`` of
    ``--workers`` processes; None (one after another, here) for ``--workers 0`` or a single review."""
    if args.scheduler is None and (args.workers == 0 or count <= 1):
        yield None
        return
    import logging

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        if args.scheduler is not None:
            raise BadArguments(f"--scheduler needs Dask, which is not installed: {INSTALL_REVIEW}") from None
        print(f"Reviewing one after another: Dask is not installed ({INSTALL_REVIEW}).", file=sys.stderr)
        yield None
        return

    if args.scheduler is not None:
        try:
            client = Client(args.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise BadArguments(
                f"Cannot reach a Dask scheduler at {args.scheduler} ({error}). Start one with "
                f"`dask scheduler` and its workers with `dask worker {args.scheduler}`, or leave out "
                "--scheduler to review here."
            ) from None
        with client:
            yield client
        return
    cores = max(1, (os.cpu_count() or 1) // args.workers)
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            resources={"CPU": cores},
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as local,
        Client(local) as client,
    ):
        yield client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="review.py", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", type=Path, help="zips, folders or notebooks")
    parser.add_argument("-o", "--output", type=Path, default=Path("reviews"), help="default: reviews/")
    parser.add_argument("--data-dir", type=Path, default=PROJECT / "data", help="where the classifier is")
    parser.add_argument("--minutes", type=float, default=10, help="wall time for each submission's code")
    parser.add_argument("--train", type=int, metavar="EPOCHS", help="train MNIST again (the notebook: 2)")
    parser.add_argument("--max-batches", type=int, help="with --train: batches per epoch (default all)")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, (os.cpu_count() or 1) // 2),
        help="reviews at a time on this machine (default: half its cores); 0: one after another, here",
    )
    parser.add_argument("--scheduler", metavar="tcp://HOST:8786", help="a Dask scheduler to review on")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or any(value is not None and value < 1 for value in (args.train, args.max_batches)):
        parser.error("--minutes takes a positive number, --train and --max-batches whole numbers from 1")
    if args.workers < 0:
        parser.error("--workers takes a whole number from 0")
    try:
        paths, options = submissions_in(args.submissions), options_of(args)
    except BadArguments as error:
        print(error, file=sys.stderr)
        return 2
    print(sandbox.describe(options.limits()))
    submissions = loaded(paths, args.output)
    progress = Progress(len(submissions), args.output)
    try:
        with cluster(args, len(submissions)) as client:
            batch.review_all(submissions, options, args.output, client, progress)
    except BadArguments as error:
        print(error, file=sys.stderr)
        return 2
    if len(paths) > 1:
        print(summary.markdown(summary.read(args.output)))
        print(similar(submissions, args.output))
    print(progress.describe())
    return 0


def similar(submissions: list[batch.Submission], output: Path) -> str:
    """Writes the similarity report of a batch, and says where and how many pairs it names."""
    try:
        import copydetect  # noqa: F401
    except ImportError:
        return f"No similarity report: copydetect is not installed ({INSTALL_REVIEW})."
    alike = similarity_report.report(submissions, output)
    return f"{output / similarity_report.FILES['html']}: {len(alike)} pairs of similar submissions."


class Progress:
    """A progress bar over the submissions: done, running, failed, and the time left."""

    def __init__(self, total: int, output: Path) -> None:
        from tqdm import tqdm

        self.output = output
        self.bar = tqdm(total=total, unit="review", disable=total <= 1, dynamic_ncols=True)
        self.failed = self.skipped = self.reviewed = 0

    def __call__(self, event: str, row: summary.Row, running: int) -> None:
        self.failed += event == "failed"
        self.skipped += event == "skipped"
        self.reviewed += event == "done"
        if event == "failed":
            self.bar.write(f"{row.name}: {row.result}: {row.note}")
        elif event == "done":
            self.bar.write(f"{self.output / row.name}.review.md: {row.result} ({row.seconds:.0f} s)")
        self.bar.set_postfix(running=running, failed=self.failed, skipped=self.skipped, refresh=False)
        self.bar.update()
        if self.bar.n == self.bar.total:
            self.bar.close()

    def describe(self) -> str:
        return (
            f"{self.reviewed} reviewed, {self.skipped} skipped (already reviewed with the same content "
            f"and options), {self.failed} failed (reviewed again by the next run)."
        )


if __name__ == "__main__":
    sys.exit(main())
