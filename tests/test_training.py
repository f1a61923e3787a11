"""training.py: a Run around the notebook's own train (and others): losses, film, quality, checkpoints."""

import functools
import inspect
import json
import signal

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from conftest import ArrayData

from harness import checkpoints, project, training
from harness.training import checkpointing

BATCH, Z_DIM = 8, 16
SHAPE = (32, 28, 28, 1)  # Four batches per epoch.


@pytest.fixture
def data():
    return np.random.default_rng(0).uniform(-0.5, 0.5, SHAPE).astype(np.float32)


@pytest.fixture
def every_step(notebook, monkeypatch):
    """The notebook's train printing its losses every step and showing no samples."""
    monkeypatch.setitem(notebook, "PRINT_EVERY", 1)
    monkeypatch.setitem(notebook, "SHOW_EVERY", 10**6)
    return notebook


def make_run(tmp_path, notebook, data, epochs=2, learning_rate=0.0005, resume=True, **options):
    store = checkpoints.CheckpointStore(tmp_path / "checkpoints", resume=resume)
    settings = checkpoints.settings_of(notebook, learning_rate=learning_rate, data="test digits")
    generator = notebook["generator"]
    defaults = {"sampler": lambda z: generator(z, 1, is_train=False), "show_every": 2, "verbose": False}
    return training.Run(
        "digits",
        data,
        epochs=epochs,
        batch_size=BATCH,
        z_dim=Z_DIM,
        store=store,
        settings=settings,
        **{**defaults, **options},
    )


def train_run(notebook, run, learning_rate=0.0005, train=None):
    """Trains as the notebook's training cells do; returns the run's history."""
    train = train or notebook["train"]
    with tf.Graph().as_default(), run:
        tf.set_random_seed(0)
        returned = train(run.epochs, BATCH, Z_DIM, learning_rate, 0.5, run.get_batches, run.data_shape, "L")
    return run.history(returned)


def checkpoint_steps(tmp_path):
    folders = [p for p in (tmp_path / "checkpoints").iterdir() if p.is_dir()]
    assert len(folders) == 1, "one run, one checkpoint folder"
    latest = json.loads((folders[0] / checkpoints.LATEST).read_text())["checkpoint"]
    return latest, sorted(p.name for p in folders[0].iterdir() if p.is_dir())


def test_interrupted_run_saves_a_checkpoint_and_the_rerun_resumes_from_it(every_step, tmp_path, data):
    first = make_run(tmp_path, every_step, ArrayData(data, stop_after=2))
    with pytest.raises(KeyboardInterrupt):
        train_run(every_step, first)

    assert first.step == 2
    assert checkpoint_steps(tmp_path) == ("step-0000002", ["step-0000002"])

    source = ArrayData(data)
    second = make_run(tmp_path, every_step, source)
    history = train_run(every_step, second)

    assert second.step == 8, "2 steps before the interrupt, then the 6 left (the 2 done are skipped)"
    assert history["step"] == [1, 2, 3, 4, 5, 6, 7, 8], "3 to 8 printed now, after the checkpoint's 1 and 2"
    assert history["frame_steps"] == [2, 4, 6, 8]
    assert checkpoint_steps(tmp_path)[0] == "step-0000008"


def test_ctrl_c_inside_the_loop_body_saves_a_checkpoint_too(every_step, tmp_path, data, monkeypatch):
    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setitem(every_step, "SHOW_EVERY", 3)
    monkeypatch.setitem(every_step, "show_generator_output", interrupted)
    run = make_run(tmp_path, every_step, ArrayData(data))

    with pytest.raises(KeyboardInterrupt):
        train_run(every_step, run)

    # Batch 3 was handed to train but not asked past: it counts as not done and is trained again.
    assert checkpoint_steps(tmp_path) == ("step-0000002", ["step-0000002"])


def test_resumed_variables_are_the_saved_averages(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1)
    train_run(notebook, run)
    model = tf.train.load_checkpoint(str(run.checkpoint / "model"))
    saved = model.get_tensor("moving_average/generator/dense/kernel")

    with tf.Graph().as_default(), tf.Session() as sess:
        _, input_z, _ = notebook["model_inputs"](28, 28, 1, Z_DIM)
        notebook["generator"](input_z, 1)
        run.restore_into(sess)
        [kernel] = [v for v in tf.global_variables() if v.op.name == "generator/dense/kernel"]
        restored = sess.run(kernel)

    np.testing.assert_array_equal(restored, saved)


def test_a_finished_run_rerun_trains_nothing_says_so_and_returns_its_history(every_step, tmp_path, data):
    history = train_run(every_step, make_run(tmp_path, every_step, ArrayData(data), epochs=1))
    source = ArrayData(data)
    run = make_run(tmp_path, every_step, source, epochs=1)

    again = train_run(every_step, run)

    assert source.served == []
    assert any("Loaded the finished run" in note and "resume = False" in note for note in run.notes)
    assert again["step"] == history["step"] == [1, 2, 3, 4]
    np.testing.assert_array_equal(np.asarray(again["frames"]), np.asarray(history["frames"]))


def test_another_learning_rate_does_not_resume_and_says_why(notebook, tmp_path, data):
    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), epochs=1))
    source = ArrayData(data)
    run = make_run(tmp_path, notebook, source, epochs=1, learning_rate=0.001)

    train_run(notebook, run, learning_rate=0.001)

    assert source.served == [0, 1, 2, 3]
    assert any("learning_rate 0.0005 → 0.001" in note and "from the start" in note for note in run.notes)


def test_another_constant_does_not_resume_and_says_why(notebook, tmp_path, data, monkeypatch):
    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), epochs=1))
    shipped = notebook["G_STEPS"]
    monkeypatch.setitem(notebook, "G_STEPS", shipped + 1)
    source = ArrayData(data)
    run = make_run(tmp_path, notebook, source, epochs=1)

    train_run(notebook, run)

    assert source.served == [0, 1, 2, 3]
    assert any(f"G_STEPS {shipped} → {shipped + 1}" in note for note in run.notes)


def test_changed_code_does_not_resume_and_says_which_function(tmp_path, data):
    notebook = project.load_functions()
    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), epochs=1))
    source = inspect.getsource(notebook["discriminator"]).replace("alpha=0.2", "alpha=0.1")
    exec(source, notebook)
    fresh = ArrayData(data)
    run = make_run(tmp_path, notebook, fresh, epochs=1)

    train_run(notebook, run)

    assert fresh.served == [0, 1, 2, 3]
    assert any("discriminator's code changed" in note for note in run.notes)


def test_resume_false_starts_afresh(notebook, tmp_path, data):
    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), epochs=1))
    source = ArrayData(data)

    train_run(notebook, make_run(tmp_path, notebook, source, epochs=1, resume=False))

    assert source.served == [0, 1, 2, 3]


def test_a_crash_while_saving_keeps_the_last_good_checkpoint(notebook, tmp_path, data, monkeypatch):
    original_save = tf.train.Saver.save
    saves = []

    def crash_the_second_time(self, sess, path, **kwargs):
        original_save(self, sess, path, **kwargs)  # The files are written, then the machine "dies".
        saves.append(path)
        if len(saves) == 2:
            raise OSError("disk full")

    monkeypatch.setattr(tf.train.Saver, "save", crash_the_second_time)
    with pytest.raises(OSError, match="disk full"):
        train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), epochs=2))
    monkeypatch.undo()

    assert checkpoint_steps(tmp_path) == ("step-0000004", ["step-0000004"])
    source = ArrayData(data)
    run = make_run(tmp_path, notebook, source, epochs=2)
    train_run(notebook, run)
    assert source.served == [0, 1, 2, 3], "resumed after epoch 1, the last good checkpoint"
    assert run.step == 8


def test_a_save_leaves_other_folders_alone(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1)
    train_run(notebook, run)
    mine = run.checkpoint.parent / "my notes"
    mine.mkdir()

    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), epochs=1, resume=False, max_batches=2))

    assert checkpoint_steps(tmp_path) == ("step-0000002", ["my notes", "step-0000002"])


def test_a_nan_loss_stops_training_with_a_clear_message_and_keeps_the_checkpoint(every_step, tmp_path, data):
    poisoned_in_epoch_2 = ArrayData(data, nan_from=4)

    with pytest.raises(training.TrainingDiverged) as caught:
        train_run(every_step, make_run(tmp_path, every_step, poisoned_in_epoch_2, epochs=2))

    message = str(caught.value)
    assert "Discriminator loss became nan at step 5" in message
    assert "learning rate too high" in message and "sigmoid_cross_entropy_with_logits" in message
    assert "step-0000004" in message and "is kept" in message
    assert checkpoint_steps(tmp_path) == ("step-0000004", ["step-0000004"])


def test_a_nan_loss_without_checkpoints_says_none_was_saved(every_step, data):
    run = training.Run(
        "digits", ArrayData(data, nan_from=0), epochs=1, batch_size=BATCH, z_dim=Z_DIM, verbose=False
    )

    with pytest.raises(training.TrainingDiverged, match="No checkpoint had been saved yet"):
        train_run(every_step, run)


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
    run = make_run(tmp_path, notebook, ArrayData(data), judge=judge, quality_samples=600)

    history = train_run(notebook, run)

    assert [shape for shape, _, _ in judge.shapes] == [(600, 28, 28, 1)] * 2
    assert all(low >= -1 and high <= 1 for _, low, high in judge.shapes)
    assert history["quality"] == [{"epoch": 1, "step": 4, "fd": 1.0}, {"epoch": 2, "step": 8, "fd": 2.0}]


def test_returned_losses_are_used_when_none_are_printed(notebook, tmp_path, data, monkeypatch):
    monkeypatch.setitem(notebook, "PRINT_EVERY", 2)
    with monkeypatch.context() as quiet:
        quiet.setitem(notebook, "print", lambda *args, **kwargs: None)
        history = train_run(notebook, make_run(tmp_path, notebook, ArrayData(data)))

    assert history["step"] == [2, 4, 6, 8]
    assert all(np.isfinite(history["d_loss"])) and len(history["g_loss"]) == 4


def test_a_train_that_neither_prints_nor_returns_losses_gets_a_note(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1)

    history = train_run(notebook, run, train=functools.partial(silent_train, notebook))

    assert history["step"] == [] and len(history["frames"]) == 2
    assert any("no loss plot" in note for note in run.notes)


def silent_train(notebook, epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, shape, mode):
    input_real, input_z, lr = notebook["model_inputs"](28, 28, 1, z_dim)
    d_loss, g_loss = notebook["model_loss"](input_real, input_z, 1)
    d_opt, g_opt = notebook["model_opt"](d_loss, g_loss, lr, beta1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(epoch_count):
            for batch in get_batches(batch_size):
                feed = {
                    input_real: 2 * batch,
                    input_z: np.random.uniform(-1, 1, (len(batch), z_dim)),
                    lr: 1e-3,
                }
                sess.run([d_opt, g_opt], feed)


def test_a_train_that_loops_outside_its_session_gets_a_note_not_a_crash(notebook, tmp_path, data):
    def outside(epoch_count, batch_size, *_):
        return [len(batch) for _ in range(epoch_count) for batch in run.get_batches(batch_size)]

    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1)

    history = train_run(notebook, run, train=outside)

    assert history["frames"] == [] and run.step == 4
    assert any("outside `with tf.Session() as sess:`" in note for note in run.notes)


@pytest.mark.parametrize(
    "line, losses",
    [
        ("Epoch 1/2... Discriminator Loss: 1.2345... Generator Loss: 0.6543", (1.2345, 0.6543)),
        ("epoch 1 step 10: d_loss 0.512 g_loss 2.100", (0.512, 2.1)),
        ("Step 10: loss_d=0.5000, loss_g=1.2500", (0.5, 1.25)),
        ("Epoch 1 batch 10 D: 0.4 G: 3.1", (0.4, 3.1)),
        ("Epoch 1/2 step 10: D loss 0.7000, G loss nan", (0.7, float("nan"))),
        ("D_loss = 1e-3 G_loss = 12", (0.001, 12.0)),
    ],
)
def test_printed_losses_are_read_in_the_usual_wordings(line, losses):
    np.testing.assert_equal(training.read_losses(line), losses)


@pytest.mark.parametrize(
    "line", ["Epoch 1/2", "Generator Loss: 0.5", "loss 0.5 0.7", "digits epoch 1/2: 100%"]
)
def test_lines_without_both_losses_are_not_read(line):
    assert training.read_losses(line) is None


def test_max_batches_cuts_the_data_shape_train_is_given(data):
    run = training.Run("digits", ArrayData(data), epochs=1, batch_size=BATCH, z_dim=Z_DIM, max_batches=3)

    assert run.data_shape == (24, 28, 28, 1)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"batch_size": 64}, "batch_size is 64 but the data has 32 images"),
        ({"epochs": -1}, "epochs must be a whole number of at least 0, got -1"),
        ({"max_batches": 2.5}, "max_batches must be a whole number of at least 1, got 2.5"),
    ],
)
def test_bad_run_settings_are_named(data, options, message):
    settings = {"epochs": 1, "batch_size": BATCH, "z_dim": Z_DIM, **options}

    with pytest.raises(ValueError, match=message):
        training.Run("digits", ArrayData(data), **settings)


def test_sigterm_saves_a_checkpoint_as_ctrl_c_does(every_step, tmp_path, data):
    class Terminated(ArrayData):
        def get_batches(self, batch_size):
            for index, batch in enumerate(super().get_batches(batch_size)):
                if index == 3:
                    signal.raise_signal(signal.SIGTERM)  # As `kill PID` or a container stop.
                yield batch

    run = make_run(tmp_path, every_step, Terminated(data))

    with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
        train_run(every_step, run)

    assert checkpoint_steps(tmp_path) == ("step-0000003", ["step-0000003"])
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "the handler is the user's again"


def test_checkpoints_come_every_few_minutes_too(notebook, tmp_path, data, monkeypatch):
    clock = iter(range(0, 10_000, 200))  # Each look at the clock: 200 s later.
    monkeypatch.setattr(checkpointing.time, "monotonic", lambda: next(clock))
    saved = []
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1, save_minutes=5)
    (saving,) = [part for part in run.parts if isinstance(part, checkpointing.Checkpointing)]
    original = saving.save
    monkeypatch.setattr(saving, "save", lambda run: saved.append(run.step) or original(run))

    train_run(notebook, run)

    assert saved == [2, 4, 4], "after 400 s (over 5 minutes), again 400 s later, and at the epoch's end"


def test_weights_that_became_nan_are_never_saved(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data, nan_from=0), epochs=1, sampler=None)

    with pytest.raises(training.TrainingDiverged, match="A weight of the networks became NaN"):
        train_run(notebook, run)

    assert not (tmp_path / "checkpoints").exists()


def test_the_same_seed_repeats_the_losses_and_another_seed_does_not(every_step, tmp_path, data):
    def first_losses(seed, folder):
        run = make_run(tmp_path / folder, every_step, ArrayData(data), epochs=1, seed=seed, resume=False)
        return train_run(every_step, run)["d_loss"]

    assert first_losses(7, "a") == first_losses(7, "b")
    assert first_losses(7, "c") != first_losses(8, "d")


def test_the_last_epochs_samples_are_kept_for_any_judge(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=2, quality_samples=50)

    train_run(notebook, run)

    samples = np.load(run.checkpoint.parent / training.SAMPLES)
    assert samples.shape == (50, 28, 28) and samples.dtype == np.uint8
    assert 0 < samples.mean() < 255
    assert any(f"the final 50 samples (28x28, uint8) are in {run.checkpoint.parent}" in n for n in run.notes)


def test_samples_are_drawn_with_the_averaged_weights_and_training_keeps_its_own(notebook, tmp_path, data):
    averaged = make_run(tmp_path / "averaged", notebook, ArrayData(data), epochs=1)
    train_run(notebook, averaged)
    model = tf.train.load_checkpoint(str(averaged.checkpoint / "model"))
    live = model.get_tensor("generator/dense/kernel")
    average = model.get_tensor("moving_average/generator/dense/kernel")
    last_step = make_run(tmp_path / "last", notebook, ArrayData(data), epochs=1, average=None)
    train_run(notebook, last_step)

    assert not np.allclose(live, average), "the average lags the weights the last step left"
    with tf.Graph().as_default(), tf.Session() as sess:
        _, input_z, _ = notebook["model_inputs"](28, 28, 1, Z_DIM)
        notebook["generator"](input_z, 1)
        averaged.restore_into(sess)
        [kernel] = [v for v in tf.global_variables() if v.op.name == "generator/dense/kernel"]
        np.testing.assert_array_equal(sess.run(kernel), average)
    averaged_frame, last_step_frame = averaged.history()["frames"][-1], last_step.history()["frames"][-1]
    assert averaged_frame.shape == last_step_frame.shape
    assert not np.array_equal(averaged_frame, last_step_frame), "same seed: only the weights differ"


class Recorder(training.Part):
    """A part that writes down each event it is told of, and keeps a count across a resume."""

    def __init__(self):
        self.events, self.batches = [], 0

    def on_train_begin(self, run):
        self.events.append("train begins")

    def on_attach(self, run):
        self.events.append(f"attached, session {'found' if run.session else 'missing'}")

    def on_epoch_begin(self, run, epoch, batches):
        self.events.append(f"epoch {epoch} of {batches} batches, {run.batch_in_epoch} done")

    def on_batch_end(self, run):
        self.batches += 1
        self.events.append(f"batch, step {run.step}")

    def on_epoch_end(self, run):
        self.events.append(f"epoch {run.epoch} done")

    def on_stop(self, run, error):
        self.events.append(f"stopped by {type(error).__name__}")

    def on_train_end(self, run):
        self.events.append("train ends")

    def state(self):
        return {"recorded_batches": self.batches}

    def restore(self, run, state):
        self.batches = state["recorded_batches"]


def test_a_part_added_to_the_run_is_told_every_event_in_order(notebook, tmp_path, data):
    recorder = Recorder()
    run = make_run(tmp_path, notebook, ArrayData(data[:16]), epochs=2, parts=[recorder])

    train_run(notebook, run)

    assert recorder.events == [
        "train begins",
        "attached, session found",
        "epoch 0 of 2 batches, 0 done",
        "batch, step 1",
        "batch, step 2",
        "epoch 1 done",
        "epoch 1 of 2 batches, 0 done",
        "batch, step 3",
        "batch, step 4",
        "epoch 2 done",
        "train ends",
    ]


def test_a_parts_state_is_saved_with_the_checkpoint_and_resumed(notebook, tmp_path, data):
    first = Recorder()
    with pytest.raises(KeyboardInterrupt):
        train_run(notebook, make_run(tmp_path, notebook, ArrayData(data, stop_after=3), parts=[first]))
    assert first.events[-2:] == ["stopped by KeyboardInterrupt", "train ends"]

    second = Recorder()
    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), parts=[second]))

    assert second.events[2] == "epoch 0 of 4 batches, 3 done", "the resumed epoch skips the 3 batches done"
    assert second.batches == 8, "3 counted before the stop, restored from the checkpoint, and 5 after"
