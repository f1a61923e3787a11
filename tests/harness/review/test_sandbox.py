"""harness/review/sandbox.py: a hostile process is stopped by its limits, and the reviewer's files,
network and processes stay out of its reach."""

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from helpers.submissions import needs_bubblewrap

from harness import project
from harness.review import sandbox

# Without a sandbox, root's processes escape the process limit: a fork bomb would reach the machine.
contained = pytest.mark.skipif(
    sandbox.isolation() == "none" and os.getuid() == 0, reason="no sandbox, and root ignores process limits"
)
FORK_BOMB = (
    "import os, time\n"
    "while True:\n"
    "    try:\n"
    "        os.fork()\n"
    "    except OSError:\n"
    "        time.sleep(0.1)\n"
)
SMALL = sandbox.Limits(wall_seconds=20, cpu_seconds=3, memory_bytes=2**30, processes=40, file_bytes=2**20)


def run_python(code: str, scratch, limits=SMALL) -> sandbox.Outcome:
    return sandbox.run([sys.executable, "-c", code], scratch, limits)


@pytest.fixture
def reviewers_file(tmp_path):
    """A file of the reviewer's, beside the sandbox's scratch folder."""
    mine = tmp_path / "reviewer" / "notes.md"
    mine.parent.mkdir()
    mine.write_text("my notes")
    return mine


def test_an_endless_loop_is_stopped_by_the_cpu_limit(tmp_path):
    outcome = run_python("while True: pass", tmp_path / "scratch")

    assert outcome.stopped == "the CPU-time limit of 3 s"
    assert outcome.seconds < SMALL.wall_seconds


def test_a_process_that_only_waits_is_stopped_by_the_wall_time_limit(tmp_path):
    limits = sandbox.Limits(wall_seconds=3)

    outcome = run_python("import time; time.sleep(60)", tmp_path / "scratch", limits)

    assert outcome.stopped == "the wall-time limit of 3 s"
    assert outcome.seconds < 10


def test_a_memory_bomb_is_stopped_by_the_memory_limit(tmp_path):
    # CPU time to spare: filling 1 GiB takes seconds of it on a machine busy with other tests.
    limits = dataclasses.replace(SMALL, cpu_seconds=20)

    outcome = run_python(
        "hoard = []\nwhile True: hoard.append(bytearray(10**7))", tmp_path / "scratch", limits
    )

    assert outcome.stopped == "the memory limit of 1 GiB"


@contained
def test_a_fork_bomb_is_held_to_the_process_limit_and_killed_with_its_sandbox(tmp_path):
    limits = sandbox.Limits(wall_seconds=5, processes=40)

    outcome = run_python(FORK_BOMB, tmp_path / "scratch", limits)

    assert outcome.stopped == "the wall-time limit of 5 s"
    left = subprocess.run(["pgrep", "-f", "os.fork"], capture_output=True, text=True).stdout.split()
    assert left == []


# A cluster's other worker: a reviewing process of its own, whose submission is a fork bomb.
NEIGHBOUR = f"""
import sys
from pathlib import Path
from harness.review import sandbox
limits = sandbox.Limits(wall_seconds=8, processes=40)
sandbox.run([sys.executable, "-c", {FORK_BOMB!r}], Path(sys.argv[1]), limits)
"""
THREADS = (
    "import threading, time\nfor _ in range(30): threading.Thread(target=time.sleep, args=(1,)).start()\n"
)


@contained
@pytest.mark.skipif(os.getuid() != 0, reason="only a root reviewer hands submissions to users of their own")
def test_a_fork_bomb_in_another_reviewing_process_leaves_this_ones_processes_alone(tmp_path):
    bombing = [sys.executable, "-c", NEIGHBOUR, str(tmp_path / "bomb")]
    neighbour = subprocess.Popen(bombing, cwd=project.PROJECT)
    time.sleep(3)  # Its bomb is at its limit of 40 by now, for 5 s more.
    limits = dataclasses.replace(SMALL, memory_bytes=4 * 2**30)  # Room for 30 threads' stacks.

    outcome = run_python(THREADS + "print('started')", tmp_path / "scratch", limits)

    neighbour.wait(timeout=60)
    assert outcome.stdout.strip() == "started", outcome.problem()


# Prints the user a forked child draws, then the process's id and its user, drawn twice.
DRAW = """
import os
from harness.review import sandbox
first = sandbox.submissions_uid()
child = os.fork()
if child == 0:
    print(sandbox.submissions_uid(), flush=True)
    os._exit(0)
os.waitpid(child, 0)
print(os.getpid(), first, sandbox.submissions_uid())
"""
# Containers on one machine number their processes alike: two reviewing processes of id 1.
IN_A_CONTAINER = ["unshare", "--pid", "--fork", "--map-root-user", sys.executable, "-c", DRAW]


@pytest.mark.skipif(shutil.which("unshare") is None, reason="no unshare to make a process namespace")
def test_each_reviewing_process_hands_submissions_to_a_user_of_its_own_even_where_process_ids_repeat():
    drawn = [
        subprocess.run(IN_A_CONTAINER, capture_output=True, text=True, cwd=project.PROJECT, check=True)
        for _ in range(2)
    ]

    (child_a, pid_a, first_a, again_a), (child_b, pid_b, first_b, again_b) = (
        [int(word) for word in run.stdout.split()] for run in drawn
    )
    assert pid_a == pid_b == 1  # The same process id, as in two containers.
    assert first_a == again_a and first_b == again_b  # One user for the whole of a reviewing process.
    assert len({first_a, first_b, child_a, child_b}) == 4  # And none shared, a forked one's neither.
    assert all(sandbox.FIRST_UID <= uid <= sandbox.LAST_UID for uid in (first_a, first_b, child_a, child_b))


@contained
@pytest.mark.skipif(os.getuid() != 0, reason="only a root reviewer hands submissions to users of their own")
def test_what_an_earlier_sandbox_left_running_as_its_user_is_ended_before_the_next_starts(tmp_path):
    uid = str(sandbox.submissions_uid())  # This thread's sandboxes' user.
    left = subprocess.Popen(["setpriv", "--reuid", uid, "--regid", uid, "--clear-groups", "sleep", "60"])
    threading.Thread(target=left.wait, daemon=True).start()  # Reaped as soon as it is ended.

    outcome = run_python("print('started')", tmp_path / "scratch")

    assert outcome.stdout.strip() == "started", outcome.problem()
    assert left.wait(timeout=10) == -signal.SIGKILL


def test_a_file_too_large_is_stopped_by_the_file_size_limit(tmp_path):
    outcome = run_python("open('big', 'wb').write(bytes(2 * 2**20))", tmp_path / "scratch")

    assert outcome.stopped == "the file-size limit of 1 MiB"


@needs_bubblewrap
def test_a_network_call_reaches_nothing(tmp_path, httpserver):
    httpserver.expect_request("/").respond_with_data("secret")
    url = httpserver.url_for("/")
    call = f"import urllib.request; print(urllib.request.urlopen({url!r}, timeout=5).read())"

    outcome = run_python(call, tmp_path / "scratch")

    assert outcome.returncode != 0 and "URLError" in outcome.stderr
    assert httpserver.log == []


@needs_bubblewrap
def test_writes_and_deletions_outside_the_scratch_folder_fail(tmp_path, reviewers_file):
    code = (
        "import pathlib, shutil, sys\n"
        f"mine = pathlib.Path({str(reviewers_file)!r})\n"
        "for attempt in (lambda: mine.write_text('overwritten'), lambda: shutil.rmtree(mine.parent),\n"
        "                lambda: open(pathlib.Path.home().parent / 'planted', 'w')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except OSError as error:\n"
        "        print(type(error).__name__, error.errno)\n"
        "pathlib.Path('mine.txt').write_text('the scratch folder is writable')\n"
    )

    outcome = run_python(code, tmp_path / "scratch")

    assert outcome.returncode == 0, outcome.stderr
    assert reviewers_file.read_text() == "my notes"
    assert not (tmp_path / "planted").exists()
    assert (tmp_path / "scratch" / "mine.txt").read_text() == "the scratch folder is writable"


@needs_bubblewrap
def test_the_reviewers_temporary_files_are_hidden(tmp_path, reviewers_file):
    look = f"import os; print(os.path.exists({str(reviewers_file)!r}), 'scratch' in os.listdir('/tmp'))"

    outcome = run_python(look, tmp_path / "scratch")

    assert outcome.stdout.split() == ["False", "True"]


def test_the_review_says_what_confined_the_code():
    limits = sandbox.Limits(wall_seconds=60, memory_bytes=2 * 2**30)

    assert "bubblewrap sandbox" in sandbox.describe(limits, "bubblewrap")
    assert "**with no sandbox**" in sandbox.describe(limits, "none")
    assert "60 s of wall time" in sandbox.describe(limits, "none")
    assert "2 GiB of memory" in sandbox.describe(limits, "none")
