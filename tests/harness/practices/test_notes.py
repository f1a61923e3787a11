"""harness/practices: every learner solution gets its notes, whatever its style."""

import runpy
from pathlib import Path

import pytest
from variants import keys

from harness import practices

SOLUTIONS = Path(__file__).resolve().parent.parent.parent / "learner_solutions"
# What every learner solution does well, whatever its style.
SHARED = {
    ("discriminator", True, "Strided convolutions instead"),
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
}


LOGITS = ("model_loss", True, "Losses on the")


NO_SMOOTHING = ("model_loss", False, "Try one-sided label")


ONE_SIDED = ("model_loss", True, "One-sided label smoothing")


EXPECTED = {
    "classic": SHARED
    | {
        LOGITS,
        ONE_SIDED,
        ("discriminator", True, "Leaky ReLU (alpha"),
        ("discriminator", True, "Dropout slows the"),
        ("generator", True, "Transposed convolutions: the"),
    },
    "nn_ops": SHARED
    | {
        LOGITS,
        NO_SMOOTHING,
        ("discriminator", True, "Leaky ReLU (alpha"),
        ("generator", True, "Transposed convolutions: the"),
    },
    "one_call": SHARED
    | {
        LOGITS,
        NO_SMOOTHING,
        ("discriminator", True, "Leaky ReLU (alpha"),
        ("generator", True, "Transposed convolutions: the"),
    },
    # Its loss is on probabilities (clipped by hand): its soft labels cannot be read, the advice can.
    "soft_labels": SHARED
    | {
        ("model_loss", False, "Compute the losses"),
        ("discriminator", True, "Leaky ReLU (alpha"),
        ("generator", True, "Transposed convolutions: the"),
    },
    "upsampling": SHARED
    | {
        LOGITS,
        ONE_SIDED,
        ("discriminator", True, "Leaky ReLU (alpha"),
        ("discriminator", True, "Dropout slows the"),
        ("generator", True, "Upsampling then convolving:"),
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_learner_solution_gets_its_notes(name):
    namespace = runpy.run_path(str(SOLUTIONS / f"{name}.py"))

    assert keys(practices.notes_on(namespace)) == EXPECTED[name]


def test_a_function_that_cannot_be_built_gets_no_note():
    def broken(images, reuse=False):
        raise NameError("name 'conv' is not defined")

    assert practices.notes_on({"discriminator": broken}) == []
