"""student_edition.py: the exercise notebook, whose checks tell a learner what to write."""

import ast
import re

import nbformat
import pytest

import problem_unittests
import run_notebook
import student_edition


@pytest.fixture(scope="module")
def solution():
    return nbformat.read(run_notebook.NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def student(solution, tmp_path_factory):
    path = tmp_path_factory.mktemp("student") / "dlnd_face_generation_student.ipynb"
    nbformat.write(student_edition.student_edition(solution), path)
    return path


def check_cells(notebook):
    return [cell.source for cell in notebook.cells if cell.source.startswith("tests.test_")]


def test_only_the_exercise_bodies_change(solution, student):
    exercise = nbformat.read(student, as_version=4)

    changed = [
        re.search(r"^def (\w+)\(", new.source, re.M).group(1)
        for old, new in zip(solution.cells, exercise.cells, strict=True)
        if old.source != new.source
    ]

    assert changed == list(student_edition.PLACEHOLDERS)
    assert check_cells(exercise) == check_cells(solution)
    assert [c.source for c in exercise.cells if c.cell_type == "markdown"] == [
        c.source for c in solution.cells if c.cell_type == "markdown"
    ]


def test_each_blank_keeps_its_signature_and_docstring(solution, student):
    def signatures(notebook):
        return {
            node.name: (ast.unparse(node.args), ast.get_docstring(node))
            for cell in notebook.cells
            if cell.cell_type == "code"
            for node in ast.parse(cell.source).body
            if isinstance(node, ast.FunctionDef) and node.name in student_edition.PLACEHOLDERS
        }

    exercise = nbformat.read(student, as_version=4)

    assert signatures(exercise) == signatures(solution)
    assert "".join(c.source for c in exercise.cells).count("# TODO: Implement Function") == 6


def test_every_check_fails_on_the_blank_with_a_message_for_the_learner(student):
    namespace = run_notebook.load_functions(student)
    cells = check_cells(nbformat.read(student, as_version=4))
    assert len(cells) == 6

    for source in cells:
        with pytest.raises(problem_unittests.CheckFailed) as caught:
            exec(source, namespace)
        message = str(caught.value)
        assert "TODO: Implement Function" in message, f"{source!r} failed with: {message}"


def test_a_function_without_docstring_is_refused():
    with pytest.raises(ValueError, match="generator has no docstring"):
        student_edition.blank("def generator(z, out_channel_dim):\n    return z\n")
