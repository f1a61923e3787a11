"""harness/review/figures.py: the measures a notebook reports, read back exactly as the judges wrote them."""

import nbformat
import numpy as np

from harness import judges
from harness.review.figures import reported_quality


def judged(judge_class, **scores):
    """A judge's description of ``scores``, with floors, without training one."""
    judge = object.__new__(judge_class)
    judge.floors = {"real": 0.95, "noise": 302.9}
    return judge.describe(scores)


def test_the_digits_and_faces_lines_the_notebook_prints_are_read_back():
    digits = judged(
        judges.MnistJudge, fd=3.94, fd_of_noise=3.94 / 302.9, classes=[0.079] + [0.1] * 9, confidence=0.915
    )
    faces = judged(judges.RandomFeatureJudge, fd=40.0, fd_of_noise=40.0 / 302.9)
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                outputs=[nbformat.v4.new_output("stream", text=f"Epoch 1: {digits}\nEpoch 2: {digits}\n")]
            ),
            nbformat.v4.new_markdown_cell(f"Epoch 9: {digits}"),  # Markdown is not an output.
            nbformat.v4.new_code_cell(
                outputs=[nbformat.v4.new_output("execute_result", {"text/plain": f"Epoch 1: {faces}"})]
            ),
        ]
    )

    reported = reported_quality(notebook)

    assert [f["epoch"] for f in reported["digits"]] == [1, 2]
    last = reported["digits"][-1]
    assert (
        last["fd"] == 3.94
        and np.isclose(last["fd_of_noise"], 0.013)
        and last["floors"] == {"real": 0.95, "noise": 302.9}
    )
    assert last["rarest"] == 0.079 and last["confidence"] == 0.915
    assert reported["faces"] == [
        {"epoch": 1, "fd": 40.0, "fd_of_noise": 0.132, "floors": {"real": 0.95, "noise": 302.9}}
    ]


def test_a_notebook_of_the_original_project_reports_nothing():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                outputs=[nbformat.v4.new_output("stream", text="Epoch 1/2... Discriminator Loss: 1.2")]
            )
        ]
    )

    assert reported_quality(notebook) == {}
