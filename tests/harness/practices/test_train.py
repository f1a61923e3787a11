"""harness/practices/train.py: what train feeds (as its check saw it), and how often it prints and shows."""

import runpy
from pathlib import Path

import pytest
from variants import keys

import problem_unittests
from harness import practices

SOLUTIONS = Path(__file__).resolve().parent.parent.parent / "learner_solutions"
SCALED = ("train", True, "Real batches scaled")
UNIFORM = ("train", True, "Noise from U(-1,")
NOT_UNIFORM = ("train", False, "Draw the noise")


@pytest.mark.parametrize(("name", "noise"), [("classic", UNIFORM), ("nn_ops", NOT_UNIFORM)])
def test_the_noise_and_real_images_train_fed_in_its_check_are_noted(name, noise):
    namespace = runpy.run_path(str(SOLUTIONS / f"{name}.py"))
    problem_unittests.test_train(namespace["train"])

    notes = practices.notes_on({"train": namespace["train"]}, problem_unittests.OUTCOMES.train_feeds)

    assert keys(notes) == {SCALED, noise}
    if noise == NOT_UNIFORM:
        assert "a normal distribution (std 1.0)" in notes[-1].text


def test_a_failed_check_of_train_leaves_no_note_on_what_it_fed():
    problem_unittests.OUTCOMES.train_feeds["real"] = (-1.0, 1.0)  # From an earlier check that passed.

    def unscaled(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, mode):
        raise ValueError("not written yet")

    with pytest.raises(problem_unittests.CheckFailed):
        problem_unittests.test_train(unscaled)

    assert practices.notes_on({}, problem_unittests.OUTCOMES.train_feeds) == []


def history(steps, printed_every, shown_every):
    printed = list(range(printed_every, steps + 1, printed_every)) if printed_every else []
    shown = list(range(shown_every, steps + 1, shown_every)) if shown_every else []
    return {"steps": steps, "printed": bool(printed), "step": printed, "show_steps": shown}


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (
            history(7500, 10, 100),
            {("train", True, "Losses printed every"), ("train", True, "Samples shown every")},
        ),
        (
            history(7500, 1, 20),
            {("train", False, "Print the losses"), ("train", False, "Show samples every")},
        ),
        (
            history(7500, 200, 2000),
            {("train", False, "Print the losses"), ("train", False, "Show samples every")},
        ),
        (history(7500, 0, 0), {("train", False, "Print both losses"), ("train", False, "Show samples with")}),
        (history(30, 10, 0), {("train", True, "Losses printed every")}),  # Too short to show samples.
        (history(6, 10, 0), set()),  # Too short to print or show (max_batches=3, say).
    ],
    ids=["reviewed", "too often", "too rarely", "never", "short run", "shorter than PRINT_EVERY"],
)
def test_how_often_a_run_printed_losses_and_showed_samples_is_noted(run, expected):
    assert keys(practices.notes_on({"mnist_history": run})) == expected
