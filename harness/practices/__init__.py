"""Notes on the learner's practices, as the project's reviewers wrote them: what was done well, and why.

Each note is read from what the learner's functions do, not from how they are written: the
networks are built in a graph of their own and their operations inspected (the kind of layer,
its strides, the activation and its slope, where batch norm sits, the output), so that
``tf.layers``, ``tf.nn`` or hand-written layers are read alike. The hyperparameters are put
against the ranges reviewers accept, with the reason for each range. Each training run gets a
diagnosis when its history shows one of the failures GAN guides name (``diagnosis``).
"""

from __future__ import annotations

import contextlib

from harness.practices.diagnosis import Diagnosis, diagnose
from harness.practices.networks import discriminator_notes, generator_notes, size_notes
from harness.practices.note import Note
from harness.practices.objectives import loss_notes, optimizer_notes
from harness.practices.ranges import REASONS, hyperparameter_notes
from harness.practices.train import feed_notes, frequency_notes

__all__ = ["REASONS", "Diagnosis", "Note", "diagnose", "notes_on", "show_diagnosis"]
# The training runs of the notebook, by the name of their history.
RUNS = {"mnist_history": "MNIST training", "celeba_history": "CelebA training"}


def notes_on(namespace: dict, train_feeds: dict | None = None) -> list[Note]:
    """The notes on the learner's networks, losses, optimizers, ``train`` and hyperparameters in
    ``namespace`` (the notebook's globals: its functions, and the training runs' histories, each
    diagnosed), and on what ``train`` fed as its check recorded it (``Outcomes.train_feeds``).

    A function that is missing or cannot be built gets no note: its check says what is wrong.
    """
    readers = [
        (discriminator_notes, ("discriminator",)),
        (generator_notes, ("generator",)),
        (size_notes, ("discriminator", "generator")),
        (loss_notes, ("model_loss",)),
        (optimizer_notes, ("model_loss", "model_opt")),
    ]
    notes = []
    for reader, names in readers:
        if all(callable(namespace.get(name)) for name in names):
            with contextlib.suppress(Exception):  # The function's check says what is wrong with it.
                notes += reader(*(namespace[name] for name in names))
    notes += feed_notes(train_feeds or {})
    notes += frequency_notes(namespace.get("mnist_history") or namespace.get("celeba_history"))
    notes += hyperparameter_notes(namespace)
    for history, subject in RUNS.items():
        found = diagnose(namespace.get(history), namespace)
        if found is not None:
            notes.append(Note(subject, False, found.text()))
    return notes


def show_diagnosis(history: dict | None, namespace: dict) -> None:
    """Shows the diagnosis of a training run under it, in the notebook; nothing when it went well."""
    found = diagnose(history, namespace)
    if found is not None:
        from IPython.display import Markdown, display

        display(Markdown(f"🌀 **{found.title}**: {found.evidence}. Try {found.advice}."))
