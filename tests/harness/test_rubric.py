"""harness/rubric.py: one title and one rule for each item, which the learner's self-review and the
reviewer's draft both render: on the same run they give the same titles and the same verdicts."""

from pathlib import Path

import pytest
from helpers.notebooks import learner_cells
from helpers.submissions import SHIPPED, executed

from harness import project, rubric, self_review
from harness.checks.outcomes import Outcomes
from harness.review import sections
from harness.review.checking import Checked
from harness.review.code import learner_code

HARNESS = Path(project.PROJECT) / "harness"
FIGURES = {"epoch": 2, "fd_of_noise": 0.025, "confidence": 0.905, "rarest": 0.078}
HISTORY = {"quality": [FIGURES | {"classes": [0.078] + [0.1024] * 9}]}


def test_each_title_and_line_is_written_once_in_the_package():
    texts = {path: path.read_text() for path in HARNESS.rglob("*.py")}
    titles = [rubric.FILES_TITLE, rubric.HYPERPARAMETERS_TITLE, rubric.DIGITS_TITLE, rubric.FACES_TITLE]
    lines = ["DIGITS_MOST_FD_OF_NOISE, DIGITS_LEAST_CONFIDENCE =", "FACES_MOST_FD_OF_NOISE =", "RANGES ="]
    for text in [*(f'"{title}"' for title in titles), "is implemented correctly", *lines]:
        where = [path.name for path, source in texts.items() if text in source]
        assert where == ["rubric.py"], (text, where)
    for numbers in ("(16, 64)", "(100, 128)", "(0.0002, 0.0008)", "(0.2, 0.6)", "0.10, 0.80"):
        assert [path.name for path, source in texts.items() if numbers in source] == ["rubric.py"], numbers


def reviewed(source: str, namespace: dict, outcome: dict[str, str]):
    """The self-review's items and the draft's sections of one run: the same code, figures and
    check outcomes, given to each as each gets them."""
    items = self_review.self_check(namespace, Outcomes(outcome))
    code = learner_code_of(source)
    checked = Checked(outcome, [], None, None, 1.0)
    measured = {"confidence": FIGURES["confidence"], "count": 25, "copies": None}
    drafted = [
        sections.files_section([]),
        *sections.function_sections(checked, code),
        sections.hyperparameters_section(code, []),
        sections.digits_section(FIGURES, FIGURES, measured, None),
    ]
    return {item.rubric: item.met for item in items}, {s.title: s.verdict == sections.MEETS for s in drafted}


def learner_code_of(source: str):
    return learner_code(executed(source))


@pytest.fixture
def shipped(notebook):
    return SHIPPED, {**notebook, "mnist_history": HISTORY}


@pytest.mark.parametrize(
    "change",
    ["none", "a failed check", "a hyperparameter out of range", "train shows no samples"],
)
def test_the_self_review_and_the_draft_agree_on_the_same_run(shipped, change):
    source, namespace = shipped
    outcome = dict.fromkeys(rubric.FUNCTIONS, "passed")
    if change == "a failed check":
        outcome["model_loss"] = "failed: d_loss labels the real images 0.00"
    elif change == "a hyperparameter out of range":
        source = source.replace("learning_rate = 0.0008", "learning_rate = 0.01")
        namespace = {**namespace, "learning_rate": 0.01}
    elif change == "train shows no samples":
        cells = learner_cells(source)
        quiet = cells["train"].replace(
            "show_generator_output(sess, 25, input_z, data_shape[3], data_image_mode)", "pass"
        )
        source = source.replace(cells["train"], quiet)
        exec(compile(quiet, "train", "exec"), namespace := dict(namespace))

    learner, reviewer = reviewed(source, namespace, outcome)

    shared = set(learner) & set(reviewer)
    assert shared == {
        rubric.FILES_TITLE,
        *map(rubric.function_title, rubric.FUNCTIONS),
        rubric.HYPERPARAMETERS_TITLE,
        rubric.DIGITS_TITLE,
    }
    assert {title: learner[title] for title in shared} == {title: reviewer[title] for title in shared}
    assert all(learner[title] for title in shared) == (change == "none")
