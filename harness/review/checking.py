"""The learner's functions, called on our graphs in a sandbox: they make evidence, never a verdict.

``check`` writes the learner's definitions (``code.learner_code``) into a scratch folder and runs
this module there, as ``python -m harness.review.checking``, through ``sandbox.run``. Inside, the
notebook's given definitions are loaded from this project's notebook (not the submission's), the
learner's are run over them, and each function is called on the graphs of our checks
(``harness.checks.build``); what it built is written to ``evidence/`` as data (``harness.evidence``).
When calling it fails, the learner's message is written instead: a failure is the one thing the
learner's code may say of itself, since it can only cost it a pass. Then ``judging`` judges the
evidence in a sandbox of its own; nothing this process writes is a verdict. A training done
again, once every function passed, is ``retraining``'s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.practices.note import Note
from harness.review import judging, learner, retraining, sandbox
from harness.review.code import LearnerCode
from harness.self_review import FUNCTIONS

LEARNER_FILE, CLAIMS_FILE, EVIDENCE = "learner_code.py", "claims.jsonl", "evidence"
# How Python runs the worker: -P keeps the scratch folder (which the learner's code may write) off
# the import path; the project comes from PYTHONPATH.
WORKER = ["-P", "-m", "harness.review.checking"]
_MOST_CLAIM_BYTES = 2**20  # Far more than six failures and a dozen notes take.
FAILED = ("failed: ", "missing: ")  # How a failure the learner's code claims must begin.


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
    """

    results: dict[str, str]
    notes: list[Note]
    stopped: str | None
    error: str | None
    seconds: float
    trained: dict | None = None


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
    (scratch / LEARNER_FILE).write_text(code.source, encoding="utf-8")
    outcome = sandbox.run([sys.executable, *WORKER, LEARNER_FILE], scratch, limits)
    failures, notes = _read_claims(scratch / CLAIMS_FILE)
    judged = judging.judge(scratch / EVIDENCE, failures, scratch.parent / f"{scratch.name}-judge", limits)
    results = judged.results
    if outcome.stopped is None and outcome.returncode == 0:  # It ended, yet left nothing of these.
        for name in FUNCTIONS:
            results.setdefault(name, f"{judging.UNVERIFIED}: no evidence of it was made.")
    for name, result in results.items():
        limit = sandbox.ran_into(result, limits)
        if limit:  # The check's message names the error; the review names the limit behind it.
            results[name] = f"{result} It ran into {limit}."
    notes += judged.notes
    error = judged.error or (None if outcome.stopped else outcome.problem())
    seconds = outcome.seconds + judged.seconds
    trained = None
    if training is not None and all(results.get(name) == "passed" for name in FUNCTIONS):
        samples, why = retraining.train_again(LEARNER_FILE, scratch, limits, training)
        trained = {"samples": samples} if samples is not None else {"failed": why}
    return Checked(results, notes, outcome.stopped, error, seconds, trained)


def _read_claims(path: Path) -> tuple[dict[str, str], list[Note]]:
    """The failures and notes the worker wrote, read as untrusted data: bounded, typed, known names."""
    failures, notes = {}, []
    if not path.is_file() or path.is_symlink():
        return failures, notes
    with path.open("rb") as stream:
        text = stream.read(_MOST_CLAIM_BYTES).decode("utf-8", "replace")
    for line in text.splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            entry = json.loads(line)
            if not isinstance(entry, dict):
                continue
            failure = entry.get("failure")
            if entry.get("function") in FUNCTIONS and isinstance(failure, str) and failure.startswith(FAILED):
                failures.setdefault(entry["function"], failure[:2000])
            elif {"subject", "done_well", "text"} <= entry.keys():
                notes.append(
                    Note(str(entry["subject"]), entry["done_well"] is True, str(entry["text"])[:2000])
                )
    return failures, notes


# Inside the learner's sandbox.


def _claim(entry: dict, owner: int) -> None:
    if os.getpid() != owner:  # A process the learner's code forked says nothing.
        os._exit(0)
    with open(CLAIMS_FILE, "a", encoding="utf-8") as claims:
        claims.write(json.dumps(entry) + "\n")


def _end_strays() -> None:
    """Ends the processes the learner's code left running (a fork bomb's), where the sandbox gives
    this process a process namespace of its own: there, signalling every process reaches only them."""
    if os.environ.get(sandbox.OWN_PROCESSES) == "1":
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)  # All but this process and the namespace's first.


def _make_evidence(name: str, function, owner: int) -> None:
    """Calls ``function`` on each case of its check, writing what it built; or claims its failure."""
    import tensorflow.compat.v1 as tf

    from harness import checks, evidence
    from harness.checks.common import as_failure
    from harness.quiet import native_log_lines_hidden

    folder = Path(EVIDENCE)
    for index, case in enumerate(checks.CHECKS[name].cases):
        try:
            with tf.Graph().as_default(), native_log_lines_hidden():
                built = checks.build(name, function, case)
            if os.getpid() != owner:
                os._exit(0)
            evidence.write(built, folder, f"{name}-{index}")
        except Exception as error:  # The learner's message, as the notebook's check would give it.
            _claim({"function": name, "failure": f"failed: {as_failure(error, name)}"}, owner)
            return


def main(learner_file: str) -> None:
    """In the sandbox: the evidence of each function, then the notes on the learner's practices."""
    owner = os.getpid()
    from harness import practices

    namespace = learner.namespace_of(Path(learner_file))
    shutil.rmtree(EVIDENCE, ignore_errors=True)
    Path(EVIDENCE).mkdir()
    for name in FUNCTIONS:
        function = namespace.get(name)
        if function is None:
            _claim({"function": name, "failure": f"missing: the notebook does not define {name}"}, owner)
            continue
        _make_evidence(name, function, owner)
        _end_strays()
    for note in practices.notes_on(namespace):
        _claim(asdict(note), owner)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Makes the evidence of a learner's code (in a sandbox).")
    parser.add_argument("learner_file")
    main(parser.parse_args().learner_file)
