"""Checking the learner's functions again, with our checks, in a sandbox.

``check`` writes the learner's definitions (``code.learner_code``) into a scratch folder and runs
this module there, as ``python -m harness.review.checking``, through ``sandbox.run``. Inside, the
notebook's given definitions are loaded from this project's notebook (not the submission's), the
learner's are run over them, and each of our ``problem_unittests`` checks runs in the notebook's
order; each outcome, then the notes on the learner's practices, is written as a line of JSON the
moment it is known, so that a check stopped by a limit still leaves the ones before it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.practices.note import Note
from harness.review import retraining, sandbox
from harness.review.code import HYPERPARAMETERS, LearnerCode
from harness.self_review import FUNCTIONS

LEARNER_FILE, RESULTS_FILE = "learner_code.py", "results.jsonl"
# How Python runs the worker: -P keeps the scratch folder (which the learner's code may write) off
# the import path; the project comes from PYTHONPATH.
WORKER = ["-P", "-m", "harness.review.checking"]
_MOST_RESULT_BYTES = 2**20  # Far more than six outcomes and a dozen notes take.


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a submission's functions.

    Attributes:
        results: Each function's outcome, "passed" or why not, for those whose check ended.
        notes: The notes on the learner's practices.
        stopped: The limit that stopped the checks, in words, or None.
        error: The last line of the worker's errors when it failed without a limit.
        seconds: How long the checks took.
        trained: The figures of the training done again, when asked for and it ended.
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
    """Checks the learner's functions in ``code`` in a sandbox with ``limits``.

    Args:
        code: The learner's definitions, from the submitted notebook.
        scratch: A fresh folder: the sandbox's only writable place.
        limits: What the checks (and the training) may use.
        training: The training to do again once every check passed, or None for none.
    """
    sandbox.prepare(scratch)
    (scratch / LEARNER_FILE).write_text(code.source, encoding="utf-8")
    command = [sys.executable, *WORKER, LEARNER_FILE]
    readable = ()
    if training is not None:
        retraining.link_data(training, scratch)
        command += training.arguments()
        readable = (training.data_dir,)
    outcome = sandbox.run(command, scratch, limits, readable=readable)
    results, notes, trained = _read_results(scratch / RESULTS_FILE)
    for name, result in results.items():
        limit = sandbox.ran_into(result, limits)
        if limit:  # The check's message names the error; the review names the limit behind it.
            results[name] = f"{result} It ran into {limit}."
    error = None
    if outcome.returncode != 0 and outcome.stopped is None:
        lines = outcome.stderr.strip().splitlines()
        error = lines[-1] if lines else f"exit status {outcome.returncode}"  # The exception, in a line.
    return Checked(results, notes, outcome.stopped, error, outcome.seconds, trained)


def _read_results(path: Path) -> tuple[dict[str, str], list[Note], dict | None]:
    """The outcomes, notes and training figures the worker wrote, read as untrusted data: bounded,
    typed, known names."""
    results, notes, trained = {}, [], None
    if not path.is_file() or path.is_symlink():
        return results, notes, trained
    with path.open("rb") as stream:
        text = stream.read(_MOST_RESULT_BYTES).decode("utf-8", "replace")
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            continue
        if entry.get("function") in FUNCTIONS and isinstance(entry.get("outcome"), str):
            results[entry["function"]] = entry["outcome"][:2000]
        elif {"subject", "done_well", "text"} <= entry.keys():
            notes.append(Note(str(entry["subject"]), entry["done_well"] is True, str(entry["text"])[:2000]))
        elif "trained" in entry:
            trained = retraining.read_trained(entry)
    return results, notes, trained


# Inside the sandbox.


def _namespace(learner_file: Path) -> dict:
    """The notebook's given definitions, then the learner's over them, as the notebook runs them."""
    from harness.project import load_functions

    namespace = load_functions()
    for name in (*FUNCTIONS, *HYPERPARAMETERS):
        namespace.pop(name, None)  # Ours must not stand in for one the learner did not write.
    source = learner_file.read_text(encoding="utf-8")
    exec(compile(source, "learner_code.py", "exec"), namespace)
    return namespace


def _write(entry: dict, owner: int) -> None:
    if os.getpid() != owner:  # A process the learner's code forked says nothing.
        os._exit(0)
    with open(RESULTS_FILE, "a", encoding="utf-8") as results:
        results.write(json.dumps(entry) + "\n")


def _end_strays() -> None:
    """Ends the processes the learner's code left running (a fork bomb's), where the sandbox gives
    this process a process namespace of its own: there, signalling every process reaches only them."""
    if os.environ.get(sandbox.OWN_PROCESSES) == "1":
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)  # All but this process and the namespace's first.


def main(learner_file: str, train: list[int] | None = None) -> None:
    """In the sandbox: the checks, the notes, then (``train``: epochs, batches or 0 for all,
    samples) the training done again once every check passed."""
    owner = os.getpid()
    from harness import practices

    namespace = _namespace(Path(learner_file))
    # The notebook's setup cell imported both: our checks, from this project, not the submission's.
    problem_unittests, tf = namespace["problem_unittests"], namespace["tf"]
    arguments = {"discriminator": (tf,), "generator": (tf,), "model_opt": (tf,)}
    for name in FUNCTIONS:
        function = namespace.get(name)
        if function is None:
            _write({"function": name, "outcome": f"missing: the notebook does not define {name}"}, owner)
            continue
        try:
            getattr(problem_unittests, f"test_{name}")(function, *arguments.get(name, ()))
        except Exception as error:  # The check's message is the outcome, as the learner saw it.
            _write({"function": name, "outcome": f"failed: {error}"}, owner)
        else:
            _write({"function": name, "outcome": "passed"}, owner)
        _end_strays()
    for note in practices.notes_on(namespace):
        _write(asdict(note), owner)
    if train and all(namespace["problem_unittests"].RESULTS.get(name) == "passed" for name in FUNCTIONS):
        epochs, batches, samples = train
        _write({"trained": retraining.train_again(namespace, epochs, batches or None, samples)}, owner)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Checks a learner's code (in a sandbox).")
    parser.add_argument("learner_file")
    parser.add_argument("--train", type=int, nargs=3, metavar=("EPOCHS", "BATCHES", "SAMPLES"))
    arguments = parser.parse_args()
    main(arguments.learner_file, arguments.train)
