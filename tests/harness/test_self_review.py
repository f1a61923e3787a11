"""harness/self_review.py: the notebook's state marked by the original rubric, item by item."""

import functools

import nbformat
import pytest
import solution_variants as variants
import tensorflow.compat.v1 as tf

import problem_unittests
from harness import practices, project, self_review
from harness.checks.outcomes import Outcomes

GOOD_DIGITS = {"epoch": 2, "fd_of_noise": 0.025, "confidence": 0.905, "classes": [0.078] + [0.1024] * 9}
GOOD_FACES = {"epoch": 1, "fd_of_noise": 0.08}


@pytest.fixture(scope="module")
def our_outcomes(notebook):
    """The checks' outcomes for the notebook's own solution, run once, in a record of their own."""
    saved, problem_unittests.OUTCOMES = problem_unittests.OUTCOMES, Outcomes()
    try:
        problem_unittests.test_model_inputs(notebook["model_inputs"])
        problem_unittests.test_discriminator(notebook["discriminator"], tf)
        problem_unittests.test_generator(notebook["generator"], tf)
        problem_unittests.test_model_loss(notebook["model_loss"])
        problem_unittests.test_model_opt(notebook["model_opt"], tf)
        problem_unittests.test_train(notebook["train"])
        return problem_unittests.OUTCOMES
    finally:
        problem_unittests.OUTCOMES = saved


@pytest.fixture
def outcomes(our_outcomes, monkeypatch):
    """A copy of the passed checks' record, as the one the checks write to while a test runs."""
    copy = Outcomes(dict(our_outcomes.results), dict(our_outcomes.train_feeds))
    monkeypatch.setattr(problem_unittests, "OUTCOMES", copy)
    return copy


@pytest.fixture
def passed_checks(notebook, outcomes):
    return {
        **notebook,
        "mnist_history": {"quality": [GOOD_DIGITS]},
        "celeba_history": {"quality": [GOOD_FACES]},
    }


def unmet(items):
    return [item.rubric for item in items if not item.met]


def test_our_solution_meets_every_item(passed_checks, outcomes):
    items = self_review.self_check(passed_checks, outcomes)

    assert unmet(items) == []
    assert len(items) == 11
    assert "6 of 6 checks passed" in items[1].evidence
    assert "FD 2.5% of the noise floor" in items[-2].evidence
    assert ". Against the shipped solution's band over " in items[-2].evidence, "quoted in a sentence"


def test_a_seeded_mistake_is_not_met_with_the_checks_message(passed_checks, outcomes):
    with pytest.raises(problem_unittests.CheckFailed):
        problem_unittests.test_model_loss(functools.partial(variants.model_loss, fake_label=0.1))

    items = self_review.self_check(passed_checks, outcomes)

    assert unmet(items) == ["All the unit tests passed", "`model_loss` is implemented correctly"]
    [loss] = [item for item in items if "model_loss" in item.rubric]
    assert "labels the fake images 0.10" in loss.evidence


def test_a_hyperparameter_out_of_range_is_not_met(passed_checks, outcomes):
    items = self_review.self_check({**passed_checks, "batch_size": 256}, outcomes)

    assert unmet(items) == ["The hyperparameters are reasonable"]
    assert "batch_size is 256 (reviewed 16 to 64)" in items[-3].evidence


def test_no_faces_is_not_met_and_says_why(passed_checks, outcomes):
    items = self_review.self_check({**passed_checks, "celeba_history": None}, outcomes)

    assert unmet(items) == ["The CelebA samples look like faces"]
    assert "place CelebA" in items[-1].evidence


def test_the_notebook_ends_with_the_self_review():
    cells = nbformat.read(project.NOTEBOOK, as_version=4).cells

    assert cells[-2].source.startswith("## Submitting this project")
    assert "self_review.self_check(globals(), outcomes)" in cells[-1].source


def test_faces_far_from_the_line_are_advice_that_never_blocks(passed_checks, outcomes):
    blurry = {"epoch": 1, "fd_of_noise": 0.60}

    items = self_review.self_check({**passed_checks, "celeba_history": {"quality": [blurry]}}, outcomes)

    [faces] = [item for item in items if item.rubric == "The CelebA samples look like faces"]
    assert not faces.met and faces.advice and not faces.blocks
    assert "FD 60.0% of the noise floor" in faces.evidence and "not been calibrated" in faces.evidence
    assert not [item for item in items if item.blocks], "every rule we stand behind is met"


def test_an_unmet_rule_blocks_and_is_never_advice(passed_checks, outcomes):
    items = self_review.self_check({**passed_checks, "learning_rate": 0.01}, outcomes)

    assert [item.rubric for item in items if item.blocks] == ["The hyperparameters are reasonable"]


def test_the_notes_follow_the_table_done_well_first(passed_checks, outcomes, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    notes = [
        practices.Note("generator", False, "Try dropout in the generator."),
        practices.Note("discriminator", True, "Strided convolutions instead of pooling."),
    ]

    self_review.show(self_review.self_check(passed_checks, outcomes), notes)

    markdown = shown[0]["text/markdown"]
    assert markdown.index("rubric item") < markdown.index("Notes on your practices")
    assert markdown.index("✓ **discriminator**: Strided") < markdown.index("🌀 **generator**: Try dropout")
