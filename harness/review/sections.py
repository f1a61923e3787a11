"""The review's sections, in the rubric's order, each with its verdict, its evidence and a few notes.

The rubric of the original project (``harness.rubric``: each item's title and rule, the
learner's self-review's too): the required files; each of the six functions; the
hyperparameters; the MNIST digits; the CelebA faces. Each section "Meets Specifications" or
"Requires Changes"; one the evidence cannot decide (samples with no figures and no classifier to
measure them) is left "To check by eye". Notes come as reviewers write them: at most two things
done well and two worth trying, so a section never turns into a wall of text.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from harness import band, rubric
from harness.practices.note import Note
from harness.review import builders
from harness.review.checking import Checked
from harness.review.code import LearnerCode
from harness.review.copies import COPY_DISTANCE
from harness.review.samples import CONFIDENCE_TOLERANCE
from harness.rubric import DIGITS_LEAST_CONFIDENCE, FUNCTIONS, RANGES, digit_figures, look_like_digits

MEETS, REQUIRES, BY_EYE = "Meets Specifications", "Requires Changes", "To check by eye"
MOST_NOTES = 2  # Of each kind in a section.
REPORT_LABEL = "the HTML report"  # Named so: any .html export will do, whatever its file name.


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
        code: For a function, the learner's definitions that built the graphs it was judged on
            (as the learner's sandbox recorded them), for the reviewer to read; or "".
    """

    title: str
    verdict: str
    evidence: str
    done_well: tuple[str, ...] = ()
    worth_trying: tuple[str, ...] = ()
    picture: str = ""
    code: str = ""


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
    title = rubric.FILES_TITLE
    if not missing:
        return Section(title, MEETS, "The notebook, helper.py, problem_unittests.py and the HTML report.")
    advice = (
        " Export the executed notebook as HTML (File → Save and Export Notebook As → HTML, or "
        "`python run_notebook.py`) and add it."
        if REPORT_LABEL in missing
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
        shows = _calls(code.source, "train", "show_generator_output")
        verdict = MEETS if rubric.function_met(name, outcome, shows) else REQUIRES
        evidence = "Our check of it passed." if outcome == "passed" else f"Our check of it: {outcome}"
        if outcome == "passed" and verdict == REQUIRES:  # train, which never shows its samples.
            evidence = "It trains, but never shows samples: call show_generator_output."
        subject = [n for n in checked.notes if n.subject == name]
        built_by = builders.builders(code.source, checked.built_by.get(name, []))
        evidence = " ".join(filter(None, [evidence, builders.told(name, built_by)]))
        section = _with_notes(rubric.function_title(name), verdict, evidence, subject)
        sections.append(dataclasses.replace(section, code="\n\n".join(built_by.values())))
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
    wrong = rubric.hyperparameters_outside(values)
    evidence = ("; ".join(wrong) or ", ".join(f"{name} = {values[name]}" for name in RANGES)) + "."
    subject = [n for n in notes if n.subject in RANGES]
    return _with_notes(rubric.HYPERPARAMETERS_TITLE, REQUIRES if wrong else MEETS, evidence, subject)


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


def _copied(found: dict | None, what: str) -> str | None:
    """What a copy check (``copies.copies``) found, when the samples are not the generator's."""
    if found is None or not found["copied"]:
        return None
    return (
        f"{found['copies']} of {what} are copies of MNIST digits (nearest at {found['nearest']:.3f}, "
        f"drawn digits lie beyond {COPY_DISTANCE}): these samples are not the generator's."
    )


def _compared(found: str, found_copies: dict | None, what: str) -> list[str]:
    """What was measured here, and what the copy check found, in sentences."""
    said = [found]
    if found_copies is None:
        said.append("They could not be compared with MNIST's digits: MNIST is not in your data folder.")
    elif not found_copies["copied"]:
        said.append(
            f"None of {what} is an MNIST digit pasted in (the nearest lies at {found_copies['nearest']:.3f})."
        )
    return said


def _quoted(reported: dict | None) -> str:
    """The notebook's own figures, quoted (typed by the learner's run: never evidence alone)."""
    if reported is None:
        return "The notebook reports no figures."
    reference = band.sentence(band.load(), reported)
    return " ".join(
        filter(
            None,
            [
                f"The notebook reports, after epoch {reported['epoch']}: {digit_figures(reported)}.",
                reference,
            ],
        )
    )


def digits_section(
    reported: dict | None,
    in_report: dict | None,
    measured: dict | None,
    diagnosis: str | None,
    trained: dict | None = None,
) -> Section:
    """Whether the MNIST samples look like digits, as the reviewer's side measured them: the samples
    it drew from a training done again (when the reviewer asked for one), else the last grid the
    notebook shows (25 samples: their confidence and copies; too few for FD). The notebook's own
    figures are quoted and compared: a mismatch with its report or with what was measured, or
    figures below the line, require changes, but they never meet the section alone."""
    title = rubric.DIGITS_TITLE
    picture = measured.get("picture", "") if measured else ""
    worth = [Note("MNIST", False, diagnosis)] if diagnosis else []
    said, problems = [_quoted(reported)], [p for p in [_agreement(reported, in_report)] if p]
    if trained is not None and "failed" in trained:
        said.append(f"The training asked for did not end here: {trained['failed']}.")
        trained = None
    if reported is not None and trained is None and not look_like_digits(reported):
        problems.append("The notebook's own figures are below the line.")
    if trained is not None:  # It decides: the notebook's own figures are only quoted beside it.
        said += _compared(
            f"Trained again here ({trained['description']}) and drawn by the reviewer's side: "
            f"{digit_figures(trained)}.",
            trained.get("copies"),
            "the samples checked",
        )
        problems.append(_copied(trained.get("copies"), "the samples checked"))
        met = look_like_digits(trained)
    elif measured is not None and "confidence" in measured:
        said += _compared(
            f"Measured here on the last {measured['count']} samples shown: mean confidence "
            f"{measured['confidence']:.3f} (at least {DIGITS_LEAST_CONFIDENCE}); FD needs thousands of "
            "samples and is not measured on so few (`review.py --train` measures it).",
            measured.get("copies"),
            "the samples shown",
        )
        problems.append(_copied(measured.get("copies"), f"the {measured['count']} samples shown"))
        if (
            reported is not None
            and abs(measured["confidence"] - reported["confidence"]) > CONFIDENCE_TOLERANCE
        ):
            problems.append(
                f"The samples shown do not bear out the reported confidence ({reported['confidence']:.3f} "
                f"reported, {measured['confidence']:.3f} measured here)."
            )
        met = measured["confidence"] >= DIGITS_LEAST_CONFIDENCE
    else:
        why = measured.get("unmeasured") if measured else "no grid of samples could be read from the notebook"
        said.append(
            f"Nothing here could measure the samples ({why}), and figures a notebook prints are not "
            "evidence alone: look at the samples (`review.py --train` trains and measures them)."
        )
        met = None
    problems = [problem for problem in problems if problem]
    verdict = REQUIRES if problems or met is False else MEETS if met else BY_EYE
    return _with_notes(title, verdict, " ".join([*said, *problems]), worth, picture)


def faces_section(
    reported: dict | None, in_report: dict | None, diagnosis: str | None, picture: str = ""
) -> Section:
    """Whether the CelebA samples look like faces: nothing here measures faces, so the section is
    the reviewer's to judge by eye from the last grid shown; the notebook's own figure is quoted, and
    a mismatch with its report, or a figure beyond the line, requires changes."""
    title = rubric.FACES_TITLE
    if reported is None and not picture:
        return Section(title, REQUIRES, "The notebook shows no CelebA training: train one epoch on CelebA.")
    said = []
    if reported is not None:
        said.append(
            f"The notebook reports, after epoch {reported['epoch']}: {rubric.face_figures(reported)}."
        )
    problems = [p for p in [_agreement(reported, in_report)] if p]
    if reported is not None and not rubric.faces_within(reported):
        problems.append("The notebook's own figure is beyond the line.")
    look = (
        "look at the last grid of faces (below)"
        if picture
        else "no grid of faces could be read: look at the notebook's samples"
    )
    said.append(
        f"Nothing here measures faces, and a figure a notebook prints is not evidence alone: {look}. "
        "Most should show a face's outline, eyes and mouth, with varied skin, hair and background."
    )
    worth = [Note("CelebA", False, diagnosis)] if diagnosis else []
    return _with_notes(title, REQUIRES if problems else BY_EYE, " ".join([*said, *problems]), worth, picture)
