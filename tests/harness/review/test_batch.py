"""harness/review/batch.py: a batch of reviews, one task each, skipped on a rerun by digest."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from helpers.submissions import SHIPPED, SOLUTIONS, executed, needs_bubblewrap, packed, rezipped

import review
from harness import project
from harness.review import batch, grader, summary, unpack
from harness.review.draft import Review
from harness.review.sections import BY_EYE, MEETS, REQUIRES, Section

OPTIONS = batch.Options(data_dir="data")


def fake_reviews(monkeypatch, output, fail=(), lenient=False):
    """Reviews that take no time: REQUIRES for a payload holding b"bad" (MEETS if ``lenient``);
    each call written down, with the summary's rows as they stood when it began."""
    calls = []

    def review_submission(submission, options):
        calls.append((submission.name, [row.name for row in summary.read(output)]))
        if submission.name in fail:
            raise RuntimeError(f"{submission.name} broke the reviewer")
        verdict = REQUIRES if b"bad" in submission.payload and not lenient else MEETS
        section = Section("`train` is correct", verdict, "Seen.")
        return Review(submission.name, [section], seconds=1.0, grader=grader.version())

    monkeypatch.setattr(batch, "review_submission", review_submission)
    return calls


def submissions(**payloads):
    return [batch.Submission(name, ".zip", payload) for name, payload in payloads.items()]


def test_each_review_is_written_and_the_summary_grows_as_they_arrive(monkeypatch, tmp_path):
    calls = fake_reviews(monkeypatch, tmp_path)

    rows = batch.review_all(submissions(ada=b"good", bob=b"bad"), OPTIONS, tmp_path)

    assert [(row.name, row.result) for row in rows] == [("ada", MEETS), ("bob", REQUIRES)]
    assert calls == [("ada", []), ("bob", ["ada"])], "ada's row was written before bob's review began"
    assert (tmp_path / "bob.review.md").is_file() and (tmp_path / "bob.review.html").is_file()


def test_a_rerun_reviews_only_what_changed_in_content_or_options(monkeypatch, tmp_path):
    fake_reviews(monkeypatch, tmp_path)
    batch.review_all(submissions(ada=b"good", bob=b"bad", cy=b"good"), OPTIONS, tmp_path)
    (tmp_path / "cy.review.md").unlink()  # A review lost since: done again.
    calls = fake_reviews(monkeypatch, tmp_path)
    told = []

    rows = batch.review_all(
        submissions(ada=b"good", bob=b"bad, fixed", cy=b"good"),
        OPTIONS,
        tmp_path,
        told=lambda event, row, running: told.append((event, row.name)),
    )

    assert [name for name, _ in calls] == ["bob", "cy"]
    assert ("skipped", "ada") in told and len(rows) == 3
    calls.clear()
    batch.review_all(submissions(ada=b"good"), batch.Options(data_dir="data", minutes=5), tmp_path)
    assert [name for name, _ in calls] == ["ada"], "other options: reviewed again"


def test_a_rerun_after_the_grader_changed_reviews_again_keeps_the_earlier_review_and_says_what_changed(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(grader, "version", lambda: "v1")
    fake_reviews(monkeypatch, tmp_path)
    batch.review_all(submissions(ada=b"good", bob=b"bad"), OPTIONS, tmp_path)
    monkeypatch.setattr(grader, "version", lambda: "v2")  # A check was fixed: bob's mistake passes now.
    calls = fake_reviews(monkeypatch, tmp_path, lenient=True)

    rows = batch.review_all(submissions(ada=b"good", bob=b"bad"), OPTIONS, tmp_path)

    assert [name for name, _ in calls] == ["ada", "bob"], "every submission judged again"
    assert [(row.name, row.grader, row.previous_grader) for row in rows] == [
        ("ada", "v2", "v1"),
        ("bob", "v2", "v1"),
    ]
    assert (tmp_path / "bob.review.v1.md").read_text().count("Requires Changes") >= 1
    assert "by grader version v2" in (tmp_path / "bob.review.md").read_text()
    assert (tmp_path / "ada.review.v1.html").is_file()
    table = (tmp_path / "summary.md").read_text()
    assert "Judged again since the grader changed (from v1 to v2): 1 verdict changed, in 1 of 2" in table
    assert "- bob: `train` is correct: Requires Changes → Meets Specifications" in table
    assert summary.read(tmp_path)[1].changed == [
        "`train` is correct: Requires Changes → Meets Specifications"
    ]
    calls.clear()
    batch.review_all(submissions(ada=b"good", bob=b"bad"), OPTIONS, tmp_path)
    assert calls == [], "an unchanged rerun skips every submission"


def test_the_graders_version_changes_with_the_checks_and_not_with_the_batchs_bookkeeping(
    monkeypatch, tmp_path
):
    for entry in [*grader.JUDGING, *grader.BOOKKEEPING]:
        source = project.PROJECT / entry
        copy = shutil.copytree if source.is_dir() else shutil.copy
        (tmp_path / entry).parent.mkdir(parents=True, exist_ok=True)
        if not (tmp_path / entry).exists():
            copy(source, tmp_path / entry)
    monkeypatch.setattr(grader, "PROJECT", tmp_path)
    version = grader.version.__wrapped__  # Not the cached version of this process.
    first = version()

    with (tmp_path / "harness" / "review" / "summary.py").open("a") as written:
        written.write("\n# How the table is laid out changed.\n")
    assert version() == first
    with (tmp_path / "harness" / "checks" / "common.py").open("a") as written:
        written.write("\n# A check was fixed.\n")
    assert version() != first and len(version()) == 12


def test_a_review_that_fails_is_a_row_and_the_next_rerun_does_it_again(monkeypatch, tmp_path):
    fake_reviews(monkeypatch, tmp_path, fail={"bob"})
    distributed = pytest.importorskip("distributed")

    local = {"processes": False, "n_workers": 1, "threads_per_worker": 2, "dashboard_address": None}
    with distributed.Client(**local) as client:
        rows = batch.review_all(submissions(ada=b"good", bob=b"x", cy=b"bad"), OPTIONS, tmp_path, client)

    assert [(row.name, row.result) for row in rows] == [("ada", MEETS), ("bob", "Failed"), ("cy", REQUIRES)]
    assert rows[1].note == "RuntimeError: bob broke the reviewer"
    unset = batch._failure(ModuleNotFoundError("No module named 'harness'", name="harness"))
    assert unset.endswith("(start the workers from this project's folder with PYTHONPATH set to it)")
    calls = fake_reviews(monkeypatch, tmp_path)
    batch.review_all(submissions(ada=b"good", bob=b"x", cy=b"bad"), OPTIONS, tmp_path)
    assert [name for name, _ in calls] == ["bob"]


def test_a_folder_is_sent_zipped_and_its_links_stay_links_that_unpacking_refuses(tmp_path):
    folder = tmp_path / "learner"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "helper.py").write_text("x = 1\n")
    os.symlink("/etc/passwd", folder / "stolen.txt")

    sent = batch.submission_of(folder)
    (tmp_path / "sent.zip").write_bytes(sent.payload)

    assert (sent.name, sent.suffix) == ("learner", ".zip")
    with pytest.raises(unpack.HostileSubmission):
        unpack.unpack(tmp_path / "sent.zip", tmp_path / "files")
    os.unlink(folder / "stolen.txt")
    (tmp_path / "again.zip").write_bytes(batch.submission_of(folder).payload)
    unpacked = unpack.unpack(tmp_path / "again.zip", tmp_path / "more")
    assert (unpacked / "sub" / "helper.py").read_text() == "x = 1\n"


def test_a_submission_too_large_to_send_is_named_with_its_size(monkeypatch, tmp_path):
    monkeypatch.setattr(unpack, "MOST_BYTES", 2**20)
    (tmp_path / "huge.zip").write_bytes(b"0" * (2**20 + 1))

    with pytest.raises(batch.TooLarge, match=r"huge.zip is 1 MiB, over 1 MiB"):
        batch.submission_of(tmp_path / "huge.zip")


@pytest.mark.parametrize(
    ("declared", "train", "needs"),
    [
        (set(), None, {}),
        ({"CPU"}, None, {"CPU": 1}),
        ({"CPU"}, 2, {"CPU": 2}),
        ({"CPU", "GPU"}, 2, {"GPU": 1}),
    ],
)
def test_a_review_asks_for_what_the_workers_declare(declared, train, needs):
    assert batch.Options(data_dir="data", train=train).needs(declared) == needs


# A real batch: the shipped solution, a generator without its tanh whose submitted checks pass
# anything (the verdict must not take their word), and a zip that escapes its folder. (Each of the
# learners' solutions passes the judge in test_learner_solutions, and meets the files and
# hyperparameters in test_draft: reviewing each here again would add half a minute apiece.)
LENIENT = b"def test_generator(generator, tf):\n    print('Tests Passed')\n"


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    packed(folder, "shipped", executed(SHIPPED))
    no_tanh = executed(SOLUTIONS[0].read_text().replace("out = tf.tanh(logits)", "out = logits"))
    rezipped(packed(folder, "no_tanh", no_tanh), {"problem_unittests.py": LENIENT})
    with zipfile.ZipFile(folder / "submissions" / "hostile.zip", "w") as bundle:
        bundle.writestr("dlnd_face_generation.ipynb", "{}")
        bundle.writestr("../../planted.py", "print('pwned')")  # Out of its folder: refused.
    return folder / "submissions"


@needs_bubblewrap
@pytest.mark.slow
def test_a_batch_on_two_workers_survives_a_killed_one_passes_the_honest_fails_the_wrong_refuses_hostile(
    real_batch, tmp_path
):
    distributed = pytest.importorskip("distributed")
    output = tmp_path / "reviews"
    command = [sys.executable, "review.py", str(real_batch), "-o", str(output), "--data-dir", str(output)]
    with dask_cluster(tmp_path, workers=2) as (address, worker_processes):
        reviewing = subprocess.Popen([*command, "--scheduler", address], cwd=project.PROJECT, **PIPED)
        with distributed.Client(address) as watcher:
            victim = worker_under(watcher, ("review-shipped",))
            time.sleep(3)  # In the middle of its review.
            os.kill(victim, signal.SIGKILL)
            assert victim in [process.pid for process in worker_processes]
        out, err = reviewing.communicate(timeout=600)
        assert reviewing.returncode == 0, err

        # Every review, as one after another gives it. The shipped one meets every section but the
        # samples, which are the reviewer's to look at (no data here, and no faces are measured).
        text = (output / "shipped.review.md").read_text()
        assert "**Meets Specifications in 8 of 10 sections; 2 to check by eye.**" in text, text
        assert "bubblewrap sandbox" in text
        assert (output / "shipped.review.html").read_text().startswith("<!DOCTYPE html>")
        table = (output / "summary.md").read_text()
        assert f"| shipped | {' | '.join(['✅'] * 8 + ['👀'] * 2)} |" in table, table
        assert "9. The MNIST samples look like handwritten digits" in table
        rows = {row.name: row for row in summary.read(output)}
        assert (rows["shipped"].result, rows["hostile"].result) == (BY_EYE, "Refused")
        assert not (real_batch.parents[1] / "planted.py").exists()
        failing = rows["no_tanh"]
        assert failing.result == REQUIRES and len(failing.reasons) == 1
        assert failing.reasons[0].startswith("`generator`"), failing.reasons
        [generator] = [
            part for part in (output / "no_tanh.review.md").read_text().split("\n## ") if "❌" in part
        ]
        assert generator.startswith("❌ `generator`") and (
            "between -1 and 1" in generator or "tanh" in generator
        )
        assert all((output / f"{name}.review.html").is_file() for name in rows)
        assert "3 reviewed, 0 skipped" in out
        written = {path.name: path.stat().st_mtime_ns for path in output.iterdir()}

        again = subprocess.run([*command, "--scheduler", address], cwd=project.PROJECT, timeout=300, **QUIET)
        assert "0 reviewed, 3 skipped" in again.stdout, again.stderr
        assert {name: mtime for name, mtime in written.items() if ".review." in name} == {
            path.name: path.stat().st_mtime_ns for path in output.iterdir() if ".review." in path.name
        }, "no review written again"


QUIET = {"capture_output": True, "text": True}
PIPED = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}


@contextlib.contextmanager
def dask_cluster(folder, workers):
    """A scheduler and ``workers`` workers as separate processes on 127.0.0.1, as a course starts
    them with Dask's own commands; yields the scheduler's address and the workers' processes."""
    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = folder / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(project.PROJECT)}
    started = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        worker = [dask, "worker", address, "--nthreads", "1", "--no-nanny"]
        for _ in range(workers):
            started.append(
                subprocess.Popen(
                    [*worker, "--no-dashboard", "--resources", "CPU=1"],
                    env=env,
                    cwd=folder,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address, started[1:]
    finally:
        for process in reversed(started):
            process.kill()
            process.wait()


def worker_under(client, prefixes, timeout=300):
    """The process id of a worker reviewing a task whose key starts with one of ``prefixes``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if any(str(key).startswith(prefixes) for key in keys):
                return client.run(os.getpid, workers=[address])[address]
        time.sleep(0.2)
    raise AssertionError(f"no worker took a review within {timeout} s")


def test_a_scheduler_that_cannot_be_reached_is_named_with_how_to_start_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(review, "CONNECT_TIMEOUT", "2s")
    (tmp_path / "a.zip").write_bytes(b"not a zip at all")
    arguments = [str(tmp_path / "a.zip"), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]

    assert review.main(arguments) == 2

    error = capsys.readouterr().err
    assert error.startswith("Cannot reach a Dask scheduler at tcp://127.0.0.1:9 (")
    assert "`dask scheduler`" in error and "Traceback" not in error


def test_without_dask_a_batch_is_reviewed_one_after_another_and_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # As in a venv of requirements.txt alone.
    arguments = review.argparse.Namespace(scheduler=None, workers=2)

    with review.cluster(arguments, 3) as client:
        assert client is None

    line = capsys.readouterr().err.strip()
    assert line == (
        "Reviewing one after another: Dask is not installed "
        "(`.venv/bin/pip install -r requirements-review.txt`)."
    )


def test_without_dask_a_scheduler_is_refused_with_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    arguments = review.argparse.Namespace(scheduler="tcp://127.0.0.1:8786", workers=2)

    with pytest.raises(review.BadArguments) as refused, review.cluster(arguments, 3):
        pass

    assert str(refused.value).startswith("--scheduler needs Dask, which is not installed: `.venv/bin/pip")
