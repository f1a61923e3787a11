"""A reviewer's draft of one submission: unpacked safely, checked in a sandbox, figures re-read.

``draft`` unpacks the submission (``unpack``), takes the learner's definitions from its notebook
(``code``) and checks them again with our checks in a sandbox (``checking``), reads the quality
the notebook and its report give (``figures``), measures the last samples again where the
reviewer's data folder has the digit classifier (``samples``), and puts it all in the rubric's
sections (``sections``). A submission that tries to escape its folder is not reviewed further.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from harness.quiet import native_log_lines_hidden
from harness.review import checking, figures, grader, retraining, samples, sandbox, sections
from harness.review.code import learner_code
from harness.review.unpack import HostileSubmission, unpack
from harness.rubric import FILES

_TAG = re.compile(r"<[^>]*>")
_MOST_REPORT_BYTES = 64 * 2**20


@dataclass
class Review:
    """A draft review.

    Attributes:
        name: The submission's name (its file name without ``.zip``).
        sections: The rubric's sections, in order.
        protection: How the submission's code was confined, in words.
        refused: Why the submission was not reviewed (a hostile archive), or None.
        seconds: How long the review took.
        grader: The version of what judged it (``grader.version``), or "" before it was judged.
    """

    name: str
    sections: list[sections.Section] = field(default_factory=list)
    protection: str = ""
    refused: str | None = None
    seconds: float = 0.0
    grader: str = ""


def draft(
    submission: Path,
    work: Path,
    data_dir: Path,
    limits: sandbox.Limits,
    training: retraining.Training | None = None,
) -> Review:
    """Reviews ``submission`` (a zip, a folder or a notebook), working in the fresh folder ``work``.

    Args:
        submission: What the learner handed in.
        work: A folder of the reviewer's for the unpacked files and the sandbox's scratch.
        data_dir: The reviewer's data folder, where a run of the notebook left the digit classifier.
        limits: What the submission's code may use.
        training: The training to do again, when the reviewer asks for one.
    """
    start = time.monotonic()
    review = Review(submission.name.removesuffix(".zip"), protection=sandbox.describe(limits))
    review.grader = grader.version()
    try:
        files = unpack(submission, work / "files")
    except HostileSubmission as refusal:
        review.refused = str(refusal)
        review.seconds = time.monotonic() - start
        return review
    review.sections = _sections(files, work / "scratch", data_dir, limits, training)
    review.seconds = time.monotonic() - start
    return review


def _sections(
    files: Path, scratch: Path, data_dir: Path, limits: sandbox.Limits, training: retraining.Training | None
) -> list[sections.Section]:
    notebooks = notebooks_in(files)
    reports = sorted(files.rglob("*.html"))
    found = [_files_section(files, notebooks, reports)]
    notebook = read_notebook(notebooks[0]) if notebooks else None
    if notebook is None:
        reason = "There is no notebook to review." if not notebooks else "The notebook cannot be read."
        return [*found, sections.Section(reason, sections.REQUIRES, "Submit the executed notebook.")]
    code = learner_code(notebook)
    checked = checking.check(code, scratch, limits, training)
    found += sections.function_sections(checked, code)
    found.append(sections.hyperparameters_section(code, checked.notes))
    return found + _quality_sections(notebook, reports, data_dir, _trained(checked, training, data_dir))


def _files_section(files: Path, notebooks: list[Path], reports: list[Path]) -> sections.Section:
    present = {path.name for path in files.rglob("*") if path.is_file()}
    missing = [name for name in FILES if name not in present] + ([] if reports else [sections.REPORT_LABEL])
    if notebooks and FILES[0] in missing:
        missing.remove(FILES[0])  # A notebook under another name is still the notebook.
    return sections.files_section(missing)


def _quality_sections(
    notebook, reports: list[Path], data_dir: Path, trained: dict | None
) -> list[sections.Section]:
    """The digits and faces sections: the figures reported, the report's, the samples measured again."""
    reported, diagnoses = figures.reported_quality(notebook), figures.reported_diagnoses(notebook)
    in_report = figures.quality_in([_report_text(reports[0])]) if reports else {}
    grids = samples.last_grids(notebook)
    measured = _measured(grids.get("digits"), data_dir)
    digits = sections.digits_section(
        _last(reported, "digits"), _last(in_report, "digits"), measured, diagnoses.get("digits"), trained
    )
    faces_picture = samples.picture(grids["faces"]) if "faces" in grids else ""
    faces = sections.faces_section(
        _last(reported, "faces"), _last(in_report, "faces"), diagnoses.get("faces"), faces_picture
    )
    return [digits, faces]


def _trained(checked: checking.Checked, training: retraining.Training | None, data_dir: Path) -> dict | None:
    """The training done again: its samples' figures measured here, or why it did not end; None
    when none was asked for."""
    if training is None:
        return None
    if checked.trained is not None and "samples" in checked.trained:
        with _quietly():
            measured = samples.measure_trained(checked.trained["samples"], data_dir)
        return measured | {"description": training.describe()}
    if checked.trained is not None:
        return {"failed": checked.trained["failed"]}
    if any(result != "passed" for result in checked.results.values()) or not checked.results:
        return {"failed": "not tried, as a check failed"}
    return {"failed": checked.stopped or checked.error or "it ended without figures"}


def notebooks_in(files: Path) -> list[Path]:
    """The submission's notebooks, the one under the project's name first: the first is reviewed."""
    return sorted(files.rglob("*.ipynb"), key=lambda path: (path.name != FILES[0], str(path)))


def read_notebook(path: Path):
    """The notebook at ``path``, or None when it cannot be read as one."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # Any way a file fails to be a notebook is the same finding for the review.
        return None


def _report_text(path: Path) -> str:
    with path.open("rb") as stream:
        raw = stream.read(_MOST_REPORT_BYTES).decode("utf-8", "replace")
    return html.unescape(_TAG.sub("", raw))


def _last(found: dict[str, list[dict]], kind: str) -> dict | None:
    return found[kind][-1] if found.get(kind) else None


def _measured(grid, data_dir: Path) -> dict | None:
    if grid is None:
        return None
    with _quietly():
        return samples.measure_digits(grid, data_dir)


@contextlib.contextmanager
def _quietly():
    """The classifier's loading lines, TensorFlow's and its deprecation warnings: not the reviewer's."""
    with contextlib.redirect_stdout(io.StringIO()), native_log_lines_hidden(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
