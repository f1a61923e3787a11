"""harness/review/traces.py: a submission's trace is read as the draft reads it; a refused or
unreadable one has none."""

import io
import zipfile

import nbformat
from helpers.submissions import SOLUTIONS, executed

from harness.review import traces
from harness.review.code import learner_code


def test_a_zipped_notebook_gives_its_learners_code_and_figures_and_a_refused_zip_none():
    notebook = executed(SOLUTIONS[0].read_text())
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("project/dlnd_face_generation.ipynb", nbformat.writes(notebook))
    escaping = io.BytesIO()
    with zipfile.ZipFile(escaping, "w") as archive:
        archive.writestr("../outside.ipynb", nbformat.writes(notebook))

    trace = traces.trace_of("ada", ".zip", bundle.getvalue())

    assert trace.code == learner_code(notebook).source and '"fd": 5.35' in trace.figures
    assert trace.samples == ""  # Its notebook shows no grid of samples.
    assert traces.trace_of("bob", ".zip", escaping.getvalue()) is None
    assert traces.trace_of("cy", ".ipynb", b"not a notebook") is None


def test_the_given_code_is_the_exercise_editions_blanks():
    given = traces.given_code()

    assert "# TODO: Implement Function" in given and "def train(" in given
    assert "tf.layers" not in given and "tf.layers" in traces.reference().code
