"""A batch's review time on 1 and on 2 workers of a LocalCluster: what a course gains per worker.

The batch is ``--copies`` copies of one submission (e.g. the zip ``submission.py`` makes of your
own run), under other names, so that every review does the same work. Each worker count reviews
the whole batch ``--runs`` times into a fresh folder (nothing is skipped), as a reviewer runs
``review.py submissions/ --workers N``, the cluster's start included; the two counts alternate,
so that both see the same machine.

Usage: python -m benchmarks.review_workers SUBMISSION.zip [--copies 4] [--runs 3] [--data-dir data]
One line per run; then each count's median, the seconds per review, and what a term of 300
submissions takes at that rate on a machine of this kind; the last line is
``2 workers: N.NNx the batch rate of 1 worker (median of R runs)``.
"""

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import review
from harness.project import PROJECT

TERM = 300  # Submissions a course receives in a term.


def batch_of(submission: Path, copies: int, folder: Path) -> Path:
    """``copies`` copies of ``submission`` in ``folder``/submissions."""
    batch = folder / "submissions"
    batch.mkdir()
    for index in range(copies):
        shutil.copy(submission, batch / f"learner{index:03d}.zip")
    return batch


def seconds_to_review(batch: Path, workers: int, data_dir: Path, folder: Path) -> float:
    """Wall time of ``review.py BATCH --workers N`` into a fresh output folder."""
    output = Path(tempfile.mkdtemp(dir=folder, prefix=f"reviews-{workers}-"))
    arguments = [str(batch), "-o", str(output), "--data-dir", str(data_dir), "--workers", str(workers)]
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = review.main(arguments)
    seconds = time.perf_counter() - start
    if code != 0 or len(list(output.glob("*.review.md"))) != len(list(batch.glob("*.zip"))):
        raise RuntimeError(f"review.py {' '.join(arguments)} did not review every submission (exit {code}).")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="review_workers.py", description=__doc__.splitlines()[0])
    parser.add_argument("submission", type=Path, help="a submission's zip, copied to make the batch")
    parser.add_argument("--copies", type=int, default=4, help="submissions in the batch (default 4)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each worker count (default 3)")
    parser.add_argument("--data-dir", type=Path, default=PROJECT / "data", help="the reviewer's data folder")
    args = parser.parse_args(argv)
    if args.copies < 2 or args.runs < 1:
        parser.error("--copies takes a whole number from 2, --runs from 1")
    if not args.submission.is_file():
        parser.error(
            f"{args.submission} is not a file: give a submission's zip (python submission.py makes one)"
        )
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="review-workers-") as work:
        batch = batch_of(args.submission, args.copies, Path(work))
        for run in range(args.runs):
            for workers in times:
                seconds = seconds_to_review(batch, workers, args.data_dir, Path(work))
                times[workers].append(seconds)
                print(
                    f"run {run + 1}, {workers} worker(s): {args.copies} reviews in {seconds:.1f} s",
                    flush=True,
                )
    medians = {workers: statistics.median(seconds) for workers, seconds in times.items()}
    for workers, median in medians.items():
        each = median / args.copies
        print(
            f"{workers} worker(s): median {median:.1f} s for {args.copies} reviews, {each:.1f} s a review; "
            f"a term of {TERM}: {TERM * each / 60:.0f} min on one machine like this one"
        )
    print(
        f"2 workers: {medians[1] / medians[2]:.2f}x the batch rate of 1 worker (median of {args.runs} runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
