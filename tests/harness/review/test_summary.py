"""harness/review/summary.py: the batch's summary as a course team works from it, and read back."""

import csv

from harness.review import summary
from harness.review.draft import Review
from harness.review.sections import BY_EYE, MEETS, REQUIRES, Section

TITLES = ["The required files are submitted", "`model_loss` is correct", "The MNIST digits"]


def review(name, verdicts, evidence=None, refused=None, seconds=12.0):
    evidence = evidence or {}
    sections = [Section(t, v, evidence.get(t, "Seen. More detail.")) for t, v in zip(TITLES, verdicts)]
    return Review(name, sections, refused=refused, seconds=seconds)


def batch_rows():
    labels = "The fake labels are 1 at step {}. Use zeros."
    escaped = "dee.zip holds '../x', a path that leaves its folder."
    return [
        summary.row_of(review("ada", [MEETS, MEETS, MEETS]), "d1"),
        summary.row_of(review("bob", [MEETS, REQUIRES, BY_EYE], {TITLES[1]: labels.format(3)}), "d2"),
        summary.row_of(review("cy", [REQUIRES, REQUIRES, MEETS], {TITLES[1]: labels.format(12)}), "d3"),
        summary.row_of(review("dee", [], refused=escaped), "d4"),
        summary.failed("eve", "d5", "KilledWorker: its worker died 3 times"),
    ]


def test_rows_say_each_result_and_why_sections_require_changes():
    ada, bob, cy, dee, eve = batch_rows()

    assert (ada.result, bob.result, dee.result, eve.result) == (MEETS, REQUIRES, "Refused", "Failed")
    assert bob.reasons == ["`model_loss` is correct: The fake labels are 1 at step 3."]
    assert cy.reasons[0] == "The required files are submitted: Seen."
    assert dee.note.startswith("dee.zip holds") and eve.note.startswith("KilledWorker")


def test_the_summary_counts_each_section_met_and_the_commonest_reasons(tmp_path):
    summary.write(batch_rows(), tmp_path)

    text = (tmp_path / "summary.md").read_text()
    assert "| ada | ✅ | ✅ | ✅ | 12 |" in text
    assert "| dee | refused |" in text and "| eve | failed |" in text
    assert "**5 submissions: 1 Meets Specifications, 2 Requires Changes, 1 Refused, 1 Failed.**" in text
    assert "- The required files are submitted: 2 of 3" in text
    assert "- `model_loss` is correct: 1 of 3" in text
    # The same reason with other figures is one reason, counted twice and quoted as first seen.
    assert "- `model_loss` is correct: The fake labels are 1 at step 3. (2)" in text
    page = (tmp_path / "summary.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<title>Reviews</title>" in page
    assert "The fake labels are 1 at step 3. (2)" in page and "&#x27;../x&#x27;" in page


def test_the_csv_a_gradebook_imports_has_a_row_per_submission_and_reads_back(tmp_path):
    rows = batch_rows()
    summary.write(rows, tmp_path)

    with (tmp_path / "summary.csv").open(newline="") as stream:
        records = list(csv.DictReader(stream))
    assert [r["submission"] for r in records] == ["ada", "bob", "cy", "dee", "eve"]
    assert records[1]["result"] == REQUIRES and records[1]["sections met"] == "1/3"
    assert records[1][TITLES[1]] == REQUIRES and records[0]["seconds"] == "12"
    assert summary.read(tmp_path) == sorted(rows, key=lambda row: row.name)


def test_a_csv_that_is_not_a_summary_reads_as_none(tmp_path):
    (tmp_path / "summary.csv").write_text("name,grade\nada,A\n")

    assert summary.read(tmp_path) == []
