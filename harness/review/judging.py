"""Judging the evidence the learner's code made, where that code cannot reach.

``judge`` copies the evidence out of the learner's scratch folder (after its sandbox ended with
all its processes) into a folder of the reviewer's, checking each file's name and size, and runs
this module on it, as ``python -m harness.review.judging``, in a sandbox of its own: a process
that never loads the learner's Python. There, each graph is read back with an allow-list of ops
(``operations.ALLOWED``; no Python callbacks, files or network), our part of it (the scaffold) is
checked to be as we built it, and our checks' second halves (``harness.checks``) judge it on
inputs of the judge's own. Only the verdicts, as JSON on its standard output, reach the reviewer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness.practices.note import Note
from harness.practices.train import feed_notes
from harness.review import sandbox
from harness.review.worker import MOST_EVIDENCE_BYTES
from harness.rubric import FUNCTIONS

JUDGE = ["-P", "-m", "harness.review.judging"]
UNVERIFIED = "could not be verified"
_EVIDENCE_FILE = re.compile(rf"^({'|'.join(FUNCTIONS)})-(\d)\.(meta|json|npz)$")
_MOST_VERDICT_BYTES = 2**20


@dataclass
class Judged:
    """The judge's verdicts.

    Attributes:
        results: Each function's outcome: "passed", "failed: why" or "could not be verified: why".
        notes: The notes the judge's reading of train's feeds gives.
        error: Why the judge gave no verdicts, or None.
        seconds: How long judging took.
    """

    results: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


def judge(
    evidence: Path, failures: dict[str, str], digests: dict[str, str], work: Path, limits: sandbox.Limits
) -> Judged:
    """Judges the evidence in ``evidence`` (the learner's scratch), in a sandbox; ``failures`` stand.

    Args:
        evidence: The folder the learner's sandbox wrote its evidence to.
        failures: The failures the learner's code claimed, by function: they stand as they are.
        digests: The SHA-256 of each evidence file, as the worker reported them when it wrote them:
            a file changed since (by a process the learner's code left) is not taken.
        work: A fresh folder of the reviewer's for the copied evidence and the judge's scratch.
        limits: What the judge may use.
    """
    copied = work / "evidence"
    copied.mkdir(parents=True)
    _copy(evidence, copied, set(failures), digests)
    outcome = sandbox.run(
        [sys.executable, *JUDGE, str(copied), "--seed", str(secrets.randbits(32))],
        work / "scratch",
        limits,
        readable=(copied,),
    )
    judged = _read_verdicts(outcome.stdout)
    judged.results |= failures
    judged.seconds = outcome.seconds
    judged.error = outcome.problem()
    return judged


def _copy(source: Path, target: Path, skip: set[str], digests: dict[str, str]) -> None:
    """Copies the evidence files (by name, regular files only, within a total size, as ``digests``
    says they were written) of the functions not in ``skip``: the learner's folder may hold anything."""
    total = 0
    for path in sorted(source.iterdir()) if source.is_dir() and not source.is_symlink() else []:
        match = _EVIDENCE_FILE.match(path.name)
        if not match or match.group(1) in skip or path.is_symlink() or not path.is_file():
            continue
        total += path.stat().st_size
        if total > MOST_EVIDENCE_BYTES:
            break
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() == digests.get(path.name):
            (target / path.name).write_bytes(data)


def _read_verdicts(stdout: str) -> Judged:
    """The judge's last line of output, read as data: known functions, outcomes as text."""
    lines = stdout[-_MOST_VERDICT_BYTES:].strip().splitlines()
    try:
        verdicts = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        verdicts = {}
    results = verdicts.get("results", {}) if isinstance(verdicts, dict) else {}
    judged = Judged(
        {name: str(results[name])[:2000] for name in FUNCTIONS if isinstance(results.get(name), str)}
    )
    feeds = verdicts.get("feeds") if isinstance(verdicts, dict) else None
    if isinstance(feeds, dict):
        judged.notes = feed_notes(_feeds(feeds))
    return judged


def _feeds(feeds: dict) -> dict:
    """What train fed, as its verdict read it: ``{"real": (low, high), "noise": (low, high, std)}``."""
    kept = {}
    for key, size in (("real", 2), ("noise", 3)):
        values = feeds.get(key)
        if (
            isinstance(values, list)
            and len(values) == size
            and all(isinstance(v, int | float) for v in values)
        ):
            kept[key] = tuple(float(v) for v in values)
    return kept


# Inside the judge's sandbox: no learner code here, only evidence.


def verdict(name: str, folder: Path, rng) -> tuple[str, dict]:
    """One function's verdict from its evidence in ``folder``, and what its verdict returned."""
    from harness import checks, evidence
    from harness.checks.common import CheckFailed, as_failure
    from harness.quiet import native_log_lines_hidden
    from harness.review import operations

    check, returned = checks.CHECKS[name], {}
    try:
        for index, case in enumerate(check.cases):
            if not (folder / f"{name}-{index}.meta").is_file():
                raise evidence.EvidenceError(f"the evidence of its case {index + 1} is missing")
            with native_log_lines_hidden():
                built = evidence.read(folder, f"{name}-{index}", operations.ALLOWED)
                operations.require_scaffold(built.graph, check.scaffold, case)
                with built.graph.as_default():
                    returned = check.verify(built, case, rng) or {}
    except evidence.EvidenceError as error:
        return f"{UNVERIFIED}: {error}.", {}
    except CheckFailed as failure:
        return f"failed: {failure}", {}
    except Exception as error:  # Whatever the graph does when run is the function's failure.
        return f"failed: {as_failure(error, name)}", {}
    return "passed", returned


def main(folder: str, seed: int) -> None:
    """In the sandbox: the verdict of each function whose evidence is in ``folder``, as one JSON line."""
    import numpy as np
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()  # As the notebook's setup cell: the graph mode the evidence has.
    rng = np.random.default_rng(seed)
    results, feeds = {}, {}
    for name in FUNCTIONS:
        if any(Path(folder).glob(f"{name}-*.meta")):
            results[name], returned = verdict(name, Path(folder), rng)
            feeds |= returned if name == "train" else {}
    print(json.dumps({"results": results, "feeds": feeds}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Judges a learner's evidence (in a sandbox).")
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    main(arguments.folder, arguments.seed)
