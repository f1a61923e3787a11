"""harness/training/loop.py: the run around the notebook's own train (and others), and its events."""

import pytest
from helpers.archives import ArrayData
from runs import BATCH, Z_DIM, Recorder, make_run, train_run

from harness import training


def test_a_train_that_loops_outside_its_session_gets_a_note_not_a_crash(notebook, tmp_path, data):
    def outside(epoch_count, batch_size, *_):
        return [len(batch) for _ in range(epoch_count) for batch in run.get_batches(batch_size)]

    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1)

    history = train_run(notebook, run, train=outside)

    assert history["frames"] == [] and run.step == 4
    assert any("outside `with tf.Session() as sess:`" in note for note in run.notes)


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


def test_the_same_seed_repeats_the_losses_and_another_seed_does_not(every_step, tmp_path, data):
    def first_losses(seed, folder):
        run = make_run(tmp_path / folder, every_step, ArrayData(data), epochs=1, seed=seed, resume=False)
        return train_run(every_step, run)["d_loss"]

    seven = first_losses(7, "a")
    assert first_losses(7, "b") == seven
    assert first_losses(8, "c") != seven


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
