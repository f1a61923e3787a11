"""Training the learner's GAN again on MNIST, in the sandbox, when the reviewer asks for it.

The figures a notebook reports can be edited; the ones measured here cannot. Once the judge has
passed every function, the learner's code runs again in its sandbox (this module, as
``python -m harness.review.retraining``) and trains as the notebook's MNIST cell does
(``mnist_run.train_mnist``, with the learner's hyperparameters and seed 0). It leaves its trained
generator, as evidence (``harness.evidence``: the graph that draws from z, and its weights); no
sample it made is used. The judge, where the learner's code does not run, reads that graph with
its allow-list, checks it draws from z (no stored table, smooth in z) and draws the samples
itself, with noise of its own (``drawing``); the reviewer's side measures them with its own
digit classifier (``samples.measure_trained``) and checks that they are not copies of MNIST's
digits. The reviewer's data folder is read, never written: the sandbox sees only its MNIST files
and classifier, linked into its own data folder, and this run's cache and checkpoints are made in
the scratch folder.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.data.sources import MNIST_FILES, SOURCES
from harness.judges import CLASSIFIER_FILE
from harness.review import drawing, sandbox

DATA = "data"  # The sandbox's data folder, in its scratch folder.
LINKED = (*(SOURCES[name].archive for name in MNIST_FILES), "mnist", CLASSIFIER_FILE)
# How Python runs the training in the sandbox (as ``checking.WORKER``: the scratch folder off the path).
WORKER = ["-P", "-m", "harness.review.retraining"]


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
    in the sandbox; the judge then draws its samples from the trained generator it left.

    Returns:
        ``(samples, None)``, uint8 (n, 28, 28); or ``(None, why)`` when there are none.
    """
    link_data(training, scratch)
    command = [sys.executable, *WORKER, *training.arguments()]
    shown = tuple(training.data_dir.resolve() / name for name in LINKED)  # Not the rest of the folder.
    outcome = sandbox.run(command, scratch, limits, readable=shown)
    if not (scratch / f"{drawing.TRAINED}.meta").is_file():
        return None, outcome.problem() or "it ended without a trained generator"
    work = scratch.parent / f"{scratch.name}-drawn"
    return drawing.draw(scratch, work, limits, training.samples)


# Inside the sandbox.


def main(epochs: int, max_batches: int, samples: int) -> None:
    """Trains the learner's functions as the notebook's MNIST cell does; leaves the trained generator."""
    from harness.mnist_run import train_mnist
    from harness.review import learner

    given, source = (
        Path(name).read_text(encoding="utf-8") for name in (learner.GIVEN_FILE, learner.LEARNER_FILE)
    )
    namespace = learner.namespace_of(given, source)
    train_mnist(
        namespace, 0, DATA, epochs, max_batches or None, samples, lambda run: _leave_generator(namespace, run)
    )


def _leave_generator(namespace: dict, run) -> None:
    """Writes the trained generator as evidence: the graph drawing from ``z`` in inference mode, and
    the run's trained weights (their moving average, as the notebook draws its samples with)."""
    from harness.evidence import Evidence, npz_bytes, serialized

    tf, generator = namespace["tf"], namespace["generator"]
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        z = tf.placeholder(tf.float32, (None, run.z_dim), name="z")
        generator(z, 1)  # Creates the weights, which the run's trained ones replace.
        images = generator(z, 1, is_train=False)
        variables = graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
        roles = {"z": z.name, "images": images.name, "variables": [v.name for v in variables]}
        files = serialized(Evidence(graph, roles))  # Before restoring adds its assignments to the graph.
        sess.run(tf.global_variables_initializer())
        run.restore_into(sess)
        values = sess.run(variables)
    files["npz"] = npz_bytes({f"value_{i}": value for i, value in enumerate(values)})
    for suffix, data in files.items():
        Path(f"{drawing.TRAINED}.{suffix}").write_bytes(data)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Trains a learner's GAN again (in a sandbox).")
    parser.add_argument("numbers", type=int, nargs=3, metavar=("EPOCHS", "BATCHES", "SAMPLES"))
    arguments = parser.parse_args()
    main(*arguments.numbers)
