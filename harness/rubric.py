"""The original project's rubric: each item's title, its line, and its verdict from what was measured.

The learner's self-review (``self_review``, in the notebook) and the reviewer's draft
(``review.sections``) both render from here, so an item has one title and one rule everywhere;
what each measures the rule on differs (the learner's own run, or what the reviewer's side measured
again), and each says so in its evidence. The rules are pure functions of what was measured.
"""

from __future__ import annotations

FILES = ("dlnd_face_generation.ipynb", "helper.py", "problem_unittests.py")  # The notebook first.
REPORT = "dlnd_face_generation.html"  # The HTML report (any .html export will do in a review).
FUNCTIONS = ("model_inputs", "discriminator", "generator", "model_loss", "model_opt", "train")
# The ranges reviewers of the project accept (their reasons are in practices.ranges).
RANGES = {"batch_size": (16, 64), "z_dim": (100, 128), "learning_rate": (0.0002, 0.0008), "beta1": (0.2, 0.6)}
# Samples that look like digits: the distance to real digits, and the classifier's confidence.
DIGITS_MOST_FD_OF_NOISE, DIGITS_LEAST_CONFIDENCE = 0.10, 0.80
# Samples that may look like faces, in the random-feature distance (a weaker signal, never
# calibrated on real CelebA): a guide for the eye, never enough alone.
FACES_MOST_FD_OF_NOISE = 0.30

FILES_TITLE = "The required files are submitted"
ALL_CHECKS_TITLE = "All the unit tests passed"
HYPERPARAMETERS_TITLE = "The hyperparameters are reasonable"
DIGITS_TITLE = "The MNIST samples look like handwritten digits"
FACES_TITLE = "The CelebA samples look like faces"


def function_title(name: str) -> str:
    """The title of the item of one of the six functions."""
    return f"`{name}` is implemented correctly"


def function_met(name: str, outcome: str | None, shows_samples: bool) -> bool:
    """A function meets when its check passed; ``train`` must also show samples
    (``show_generator_output``), as the original rubric asks."""
    return outcome == "passed" and (name != "train" or shows_samples)


def in_range(name: str, value) -> bool:
    """Whether a hyperparameter is a number (not a bool) within its reviewed range."""
    low, high = RANGES[name]
    return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high


def hyperparameters_outside(values: dict) -> list[str]:
    """The hyperparameters not set to a number within their range, each in words."""
    return [
        f"{name} is {'not set' if name not in values else repr(values[name])} (reviewed {low} to {high})"
        for name, (low, high) in RANGES.items()
        if not in_range(name, values.get(name))
    ]


def look_like_digits(figures: dict) -> bool:
    """Samples look like digits: FD at most ``DIGITS_MOST_FD_OF_NOISE`` of the noise floor and
    mean confidence at least ``DIGITS_LEAST_CONFIDENCE``."""
    return (
        figures["fd_of_noise"] <= DIGITS_MOST_FD_OF_NOISE and figures["confidence"] >= DIGITS_LEAST_CONFIDENCE
    )


def digit_figures(figures: dict) -> str:
    """The digits' figures against their lines, in words."""
    return (
        f"FD {figures['fd_of_noise']:.1%} of the noise floor (at most {DIGITS_MOST_FD_OF_NOISE:.0%}), mean "
        f"confidence {figures['confidence']:.3f} (at least {DIGITS_LEAST_CONFIDENCE}), rarest digit "
        f"{figures['rarest']:.1%}"
    )


def faces_within(figures: dict) -> bool:
    """The faces' distance is within the line that suggests faces (a guide, never a pass alone)."""
    return figures["fd_of_noise"] <= FACES_MOST_FD_OF_NOISE


def face_figures(figures: dict) -> str:
    """The faces' figure against its line, in words."""
    return (
        f"FD {figures['fd_of_noise']:.1%} of the noise floor in random features (at most "
        f"{FACES_MOST_FD_OF_NOISE:.0%} suggests faces)"
    )
