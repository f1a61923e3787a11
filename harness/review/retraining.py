"""Training the learner's GAN again on MNIST, in the sandbox, when the reviewer asks for it.

The figures a notebook reports can be edited; the ones a training done here measures cannot.
After the checks pass, the worker (``checking``) trains the learner's functions as the notebook's
MNIST cell does (``mnist_run.train_mnist``, with the learner's hyperparameters and seed 0) and
measures the last epoch with the digit classifier. The reviewer's data folder is read, never
written: the sandbox's own data folder links to its MNIST files and classifier, and the cache and
checkpoints of this run are made in the scratch folder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from harness.data.sources import MNIST_FILES, SOURCES
from harness.quality import CLASSIFIER_FILE
from harness.review import sandbox

DATA = "data"  # The sandbox's data folder, in its scratch folder.
LINKED = (*(SOURCES[name].archive for name in MNIST_FILES), "mnist", CLASSIFIER_FILE)


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
        """The worker's command-line arguments for this training."""
        return ["--train", str(self.epochs), str(self.max_batches or 0), str(self.samples)]

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
        (into / name).symlink_to(training.data_dir.resolve() / name)


def train_again(namespace: dict, epochs: int, max_batches: int | None, samples: int) -> dict:
    """In the sandbox: trains the learner's functions in ``namespace``; returns the last quality."""
    from harness.mnist_run import train_mnist

    history = train_mnist(namespace, 0, DATA, epochs, max_batches, samples)
    if not history["quality"]:
        raise RuntimeError("no epoch of the training ended")
    scores = history["quality"][-1]
    return {key: scores[key] for key in ("epoch", "step", "fd_of_noise", "classes", "confidence")}


def read_trained(entry: dict) -> dict | None:
    """The training's figures the worker wrote, checked as untrusted data, or None."""
    trained = entry.get("trained")
    if not isinstance(trained, dict):
        return None
    try:
        figures = {key: float(trained[key]) for key in ("epoch", "step", "fd_of_noise", "confidence")}
        classes = [float(share) for share in trained["classes"]][:10]
    except (KeyError, TypeError, ValueError):
        return None
    if not all(math.isfinite(value) for value in [*figures.values(), *classes]) or len(classes) != 10:
        return None
    return figures | {"rarest": min(classes)}
