"""harness/project.py: the notebook's sections, and its parameters cell with injected values."""

import nbformat
import pytest

from harness import project


@pytest.fixture(scope="module")
def committed():
    return nbformat.read(project.NOTEBOOK, as_version=4)


def test_each_cell_is_announced_with_its_section(committed):
    index = next(i for i, cell in enumerate(committed.cells) if "mnist_run = new_run(" in cell.source)

    assert project.heading_of(committed, index) == "Neural network training > MNIST"


def test_parameters_go_in_a_cell_right_after_the_parameters_cell(committed):
    injected = project.with_parameters(committed, {"max_batches": 5})
    index = next(i for i, c in enumerate(injected.cells) if "parameters" in c.metadata.get("tags", []))

    assert injected.cells[index + 1].source == "max_batches = 5"
    assert len(injected.cells) == len(committed.cells) + 1


def test_no_parameters_adds_no_cell(committed):
    assert len(project.with_parameters(committed, {}).cells) == len(committed.cells)
