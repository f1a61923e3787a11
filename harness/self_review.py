"""The self-review: the notebook's state marked item by item, as the original project's reviewers grade it.

In the notebook, ``show(self_check(globals()))`` marks each rubric item met or not, with its
evidence; the executed notebook keeps that review (as JSON beside the table), and
``read_review`` reads it back for ``submission.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import band
from harness.practices import HYPERPARAMETERS, Note
from harness.project import PROJECT

NOTEBOOK = "dlnd_face_generation.ipynb"
REPORT = "dlnd_face_generation.html"
EXECUTED = "dlnd_face_generation.executed.ipynb"
FILES = (NOTEBOOK, "helper.py", "problem_unittests.py")
FUNCTIONS = ("model_inputs", "discriminator", "generator", "model_loss", "model_opt", "train")
# The ranges reviewers of the project accept (their reasons are in practices.HYPERPARAMETERS).
RANGES = {name: (low, high) for name, (low, high, _) in HYPERPARAMETERS.items()}
# Samples that "look like digits": the distance to real digits and the classifier's confidence.
DIGITS_MOST_FD_OF_NOISE, DIGITS_LEAST_CONFIDENCE = 0.10, 0.80
# Samples that "look like faces", in the random-feature distance (a weaker signal). Never measured
# on real CelebA yet: the item it decides is advice, and never holds a hand-in back.
FACES_MOST_FD_OF_NOISE = 0.30
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


def _check_item(name: str, results: dict) -> Item:
    result = results.get(name)
    if result is None:
        return Item(
            f"`{name}` is implemented correctly", False, f"its check has not run: run the cell after {name}"
        )
    return Item(f"`{name}` is implemented correctly", result == "passed", f"its check: {result}")


def self_check(namespace: dict, project: Path = PROJECT) -> list[Item]:
    """Reviews the notebook's state item by item, as the original project's reviewers grade it.

    Args:
        namespace: The notebook's globals (its functions, hyperparameters and histories, and the
            ``problem_unittests`` module whose ``RESULTS`` hold the outcome of each check).
        project: The project folder, where the required files must be.

    Returns:
        The rubric items, each met or not, with its evidence.
    """
    checks = namespace.get("problem_unittests")
    results = getattr(checks, "RESULTS", {})
    missing = [name for name in FILES if not (project / name).is_file()]
    items = [
        Item(
            "The submission holds the notebook, helper.py, problem_unittests.py and the HTML report",
            not missing,
            f"missing: {', '.join(missing)}" if missing else "all present; run_notebook.py writes the report",
        ),
        Item(
            "All the unit tests passed",
            all(results.get(name) == "passed" for name in FUNCTIONS),
            f"{sum(results.get(name) == 'passed' for name in FUNCTIONS)} of {len(FUNCTIONS)} checks passed",
        ),
    ]
    items += [_check_item(name, results) for name in FUNCTIONS[:-1]]
    train = _check_item("train", results)
    shows = "show_generator_output" in getattr(
        getattr(namespace.get("train"), "__code__", None), "co_names", ()
    )
    items.append(
        Item(
            "`train` builds the model and shows the generator's output with show_generator_output",
            train.met and shows,
            f"{train.evidence}; {'calls' if shows else 'does not call'} show_generator_output",
        )
    )
    values = {name: namespace.get(name) for name in RANGES}
    outside = [
        f"{name} = {value!r} (reviewed {low} to {high})"
        for name, value in values.items()
        for low, high in [RANGES[name]]
        if not isinstance(value, (int, float)) or not low <= value <= high
    ]
    items.append(
        Item(
            "The hyperparameters are set to reasonable numbers",
            not outside,
            "; ".join(outside)
            if outside
            else ", ".join(f"{name} = {value}" for name, value in values.items()),
        )
    )
    items.append(_digits_item(namespace.get("mnist_history")))
    items.append(_faces_item(namespace.get("celeba_history")))
    return items


def _last_quality(history) -> dict | None:
    return (history or {}).get("quality", [None])[-1] if (history or {}).get("quality") else None


def _digits_item(history) -> Item:
    rubric = "The MNIST samples look like handwritten digits"
    scores = _last_quality(history)
    if scores is None:
        return Item(rubric, False, "no MNIST epoch was measured: train on MNIST to the end of an epoch")
    share, confidence = scores["fd_of_noise"], scores["confidence"]
    return Item(
        rubric,
        share <= DIGITS_MOST_FD_OF_NOISE and confidence >= DIGITS_LEAST_CONFIDENCE,
        f"after epoch {scores['epoch']}: FD {share:.1%} of the noise floor (at most "
        f"{DIGITS_MOST_FD_OF_NOISE:.0%}), mean confidence {confidence:.3f} (at least "
        f"{DIGITS_LEAST_CONFIDENCE}), rarest digit {min(scores['classes']):.1%}"
        + (f". {reference}" if (reference := band.sentence(band.load(), scores)) else ""),
    )


def _faces_item(history) -> Item:
    rubric = "The CelebA samples look like faces"
    scores = _last_quality(history)
    if scores is None:
        return Item(
            rubric, False, "no CelebA epoch was measured: place CelebA (see Get the data) and train on it"
        )
    share = scores["fd_of_noise"]
    return Item(
        rubric,
        share <= FACES_MOST_FD_OF_NOISE,
        f"after epoch {scores['epoch']}: FD {share:.1%} of the noise floor in random features (at most "
        f"{FACES_MOST_FD_OF_NOISE:.0%} suggests faces). Advice, not a rule: that line has not been "
        "calibrated on real CelebA faces yet, so look at the samples above and judge them yourself",
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
