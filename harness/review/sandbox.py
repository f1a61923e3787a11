"""Running a submission's code in a separate, limited process: never with the reviewer's rights.

Where the machine has bubblewrap (Debian's ``bubblewrap``), the process sees only what it needs,
read only: the system's programs and libraries, Python and its packages, and the project's modules
it runs (``visible``); not the project's notebook, tests or data, nor the reviewer's other files.
Its scratch folder is its only writable place; it has no network, and processes of its own
(killing the sandbox kills them all). Where it has none,
``unshare`` still takes the network away. In every case the kernel's resource limits bound its CPU
time, memory, processes and file sizes, a timeout bounds its wall time, and a reviewer running as
root hands it to an unprivileged user of its reviewing thread's own (the kernel does not count
root's processes, and counts one user's processes together: a fork bomb run by one of a cluster's
workers would stop the reviews its neighbours run at the same time), whose processes are all
ended before that thread's next sandbox starts (``end_leftovers``).
``isolation()`` says what the machine gives, and ``describe`` says it at the top of a review.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.project import PROJECT

# Where the scratch folder appears inside bubblewrap: right under its own /tmp, so that the
# sandbox's user can reach it whatever the folders above it on the reviewer's side allow.
INSIDE = Path("/tmp/scratch")
# Set to "1" in the environment of a process that has a process namespace of its own.
OWN_PROCESSES = "SANDBOX_OWN_PROCESSES"
# A root reviewer's submissions run as a user drawn at random from these, one per reviewing
# process, of no group. Not its process id: containers on one machine reuse the same process ids,
# and the kernel counts a user's processes across all of them (one's fork bomb stopped another's
# reviews). Two of a hundred reviewing processes on one machine share a user once in 400,000.
FIRST_UID, LAST_UID = 2**24, 2**31 - 2
# By process and thread: a forked reviewing process, and each review a Dask worker's threads run at
# once, draws a user of its own, so that one user's sandboxes run one after another.
_UIDS: dict[tuple[int, int], int] = {}
LEFTOVER_SECONDS = 5  # How long what a sandbox left running may take to be gone.
# What the submission's process keeps of the reviewer's environment: nothing secret, no proxies.
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL")
# The system's programs and libraries, shown read only (``/etc`` only for the dynamic loader).
SYSTEM = tuple(
    Path(place)
    for place in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.conf")
)
# The project's files the worker and the judge import; not its notebook, tests, docs or data.
PROJECT_MODULES = ("harness", "helper.py", "problem_unittests.py")
SETTINGS = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "CUDA_VISIBLE_DEVICES": "",  # The checks are small: the CPU, and no device files needed.
    "PYTHONDONTWRITEBYTECODE": "1",
}


@dataclass(frozen=True)
class Limits:
    """What a submission's process may use.

    Attributes:
        wall_seconds: Time until it is killed, whatever it does.
        cpu_seconds: CPU time, over all its threads.
        memory_bytes: Address space (virtual memory; TensorFlow alone reserves about 2 GiB).
        processes: Processes and threads at once (TensorFlow starts a few dozen threads).
        file_bytes: The largest file it may write.
    """

    wall_seconds: float = 600.0
    cpu_seconds: int = 900
    memory_bytes: int = 8 * 2**30
    processes: int = 256
    file_bytes: int = 256 * 2**20

    def describe(self) -> str:
        """The limits in words, for the review."""
        return (
            f"{self.wall_seconds:.0f} s of wall time, {self.cpu_seconds} s of CPU time, "
            f"{self.memory_bytes / 2**30:g} GiB of memory, {self.processes} processes and threads, "
            f"files up to {self.file_bytes / 2**20:g} MiB"
        )


@dataclass(frozen=True)
class Outcome:
    """How a limited process ended.

    Attributes:
        returncode: Its exit status (negative: the signal that ended it).
        stdout: What it printed, decoded leniently.
        stderr: What it printed as errors.
        stopped: The limit that stopped it, in words ("the wall-time limit of 600 s"), or None.
        seconds: Wall time it ran.
    """

    returncode: int
    stdout: str
    stderr: str
    stopped: str | None
    seconds: float

    def problem(self) -> str | None:
        """Why it failed, in a line: the limit that stopped it, or its last error line; None if it
        ended well."""
        if self.stopped is not None or self.returncode == 0:
            return self.stopped
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else f"exit status {self.returncode}"


@cache
def isolation() -> str:
    """The isolation this machine gives: "bubblewrap", "unshare" or "none"."""
    if shutil.which("bwrap") and _works(_wrapped(["true"], Path("/"), "bubblewrap")):
        return "bubblewrap"
    if shutil.which("unshare") and _works(_wrapped(["true"], Path("/"), "unshare")):
        return "unshare"
    return "none"


def describe(limits: Limits, kind: str | None = None) -> str:
    """What protects the reviewer, in two sentences, for the top of a review."""
    kind = kind or isolation()
    user = ", as an unprivileged user of its own" if os.getuid() == 0 and kind != "none" else ""
    install = "Install bubblewrap (`apt install bubblewrap`) to confine it."
    where = {
        "bubblewrap": "in a bubblewrap sandbox that shows it only the system, Python and the project's "
        f"checks, read only (none of your files), a scratch folder its only writable place, no network, "
        f"processes of its own{user}.",
        "unshare": f"with no network (unshare){user}, but **no sandbox for files**: it could read and "
        f"write what you can. {install}",
        "none": "**with no sandbox**: it could read and write what you can, and reach the network"
        f"{' (and, run by root, it was not held to the process limit)' if os.getuid() == 0 else ''}. "
        f"{install}",
    }[kind]
    return f"The submission's code ran {where} Its limits: {limits.describe()}."


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def submissions_uid() -> int:
    """The user a root reviewer's process (each of its threads) hands submissions to; its own,
    apart from its neighbours'."""
    key = (os.getpid(), threading.get_ident())
    return _UIDS.setdefault(key, FIRST_UID + secrets.randbelow(LAST_UID - FIRST_UID))


def end_leftovers(uid: int) -> None:
    """Ends every process of ``uid``, and waits (``LEFTOVER_SECONDS`` at most) until the kernel no
    longer counts them: only this thread's sandboxes, one after another, run as it, so whatever
    outlived one (a process that left its group, a fork bomb still dying) is gone before the next
    starts, and cannot use up its process limit."""
    deadline = time.monotonic() + LEFTOVER_SECONDS
    while (left := _processes_of(uid)) and time.monotonic() < deadline:
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


def _processes_of(uid: int) -> list[int]:
    """The processes whose real user is ``uid`` (the one the kernel counts against its limit)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                status = Path(entry.path, "status").read_text()
                real = re.search(r"^Uid:\s+(\d+)", status, re.M)
                if real and int(real.group(1)) == uid:
                    found.append(int(entry.name))
    return found


def _as_unprivileged(command: list[str]) -> list[str]:
    """Root's processes escape the process limit: a root reviewer hands them to a user of their own."""
    if os.getuid() != 0:
        return command
    uid = str(submissions_uid())
    return ["setpriv", "--reuid", uid, "--regid", uid, "--clear-groups", *command]


def _system() -> list[str]:
    """The system's programs and libraries, read only (links such as Debian's ``/lib -> usr/lib``
    made again as links), and the dynamic loader's settings: nothing of the reviewer's."""
    binds = []
    for place in SYSTEM:
        if place.is_symlink():
            binds += ["--symlink", os.readlink(place), str(place)]
        elif place.exists():
            binds += ["--ro-bind", str(place), str(place)]
    return binds


def visible(readable: tuple[Path, ...] = ()) -> list[Path]:
    """What the sandbox shows of this machine beyond the system (``SYSTEM``): Python and its
    packages, the project's modules the worker imports (``PROJECT_MODULES``), and ``readable``."""
    # Both as Python names them (a venv may be reached through a link) and where they lead.
    python = {
        path for prefix in (sys.base_prefix, sys.prefix) for path in (Path(prefix), Path(prefix).resolve())
    }
    ours = {PROJECT / name for name in PROJECT_MODULES}
    python = {place for place in python if not _in_system(place)}  # A system Python is shown already.
    return sorted({*python, *ours, *(path.resolve() for path in readable)})


def _in_system(place: Path) -> bool:
    return any(place.is_relative_to(root) for root in SYSTEM)


def _shown(places: list[Path]) -> list[str]:
    """Binds ``places`` read only, with the folders above them made passable (``0755``): in the
    sandbox's empty root, bwrap would make them for root alone."""
    above = sorted(
        {
            parent
            for place in places
            for parent in place.parents
            if parent != Path("/") and not _in_system(parent)
        }
    )
    return [
        *(arg for folder in above for arg in ("--perms", "0755", "--dir", str(folder))),
        *(arg for place in places for arg in ("--ro-bind", str(place), str(place))),
    ]


def _wrapped(command: list[str], scratch: Path, kind: str, readable: tuple[Path, ...] = ()) -> list[str]:
    if kind == "bubblewrap":
        return [
            "bwrap",  # With no bind of /, bubblewrap's root is an empty folder of its own.
            *_system(),
            *("--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"),
            *("--perms", "1777", "--tmpfs", "/dev/shm"),  # Shared memory, for multiprocessing's locks.
            # A project kept under a system folder (/usr/src, say) is hidden, but for its modules.
            *(("--tmpfs", str(PROJECT)) if _in_system(PROJECT) else ()),
            *_shown(visible(readable)),
            *(("--bind", str(scratch), str(INSIDE)) if scratch != Path("/") else ()),
            *("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"),
            # Root's bwrap may keep the right to change user, to become unprivileged; nothing more.
            *(("--cap-add", "CAP_SETUID,CAP_SETGID") if os.getuid() == 0 else ("--unshare-user",)),
            *("--die-with-parent", "--new-session", "--chdir", str(_seen(scratch, kind))),
            *_as_unprivileged(command),
        ]
    if kind == "unshare":
        user = () if os.getuid() == 0 else ("--map-root-user",)
        return ["unshare", *user, "--net", "--pid", "--fork", "--kill-child", *_as_unprivileged(command)]
    return command


def _seen(scratch: Path, kind: str) -> Path:
    """The scratch folder as the submission's process sees it."""
    return INSIDE if kind == "bubblewrap" and scratch != Path("/") else scratch


def _environment(scratch: Path, kind: str) -> dict[str, str]:
    """The process's environment: none of the reviewer's secrets, its home the scratch folder."""
    env = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    seen = str(_seen(scratch, kind))
    env |= SETTINGS | {"HOME": seen, "TMPDIR": seen, "PYTHONPATH": str(PROJECT)}
    env[OWN_PROCESSES] = "1" if kind != "none" else "0"
    return env


def _limit(limits: Limits) -> None:
    """In the child, before exec: its own process group, and the kernel's limits."""
    os.setsid()
    # CPU time: SIGXCPU at the limit says which limit it was; SIGKILL follows if it is caught.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def prepare(scratch: Path) -> None:
    """Creates ``scratch``, writable by the submission's user (``submissions_uid`` under root)."""
    scratch.mkdir(parents=True, exist_ok=True)
    if os.getuid() == 0 and isolation() != "none":
        os.chown(scratch, submissions_uid(), submissions_uid())


def run(
    command: list[str],
    scratch: Path,
    limits: Limits = Limits(),
    kind: str | None = None,
    readable: tuple[Path, ...] = (),
) -> Outcome:
    """Runs ``command`` in ``scratch`` as a limited process, and says how it ended.

    Args:
        command: The program and its arguments; paths in the scratch folder are given relative
            to it (under bubblewrap it is seen elsewhere).
        scratch: Its working folder, and under bubblewrap the only place it may write.
        limits: What it may use.
        kind: The isolation to use (``isolation()`` when None).
        readable: Folders of the reviewer's it may read even where they would be hidden.

    Returns:
        Its outcome; a process that outlives its wall time is killed with all its children.
    """
    kind = kind or isolation()
    prepare(scratch)
    unprivileged = os.getuid() == 0 and kind != "none"
    if unprivileged:
        end_leftovers(submissions_uid())
    start = time.monotonic()
    process = subprocess.Popen(
        _wrapped(command, scratch, kind, readable),
        cwd=scratch,
        env=_environment(scratch, kind),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: _limit(limits),
    )
    stopped = None
    try:
        stdout, stderr = process.communicate(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        # The sandbox's first process takes its namespace's processes with it; without one,
        # the process group holds them.
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stopped = f"the wall-time limit of {limits.wall_seconds:.0f} s"
    if unprivileged:
        end_leftovers(submissions_uid())
    errors = stderr.decode("utf-8", "replace")
    return Outcome(
        process.returncode,
        stdout.decode("utf-8", "replace"),
        errors,
        stopped or _stopped_by(process.returncode, errors, limits),
        time.monotonic() - start,
    )


def _stopped_by(returncode: int, stderr: str, limits: Limits) -> str | None:
    """The limit the process ran into, as its end and its errors tell it."""
    if returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return f"the CPU-time limit of {limits.cpu_seconds} s"
    if returncode in (-signal.SIGXFSZ, 128 + signal.SIGXFSZ):
        return f"the file-size limit of {limits.file_bytes / 2**20:g} MiB"
    return ran_into(stderr, limits) if returncode != 0 else None


def ran_into(error: str, limits: Limits) -> str | None:
    """The limit an error message tells of (MemoryError, EAGAIN from fork, EFBIG), in words, or None."""
    if "MemoryError" in error or "Cannot allocate memory" in error or "bad_alloc" in error:
        return f"the memory limit of {limits.memory_bytes / 2**30:g} GiB"
    if "Resource temporarily unavailable" in error:
        return f"the process limit of {limits.processes}"
    if "File too large" in error:
        return f"the file-size limit of {limits.file_bytes / 2**20:g} MiB"
    return None
