"""harness/training/checkpointing.py: saved at epoch ends, on a clock, on stops; resumed by the same run."""

import inspect
import os
import signal

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from helpers.archives import ArrayData
from runs import Z_DIM, Recorder, checkpoint_steps, make_run, train_run

from harness import checkpoint_store, project, training
from harness.training import checkpointing


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


def test_a_changed_setting_or_function_or_resume_false_starts_afresh_and_says_why(tmp_path, data):
    notebook = project.load_functions()  # Its own copy: this test changes a constant and a function.
    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), epochs=1))

    def rerun(learning_rate=0.0005, resume=True, epochs=1):
        """A second run of the same name: its notes, and the batches it trained on."""
        source = ArrayData(data)
        run = make_run(tmp_path, notebook, source, epochs=epochs, learning_rate=learning_rate, resume=resume)
        train_run(notebook, run, learning_rate=learning_rate)
        return " ".join(run.notes), source.served

    notes, served = rerun(learning_rate=0.001)
    assert "learning_rate 0.0005 → 0.001" in notes and "from the start" in notes
    assert served == [0, 1, 2, 3]
    notes, served = rerun(learning_rate=0.001, epochs=2)
    assert "epochs 1 → 2" in notes and "from the start" in notes and served == list(range(8))
    shipped = notebook["G_STEPS"]
    notebook["G_STEPS"] = shipped + 1
    notes, served = rerun(learning_rate=0.001)
    assert f"G_STEPS {shipped} → {shipped + 1}" in notes and served == [0, 1, 2, 3]
    code = inspect.getsource(notebook["discriminator"])
    assert "alpha=0.1" in code, "the discriminator's default alpha moved: change what this test replaces"
    exec(code.replace("alpha=0.1", "alpha=0.15"), notebook)
    notes, served = rerun(learning_rate=0.001)
    assert "discriminator's code changed" in notes and served == [0, 1, 2, 3]
    # Nothing changed since, but the learner asked for a fresh start.
    assert rerun(learning_rate=0.001, resume=False)[1] == [0, 1, 2, 3]


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
    run = make_run(tmp_path, notebook, ArrayData(data, nan_from=0), epochs=1, draws=False)

    with pytest.raises(training.TrainingDiverged, match=r"A value of the networks, \S+, became NaN"):
        train_run(notebook, run)

    assert not (tmp_path / "checkpoints").exists()


class Poisoning(training.Part):
    """Sets the discriminator's batch-norm moving variances to infinity after the second batch,
    as a learning rate far too high does while the weights stay finite."""

    def on_batch_end(self, run):
        if run.step == 2:
            statistics = [
                v
                for v in tf.global_variables()
                if v.op.name.startswith("discriminator/") and v.op.name.endswith("moving_variance")
            ]
            run.session.run([v.assign(tf.fill(tf.shape(v), float("inf"))) for v in statistics])


def test_a_batch_norm_statistic_that_became_infinite_is_never_saved_and_named(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1, parts=[Poisoning()])

    with pytest.raises(
        training.TrainingDiverged, match=r"A value of the networks, \S+/moving_variance, became"
    ):
        train_run(notebook, run)

    assert not list((tmp_path / "checkpoints").glob(f"*/{checkpoint_store.LATEST}")), "no checkpoint kept"


def test_a_parts_state_is_saved_with_the_checkpoint_and_resumed(notebook, tmp_path, data):
    first = Recorder()
    with pytest.raises(KeyboardInterrupt):
        train_run(notebook, make_run(tmp_path, notebook, ArrayData(data, stop_after=3), parts=[first]))
    assert first.events[-2:] == ["stopped by KeyboardInterrupt", "train ends"]

    second = Recorder()
    train_run(notebook, make_run(tmp_path, notebook, ArrayData(data), parts=[second]))

    assert second.events[2] == "epoch 0 of 4 batches, 3 done", "the resumed epoch skips the 3 batches done"
    assert second.batches == 8, "3 counted before the stop, restored from the checkpoint, and 5 after"


def test_a_stop_while_a_checkpoint_is_saved_finishes_it_and_the_rerun_resumes_from_it(
    every_step, tmp_path, data, monkeypatch
):
    original = tf.train.Saver.save

    def stopped_while_writing(self, sess, path, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # The stop button, pressed while the files are written.
        return original(self, sess, path, **kwargs)

    first = make_run(tmp_path, every_step, ArrayData(data), epochs=2)
    with monkeypatch.context() as stopping, pytest.raises(KeyboardInterrupt, match="SIGINT"):
        stopping.setattr(tf.train.Saver, "save", stopped_while_writing)
        train_run(every_step, first)

    assert checkpoint_steps(tmp_path) == ("step-0000004", ["step-0000004"]), "the epoch's end, complete"
    assert any("once the checkpoint being saved was complete" in note for note in first.notes)
    second = make_run(tmp_path, every_step, ArrayData(data), epochs=2)
    train_run(every_step, second)
    assert second.step == 8 and "Resumed digits from step 4 (epoch 2)." in second.notes
