"""submission.py: the self-review by the original rubric, and the zip it lets through or refuses."""

import functools
import json
import zipfile

import pytest
import solution_variants as variants
import tensorflow.compat.v1 as tf

import problem_unittests
import submission
from harness import project, self_review

GOOD_DIGITS = {"epoch": 2, "fd_of_noise": 0.025, "confidence": 0.905, "classes": [0.078] + [0.1024] * 9}
GOOD_FACES = {"epoch": 1, "fd_of_noise": 0.08}


@pytest.fixture(scope="module")
def our_results(notebook):
    """The checks' outcomes for the notebook's own solution, run once."""
    saved = dict(problem_unittests.RESULTS)
    problem_unittests.test_model_inputs(notebook["model_inputs"])
    problem_unittests.test_discriminator(notebook["discriminator"], tf)
    problem_unittests.test_generator(notebook["generator"], tf)
    problem_unittests.test_model_loss(notebook["model_loss"])
    problem_unittests.test_model_opt(notebook["model_opt"], tf)
    problem_unittests.test_train(notebook["train"])
    results = dict(problem_unittests.RESULTS)
    problem_unittests.RESULTS.clear()
    problem_unittests.RESULTS.update(saved)
    return results


@pytest.fixture
def passed_checks(notebook, our_results, monkeypatch):
    monkeypatch.setattr(problem_unittests, "RESULTS", dict(our_results))
    return {
        **notebook,
        "mnist_history": {"quality": [GOOD_DIGITS]},
        "celeba_history": {"quality": [GOOD_FACES]},
    }


def unmet(items):
    return [item.rubric for item in items if not item.met]


def test_our_solution_meets_every_item(passed_checks):
    items = self_review.self_check(passed_checks)

    assert unmet(items) == []
    assert len(items) == 11
    assert "6 of 6 checks passed" in items[1].evidence
    assert "FD 2.5% of the noise floor" in items[-2].evidence


def test_a_seeded_mistake_is_not_met_with_the_checks_message(passed_checks):
    with pytest.raises(problem_unittests.CheckFailed):
        problem_unittests.test_model_loss(functools.partial(variants.model_loss, fake_label=0.1))

    items = self_review.self_check(passed_checks)

    assert unmet(items) == ["All the unit tests passed", "`model_loss` is implemented correctly"]
    [loss] = [item for item in items if "model_loss" in item.rubric]
    assert "labels the fake images 0.10" in loss.evidence


def test_a_hyperparameter_out_of_range_is_not_met(passed_checks):
    items = self_review.self_check({**passed_checks, "batch_size": 256})

    assert unmet(items) == ["The hyperparameters are set to reasonable numbers"]
    assert "batch_size = 256 (reviewed 16 to 64)" in items[-3].evidence


def test_no_faces_is_not_met_and_says_why(passed_checks):
    items = self_review.self_check({**passed_checks, "celeba_history": None})

    assert unmet(items) == ["The CelebA samples look like faces"]
    assert "place CelebA" in items[-1].evidence


def executed_with(tmp_path, items):
    """A project folder with the required files and an executed notebook holding ``items``."""
    for name in (*self_review.FILES, self_review.REPORT):
        (tmp_path / name).write_text(f"contents of {name}")
    review = {"output_type": "display_data", "metadata": {}, "data": {self_review.REVIEW_MIME: items}}
    notebook = {"cells": [{"cell_type": "code", "source": "", "outputs": [review]}]}
    (tmp_path / self_review.EXECUTED).write_text(json.dumps(notebook))
    return tmp_path


def test_the_zip_holds_exactly_what_the_project_asks_for(tmp_path):
    project = executed_with(tmp_path, [{"rubric": "tests", "met": True, "evidence": "6 of 6"}])

    written = submission.pack(project)

    with zipfile.ZipFile(written) as bundle:
        assert sorted(bundle.namelist()) == sorted([*self_review.FILES, self_review.REPORT])
        assert bundle.read(self_review.NOTEBOOK) == (project / self_review.EXECUTED).read_bytes()


def test_an_unmet_item_refuses_the_zip_with_the_reason(tmp_path):
    project = executed_with(tmp_path, [{"rubric": "faces", "met": False, "evidence": "FD 60% (at most 30%)"}])

    with pytest.raises(self_review.NotReady, match=r"- faces: FD 60% \(at most 30%\)"):
        submission.pack(project)

    assert not (project / submission.ZIP).exists()


def test_no_executed_notebook_says_to_run_the_notebook_first(tmp_path):
    with pytest.raises(self_review.NotReady, match=r"run `python run_notebook\.py` first"):
        submission.pack(tmp_path)


def test_the_notebook_ends_with_the_self_review():
    cells = project.nbformat.read(project.NOTEBOOK, as_version=4).cells

    assert cells[-2].source.startswith("## Submitting this project")
    assert "self_review.self_check(globals())" in cells[-1].source
