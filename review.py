"""Drafting a review of a submission, by the project's rubric, without trusting it.

    python review.py dlnd_face_generation_submission.zip   # also a folder, or a notebook alone
    python review.py submissions/                          # every zip in it, and a summary table

Each review is written as Markdown (to edit and send) and as HTML, in ``reviews/``. The
submission's code runs only in a sandbox (bubblewrap where the machine has it) with limits on
time, memory and processes; the top of each review says which. No training runs: the figures
are read from the executed notebook and its report, and the samples it shows are measured again
with the digit classifier your own run of the notebook left in ``data/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

# The digit classifier is built with tf.compat.v1.layers: the legacy Keras, chosen before TensorFlow loads.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from harness import atomic
from harness.project import PROJECT
from harness.review import render, retraining, sandbox
from harness.review.draft import Review, draft

TRAINING_SAMPLES = 10_000  # As the notebook measures each epoch.


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


def training_asked(args: argparse.Namespace) -> retraining.Training | None:
    """The training to do again (``--train``), once the data it needs is known to be there."""
    if not args.train:
        return None
    lacking = retraining.missing(args.data_dir)
    if lacking:
        raise BadArguments(
            f"--train needs MNIST and the digit classifier in {args.data_dir}, which lacks "
            f"{', '.join(lacking)}: run the notebook once (`python run_notebook.py`) first."
        )
    return retraining.Training(args.train, args.max_batches, TRAINING_SAMPLES, args.data_dir)


def limits_for(minutes: float, training: retraining.Training | None) -> sandbox.Limits:
    """The limits of each submission's code: ``minutes`` of wall time, and CPU time to match."""
    # Training keeps every core busy for the whole wall time; the checks alone need far less CPU.
    cpu = int(minutes * 60 * (os.cpu_count() or 1)) if training else sandbox.Limits.cpu_seconds
    return sandbox.Limits(wall_seconds=minutes * 60, cpu_seconds=cpu)


def review_one(submission: Path, args, limits: sandbox.Limits, training) -> Review:
    """Reviews one submission in a fresh working folder, removed after; never raises."""
    with tempfile.TemporaryDirectory(prefix="review-") as work:
        os.chmod(work, 0o711)  # The sandbox's user must reach its scratch folder inside.
        try:
            review = draft(submission, Path(work), args.data_dir, limits, training)
        except Exception as error:  # One broken submission does not stop the others' reviews.
            review = Review(
                submission.name.removesuffix(".zip"), refused=f"It could not be reviewed: {error}"
            )
        shutil.rmtree(work, ignore_errors=True)  # Whatever the sandbox's user left in it too.
    return review


def write(review: Review, output: Path) -> Path:
    """Writes ``NAME.review.md`` and ``NAME.review.html`` in ``output``; returns the Markdown's path."""
    output.mkdir(parents=True, exist_ok=True)
    for suffix, text in ((".md", render.markdown(review)), (".html", render.page(review))):
        with atomic.replacing(output / f"{review.name}.review{suffix}") as temp:
            temp.write_text(text, encoding="utf-8")
    return output / f"{review.name}.review.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="review.py", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", type=Path, help="zips, folders or notebooks")
    parser.add_argument("-o", "--output", type=Path, default=Path("reviews"), help="default: reviews/")
    parser.add_argument("--data-dir", type=Path, default=PROJECT / "data", help="where the classifier is")
    parser.add_argument("--minutes", type=float, default=10, help="wall time for each submission's code")
    parser.add_argument("--train", type=int, metavar="EPOCHS", help="train MNIST again (the notebook: 2)")
    parser.add_argument("--max-batches", type=int, help="with --train: batches per epoch (default all)")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or any(value is not None and value < 1 for value in (args.train, args.max_batches)):
        parser.error("--minutes takes a positive number, --train and --max-batches whole numbers from 1")
    try:
        submissions, training = submissions_in(args.submissions), training_asked(args)
    except BadArguments as error:
        print(error, file=sys.stderr)
        return 2
    limits = limits_for(args.minutes, training)
    print(sandbox.describe(limits))
    reviews = []
    for submission in submissions:
        review = review_one(submission, args, limits, training)
        reviews.append(review)
        print(f"{write(review, args.output)}: {render.verdict_line(review)} ({review.seconds:.0f} s)")
    if len(reviews) > 1:
        with atomic.replacing(args.output / "summary.md") as temp:
            temp.write_text(render.summary(reviews), encoding="utf-8")
        print(render.summary(reviews))
    return 0


if __name__ == "__main__":
    sys.exit(main())
