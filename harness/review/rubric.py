"""The review's sections, in the rubric's order, each with its verdict, its evidence and a few notes.

The rubric of the original project: the required files; each of the six functions; the
hyperparameters; the MNIST digits; the CelebA faces. Each section "Meets Specifications" or
"Requires Changes"; one the evidence cannot decide (samples with no figures and no classifier to
measure them) is left "To check by eye". Notes come as reviewers write them: at most two things
done well and two worth trying, so a section never turns into a wall of text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from harness import band
from harness.practices.note import Note
from harness.review.checking import Checked
from harness.review.code import LearnerCode
from harness.review.copies import COPY_DISTANCE
from harness.review.samples import CONFIDENCE_TOLERANCE
from harness.self_review import (
    DIGITS_LEAST_CONFIDENCE,
    DIGITS_MOST_FD_OF_NOISE,
    FACES_MOST_FD_OF_NOISE,
    FUNCTIONS,
    RANGES,
)

MEETS, REQUIRES, BY_EYE = "Meets Specifications", "Requires Changes", "To check by eye"
MOST_NOTES = 2  # Of each kind in a section.
REPORT = "the HTML report"  # Named so: any .html export will do, whatever its file name.


@dataclass(frozen=True)
class Section:
    """One rubric section of the review.

    Attributes:
        title: What the rubric checks.
        verdict: ``MEETS``, ``REQUIRES`` or ``BY_EYE``.
        evidence: What was seen, in a sentence or two.
        done_well: Notes on what was done well, and why it matters.
        worth_trying: Notes on what is worth trying next.
        picture: The samples the section was judged on, as a base64 PNG, or "".
    """

    title: str
    verdict: str
    evidence: str
    done_well: tuple[str, ...] = ()
    worth_trying: tuple[str, ...] = ()
    picture: str = ""


def _with_notes(title: str, verdict: str, evidence: str, notes: list[Note], picture: str = "") -> Section:
    return Section(
        title,
        verdict,
        evidence,
        tuple(n.text for n in notes if n.done_well)[:MOST_NOTES],
        tuple(n.text for n in notes if not n.done_well)[:MOST_NOTES],
        picture,
    )


def files_section(missing: list[str]) -> Section:
    """Whether the submission holds the notebook, helper.py, problem_unittests.py and a report."""
    title = "The required files are submitted"
    if not missing:
        return Section(title, MEETS, "The notebook, helper.py, problem_unittests.py and the HTML report.")
    advice = (
        " Export the executed notebook as HTML (File → Save and Export Notebook As → HTML, or "
        "`python run_notebook.py`) and add it."
        if REPORT in missing
        else ""
    )
    return Section(title, REQUIRES, f"Missing: {', '.join(missing)}.{advice}")


def function_sections(checked: Checked, code: LearnerCode) -> list[Section]:
    """A section for each of the six functions, from our checks' outcome in the sandbox."""
    sections, first_unchecked = [], True
    for name in FUNCTIONS:
        outcome = checked.results.get(name)
        if outcome is None:
            outcome = _unchecked(name, checked, first_unchecked)
            first_unchecked = False
        verdict = MEETS if outcome == "passed" else REQUIRES
        evidence = "Our check of it passed." if outcome == "passed" else f"Our check of it: {outcome}"
        if name == "train" and verdict == MEETS and not _calls(code.source, "train", "show_generator_output"):
            verdict, evidence = REQUIRES, "It trains, but never shows samples: call show_generator_output."
        subject = [n for n in checked.notes if n.subject == name]
        sections.append(_with_notes(f"`{name}` is implemented correctly", verdict, evidence, subject))
    return sections


def _unchecked(name: str, checked: Checked, first: bool) -> str:
    """Why a function has no outcome: the limit that stopped its check, or the checks' failure."""
    if checked.stopped and first:
        return f"stopped by {checked.stopped}: an endless loop, or far more work than the check asks."
    if checked.stopped:
        return "not run: the checks were stopped at an earlier function."
    return f"the checks could not run the submission's code: {checked.error}"


def _calls(source: str, function: str, name: str) -> bool:
    """Whether ``function``, as defined in ``source``, refers to ``name``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
    return False


def hyperparameter_values(source: str) -> dict[str, object]:
    """The hyperparameters the learner's code sets to plain values."""
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in RANGES:
                    values[target.id] = ast.literal_eval(node.value)
    return values


def hyperparameters_section(code: LearnerCode, notes: list[Note]) -> Section:
    """The hyperparameters against the ranges reviewers accept."""
    values = hyperparameter_values(code.source)
    wrong = []
    for name, (low, high) in RANGES.items():
        value = values.get(name)
        if not isinstance(value, int | float) or not low <= value <= high:
            shown = "not set" if name not in values else f"{value!r}"
            wrong.append(f"{name} is {shown} (reviewed {low} to {high})")
    evidence = ("; ".join(wrong) or ", ".join(f"{name} = {values[name]}" for name in RANGES)) + "."
    subject = [n for n in notes if n.subject in RANGES]
    return _with_notes("The hyperparameters are reasonable", REQUIRES if wrong else MEETS, evidence, subject)


def _agreement(notebook: dict | None, report: dict | None) -> str | None:
    """A mismatch between the notebook's last figures and the report's, in words, or None."""
    if notebook is None or report is None:
        return None
    for key in ("fd_of_noise", "confidence"):
        if key in notebook and abs(notebook[key] - report.get(key, notebook[key])) > 1e-3:
            return (
                f"The report's figures do not match the notebook's: the report says {key} "
                f"{report[key]:.3f}, the notebook {notebook[key]:.3f}."
            )
    return None


def _digit_figures(figures: dict) -> str:
    return (
        f"FD {figures['fd_of_noise']:.1%} of the noise floor (at most {DIGITS_MOST_FD_OF_NOISE:.0%}), mean "
        f"confidence {figures['confidence']:.3f} (at least {DIGITS_LEAST_CONFIDENCE}), rarest digit "
        f"{figures['rarest']:.1%}"
    )


def _look_like_digits(figures: dict) -> bool:
    close = figures["fd_of_noise"] <= DIGITS_MOST_FD_OF_NOISE
    return close and figures["confidence"] >= DIGITS_LEAST_CONFIDENCE


def _copied(found: dict | None, what: str) -> str | None:
    """What a copy check (``copies.copies``) found, when the samples are not the generator's."""
    if found is None or not found["copied"]:
        return None
    return (
        f"{found['copies']} of {what} are copies of MNIST training digits (nearest at "
        f"{found['nearest']:.3f}, drawn digits lie beyond {COPY_DISTANCE}): these samples are not the "
        "generator's."
    )


def digits_section(
    reported: dict | None,
    in_report: dict | None,
    measured: dict | None,
    diagnosis: str | None,
    trained: dict | None = None,
) -> Section:
    """Whether the MNIST samples look like digits: the notebook's figures, checked against the
    report's, against the last grid of samples measured again (and compared with the training
    digits) and, when the reviewer asked for it, against a training done again (whose figures
    decide when the notebook reports none)."""
    title = "The MNIST samples look like handwritten digits"
    seen, copied = [], []
    picture = measured.get("picture", "") if measured else ""
    if measured is not None:
        confidence = measured["confidence"]
        seen.append(f"Measured again on the last 25 samples shown: mean confidence {confidence:.3f}.")
        found = measured.get("copies")
        if found is None:
            seen.append(
                "They could not be compared with the training digits: MNIST is not in your data folder."
            )
        elif not found["copied"]:
            seen.append(f"None is a training digit pasted in (the nearest lies at {found['nearest']:.3f}).")
        copied.append(_copied(found, "the 25 samples shown"))
    if trained is not None and "failed" in trained:
        seen.append(f"The training asked for did not end here: {trained['failed']}.")
        trained = None
    if trained is not None:
        seen.append(f"Trained again here ({trained['description']}): {_digit_figures(trained)}.")
        found = trained.get("copies")
        copied.append(_copied(found, f"the {found['of']} samples checked" if found else ""))
    copied = [problem for problem in copied if problem]
    worth = [Note("MNIST", False, diagnosis)] if diagnosis else []
    if reported is None:
        evidence = " ".join(["The notebook reports no figures.", *seen, *copied])
        if trained is not None:
            met = _look_like_digits(trained) and not copied
            return _with_notes(title, MEETS if met else REQUIRES, evidence, worth, picture)
        if measured is None:
            unmeasured = f"{evidence} No samples could be measured: look at them."
            return _with_notes(title, BY_EYE, unmeasured, worth)
        met = measured["confidence"] >= DIGITS_LEAST_CONFIDENCE and not copied
        return _with_notes(title, MEETS if met else REQUIRES, evidence, worth, picture)
    problems = [p for p in [_agreement(reported, in_report)] if p] + copied
    if measured is not None and abs(measured["confidence"] - reported["confidence"]) > CONFIDENCE_TOLERANCE:
        problems.append("The samples shown do not bear out the reported confidence.")
    reference = band.sentence(band.load(), reported)
    evidence = " ".join(
        filter(
            None,
            [f"After epoch {reported['epoch']}: {_digit_figures(reported)}.", reference, *seen, *problems],
        )
    )
    verdict = MEETS if _look_like_digits(reported) and not problems else REQUIRES
    return _with_notes(title, verdict, evidence, worth, picture)


def faces_section(reported: dict | None, in_report: dict | None, diagnosis: str | None) -> Section:
    """Whether the CelebA samples look like faces: the notebook's figure, checked against the report's."""
    title = "The CelebA samples look like faces"
    if reported is None:
        return Section(title, REQUIRES, "The notebook shows no CelebA training: train one epoch on CelebA.")
    evidence = (
        f"After epoch {reported['epoch']}: FD {reported['fd_of_noise']:.1%} of the noise floor in random "
        f"features (at most {FACES_MOST_FD_OF_NOISE:.0%} suggests faces; a guide: look at the samples too)."
    )
    mismatch = _agreement(reported, in_report)
    met = reported["fd_of_noise"] <= FACES_MOST_FD_OF_NOISE and mismatch is None
    worth = [Note("CelebA", False, diagnosis)] if diagnosis else []
    return _with_notes(title, MEETS if met else REQUIRES, " ".join(filter(None, [evidence, mismatch])), worth)
