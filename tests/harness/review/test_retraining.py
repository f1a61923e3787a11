"""harness/review/retraining.py and review.py --train: the learner's GAN trained again in the
sandbox, on the reviewer's data read but never written, and its figures put in the review."""

import functools
import json
import re

import numpy as np
import pytest
import solution_variants as variants
from helpers.archives import mnist_archives
from helpers.submissions import SOLUTIONS, executed, needs_bubblewrap

import helper
import review
from harness import judges
from harness.review import checking, drawing, retraining, samples, sandbox, sections
from harness.review.code import learner_code

LIMITS = sandbox.Limits(wall_seconds=300, memory_bytes=4 * 2**30)


@pytest.fixture
def reviewers_data(tmp_path, use_source, monkeypatch):
    """A data folder as the reviewer's run of the notebook leaves it (small test digits), and the
    worker told of the same test archives as this process (it imports the real table)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    fields = {}
    for name, archive in mnist_archives().items():
        source = use_source(name, archive, ("http://127.0.0.1:9/never-asked",))
        (data_dir / source.archive).write_bytes(archive)
        fields[name] = {key: getattr(source, key) for key in ("sha256", "md5", "payload_sha256")}
    helper.download_extract("mnist", data_dir)
    judges.MnistJudge(data_dir, samples=64)  # Trains and caches the classifier.
    for module, attribute, name in (
        (checking, "WORKER", "worker"),
        (retraining, "WORKER", "retraining"),
        (drawing, "DRAWER", "drawing"),
    ):
        patch = (
            "import dataclasses, json, runpy\nfrom harness.data import sources\n"
            f"for name, fields in json.loads({json.dumps(fields)!r}).items():\n"
            "    sources.SOURCES[name] = dataclasses.replace(sources.SOURCES[name], **fields)\n"
            f"runpy.run_module('harness.review.{name}', run_name='__main__', alter_sys=True)\n"
        )
        monkeypatch.setattr(module, attribute, ["-P", "-c", patch])
    return data_dir


def listing(folder) -> dict:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*")}


@needs_bubblewrap
@pytest.mark.slow
def test_a_training_asked_for_runs_in_the_sandbox_and_leaves_the_reviewers_data_as_it_was(
    tmp_path, reviewers_data
):
    before = listing(reviewers_data)
    code = learner_code(executed(SOLUTIONS[0].read_text()))
    training = retraining.Training(epochs=1, max_batches=3, samples=64, data_dir=reviewers_data)

    checked = checking.check(code, tmp_path / "scratch", LIMITS, training)

    assert checked.error is None, checked.error
    left = checked.trained["samples"]  # Pixels only: the figures are measured on the reviewer's side.
    assert left.dtype == np.uint8 and left.shape == (64, 28, 28)
    trained = samples.measure_trained(left, reviewers_data)
    assert trained["fd_of_noise"] > 0 and 0 < trained["confidence"] <= 1 and 0 <= trained["rarest"] <= 1
    assert listing(reviewers_data) == before  # Its cache and checkpoints went to the scratch folder.


def test_review_py_refuses_to_train_without_the_data_and_says_how_to_get_it(tmp_path, capsys):
    (tmp_path / "s.ipynb").write_text("{}")

    assert review.main([str(tmp_path / "s.ipynb"), "--train", "2", "--data-dir", str(tmp_path)]) == 2

    error = capsys.readouterr().err
    assert f"--train needs MNIST and the digit classifier in {tmp_path}, which lacks" in error
    assert "mnist_classifier.npz" in error
    assert "run the notebook once (`python run_notebook.py`) first" in error


@pytest.mark.parametrize(
    "left",
    [
        np.zeros((4, 28, 28), np.float32),
        np.zeros((4, 28, 27), np.uint8),
        np.zeros((0, 28, 28), np.uint8),
        np.array([{"a": 1}], dtype=object),
    ],
    ids=["floats", "not 28x28", "empty", "pickled objects"],
)
def test_samples_the_sandbox_left_wrongly_are_ignored(tmp_path, left):
    np.save(tmp_path / "left.npy", left, allow_pickle=True)

    assert drawing.read_samples(tmp_path / "left.npy") is None


def test_without_reported_figures_the_training_done_again_decides():
    trained = {"epoch": 2, "step": 7500, "fd_of_noise": 0.02, "confidence": 0.9, "rarest": 0.08}

    good = sections.digits_section(None, None, None, None, trained | {"description": "2 epochs"})
    poor = sections.digits_section(None, None, None, None, trained | {"description": "", "fd_of_noise": 0.4})
    failed = sections.digits_section(None, None, None, None, {"failed": "not tried, as a check failed"})

    assert good.verdict == sections.MEETS
    assert "Trained again here (2 epochs) and drawn by the reviewer's side: FD 2.0%" in good.evidence
    assert poor.verdict == sections.REQUIRES
    assert failed.verdict == sections.BY_EYE
    assert "The training asked for did not end here: not tried, as a check failed." in failed.evidence


def test_a_training_is_described_as_the_reviewer_asked_for_it(tmp_path):
    assert retraining.Training(2, None, 10_000, tmp_path).describe() == "2 epochs of all batches, seed 0"
    assert retraining.Training(1, 600, 2_000, tmp_path).arguments() == ["1", "600", "2000"]


WRONG = [["--train", "0"], ["--minutes", "0"], ["--train", "1", "--max-batches", "0"]]


@pytest.mark.parametrize("wrong", WRONG)
def test_review_py_refuses_numbers_it_cannot_use(tmp_path, wrong, capsys):
    with pytest.raises(SystemExit) as stopped:
        review.main([str(tmp_path), *wrong])

    assert stopped.value.code == 2
    assert "--minutes takes a positive number, --train and --max-batches whole numbers from 1" in (
        capsys.readouterr().err
    )


class _Trained:
    """What the export asks of a finished training.Run: its z_dim, and its weights (the test's
    generator keeps the ones it was made with)."""

    z_dim = 16

    def restore_into(self, session):
        pass


@pytest.fixture
def left_by_training(tmp_path, monkeypatch):
    """Exports a generator as the sandboxed training leaves it; returns the folder it is in."""
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()  # As the notebook's setup cell, which the training runs first.

    def leave(generator):
        folder = tmp_path / "training"
        folder.mkdir()
        monkeypatch.chdir(folder)
        retraining._leave_generator({"tf": tf, "generator": generator}, _Trained())
        return folder

    return leave


@needs_bubblewrap
def test_the_samples_are_drawn_by_our_code_from_the_trained_generator(tmp_path, left_by_training):
    training = left_by_training(variants.generator)
    np.save(training / drawing.DRAWN, np.zeros((64, 28, 28), np.uint8))  # Planted: never read.

    samples, why = drawing.draw(training, tmp_path / "drawn", LIMITS, 64)

    assert why is None and samples.dtype == np.uint8 and samples.shape == (64, 28, 28)
    assert samples.std() > 0  # Drawn from noise, not the planted zeros.


@needs_bubblewrap
@pytest.mark.parametrize(
    "generator, message",
    [
        (variants.generator_from_a_table, "never from a stored table of images"),
        # Rounded z: the images either stay put for a small step or jump, by where the noise falls.
        (functools.partial(variants.generator_picking_from_weights, every=10), "as z moves|when z moves"),
    ],
    ids=["a stored table", "images picked by rounding z"],
)
def test_a_trained_generator_that_does_not_draw_from_z_gives_no_samples(
    tmp_path, left_by_training, generator, message
):
    samples, why = drawing.draw(left_by_training(generator), tmp_path / "drawn", LIMITS, 64)

    assert samples is None and why.startswith("its trained generator could not be drawn from")
    assert re.search(message, why), why
