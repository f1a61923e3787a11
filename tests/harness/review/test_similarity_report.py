"""harness/review/similarity_report.py: after a batch, review.py names the planted copies in the
report and in their drafts, names no independent solution, and a rerun keeps the drafts' lines true."""

import csv
import random
import sys

import nbformat
from helpers.submissions import DIGITS, FACES, SHIPPED, SOLUTIONS, executed

import review
from benchmarks import disguises
from harness.review import similarity_report
from harness.review.similarity import REFERENCE
from harness.self_review import NOTEBOOK

# A copier's helper that would be markup, were the report's code not escaped.
SCRIPT = "def note():\n    return \"<script>alert('copied')</script>\"\n\n\n"


def batch(folder, **sources) -> list[str]:
    """Each source's notebook in a submission's folder, as its learner hands it in after a run of
    their own (figures of their own); the arguments review.py takes."""
    for name, source in sources.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        own = (DIGITS.replace("5.35", f"5.{len(name)}{ord(name[0])}"), FACES)
        nbformat.write(executed(source, own), folder / name / NOTEBOOK)
    return [str(folder / name) for name in sources]


def named(output) -> set[tuple[str, str]]:
    with (output / similarity_report.FILES["csv"]).open() as stream:
        return {(row["first"], row["second"]) for row in csv.DictReader(stream) if row["shared"] == "code"}


def line(output, name: str) -> str:
    lines = (output / f"{name}.review.md").read_text().splitlines()
    return next((text for text in lines if text.startswith(f"**{similarity_report.LABEL}**")), "")


def test_a_batch_names_its_planted_copies_in_the_report_and_their_drafts_and_no_independent_pair(
    tmp_path, checks_passing, capsys
):
    rng = random.Random(0)
    classmate = SCRIPT + disguises.reordered(disguises.renamed(SOLUTIONS[0].read_text(), rng), rng)
    learners = {path.stem: path.read_text() for path in SOLUTIONS}
    copies = {"copier": classmate, "pasted": disguises.recommented(SHIPPED, rng)}
    output = tmp_path / "reviews"

    assert (
        review.main([*batch(tmp_path / "in", **learners, **copies), "-o", str(output), "--workers", "0"]) == 0
    )

    original = SOLUTIONS[0].stem
    assert named(output) == {(original, "copier"), ("pasted", REFERENCE)}
    assert "copier's (score" in line(output, original) and f"{original}'s (score" in line(output, "copier")
    assert f"code is near-identical to {REFERENCE} (score" in line(output, "pasted")
    assert all(line(output, name) == "" for name in learners if name != original)
    page = (output / similarity_report.FILES["html"]).read_text()
    assert "&lt;script&gt;alert" in page and "<script>" not in page
    assert "<mark>" in page and "changes no verdict" in page
    assert "2 pairs of similar submissions" in capsys.readouterr().out
    drafted = (output / "copier.review.html").read_text()
    assert drafted.count(similarity_report.LABEL) == 1 and "<script>" not in drafted

    # The copier hands in their own work: the rerun reviews it again, and both lines go.
    own = {"copier": learners["nn_ops"].replace("def ", "# mine\ndef ", 1)}
    arguments = batch(tmp_path / "in", **own)
    arguments += [str(tmp_path / "in" / name) for name in [*learners, "pasted"]]
    assert review.main([*arguments, "-o", str(output), "--workers", "0"]) == 0

    assert named(output) == {("copier", "nn_ops"), ("pasted", REFERENCE)}
    assert line(output, original) == "" and "nn_ops's (score" in line(output, "copier")
    assert (output / f"{original}.review.md").read_text().count("<!--") == 0


def test_without_copydetect_a_batch_says_what_to_install_and_writes_no_report(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "copydetect", None)  # As in a venv of requirements.txt alone.

    said = review.similar([], tmp_path)

    assert said == (
        "No similarity report: copydetect is not installed "
        "(`.venv/bin/pip install -r requirements-review.txt`)."
    )
    assert list(tmp_path.iterdir()) == []
