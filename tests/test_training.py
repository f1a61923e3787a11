"""training.py, driven by the notebook's own train: checkpoints, resume, NaN guard, film."""

import base64
import io
import json

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from PIL import Image

import training

BATCH, Z_DIM = 8, 16
SHAPE = (32, 28, 28, 1)  # Four batches per epoch.


def batches_of(data, stop_after=None, seen=None):
    """A get_batches over `data`; raises KeyboardInterrupt before batch `stop_after` (0-based)."""

    def get_batches(batch_size):
        for index, start in enumerate(range(0, len(data) - batch_size + 1, batch_size)):
            if index == stop_after:
                raise KeyboardInterrupt
            if seen is not None:
                seen.append(index)
            yield data[start : start + batch_size]

    return get_batches


@pytest.fixture
def data():
    return np.random.default_rng(0).uniform(-0.5, 0.5, SHAPE).astype(np.float32)


def train_run(notebook, run, get_batches, epochs=2, learning_rate=0.0005):
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        return notebook["train"](epochs, BATCH, Z_DIM, learning_rate, 0.5, get_batches, SHAPE, "L", run=run)


def make_run(tmp_path, **options):
    settings = {"checkpoint_dir": tmp_path / "checkpoints", "resume": True, "print_every": 1, "show_every": 2}
    return training.Run("digits", **{**settings, **options})


def checkpoint_steps(tmp_path):
    folders = list((tmp_path / "checkpoints").iterdir())
    assert len(folders) == 1, "one run, one checkpoint folder"
    latest = json.loads((folders[0] / training.LATEST).read_text())["checkpoint"]
    return latest, sorted(p.name for p in folders[0].iterdir())


def test_interrupted_run_saves_a_checkpoint_and_the_rerun_resumes_from_it(notebook, tmp_path, data):
    first = make_run(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        train_run(notebook, first, batches_of(data, stop_after=2))

    assert first.step == 2
    assert checkpoint_steps(tmp_path) == ("step-0000002", [training.LATEST, "step-0000002"])

    second = make_run(tmp_path)
    history = train_run(notebook, second, batches_of(data))

    assert second.step == 8, "2 steps before the interrupt, then the 6 left (the 2 done are skipped)"
    assert history["step"] == [1, 2, 3, 4, 5, 6, 7, 8], "the history goes on from the checkpoint's"
    assert history["frame_steps"] == [2, 4, 6, 8]
    assert checkpoint_steps(tmp_path)[0] == "step-0000008"


def test_resumed_variables_are_the_saved_ones(notebook, tmp_path, data):
    run = make_run(tmp_path)
    train_run(notebook, run, batches_of(data), epochs=1)
    reader = tf.train.load_checkpoint(str(run.checkpoint / "model"))
    saved = reader.get_tensor("generator/dense/kernel")

    with tf.Graph().as_default(), tf.Session() as sess:
        _, input_z, _ = notebook["model_inputs"](28, 28, 1, Z_DIM)
        notebook["generator"](input_z, 1)
        run.restore_into(sess)
        [kernel] = [v for v in tf.global_variables() if v.name == "generator/dense/kernel:0"]
        restored = sess.run(kernel)

    np.testing.assert_array_equal(restored, saved)


def test_a_finished_run_rerun_trains_nothing_and_returns_its_history(notebook, tmp_path, data):
    history = train_run(notebook, make_run(tmp_path), batches_of(data), epochs=1)
    seen = []

    again = train_run(notebook, make_run(tmp_path), batches_of(data, seen=seen), epochs=1)

    assert seen == []
    assert again["step"] == history["step"]
    np.testing.assert_array_equal(np.asarray(again["frames"]), np.asarray(history["frames"]))


def test_other_hyperparameters_start_afresh(notebook, tmp_path, data):
    train_run(notebook, make_run(tmp_path), batches_of(data), epochs=1)
    seen = []

    train_run(notebook, make_run(tmp_path), batches_of(data, seen=seen), epochs=1, learning_rate=0.001)

    assert seen == [0, 1, 2, 3]
    assert len(list((tmp_path / "checkpoints").iterdir())) == 2


def test_resume_false_starts_afresh(notebook, tmp_path, data):
    train_run(notebook, make_run(tmp_path), batches_of(data), epochs=1)
    seen = []

    train_run(notebook, make_run(tmp_path, resume=False), batches_of(data, seen=seen), epochs=1)

    assert seen == [0, 1, 2, 3]


def test_a_crash_while_saving_keeps_the_last_good_checkpoint(notebook, tmp_path, data, monkeypatch):
    train_run(notebook, make_run(tmp_path), batches_of(data), epochs=1)
    original_save = tf.train.Saver.save

    def crash_midway(self, sess, path, **kwargs):
        original_save(self, sess, path, **kwargs)  # The files are written, then the machine "dies".
        raise OSError("disk full")

    monkeypatch.setattr(tf.train.Saver, "save", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        train_run(notebook, make_run(tmp_path), batches_of(data), epochs=2)
    monkeypatch.undo()

    assert checkpoint_steps(tmp_path) == ("step-0000004", [training.LATEST, "step-0000004"])
    seen = []
    run = make_run(tmp_path)
    train_run(notebook, run, batches_of(data, seen=seen), epochs=2)
    assert seen == [0, 1, 2, 3], "resumed after epoch 1, the last good checkpoint"
    assert run.step == 8


def test_a_nan_loss_stops_training_with_a_clear_message_and_keeps_the_checkpoint(notebook, tmp_path, data):
    train_run(notebook, make_run(tmp_path), batches_of(data), epochs=1)
    poisoned = np.full_like(data, np.nan)

    with pytest.raises(training.TrainingDiverged) as caught:
        train_run(notebook, make_run(tmp_path), batches_of(poisoned), epochs=2)

    message = str(caught.value)
    assert "Discriminator loss became nan at step 5" in message
    assert "learning rate too high" in message and "sigmoid_cross_entropy_with_logits" in message
    assert "step-0000004" in message and "is kept" in message
    assert checkpoint_steps(tmp_path) == ("step-0000004", [training.LATEST, "step-0000004"])


def test_a_nan_loss_without_checkpoints_says_none_was_saved(notebook, data):
    nan_data = np.full_like(data, np.nan)

    with pytest.raises(training.TrainingDiverged, match="No checkpoint had been saved yet"):
        train_run(notebook, training.Run(), batches_of(nan_data), epochs=1)


def test_an_infinite_loss_is_caught_too():
    run = training.Run("digits")

    with pytest.raises(training.TrainingDiverged, match="Generator loss became inf at step 1"):
        run.record(0.7, float("inf"))


def test_resume_without_a_checkpoint_dir_is_refused():
    with pytest.raises(ValueError, match="resume=True needs a checkpoint_dir"):
        training.Run("digits", resume=True)


def test_a_damaged_checkpoint_is_named_with_the_fix(notebook, tmp_path, data):
    run = make_run(tmp_path)
    train_run(notebook, run, batches_of(data), epochs=1)
    (run.checkpoint / "state.json").write_text("{")

    with pytest.raises(training.CheckpointError, match=r"cannot be read.*Delete the folder"):
        train_run(notebook, make_run(tmp_path), batches_of(data), epochs=1)


class RecordingJudge:
    """Stands in for a quality judge: records what it is given."""

    def __init__(self):
        self.shapes = []

    def evaluate(self, images):
        self.shapes.append((images.shape, float(images.min()), float(images.max())))
        return {"fd": 1.0 * len(self.shapes)}

    def describe(self, scores):
        return f"FD {scores['fd']}"


def test_each_epoch_is_measured_on_quality_samples_generated_images(notebook, tmp_path, data):
    judge = RecordingJudge()
    run = make_run(tmp_path, judge=judge, quality_samples=600)

    history = train_run(notebook, run, batches_of(data), epochs=2)

    assert [shape for shape, _, _ in judge.shapes] == [(600, 28, 28, 1)] * 2
    assert all(low >= -1 and high <= 1 for _, low, high in judge.shapes)
    assert history["quality"] == [{"epoch": 1, "step": 4, "fd": 1.0}, {"epoch": 2, "step": 8, "fd": 2.0}]


def test_film_is_an_animated_gif_of_every_frame():
    frames = [np.full((10, 10), value, np.uint8) for value in (0, 128, 255)]

    html = training.film_html(frames, [100, 200, 300], scale=2)

    data = html.split("base64,")[1].split('"')[0]
    gif = Image.open(io.BytesIO(base64.b64decode(data)))
    assert gif.format == "GIF" and gif.n_frames == 3 and gif.size == (20, 20)


def test_film_needs_frames():
    with pytest.raises(ValueError, match="at least one frame"):
        training.film_html([], [])
