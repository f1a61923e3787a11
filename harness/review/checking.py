"""The learner's functions checked: evidence made in a sandbox, verdicts given where it cannot reach.

``check`` writes the project's given definitions (``project.given_definitions``: no solution) and
the learner's definitions (``code.learner_code``) into a scratch folder, and runs ``worker`` there
through ``sandbox.run``: each function is called on the graphs of our checks in a process of its
own, and what it built is written to ``evidence/`` as data (``harness.evidence``). Its report (a
line of JSON) is read as untrusted data: a failure is the one thing the learner's code may say of
itself, since it can only cost it a pass. Then ``judging`` judges the evidence in a sandbox of its
own; nothing the learner's sandbox writes is a verdict, and a function whose source is still the
exercise's blank (``code.LearnerCode.unwritten``, read as text) never passes. A training done
again, once every function passed, is ``retraining``'s.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness import messages, project
from harness.practices.note import Note
from harness.review import judging, learner, retraining, sandbox
from harness.review.code import LearnerCode
from harness.review.worker import EVIDENCE, FAILED
from harness.rubric import FUNCTIONS

# How Python runs the worker: -P keeps the scratch folder (which the learner's code may write) off
# the import path; the project's modules come from PYTHONPATH.
WORKER = ["-P", "-m", "harness.review.worker"]
_MOST_REPORT_BYTES = 2**20  # Far more than six failures, the lines of six graphs and a dozen notes.
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a submission's functions.

    Attributes:
        results: Each function's outcome as the judge gave it: "passed", "failed: why" or
            "could not be verified: why", for those whose evidence was made.
        notes: The notes on the learner's practices.
        stopped: The limit that stopped the learner's code, in words, or None.
        error: The last line of the worker's (or the judge's) errors when it failed without a limit.
        seconds: How long the evidence and the judging took.
        trained: The training done again, when asked for: ``{"samples": uint8 array}`` it left
            (data, measured on the reviewer's side), or ``{"failed": why}``.
        built_by: For each function, the lines of the learner's code that made its graphs, as the
            learner's sandbox reported them (for the reviewer to read, never for a verdict).
    """

    results: dict[str, str]
    notes: list[Note]
    stopped: str | None
    error: str | None
    seconds: float
    trained: dict | None = None
    built_by: dict[str, list[int]] = field(default_factory=dict)


def check(
    code: LearnerCode, scratch: Path, limits: sandbox.Limits, training: retraining.Training | None = None
) -> Checked:
    """Checks the learner's functions in ``code``: evidence in one sandbox, verdicts in another.

    Args:
        code: The learner's definitions, from the submitted notebook.
        scratch: A fresh folder: the learner's sandbox's only writable place.
        limits: What the learner's code (and the judge) may use.
        training: The training to do again once every function passed, or None for none.
    """
    sandbox.prepare(scratch)
    (scratch / learner.GIVEN_FILE).write_text(project.given_definitions(), encoding="utf-8")
    (scratch / learner.LEARNER_FILE).write_text(code.source, encoding="utf-8")
    outcome = sandbox.run([sys.executable, *WORKER], scratch, limits)
    report = _read_report(outcome.stdout)
    judged = judging.judge(
        scratch / EVIDENCE, report.failures, report.digests, scratch.parent / f"{scratch.name}-judge", limits
    )
    results = judged.results
    if outcome.stopped is None and outcome.returncode == 0:  # It ended, yet left nothing of these.
        for name in FUNCTIONS:
            results.setdefault(name, f"{judging.UNVERIFIED}: no evidence of it was made.")
    for name, result in results.items():
        limit = sandbox.ran_into(result, limits)
        if limit:  # The check's message names the error; the review names the limit behind it.
            results[name] = f"{result} It ran into {limit}."
    for name in code.unwritten:  # Read from its source: nothing its process did can change this.
        results[name] = f"failed: {messages.not_written_yet(name)}"
    error = judged.error or (None if outcome.stopped else outcome.problem())
    seconds = outcome.seconds + judged.seconds
    trained = None
    if training is not None and all(results.get(name) == "passed" for name in FUNCTIONS):
        samples, why = retraining.train_again(scratch, limits, training)
        trained = {"samples": samples} if samples is not None else {"failed": why}
    return Checked(
        results, report.notes + judged.notes, outcome.stopped, error, seconds, trained, report.built_by
    )


@dataclass
class _Report:
    failures: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    built_by: dict[str, list[int]] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)


def _read_report(stdout: str) -> _Report:
    """The worker's last line of output, read as untrusted data: bounded, typed, known names."""
    lines = stdout[-_MOST_REPORT_BYTES:].strip().splitlines()
    report = _Report()
    with contextlib.suppress(json.JSONDecodeError, IndexError):
        found = json.loads(lines[-1])
        if isinstance(found, dict):
            report = _Report(
                _failures(found.get("claims")),
                _notes(found.get("notes")),
                _lines(found.get("built_by")),
                _digests(found.get("evidence")),
            )
    return report


def _failures(claims) -> dict[str, str]:
    if not isinstance(claims, dict):
        return {}
    return {
        name: claims[name][:2000]
        for name in FUNCTIONS
        if isinstance(claims.get(name), str) and claims[name].startswith(FAILED)
    }


def _notes(entries) -> list[Note]:
    notes = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and {"subject", "done_well", "text"} <= entry.keys():
            notes.append(
                Note(str(entry["subject"])[:100], entry["done_well"] is True, str(entry["text"])[:2000])
            )
    return notes


def _lines(built_by) -> dict[str, list[int]]:
    if not isinstance(built_by, dict):
        return {}
    return {
        name: sorted({line for line in built_by[name][:10_000] if isinstance(line, int) and line > 0})
        for name in FUNCTIONS
        if isinstance(built_by.get(name), list)
    }


def _digests(evidence) -> dict[str, str]:
    if not isinstance(evidence, dict):
        return {}
    return {
        name: digest
        for name, digest in evidence.items()
        if isinstance(name, str) and isinstance(digest, str) and _SHA256.match(digest)
    }
