"""review.py and harness/review/draft.py: submissions packed by submission.py, from learners'
solutions and with seeded mistakes, get the verdicts and evidence a reviewer would give."""

import zipfile

import pytest
from helpers.submissions import (
    DIGITS,
    FACES,
    SOLUTIONS,
    executed,
    packed,
    rezipped,
)

import review
from harness import execution, project
from harness.review import draft, render, sandbox, sections, unpack
from harness.rubric import FILES_TITLE, HYPERPARAMETERS_TITLE, REPORT
from harness.self_review import NOTEBOOK

LIMITS = sandbox.Limits(wall_seconds=300, memory_bytes=3 * 2**30)


def verdicts(written: draft.Review) -> dict[str, str]:
    return {section.title: section.verdict for section in written.sections}


def section(written: draft.Review, starts: str) -> sections.Section:
    return next(s for s in written.sections if s.title.startswith(starts))


def reviewed(tmp_path, path) -> draft.Review:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return draft.draft(path, work / path.stem, tmp_path / "no-data", LIMITS)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[solution.stem for solution in SOLUTIONS])
def test_each_learners_files_and_hyperparameters_meet(tmp_path, checks_passing, solution):
    # Their functions pass the judge in test_learner_solutions; the shipped one's whole review is
    # test_batch's.
    written = reviewed(tmp_path, packed(tmp_path, solution.stem, executed(solution.read_text())))

    assert section(written, FILES_TITLE).verdict == sections.MEETS
    assert section(written, HYPERPARAMETERS_TITLE).verdict == sections.MEETS
    assert list(verdicts(written).values()).count(sections.MEETS) == 8


def test_a_missing_report_is_named_with_how_to_make_it(tmp_path, checks_passing):
    zipped = rezipped(packed(tmp_path, "no_report", executed(SOLUTIONS[0].read_text())), {REPORT: None})

    files = reviewed(tmp_path, zipped).sections[0]

    assert files.verdict == sections.REQUIRES
    assert "Missing: the HTML report" in files.evidence and "Save and Export Notebook As" in files.evidence


def test_hyperparameters_out_of_range_require_changes(tmp_path, checks_passing):
    source = SOLUTIONS[0].read_text().replace("learning_rate = 0.0004", "learning_rate = 0.01")
    zipped = packed(tmp_path, "fast", executed(source))

    hyperparameters = section(reviewed(tmp_path, zipped), "The hyperparameters")

    assert hyperparameters.verdict == sections.REQUIRES
    assert hyperparameters.evidence == "learning_rate is 0.01 (reviewed 0.0002 to 0.0008)."


def test_a_report_whose_figures_were_edited_is_said_not_to_match(tmp_path, checks_passing):
    edited = DIGITS.replace("confidence 0.909", "confidence 0.609")
    notebook = executed(SOLUTIONS[0].read_text(), (edited, FACES))
    zipped = packed(tmp_path, "edited", notebook)
    honest = executed(SOLUTIONS[0].read_text())
    report = tmp_path / "honest.html"
    execution.export_html(honest, report)
    rezipped(zipped, {REPORT: report.read_bytes()})

    digits = section(reviewed(tmp_path, zipped), "The MNIST samples")

    assert digits.verdict == sections.REQUIRES
    assert "the report says confidence 0.909, the notebook 0.609" in digits.evidence


def test_the_figures_are_read_from_the_notebook_with_the_thresholds(tmp_path, checks_passing):
    zipped = packed(tmp_path, "good", executed(SOLUTIONS[0].read_text()))

    written = reviewed(tmp_path, zipped)

    digits = section(written, "The MNIST samples")
    assert digits.evidence.startswith(
        "The notebook reports, after epoch 2: FD 1.8% of the noise floor (at most 10%), mean confidence "
        "0.909 (at least 0.8)"
    )
    # Quoted against the shipped solution's band, in a sentence (the band's figures are not tested).
    assert "Against the shipped solution's band over " in digits.evidence
    # Typed figures alone never meet: with nothing here to measure the samples, the reviewer looks.
    assert (
        digits.verdict == sections.BY_EYE
        and "figures a notebook prints are not evidence alone" in digits.evidence
    )
    faces = section(written, "The CelebA samples")
    assert faces.verdict == sections.BY_EYE and "Nothing here measures faces" in faces.evidence


def test_samples_that_do_not_bear_out_the_reported_confidence_require_changes():
    reported = {"epoch": 2, "fd_of_noise": 0.02, "confidence": 0.91, "rarest": 0.08}

    honest = sections.digits_section(reported, reported, {"confidence": 0.85, "count": 25}, None)
    inflated = sections.digits_section(reported, reported, {"confidence": 0.42, "count": 25}, None)

    assert honest.verdict == sections.MEETS
    assert inflated.verdict == sections.REQUIRES
    assert (
        "do not bear out the reported confidence (0.910 reported, 0.420 measured here)" in inflated.evidence
    )


def test_a_zip_that_escapes_its_folder_is_refused_and_nothing_is_written_outside(tmp_path):
    hostile = tmp_path / "escape.zip"
    with zipfile.ZipFile(hostile, "w") as bundle:
        bundle.writestr(NOTEBOOK, "{}")
        bundle.writestr("../../planted.py", "print('pwned')")

    written = reviewed(tmp_path, hostile)

    assert "a path that leaves its folder" in written.refused
    assert not (tmp_path / "planted.py").exists() and not (tmp_path / "work" / "planted.py").exists()


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(tmp_path):
    hostile = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as bundle,
        bundle.open("zeros.bin", "w") as member,
    ):
        for _ in range(unpack.MOST_BYTES // 2**24 + 1):
            member.write(bytes(2**24))

    written = reviewed(tmp_path, hostile)

    assert "expands past 512 MiB" in written.refused
    assert hostile.stat().st_size < 2**20
    left = [path for path in (tmp_path / "work").rglob("*") if path.is_file()]
    assert left == []


def test_a_broken_submission_does_not_stop_the_batch(tmp_path, checks_passing, capsys):
    packed(tmp_path, "good", executed(SOLUTIONS[0].read_text()))
    (tmp_path / "submissions" / "broken.zip").write_bytes(b"not a zip at all")
    output = tmp_path / "reviews"

    assert review.main([str(tmp_path / "submissions"), "-o", str(output), "--workers", "0"]) == 0

    summary = (output / "summary.md").read_text()
    assert "| broken | refused |" in summary and "| good | ✅ |" in summary
    refusal = (output / "broken.review.md").read_text()
    assert "broken.zip is neither a zip, a folder nor a notebook." in refusal


def test_a_missing_submission_is_named_with_the_fix(tmp_path, capsys):
    assert review.main([str(tmp_path / "nothing.zip")]) == 2

    error = capsys.readouterr().err
    assert "nothing.zip does not exist: give a submission's zip, folder or notebook." in error


def test_the_html_review_escapes_what_the_submission_wrote():
    hostile = sections.Section(
        "`train` is implemented correctly", sections.REQUIRES, "<script>alert(1)</script>"
    )
    page = render.page(draft.Review("x", [hostile], "sandboxed"))

    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_notebook_alone_is_reviewed_and_the_rest_named_missing(tmp_path, checks_passing):
    notebook_only = tmp_path / NOTEBOOK
    notebook_only.write_bytes(project.NOTEBOOK.read_bytes())

    files = reviewed(tmp_path, notebook_only).sections[0]

    assert files.evidence.startswith("Missing: helper.py, problem_unittests.py, the HTML report.")
