"""Learners' own solutions, written independently in five styles, fill the exercise edition:
every check accepts each of them (the notebook's, and the reviewer's judge from their evidence),
each one's ``train`` drives the notebook's run (its losses, film and quality) in this process as
the notebook's MNIST cell trains them, and a mistake stops the notebook at its check.

The notebook runs whole in tests/test_notebook.py, once with one of these learners' solutions.
"""

from pathlib import Path

import nbformat
import pytest
from helpers.archives import place_mnist
from helpers.judging import judged
from helpers.notebooks import fill_exercises, refusing_celeba, serving_mnist, shortened
from helpers.submissions import executed
from nbclient.exceptions import CellExecutionError

import problem_unittests
import student_edition
from harness import execution, mnist_run, project
from harness.review import learner
from harness.review.code import learner_code

SOLUTIONS = sorted((Path(__file__).parent / "learner_solutions").glob("*.py"))
CHECKS = {
    "model_inputs": lambda f, ns: problem_unittests.test_model_inputs(f),
    "discriminator": lambda f, ns: problem_unittests.test_discriminator(f, ns["tf"]),
    "generator": lambda f, ns: problem_unittests.test_generator(f, ns["tf"]),
    "model_loss": lambda f, ns: problem_unittests.test_model_loss(f),
    "model_opt": lambda f, ns: problem_unittests.test_model_opt(f, ns["tf"]),
    "train": lambda f, ns: problem_unittests.test_train(f),
}


@pytest.fixture(scope="module")
def exercise_edition():
    return student_edition.student_edition(nbformat.read(project.NOTEBOOK, as_version=4))


def filled_with(exercise_edition, solution: Path):
    return fill_exercises(exercise_edition, solution.read_text())


def test_there_are_five_styles():
    assert len(SOLUTIONS) >= 5


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[path.stem for path in SOLUTIONS])
def test_every_check_accepts_the_learners_solution_in_the_notebook_and_in_the_judge(
    exercise_edition, solution, capsys, tmp_path
):
    namespace = project.load_functions(notebook=filled_with(exercise_edition, solution))

    for name, check in CHECKS.items():
        check(namespace[name], namespace)

    assert capsys.readouterr().out.count("Tests Passed") == 6
    # The reviewer's judge, on the evidence of their code read out of their submitted notebook as
    # the sandbox's worker reads it: every op they used is allowed, every verdict the notebook's.
    code = learner_code(executed(solution.read_text()))
    submitted = learner.namespace_of(project.given_definitions(), code.source)
    verdicts = {name: judged(tmp_path, name, submitted[name]) for name in CHECKS}
    assert verdicts == dict.fromkeys(CHECKS, "passed")


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[path.stem for path in SOLUTIONS])
def test_the_learners_train_drives_the_notebooks_run(exercise_edition, solution, tmp_path, use_source):
    place_mnist(tmp_path, use_source)
    namespace = project.load_functions(notebook=filled_with(exercise_edition, solution))

    history = mnist_run.train_mnist(namespace, 0, str(tmp_path), epochs=2, max_batches=6, samples=64)

    assert history["steps"] == 12, "every batch of both epochs trained"
    # Each prints every 10 steps, or returns its losses.
    assert len(history["d_loss"]) == len(history["g_loss"]) > 0, "its losses, printed or returned"
    assert len(history["frames"]) >= 2, "a frame of the film at each epoch's end"
    assert [entry["epoch"] for entry in history["quality"]] == [1, 2], "measured after each epoch"


@pytest.mark.slow
def test_a_learners_mistake_stops_the_run_at_its_check_with_the_message(
    exercise_edition, httpserver, tmp_path
):
    source = (SOLUTIONS[0].parent / "classic.py").read_text()
    smoothed_fakes = source.replace(
        "labels=tf.zeros_like(d_model_fake)", "labels=tf.zeros_like(d_model_fake) + 0.1"
    )
    setup = [*serving_mnist(httpserver), refusing_celeba(httpserver)]
    notebook = shortened(tmp_path, setup, fill_exercises(exercise_edition, smoothed_fakes), max_batches=2)

    with pytest.raises(CellExecutionError):
        execution.execute(notebook, timeout=600)

    message = execution.describe_failure(notebook)
    assert "(the check of your function) failed: CheckFailed: d_loss labels the fake images 0.10" in message
