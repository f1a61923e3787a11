"""harness/practices: every learner solution gets its notes, whatever its style."""

import runpy
from pathlib import Path

import pytest
from variants import keys

import problem_unittests
from harness import practices

SOLUTIONS = Path(__file__).resolve().parent.parent.parent / "learner_solutions"
# What every learner solution does well, whatever its style.
SHARED = {
    ("discriminator", True, "Strided convolutions instead"),
    ("discriminator", True, "Leaky ReLU (alpha"),
    ("discriminator", True, "Batch norm on"),
    ("generator", True, "A tanh output,"),
    ("generator", True, "Batch norm on"),
    ("generator", False, "Try dropout in"),
    ("generator", True, "Larger than the"),
    ("batch_size", True, "batch_size = 16,"),
    ("z_dim", True, "z_dim = 100,"),
    ("learning_rate", True, "learning_rate = 0.0004,"),
    ("beta1", True, "beta1 = 0.5,"),
    ("model_opt", True, "Batch norm's moving"),
    ("train", True, "Real batches scaled"),
    ("discriminator", True, "Xavier (Glorot) initialisation:"),
    ("generator", True, "Xavier (Glorot) initialisation:"),
}
LOGITS = ("model_loss", True, "Losses on the")
TRANSPOSED = ("generator", True, "Transposed convolutions: the")
DROPOUT = ("discriminator", True, "Dropout slows the")
ONE_SIDED = ("model_loss", True, "One-sided label smoothing")
UNIFORM = ("train", True, "Noise from U(-1,")
NORMAL = ("train", False, "Draw the noise")  # Their noise is normal; the samples' is U(-1, 1).
HARD_LABELS = SHARED | {LOGITS, TRANSPOSED, NORMAL, ("model_loss", False, "Try one-sided label")}
EXPECTED = {
    "classic": SHARED | {LOGITS, TRANSPOSED, DROPOUT, ONE_SIDED, UNIFORM},
    "nn_ops": HARD_LABELS,
    "one_call": HARD_LABELS,
    # Its loss is on clipped probabilities: its soft labels cannot be read, the advice can.
    "soft_labels": SHARED | {TRANSPOSED, UNIFORM, ("model_loss", False, "Compute the losses")},
    "upsampling": SHARED
    | {LOGITS, DROPOUT, ONE_SIDED, UNIFORM, ("generator", True, "Upsampling then convolving:")},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_learner_solution_gets_its_notes(name):
    namespace = runpy.run_path(str(SOLUTIONS / f"{name}.py"))
    problem_unittests.test_train(namespace["train"])  # Records what train feeds, as in the notebook.

    assert keys(practices.notes_on(namespace, problem_unittests.OUTCOMES.train_feeds)) == EXPECTED[name]


def test_a_function_that_cannot_be_built_gets_no_note():
    def broken(images, reuse=False):
        raise NameError("name 'conv' is not defined")

    assert practices.notes_on({"discriminator": broken}) == []
