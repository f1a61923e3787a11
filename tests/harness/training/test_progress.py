"""harness/training/progress.py: the losses train prints or returns, their notes, and the NaN guard."""

import functools

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from helpers.archives import ArrayData
from runs import BATCH, Z_DIM, checkpoint_steps, make_run, train_run

from harness import training


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
        "digits",
        ArrayData(data, nan_from=0),
        epochs=1,
        batch_size=BATCH,
        z_dim=Z_DIM,
        parts=[training.Progress(verbose=False)],
    )

    with pytest.raises(training.TrainingDiverged, match="No checkpoint had been saved yet"):
        train_run(every_step, run)


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
