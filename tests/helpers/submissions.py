"""Submissions as a learner hands them in: the notebook filled with their solution, given the
outputs of a run (the figures, the self-review), exported, and packed by ``submission.py``."""

import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

import submission
from harness import execution, project, rubric, self_review
from harness.review import sandbox
from helpers.archives import zip_bytes
from helpers.notebooks import fill_exercises

SOLUTIONS = sorted((Path(__file__).parents[1] / "learner_solutions").glob("*.py"))
# The project's own solution: the notebook's exercise cells, as one learner's source.
SHIPPED = "\n\n\n".join(
    cell.source
    for cell in nbformat.read(project.NOTEBOOK, as_version=4).cells
    if cell.cell_type == "code" and project.EXERCISE in project.tags(cell)
)
DIGITS = (
    "Epoch 2: FD 5.35 = 1.8% of the noise floor (floors: real digits 0.95, noise 302.9; in digit "
    "classifier features); rarest digit 8.7% of samples; mean confidence 0.909"
)
FACES = (
    "Epoch 1: FD 20.10 = 12.0% of the noise floor (floors: real faces 1.20, noise 167.5; in "
    "random-weight conv net features, a weaker signal)"
)


def stream(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text + "\n")


def executed(source: str, figures: tuple[str, ...] = (DIGITS, FACES)):
    """The notebook filled with ``source``, with the outputs a run leaves: the figures, and a
    self-review whose items all say met (it is the learner's: the reviewer must not rely on it)."""
    notebook = fill_exercises(nbformat.read(project.NOTEBOOK, as_version=4), source)
    for cell in notebook.cells:
        if 'mnist_history["quality"]' in cell.source:
            cell.outputs = [stream(line) for line in figures]
    review = [{"rubric": "everything", "met": True, "evidence": "all fine", "advice": False}]
    data = {self_review.REVIEW_MIME: review, "text/markdown": "Ready to submit."}
    notebook.cells[-1].outputs = [nbformat.v4.new_output("display_data", data=data)]
    return notebook


def packed(folder: Path, name: str, notebook) -> Path:
    """The submission zip ``submission.py`` makes of a project folder holding ``notebook``, run."""
    project_folder = folder / "projects" / name
    project_folder.mkdir(parents=True)
    nbformat.write(notebook, project_folder / self_review.EXECUTED)
    for given in rubric.FILES:
        shutil.copy(project.PROJECT / given, project_folder / given)
    execution.export_html(notebook, project_folder / rubric.REPORT)
    (folder / "submissions").mkdir(exist_ok=True)
    return submission.pack(project_folder, folder / "submissions" / f"{name}.zip")


def rezipped(path: Path, replace: dict[str, bytes | None]) -> Path:
    """``path`` with members replaced (or, for None, left out): a learner's edits after packing."""
    with zipfile.ZipFile(path) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()} | replace
    path.write_bytes(zip_bytes({name: data for name, data in members.items() if data is not None}))
    return path


needs_bubblewrap = pytest.mark.skipif(
    sandbox.isolation() != "bubblewrap", reason="bubblewrap is not installed: apt install bubblewrap"
)
