"""harness/messages.py: in a real Jupyter kernel, errors show the learner's problem, not our stack."""

import re

import nbformat
from nbclient import NotebookClient

from harness import project
from harness.messages import first_line, learner_line

SETUP = "import problem_unittests\nimport helper\nimport tensorflow.compat.v1 as tf"
# An error raised deep inside TensorFlow, from the learner's line: a padding TensorFlow does not know.
WRONG_KEYWORD = """def discriminator(images, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        x = tf.layers.conv2d(images, 64, 5, strides=2, padding="sname")
    return x

with tf.Graph().as_default():
    discriminator(tf.placeholder(tf.float32, (None, 28, 28, 1)))"""
ONLY_THEIRS = "def scale(x):\n    return x / 0\n\nscale(1)"
# No mirror answers (".invalid" never resolves) and nothing is placed: the helper's own message.
NO_DATA = """from dataclasses import replace
from harness.data import sources

sources.SOURCES["mnist"] = replace(sources.SOURCES["mnist"], urls=("http://mirror.invalid/mnist.gz",))
helper.fetch_all(["mnist"], "no-data-here")"""


def run_in_jupyter(monkeypatch, tmp_path, *sources):
    """Runs cells in a kernel with ipykernel's defaults, each on after an error, as Run All does not."""
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # ipykernel changes its output forwarding under pytest.
    monkeypatch.setenv("PYTHONPATH", str(project.PROJECT))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in (SETUP, *sources)])
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        allow_errors=True,
        resources={"metadata": {"path": tmp_path}},
    )
    client.execute()
    return notebook


def error_of(cell):
    [error] = [out for out in cell.outputs if out.output_type == "error"]
    return error


def test_errors_through_libraries_or_ours_are_the_message_and_the_learners_line(monkeypatch, tmp_path):
    notebook = run_in_jupyter(monkeypatch, tmp_path, WRONG_KEYWORD, NO_DATA, ONLY_THEIRS)

    assert notebook.cells[0].outputs == []
    keyword = error_of(notebook.cells[1])
    assert len(keyword.traceback) == 2, keyword.traceback
    assert keyword.traceback[0].startswith("ValueError: ") and "sname" in keyword.traceback[0].lower()
    assert (
        '(in discriminator: `x = tf.layers.conv2d(images, 64, 5, strides=2, padding="sname")`)'
        in keyword.traceback[0]
    )
    assert "%tb" in keyword.traceback[1]

    missing = error_of(notebook.cells[2])
    assert len(missing.traceback) == 2, missing.traceback
    assert missing.traceback[0].startswith("DownloadError: 1 of 1 files could not be had.")
    assert "Fix: " in missing.traceback[0] and "(in this cell: `helper.fetch_all(" in missing.traceback[0]

    # Their own code alone: IPython's traceback is all theirs, and it stays.
    theirs = error_of(notebook.cells[3])
    assert theirs.ename == "ZeroDivisionError" and len(theirs.traceback) > 2
    assert "return x / 0" in re.sub(r"\x1b\[[0-9;]*m", "", "".join(theirs.traceback))  # Colours off.


def test_the_learners_line_is_the_last_of_their_lines_the_error_passed_through():
    def learners_function():
        return int("not a number")

    try:
        learners_function()
    except ValueError as error:
        # This test file is neither a library nor the project's code: it stands for the learner's.
        assert learner_line(error) == ' (in learners_function: `return int("not a number")`)'
        assert first_line(error) == "invalid literal for int() with base 10: 'not a number'"
