"""harness/execution.py: each cell announced as it runs, and a failure named with whose code it is."""

import io

import nbformat
import pytest

from harness import execution, project


@pytest.fixture(scope="module")
def committed():
    return nbformat.read(project.NOTEBOOK, as_version=4)


def test_a_failure_names_the_cell_and_whose_code_it_is(committed):
    notebook = nbformat.from_dict(committed)
    [cell] = [c for c in notebook.cells if c.source.startswith("problem_unittests.test_model_loss")]
    cell.outputs = [
        nbformat.v4.new_output("error", ename="CheckFailed", evalue="d_loss labels the fakes 0.10")
    ]

    message = execution.describe_failure(notebook)

    number = [c for c in notebook.cells if c.cell_type == "code"].index(cell) + 1
    assert message.startswith(f"Code cell {number} (the check of your function) failed: CheckFailed: d_loss")


def test_each_cell_is_announced_with_how_long_it_took_last_time(committed):
    index = next(i for i, cell in enumerate(committed.cells) if "mnist_run = new_run(" in cell.source)
    said = io.StringIO()
    client = execution._TalkingClient(committed, stream=said, last_times={committed.cells[index].id: 644})

    client._announce(committed.cells[index], index)

    assert "Neural network training > MNIST (took 00:10:44 last time)" in said.getvalue()
