"""submission.py: the zip the self-review lets through, or refuses with the reasons."""

import json
import zipfile

import pytest

import submission
from harness import rubric, self_review


def executed_with(tmp_path, items):
    """A project folder with the required files and an executed notebook holding ``items``."""
    for name in (*rubric.FILES, rubric.REPORT):
        (tmp_path / name).write_text(f"contents of {name}")
    review = {"output_type": "display_data", "metadata": {}, "data": {self_review.REVIEW_MIME: items}}
    notebook = {"cells": [{"cell_type": "code", "source": "", "outputs": [review]}]}
    (tmp_path / self_review.EXECUTED).write_text(json.dumps(notebook))
    return tmp_path


def test_the_zip_holds_exactly_what_the_project_asks_for(tmp_path):
    folder = executed_with(tmp_path, [{"rubric": "tests", "met": True, "evidence": "6 of 6"}])

    written = submission.pack(folder)

    with zipfile.ZipFile(written) as bundle:
        assert sorted(bundle.namelist()) == sorted([*rubric.FILES, rubric.REPORT])
        assert bundle.read(self_review.NOTEBOOK) == (folder / self_review.EXECUTED).read_bytes()


def test_an_unmet_item_refuses_the_zip_with_the_reason(tmp_path):
    folder = executed_with(tmp_path, [{"rubric": "faces", "met": False, "evidence": "FD 60% (at most 30%)"}])

    with pytest.raises(self_review.NotReady, match=r"- faces: FD 60% \(at most 30%\)"):
        submission.pack(folder)

    assert not (folder / submission.ZIP).exists()


def test_no_executed_notebook_says_to_run_the_notebook_first(tmp_path):
    with pytest.raises(self_review.NotReady, match=r"run `python run_notebook\.py` first"):
        submission.pack(tmp_path)


def test_unmet_advice_does_not_refuse_the_zip(tmp_path):
    advice = {"rubric": "faces", "met": False, "evidence": "FD 60% (a guide)", "advice": True}
    folder = executed_with(tmp_path, [{"rubric": "tests", "met": True, "evidence": "6 of 6"}, advice])

    written = submission.pack(folder)

    assert written.is_file()
