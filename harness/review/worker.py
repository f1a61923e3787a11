"""In the learner's sandbox: each function's evidence, made in a process of its own.

``checking.check`` writes the project's given definitions and the learner's code into a scratch
folder and runs this module there (``python -P -m harness.review.worker``) through
``sandbox.run``. This first process never runs a line of the learner's: it loads our checks, then
forks one process per function. Each child loads the given code and the learner's afresh, calls
its one function on our check's graphs (``harness.checks.build``) and sends what it built, as
bytes, through a pipe of its own; a failure is the one thing it may say of itself (it can only
cost it a pass). So a function's evidence comes from a process in which no other function was
called: what an earlier one did (patching our code, writing files) is gone with its process.

This process keeps each child's evidence under that child's function alone, ends the processes a
child left behind, and at the end writes the evidence files and prints one line of JSON: the
failures claimed, the learner's lines that built each graph, the practice notes and the SHA-256
of each evidence file. It is made undumpable, so that no child can trace it or read its memory.
The judge (``judging``) then decides, where none of this code runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import resource
import select
import shutil
import signal
from dataclasses import asdict
from pathlib import Path

from harness.review import learner, sandbox
from harness.rubric import FUNCTIONS

EVIDENCE = "evidence"
MOST_EVIDENCE_BYTES = 512 * 2**20  # Far more than the six functions' graphs and a short training.
FAILED = ("failed: ", "missing: ")  # How a failure the learner's code claims must begin.
_PR_SET_DUMPABLE = 4
_CPU = "cpu"  # How a child ended when it spent the CPU time left.


def main() -> None:
    """Makes each function's evidence in a child process, then reports it (see the module's doc)."""
    _undumpable()
    given = Path(learner.GIVEN_FILE).read_text(encoding="utf-8")
    source = Path(learner.LEARNER_FILE).read_text(encoding="utf-8")
    _load_ours(given)
    report = {"claims": {}, "built_by": {}, "notes": [], "evidence": {}}
    files, stopped = {}, False
    for name in FUNCTIONS:
        ended, message, blobs = _in_child(lambda name=name: _evidence_of(name, given, source), name)
        _end_strays()
        if ended == _CPU:
            stopped = True
            break
        failure = message.get("failure")
        if isinstance(failure, str) and failure.startswith(FAILED):
            report["claims"][name] = failure[:2000]
            continue
        if ended:
            report["claims"][name] = f"failed: the check of your `{name}` ended with {ended}."
            continue
        files |= blobs
        lines = message.get("built_by")
        if isinstance(lines, list):
            report["built_by"][name] = [line for line in lines[:10_000] if isinstance(line, int)]
    if not stopped:
        _, message, _ = _in_child(lambda: _notes(given, source), None)
        notes = message.get("notes")
        report["notes"] = notes[:100] if isinstance(notes, list) else []
        _end_strays()
    report["evidence"] = _write(files)
    print(json.dumps(report), flush=True)
    if stopped:  # As if this process had met the CPU limit: the reviewer's side names it so.
        os._exit(128 + signal.SIGXCPU)


def _undumpable() -> None:
    """No process of the same user (a child) may trace this one or read its memory."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def _load_ours(given: str) -> None:
    """TensorFlow, our checks and what the given code imports, loaded once before any fork."""
    import tensorflow.compat.v1 as tf

    import harness.checks
    import harness.practices  # noqa: F401

    tf.disable_v2_behavior()
    _ = tf.layers.dense  # The legacy layers load on first use: once here, not in every child.
    exec(compile(given, learner.GIVEN_FILE, "exec"), {"__name__": "given"})


def _in_child(work, name: str | None) -> tuple[str | None, dict, dict[str, bytes]]:
    """Runs ``work`` in a forked child with the CPU time left; returns how it ended (None: it
    exited; ``_CPU``; or the signal that ended it), its message and the files it sent for ``name``."""
    budget = _cpu_left()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        child = os.getpid()
        os.close(reading)
        try:
            _child_setup(budget)
            message, blobs = work()
            if os.getpid() == child:  # A process the learner's code forked says nothing.
                _send(writing, message, blobs)
        finally:
            os._exit(0)
    os.close(writing)
    data, status, usage = _receive(reading, pid)
    message, blobs = _parsed(data, name)
    return _ending(status, usage, budget), message, blobs


def _cpu_left() -> float | None:
    """The CPU time this process and its children may still use, or None without a limit."""
    limit = resource.getrlimit(resource.RLIMIT_CPU)[0]
    if limit == resource.RLIM_INFINITY:
        return None
    used = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    return max(limit - used, 0.0)


def _child_setup(budget: float | None) -> None:
    """In the child, before the learner's code: the CPU time left, and no way to write to the
    reviewer (its output goes nowhere; its evidence goes through its pipe)."""
    if budget is not None:
        seconds = max(int(budget), 1)
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)


def _send(channel: int, message: dict, blobs: dict[str, bytes]) -> None:
    header = json.dumps({"message": message, "files": [[name, len(data)] for name, data in blobs.items()]})
    with os.fdopen(channel, "wb") as stream:
        stream.write(header.encode("utf-8") + b"\n")
        for data in blobs.values():
            stream.write(data)


def _receive(channel: int, pid: int) -> tuple[bytes, int, resource.struct_rusage]:
    """What the child sends, up to ``MOST_EVIDENCE_BYTES``, until it ends (a process it left
    holding the pipe cannot keep this one waiting); its exit status and its resource use."""
    chunks, size, ended = [], 0, None
    os.set_blocking(channel, False)
    try:
        while True:
            ready, _, _ = select.select([channel], [], [], 0.2)
            chunk = _read(channel) if ready else None
            if chunk:
                size += len(chunk)
                chunks.append(chunk)
                if size > MOST_EVIDENCE_BYTES:  # Far more than any evidence: no more is read.
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    ended = ended or os.wait4(pid, 0)
                    break
            elif chunk == b"":  # Every writer closed the pipe: the child is ending.
                ended = ended or os.wait4(pid, 0)
                break
            elif ended is not None:  # It ended, and what it left holds the pipe open, silent.
                break
            else:
                done = os.wait4(pid, os.WNOHANG)
                ended = done if done[0] else None
    finally:
        os.close(channel)
    _, status, usage = ended
    return (b"".join(chunks) if size <= MOST_EVIDENCE_BYTES else b""), status, usage


def _read(channel: int) -> bytes | None:
    try:
        return os.read(channel, 2**20)
    except BlockingIOError:
        return None


def _ending(status: int, usage: resource.struct_rusage, budget: float | None) -> str | None:
    if not os.WIFSIGNALED(status):
        return None
    number = os.WTERMSIG(status)
    spent = usage.ru_utime + usage.ru_stime
    if number == signal.SIGXCPU or (budget is not None and spent >= max(int(budget), 1)):
        return _CPU
    return signal.Signals(number).name


def _parsed(data: bytes, name: str | None) -> tuple[dict, dict[str, bytes]]:
    """The child's message and its files, as untrusted data: only ``name``'s evidence files are kept."""
    header, _, rest = data.partition(b"\n")
    try:
        parsed = json.loads(header)
        message, listed = parsed["message"], parsed["files"]
        offsets, blobs = 0, {}
        for file_name, size in listed:
            blobs[file_name] = rest[offsets : offsets + size]
            offsets += size
    except (ValueError, KeyError, TypeError):
        return {}, {}
    if not isinstance(message, dict) or offsets != len(rest):
        return {}, {}
    own = {key: value for key, value in blobs.items() if _evidence_name(key) == name}
    return message, own


def _evidence_name(file_name) -> str | None:
    """The function an evidence file is of (``discriminator-1.meta``), or None for another name."""
    if not isinstance(file_name, str):
        return None
    stem, _, suffix = file_name.rpartition(".")
    function, _, index = stem.rpartition("-")
    if function in FUNCTIONS and index.isdigit() and len(index) == 1 and suffix in ("meta", "json", "npz"):
        return function
    return None


def _end_strays() -> None:
    """Ends the processes a child left running (a fork bomb's), where the sandbox gives this process
    a process namespace of its own: there, signalling every process reaches only them."""
    if os.environ.get(sandbox.OWN_PROCESSES) == "1":
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)  # All but this process and the namespace's first.


def _write(files: dict[str, bytes]) -> dict[str, str]:
    """Writes the evidence afresh (whatever a child left in the folder goes); their SHA-256 by name."""
    shutil.rmtree(EVIDENCE, ignore_errors=True)
    Path(EVIDENCE).mkdir()
    for file_name, data in files.items():
        (Path(EVIDENCE) / file_name).write_bytes(data)
    return {file_name: hashlib.sha256(data).hexdigest() for file_name, data in files.items()}


# In a child: the learner's code runs from here on.


def _evidence_of(name: str, given: str, source: str) -> tuple[dict, dict[str, bytes]]:
    """Calls the learner's ``name`` on each case of its check: the evidence, or its failure."""
    import tensorflow.compat.v1 as tf

    from harness import checks, evidence
    from harness.checks.common import as_failure
    from harness.quiet import native_log_lines_hidden

    function = learner.namespace_of(given, source).get(name)
    if function is None:
        return {"failure": f"missing: the notebook does not define {name}"}, {}
    blobs, lines = {}, set()
    for index, case in enumerate(checks.CHECKS[name].cases):
        try:
            with tf.Graph().as_default(), native_log_lines_hidden():
                built = checks.build(name, function, case)
        except Exception as error:  # The learner's message, as the notebook's check would give it.
            return {"failure": f"failed: {as_failure(error, name)}"}, {}
        lines |= _built_by(built.graph)
        for suffix, data in evidence.serialized(built).items():
            blobs[f"{name}-{index}.{suffix}"] = data
    return {"built_by": sorted(lines)}, blobs


def _built_by(graph) -> set[int]:
    """The lines of the learner's code that made the graph's ops (for the reviewer to read)."""
    return {
        frame.lineno
        for op in graph.get_operations()
        for frame in op.traceback
        if frame.filename == learner.LEARNER_FILE
    }


def _notes(given: str, source: str) -> tuple[dict, dict]:
    from harness import practices

    namespace = learner.namespace_of(given, source)
    return {"notes": [asdict(note) for note in practices.notes_on(namespace)]}, {}


if __name__ == "__main__":
    main()
