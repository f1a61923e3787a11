"""Faults a careless or unlucky user meets: kills at a chosen point, full disks, damaged files.

Each test reproduces one, then asserts that the message names the problem and the fix, that
nothing half-written stays, and that the next run recovers by itself. The kills are real:
``kill -9`` of a subprocess at the chosen moment.
"""

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from helpers.archives import ArrayData
from PIL import Image
from werkzeug import Response

import helper
from harness import atomic, checkpoint_store, project, training
from harness.data import cache, errors

ROOT = Path(__file__).resolve().parent.parent


def killed_at_a_chosen_point(tmp_path, body: str) -> subprocess.CompletedProcess:
    """Runs ``body`` in a new Python process; the body kills itself with SIGKILL where it must."""
    script = tmp_path / "victim.py"
    script.write_text(textwrap.dedent(body))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    # Files, not pipes: a process the victim left behind would hold a pipe open, and the test hang.
    with open(tmp_path / "out", "w+") as out, open(tmp_path / "err", "w+") as err:
        done = subprocess.run(
            [sys.executable, str(script)], cwd=ROOT, env=env, stdout=out, stderr=err, timeout=300
        )
    done.stdout, done.stderr = (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    return done


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(f"*{atomic.PART_SUFFIX}"))


def test_kill_9_while_a_checkpoint_is_saved_then_the_next_run_sweeps_and_resumes(tmp_path, capsys):
    killed_at_a_chosen_point(
        tmp_path,
        f"""
        import os, signal
        import numpy as np
        import tensorflow.compat.v1 as tf
        from harness import checkpoint_store, project, training
        from tests.helpers.archives import ArrayData

        notebook = project.load_functions()
        saves = []
        original = tf.train.Saver.save

        def save_then_die(self, sess, path, **kwargs):
            original(self, sess, path, **kwargs)
            saves.append(path)
            if len(saves) == 2:  # The second checkpoint's files are written, not yet renamed.
                os.kill(os.getpid(), signal.SIGKILL)

        tf.train.Saver.save = save_then_die
        data = np.random.default_rng(0).uniform(-0.5, 0.5, (32, 28, 28, 1)).astype(np.float32)
        store = checkpoint_store.CheckpointStore({str(tmp_path / "checkpoints")!r})
        quiet = training.Progress(verbose=False)
        saving = training.Checkpointing(store, checkpoint_store.settings_of(notebook))
        run = training.Run("digits", ArrayData(data), epochs=2, batch_size=8, z_dim=16, parts=[quiet, saving])
        with tf.Graph().as_default(), run:
            notebook["train"](2, 8, 16, 0.0005, 0.5, run.get_batches, run.data_shape, "L")
        """,
    )
    [folder] = (tmp_path / "checkpoints").iterdir()
    assert parts(folder) != [], "the kill left a half-written checkpoint"
    assert json.loads((folder / checkpoint_store.LATEST).read_text())["checkpoint"] == "step-0000004"

    notebook = project.load_functions()
    data = np.random.default_rng(0).uniform(-0.5, 0.5, (32, 28, 28, 1)).astype(np.float32)
    source = ArrayData(data)
    run = train_digits(notebook, source, tmp_path / "checkpoints", epochs=2)

    assert "Removed what an interrupted run left half-written" in capsys.readouterr().out
    assert parts(tmp_path) == []
    assert source.served == [0, 1, 2, 3], "resumed at epoch 2, from the last good checkpoint"
    assert run.step == 8


def digit_files(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True)
    paths = []
    for index, pixels in enumerate(np.random.default_rng(0).integers(0, 256, (count, 28, 28), np.uint8)):
        Image.fromarray(pixels, "L").save(folder / f"image_{index}.jpg")
        paths.append(str(folder / f"image_{index}.jpg"))
    return paths


def test_kill_9_while_the_cache_is_built_leaves_no_workers_and_the_next_run_rebuilds(tmp_path, capsys):
    files = digit_files(tmp_path / "data" / "mnist", 1200)
    done = killed_at_a_chosen_point(
        tmp_path,
        f"""
        import os, signal, sys, time
        import helper
        from harness.data import cache

        if __name__ == "__main__":
            original = cache.build_cache.__globals__["tqdm"]

            class DieAfterTheFirstChunk(original):
                def update(self, n=1):
                    super().update(n)
                    children = [int(p) for p in os.listdir("/proc") if p.isdigit()
                                and open(f"/proc/{{p}}/stat").read().split()[3] == str(os.getpid())]
                    print("workers", *children, flush=True)
                    os.kill(os.getpid(), signal.SIGKILL)

            cache.build_cache.__globals__["tqdm"] = DieAfterTheFirstChunk
            dataset = helper.Dataset("mnist", {files!r})
            dataset.images
        """,
    )
    workers = [int(pid) for pid in done.stdout.split("workers")[-1].split()]
    cache_dir = tmp_path / "data" / ".cache"
    assert parts(cache_dir) != [], "the kill left a half-written cache"
    time.sleep(1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
    assert alive == [], "the cache's workers die with their parent"

    images = helper.Dataset("mnist", files).images

    assert images.shape == (1200, 28, 28, 1)
    assert "Removed what an interrupted run left half-written" in capsys.readouterr().out
    assert parts(cache_dir) == []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return "Z"


def test_a_script_without_a_main_guard_builds_the_cache_quietly(tmp_path):
    files = digit_files(tmp_path / "data" / "mnist", 1100)
    script = tmp_path / "plain.py"
    script.write_text(f"import helper\nprint(helper.Dataset('mnist', {files!r}).images.shape)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("(1100, 28, 28, 1)")
    assert "BrokenProcessPool" not in done.stderr and "bootstrapping" not in done.stderr


@pytest.mark.parametrize(
    "damage, note",
    [
        (lambda stamp, cache: stamp.write_text(""), "has no readable stamp"),
        (lambda stamp, cache: stamp.write_text("{}"), "has no readable stamp"),
        (lambda stamp, cache: cache.write_bytes(cache.read_bytes()[:1000]), "is incomplete or damaged"),
        (lambda stamp, cache: cache.write_bytes(b"\0" * cache.stat().st_size), "is incomplete or damaged"),
    ],
    ids=["empty stamp", "stamp without fields", "truncated cache", "zeroed cache"],
)
def test_a_damaged_cache_or_stamp_is_rebuilt_with_a_note(mnist_files, damage, note, capsys):
    first = helper.Dataset("mnist", mnist_files)
    expected = np.array(first.images)
    cache = first.cache_path
    damage(cache.with_suffix(".json"), cache)

    again = helper.Dataset("mnist", mnist_files).images

    said = capsys.readouterr().out
    assert f"The cache {cache.name} {note}" in said and "building it again." in said
    np.testing.assert_array_equal(again, expected)


def test_a_damaged_image_is_named_with_what_to_do(mnist_files):
    Path(mnist_files[7]).write_bytes(b"\xff\xd8 not really a jpeg")

    with pytest.raises(errors.DamagedImageError) as error:
        _ = helper.Dataset("mnist", mnist_files).images

    message = str(error.value)
    assert message.startswith(f"{mnist_files[7]} cannot be read as an image")
    assert "Replace it with a good copy" in message and "or delete it" in message
    assert parts(Path(mnist_files[0]).parent.parent) == []


def test_damaged_images_can_be_left_out_with_a_count(mnist_files, capsys):
    for index in (3, 40):
        Path(mnist_files[index]).write_bytes(b"")
    good = np.delete(
        helper.get_batch(mnist_files[:3] + mnist_files[4:40] + mnist_files[41:], 28, 28, "L"), [], 0
    )

    dataset = helper.Dataset("mnist", mnist_files, skip_damaged=True)

    np.testing.assert_array_equal(dataset.images, good)
    assert dataset.shape == (58, 28, 28, 1)
    assert f"Left out 2 damaged image(s): {mnist_files[3]}, {mnist_files[40]}" in capsys.readouterr().out
    assert len(list(helper.Dataset("mnist", mnist_files, skip_damaged=True).get_batches(29))) == 2, "cached"


def test_not_enough_disk_for_the_cache_says_how_much_is_needed(mnist_files, monkeypatch):
    monkeypatch.setattr(atomic.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 10_000})())

    # 60 images of 28 x 28 and the array's header; 10 kB free.
    needed = r"It needs 47 kB, and the disk holding .* has 10 kB free\. Free at least 37 kB there"
    with pytest.raises(
        atomic.DiskFullError, match=r"^Disk full: .*mnist-\w+\.npy could not be written\. " + needed
    ):
        _ = helper.Dataset("mnist", mnist_files).images


def test_a_full_disk_while_writing_the_cache_says_so_and_leaves_nothing(mnist_files, monkeypatch):
    def full(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache.os, "posix_fallocate", full)

    with pytest.raises(atomic.DiskFullError, match=r"^Disk full: .*mnist-\w+\.npy could not be written"):
        _ = helper.Dataset("mnist", mnist_files).images

    assert parts(Path(mnist_files[0]).parent.parent) == []


def test_a_live_writers_part_is_left_alone_and_a_dead_ones_is_swept(tmp_path):
    live = tmp_path / f".cache.npy.{os.getpid()}.abc123.part"
    live.write_bytes(b"in progress")
    dead_pid = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead = tmp_path / f".cache.npy.{int(dead_pid.stdout)}.def456.part"
    dead.write_bytes(b"x" * 1000)

    assert atomic.sweep(tmp_path) == (1, 1000)
    assert live.exists() and not dead.exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda step: (step / "state.json").write_text('{"step": 4}'),
        lambda step: next(step.glob("model.data-*")).write_bytes(b"truncated"),
        lambda step: (step / "frames.npy").unlink(),
    ],
    ids=["state without a field", "truncated model file", "frames missing"],
)
def test_an_unreadable_checkpoint_is_a_checkpoint_error_naming_the_folder(notebook, tmp_path, damage):
    import tensorflow.compat.v1 as tf

    def train_once():
        run = training.Run(
            "digits",
            ArrayData(np.zeros((16, 28, 28, 1), np.float32)),
            epochs=1,
            batch_size=8,
            z_dim=16,
            parts=[
                training.Progress(verbose=False),
                training.Film(every=1),  # its frames are part of the checkpoint
                training.Checkpointing(
                    checkpoint_store.CheckpointStore(tmp_path), checkpoint_store.settings_of(notebook)
                ),
            ],
        )
        with tf.Graph().as_default(), run:
            notebook["train"](1, 8, 16, 0.0005, 0.5, run.get_batches, run.data_shape, "L")
        return run

    damage(train_once().checkpoint)

    with pytest.raises(
        checkpoint_store.CheckpointError, match=r"cannot be read.*Delete the folder .*resume = False"
    ):
        train_once()


def test_kill_9_during_a_download_then_the_next_run_sweeps_and_downloads(
    httpserver, tmp_path, mnist_archive, use_source, capsys
):
    def slowly(request):
        def body():
            for start in range(0, len(mnist_archive), 1000):
                yield mnist_archive[start : start + 1000]
                time.sleep(0.05)

        return Response(body(), headers={"Content-Length": str(len(mnist_archive))})

    httpserver.expect_request("/slow.gz").respond_with_handler(slowly)
    httpserver.expect_request("/fast.gz").respond_with_data(mnist_archive)
    source = use_source("mnist", mnist_archive, (httpserver.url_for("/slow.gz"),))
    killed_at_a_chosen_point(
        tmp_path,
        f"""
        import dataclasses, os, signal, threading, time
        from pathlib import Path
        import helper
        from harness.data import sources

        sources.SOURCES["mnist"] = dataclasses.replace(
            sources.SOURCES["mnist"], urls=({source.urls[0]!r},), sha256={source.sha256!r},
            payload_sha256={source.payload_sha256!r})

        def kill_midway():
            while not list(Path({str(tmp_path)!r}).glob(".*.part")):  # The download has begun.
                time.sleep(0.01)
            time.sleep(0.5)  # Midway: the body comes in over about 2 s.
            os.kill(os.getpid(), signal.SIGKILL)

        threading.Thread(target=kill_midway, daemon=True).start()
        helper.fetch("mnist", {str(tmp_path)!r})
        """,
    )
    assert parts(tmp_path) != [], "the kill left a half-written download"
    use_source("mnist", mnist_archive, (httpserver.url_for("/fast.gz"),))

    archive = helper.fetch("mnist", tmp_path)

    assert archive.read_bytes() == mnist_archive
    assert "Removed what an interrupted run left half-written" in capsys.readouterr().out
    assert parts(tmp_path) == []


def test_a_half_extraction_left_by_a_killed_run_is_swept_before_extracting_again(
    tmp_path, use_source, celeba_archive, capsys
):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    half = tmp_path / f".img_align_celeba.{int(dead.stdout)}.k3j9x.part"
    (half / "img_align_celeba").mkdir(parents=True)
    for index in range(1, 6):
        (half / "img_align_celeba" / f"{index:06d}.jpg").write_bytes(b"half")
    use_source("celeba", celeba_archive, ("http://127.0.0.1:9/never-asked",))
    (tmp_path / "celeba.zip").write_bytes(celeba_archive)  # Placed by hand, so no download.
    mine = tmp_path / "my-photos"
    mine.mkdir()

    folder = helper.download_extract("celeba", tmp_path)

    assert len(list(folder.glob("*.jpg"))) == 12
    assert "Removed what an interrupted run left half-written" in capsys.readouterr().out
    assert parts(tmp_path) == [] and mine.is_dir()


def test_two_processes_building_one_cache_while_its_images_change_both_succeed(tmp_path):
    files = digit_files(tmp_path / "data" / "mnist", 600)
    script = tmp_path / "reader.py"
    script.write_text(
        "import sys, helper\n"
        "if __name__ == '__main__':\n"
        f"    for _ in range(4):\n"
        f"        print(helper.Dataset('mnist', {files!r}).images.shape, flush=True)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    readers = [
        subprocess.Popen(
            [sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for index in range(0, 600, 50):  # The images change under them: every cache they made goes stale.
        os.utime(files[index])
        time.sleep(0.05)

    outcomes = [reader.communicate(timeout=120) for reader in readers]

    assert [reader.returncode for reader in readers] == [0, 0], (
        outcomes[0][1][-2000:] + outcomes[1][1][-2000:]
    )
    shapes = [[line for line in out.decode().splitlines() if line.startswith("(")] for out, _ in outcomes]
    assert shapes == [["(600, 28, 28, 1)"] * 4] * 2
    assert parts(tmp_path) == []


# Full disks: a real one, a small tmpfs mounted in a user and mount namespace of its own.


def on_a_small_disk(tmp_path, kilobytes: int, body: str) -> dict:
    """Runs ``body`` in a new Python process that sees a ``kilobytes``-sized disk at ``DISK``.

    ``body`` sets ``result`` (a dict); it comes back as JSON. The disk vanishes with the process.
    """
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "on_small_disk.py"
    script.write_text(
        f"import json\nDISK = {str(disk)!r}\nresult = {{}}\n"
        + textwrap.dedent(body)
        + f"\nopen({str(tmp_path / 'result.json')!r}, 'w').write(json.dumps(result))\n"
    )
    mount = f"mount -t tmpfs -o size={kilobytes}k tmpfs {disk}"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", mount], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"this machine cannot mount a small disk in a user namespace: {probe.stderr.strip()}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f'{mount} && exec "$0" "$1"', sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((tmp_path / "result.json").read_text())


def test_is_disk_full_knows_each_writers_words():
    assert atomic.is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert atomic.is_disk_full(OSError("7840000 requested and 2555776 written"))  # numpy's words.
    assert atomic.is_disk_full(RuntimeError("model.data-00000-of-00001.tempstate1; No space left on device"))
    assert not atomic.is_disk_full(OSError(errno.EACCES, "Permission denied"))


def test_a_full_disk_while_samples_are_written_says_so_and_keeps_the_old_file(tmp_path):
    result = on_a_small_disk(
        tmp_path,
        1024,
        """
        import numpy as np
        from pathlib import Path
        from harness import atomic

        target = Path(DISK) / "samples.npy"
        np.save(target, np.zeros(10, np.uint8))  # The samples a finished run kept.
        pixels = np.zeros((10_000, 28, 28), np.uint8)  # 7.8 MB: the disk holds 1 MB.
        try:
            with atomic.replacing(target, pixels.nbytes + 128) as temp, temp.open("wb") as stream:
                np.save(stream, pixels)
        except atomic.DiskFullError as error:
            result["error"] = str(error)
        result["kept"] = np.load(target).tolist()
        result["files"] = sorted(p.name for p in Path(DISK).iterdir())
        """,
    )
    disk = tmp_path / "disk"
    assert result["error"].startswith(
        f"Disk full: {disk / 'samples.npy'} could not be written. It needs 7.8 MB"
    )
    assert f"the disk holding {disk} has " in result["error"] and "Free at least " in result["error"]
    assert result["kept"] == [0] * 10 and result["files"] == ["samples.npy"]


def test_a_full_disk_at_a_checkpoint_keeps_the_last_one_and_the_rerun_resumes_from_it(tmp_path):
    size = checkpoint_bytes(tmp_path / "probe")
    # Room for one checkpoint and a half, once a ballast (a learner's other files) is deleted.
    result = on_a_small_disk(
        tmp_path,
        (size * 5 // 2) // 1024,
        f"""
        import os
        import numpy as np
        import tensorflow.compat.v1 as tf
        from pathlib import Path
        from harness import atomic, checkpoint_store, project, training
        from harness.messages import in_full
        from tests.helpers.archives import ArrayData

        ballast = Path(DISK) / "ballast"
        ballast.write_bytes(bytes({size}))
        notebook = project.load_functions()
        data = ArrayData(np.random.default_rng(0).uniform(-0.5, 0.5, (32, 28, 28, 1)).astype(np.float32))

        def train_two_epochs():
            store = checkpoint_store.CheckpointStore(Path(DISK) / "checkpoints")
            saving = training.Checkpointing(store, checkpoint_store.settings_of(notebook))
            run = training.Run("digits", data, epochs=2, batch_size=8, z_dim=16,
                               parts=[training.Progress(verbose=False), saving])
            with tf.Graph().as_default(), run:
                notebook["train"](2, 8, 16, 0.0005, 0.5, run.get_batches, run.data_shape, "L")
            return run

        try:
            train_two_epochs()
        except atomic.DiskFullError as error:
            result["error"] = in_full(error)
        [folder] = (Path(DISK) / "checkpoints").iterdir()
        result["after_full"] = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_dir())
        result["parts"] = [p.name for p in Path(DISK).rglob("*.part")]
        ballast.unlink()  # The learner frees some space, and runs the cell again.
        data.served.clear()
        run = train_two_epochs()
        result["served_after"], result["step"] = list(data.served), run.step
        """,
    )
    assert (
        result["error"].startswith("Disk full: ") and "step-0000008 could not be written" in result["error"]
    )
    assert "The last checkpoint, step-0000004, is kept: once there is space" in result["error"]
    assert result["after_full"] == ["step-0000004"] and result["parts"] == []
    assert result["served_after"] == [0, 1, 2, 3] and result["step"] == 8, "resumed at epoch 2"


def checkpoint_bytes(folder: Path) -> int:
    """The size of one checkpoint of the notebook's networks in the full-disk test's run."""
    data = ArrayData(np.random.default_rng(0).uniform(-0.5, 0.5, (8, 28, 28, 1)).astype(np.float32))
    run = train_digits(project.load_functions(), data, folder, epochs=1)
    return sum(p.stat().st_size for p in run.checkpoint.rglob("*") if p.is_file())


def train_digits(notebook, data, folder: Path, epochs: int) -> training.Run:
    """The notebook's train in a Run on ``data``, batches of 8, its checkpoints in ``folder``."""
    import tensorflow.compat.v1 as tf

    store = checkpoint_store.CheckpointStore(folder)
    settings = checkpoint_store.settings_of(notebook)
    saving = training.Checkpointing(store, settings)
    run = training.Run(
        "digits",
        data,
        epochs=epochs,
        batch_size=8,
        z_dim=16,
        parts=[training.Progress(verbose=False), saving],
    )
    with tf.Graph().as_default(), run:
        notebook["train"](epochs, 8, 16, 0.0005, 0.5, run.get_batches, run.data_shape, "L")
    return run
