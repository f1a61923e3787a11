"""The grader's version: a digest of the source of what judges a submission.

A course fixes a check in the middle of a term. Each review records the version of what judged
it (the checks, the judges, the rubric, the review's own verdicts), and a batch's digest of a
submission includes it (``batch.Submission.digest``): a rerun after the grader changed reviews
every submission again, and keeps each earlier review beside the new one.
"""

from __future__ import annotations

import functools
import hashlib

from harness.project import PROJECT

# What judges: its source files, under the project, by folder or file. The checks train in a
# ``training.Run``; ``exercise`` says what a blank function is; ``band`` places the figures.
JUDGING = (
    "harness/checks",
    "harness/judges",
    "harness/practices",
    "harness/review",
    "harness/training",
    "harness/band.py",
    "harness/evidence.py",
    "harness/exercise.py",
    "harness/messages.py",
    "harness/rubric.py",
    "harness/reference_band.json",
    "problem_unittests.py",
)
# The batch's own bookkeeping: how reviews are listed and written, and the note on similar
# submissions (which changes no verdict), judge nothing.
BOOKKEEPING = tuple(
    f"harness/review/{name}.py"
    for name in ("batch", "grader", "render", "summary", "similarity", "similarity_report", "traces")
)


@functools.cache
def version() -> str:
    """The first 12 hex digits of the SHA-256 of the judging files, each with its path."""
    files = set()
    for entry in JUDGING:
        path = PROJECT / entry
        files |= set(path.rglob("*.py")) if path.is_dir() else {path}
    hashed = hashlib.sha256()
    for path in sorted(files):
        relative = path.relative_to(PROJECT).as_posix()
        if relative not in BOOKKEEPING:
            hashed.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return hashed.hexdigest()[:12]
