"""harness/training/measure.py: each epoch's samples measured, and the last epoch's kept for any judge."""

import numpy as np
from helpers.archives import ArrayData
from runs import make_run, train_run

from harness import training


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


def test_the_last_epochs_samples_are_kept_for_any_judge(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=2, quality_samples=50)

    train_run(notebook, run)

    samples = np.load(run.checkpoint.parent / training.SAMPLES)
    assert samples.shape == (50, 28, 28) and samples.dtype == np.uint8
    assert 0 < samples.mean() < 255
    assert any(f"the final 50 samples (28x28, uint8) are in {run.checkpoint.parent}" in n for n in run.notes)
