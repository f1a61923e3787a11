"""Training the learner's GAN again on MNIST, in the sandbox, when the reviewer asks for it.

The figures a notebook reports can be edited; the ones measured here cannot. Once the judge has
passed every function, the learner's code runs again in its sandbox (this module, as
``python -m harness.review.retraining``) and trains as the notebook's MNIST cell does
(``mnist_run.train_mnist``, with the learner's hyperparameters and seed 0). It leaves only its
last samples, as an array of pixels; the reviewer's side reads them as data and measures them
with its own digit classifier (``samples.measure_trained``), and checks that they are not copies
of training digits. The reviewer's data folder is read, never written: the sandbox's own data
folder links to its MNIST files and classifier, and this run's cache and checkpoints are made in
the scratch folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from harness.data.sources import MNIST_FILES, SOURCES
from harness.quality import CLASSIFIER_FILE
from harness.review import sandbox

DATA = "data"  # The sandbox's data folder, in its scratch folder.
LINKED = (*(SOURCES[name].archive for name in MNIST_FILES), "mnist", CLASSIFIER_FILE)
TRAINED_SAMPLES = "trained_samples.npy"
# How Python runs the training in the sandbox (as ``checking.WORKER``: the scratch folder off the path).
WORKER = ["-P", "-m", "harness.review.retraining"]
_MOST_SAMPLES = 20_000


@dataclass(frozen=True)
class Training:
    """A training the reviewer asked for.

    Attributes:
        epochs: MNIST epochs (the notebook trains 2).
        max_batches: Batches per epoch, or None for all (3,750 at a batch size of 16).
        samples: Samples the last epoch is measured on.
        data_dir: The reviewer's data folder: MNIST, its extracted images, the classifier.
    """

    epochs: int
    max_batches: int | None
    samples: int
    data_dir: Path

    def arguments(self) -> list[str]:
        """The sandboxed run's command-line arguments for this training."""
        return [str(self.epochs), str(self.max_batches or 0), str(self.samples)]

    def describe(self) -> str:
        batches = "all batches" if self.max_batches is None else f"{self.max_batches} batches"
        return f"{self.epochs} epoch{'s' * (self.epochs != 1)} of {batches}, seed 0"


def missing(data_dir: Path) -> list[str]:
    """What the training needs that ``data_dir`` lacks (a run of the notebook leaves it all there)."""
    return [name for name in LINKED if not (data_dir / name).exists()]


def link_data(training: Training, scratch: Path) -> None:
    """Links the reviewer's MNIST files and classifier into the sandbox's data folder."""
    into = scratch / DATA
    sandbox.prepare(into)  # Its cache and checkpoints are the sandbox's to write.
    for name in LINKED:
        if not (into / name).exists():
            (into / name).symlink_to(training.data_dir.resolve() / name)


def train_again(scratch: Path, limits: sandbox.Limits, training: Training) -> tuple:
    """Trains the learner's code in ``scratch`` (where ``checking`` wrote it, beside the given code)
    in the sandbox; returns its samples, or why there are none.

    Returns:
        ``(samples, None)``, uint8 (n, 28, 28); or ``(None, why)`` when the training left none.
    """
    link_data(training, scratch)
    command = [sys.executable, *WORKER, *training.arguments()]
    shown = tuple(training.data_dir.resolve() / name for name in LINKED)  # Not the rest of the folder.
    outcome = sandbox.run(command, scratch, limits, readable=shown)
    samples = read_samples(scratch / TRAINED_SAMPLES)
    if samples is not None:
        return samples, None
    return None, outcome.problem() or "it ended without samples"


def read_samples(path: Path) -> np.ndarray | None:
    """The samples the sandbox left, read as untrusted data: a uint8 array of digits, or None."""
    if not path.is_file() or path.is_symlink() or path.stat().st_size > _MOST_SAMPLES * 28 * 28 + 4096:
        return None
    try:
        samples = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        return None
    if samples.dtype != np.uint8 or samples.ndim != 3 or samples.shape[1:] != (28, 28) or not len(samples):
        return None
    return samples


# Inside the sandbox.


def main(epochs: int, max_batches: int, samples: int) -> None:
    """Trains the learner's functions as the notebook's MNIST cell does; keeps the last samples."""
    from harness.mnist_run import train_mnist
    from harness.review import learner

    given, source = (
        Path(name).read_text(encoding="utf-8") for name in (learner.GIVEN_FILE, learner.LEARNER_FILE)
    )
    train_mnist(learner.namespace_of(given, source), 0, DATA, epochs, max_batches or None, samples)
    kept = sorted(Path(DATA, "checkpoints").glob("mnist*/samples.npy"))
    if kept:
        shutil.copyfile(kept[-1], TRAINED_SAMPLES)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Trains a learner's GAN again (in a sandbox).")
    parser.add_argument("numbers", type=int, nargs=3, metavar=("EPOCHS", "BATCHES", "SAMPLES"))
    arguments = parser.parse_args()
    main(*arguments.numbers)
