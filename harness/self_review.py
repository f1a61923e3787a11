"""The self-review: the notebook's state marked item by item, as the original project's reviewers grade it.

In the notebook, ``show(self_check(globals(), problem_unittests.OUTCOMES))`` marks each item of
the rubric (``harness.rubric``: its titles and rules, the reviewer's draft's too) met or not, with
its evidence; the executed notebook keeps that review (as JSON beside the table), and
``read_review`` reads it back for ``submission.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import band, rubric
from harness.checks.outcomes import Outcomes
from harness.practices import Note
from harness.project import PROJECT
from harness.rubric import FILES, FUNCTIONS, RANGES

NOTEBOOK = FILES[0]
EXECUTED = "dlnd_face_generation.executed.ipynb"  # The runner's executed copy, which submission.py packs.
REVIEW_MIME = "application/vnd.dlnd.review+json"


class NotReady(Exception):
    """The project cannot be submitted yet; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class Item:
    """One rubric item: what a reviewer checks, whether it is met, and the evidence.

    Attributes:
        advice: The figure behind ``met`` is not calibrated yet: the item guides, and an unmet one
            does not hold the hand-in back.
    """

    rubric: str
    met: bool
    evidence: str
    advice: bool = False

    @property
    def blocks(self) -> bool:
        """Whether the item holds the hand-in back: unmet, and decided by a rule we stand behind."""
        return not self.met and not self.advice


def _function_item(name: str, results: dict, shows_samples: bool) -> Item:
    result = results.get(name)
    if result is None:
        return Item(rubric.function_title(name), False, f"its check has not run: run the cell after {name}")
    evidence = f"its check: {result}"
    if name == "train":
        evidence += f"; {'calls' if shows_samples else 'does not call'} show_generator_output"
    return Item(rubric.function_title(name), rubric.function_met(name, result, shows_samples), evidence)


def self_check(namespace: dict, outcomes: Outcomes, project: Path = PROJECT) -> list[Item]:
    """Reviews the notebook's state item by item, as the original project's reviewers grade it.

    Args:
        namespace: The notebook's globals (its functions, hyperparameters and histories).
        outcomes: What the checks of ``problem_unittests`` recorded (``problem_unittests.OUTCOMES``).
        project: The project folder, where the required files must be.

    Returns:
        The rubric items, each met or not, with its evidence.
    """
    results = outcomes.results
    missing = [name for name in FILES if not (project / name).is_file()]
    passed = sum(results.get(name) == "passed" for name in FUNCTIONS)
    items = [
        Item(
            rubric.FILES_TITLE,
            not missing,
            f"missing: {', '.join(missing)}" if missing else "all present; run_notebook.py writes the report",
        ),
        Item(
            rubric.ALL_CHECKS_TITLE, passed == len(FUNCTIONS), f"{passed} of {len(FUNCTIONS)} checks passed"
        ),
    ]
    train_code = getattr(namespace.get("train"), "__code__", None)
    shows = "show_generator_output" in getattr(train_code, "co_names", ())
    items += [_function_item(name, results, shows) for name in FUNCTIONS]
    values = {name: namespace.get(name) for name in RANGES}
    outside = rubric.hyperparameters_outside(values)
    shown = ", ".join(f"{name} = {value}" for name, value in values.items())
    items.append(Item(rubric.HYPERPARAMETERS_TITLE, not outside, "; ".join(outside) or shown))
    items.append(_digits_item(namespace.get("mnist_history")))
    items.append(_faces_item(namespace.get("celeba_history")))
    return items


def _last_quality(history) -> dict | None:
    return (history or {}).get("quality", [None])[-1] if (history or {}).get("quality") else None


def _digits_item(history) -> Item:
    scores = _last_quality(history)
    if scores is None:
        return Item(
            rubric.DIGITS_TITLE, False, "no MNIST epoch was measured: train on MNIST to the end of an epoch"
        )
    figures = scores | {"rarest": min(scores["classes"])}
    reference = band.sentence(band.load(), scores)
    return Item(
        rubric.DIGITS_TITLE,
        rubric.look_like_digits(figures),
        f"after epoch {scores['epoch']}: {rubric.digit_figures(figures)}"
        + (f". {reference}" if reference else ""),
    )


def _faces_item(history) -> Item:
    scores = _last_quality(history)
    if scores is None:
        return Item(
            rubric.FACES_TITLE,
            False,
            "no CelebA epoch was measured: place CelebA (see Get the data) and train on it",
        )
    return Item(
        rubric.FACES_TITLE,
        rubric.faces_within(scores),
        f"after epoch {scores['epoch']}: {rubric.face_figures(scores)}. Advice, not a rule: that line has "
        "not been calibrated on real CelebA faces yet, so look at the samples above and judge them yourself",
        advice=True,
    )


def show(items: list[Item], notes: Sequence[Note] = ()) -> None:
    """Shows the review as a table, then the reviewer's notes on the learner's practices, and keeps
    the table in the notebook for ``python submission.py``."""
    from IPython.display import display

    rows = "\n".join(f"| {_mark(i)} | {i.rubric} | {i.evidence} |" for i in items)
    table = f"| | rubric item | evidence |\n| --- | --- | --- |\n{rows}"
    verdict = "Not ready to submit yet." if any(i.blocks for i in items) else "Ready to submit."
    markdown = f"{table}\n\n**{verdict}**{_notes_markdown(notes)}"
    display({"text/markdown": markdown, REVIEW_MIME: [asdict(i) for i in items]}, raw=True)


def _notes_markdown(notes: Sequence[Note]) -> str:
    """The notes as a reviewer writes them, function by function: done well first, then worth trying."""
    if not notes:
        return ""
    ordered = sorted(notes, key=lambda note: not note.done_well)
    lines = [f"- {'✓' if n.done_well else '🌀'} **{n.subject}**: {n.text}" for n in ordered]
    return "\n\n**Notes on your practices** (✓ done well, 🌀 worth trying):\n\n" + "\n".join(lines)


def _mark(item: Item) -> str:
    if item.met:
        return "met"
    return "advice" if item.advice else "**not met**"


def read_review(executed: Path) -> list[Item]:
    """The review kept in an executed notebook.

    Raises:
        NotReady: The notebook is missing, or holds no review (the run stopped before it).
    """
    if not executed.is_file():
        raise NotReady(f"{executed.name} is missing: run `python run_notebook.py` first.")
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for output in cell.get("outputs", []):
            if REVIEW_MIME in output.get("data", {}):
                return [Item(**item) for item in output["data"][REVIEW_MIME]]
    raise NotReady(
        f"{executed.name} holds no self-review: the run stopped before 'Submitting this project'. "
        "Fix the failing cell (run_notebook.py named it) and run again."
    )
