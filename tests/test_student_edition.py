"""student_edition.py: the exercise notebook, whose checks and cells tell a learner what to write."""

import ast
import re

import nbformat
import pytest

import problem_unittests
import student_edition
from harness import exercise, project


@pytest.fixture(scope="module")
def solution():
    return nbformat.read(project.NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def student(solution, tmp_path_factory):
    path = tmp_path_factory.mktemp("student") / "dlnd_face_generation_student.ipynb"
    assert student_edition.main(["--output", str(path)]) == 0
    return path


def check_cells(notebook):
    return [cell.source for cell in notebook.cells if cell.source.startswith("problem_unittests.test_")]


def test_only_the_exercise_cells_change(solution, student):
    exercise = nbformat.read(student, as_version=4)

    changed = [
        project.tags(new)
        for old, new in zip(solution.cells, exercise.cells, strict=True)
        if old.source != new.source
    ]

    assert changed == [["exercise"]] * 7, "the six functions and the hyperparameters"
    assert check_cells(exercise) == check_cells(solution)
    assert [c.source for c in exercise.cells if c.cell_type == "markdown"] == [
        c.source for c in solution.cells if c.cell_type == "markdown"
    ]


def test_every_code_cell_is_either_the_learners_or_given(solution):
    owners = [
        {"exercise", "given"} & set(project.tags(cell)) for cell in solution.cells if cell.cell_type == "code"
    ]

    assert all(len(owner) == 1 for owner in owners)
    exercise_cells = [c for c in solution.cells if "exercise" in project.tags(c)]
    assert all(c.source.startswith("# EXERCISE") for c in exercise_cells), "visible in the cell itself too"


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
    assert "".join(c.source for c in exercise.cells).count("# TODO: Implement Function") == 5


def test_train_keeps_the_original_skeleton_with_todo_regions(student):
    [source] = [
        c.source
        for c in nbformat.read(student, as_version=4).cells
        if re.search(r"^def train\(", c.source, re.M)
    ]

    assert "# TODO: Build the model" in source and "# TODO: Train the model on this batch" in source
    assert "with tf.Session() as sess:" in source and "for batch_images in get_batches(batch_size):" in source
    assert "model_loss(" not in source and "sess.run([d_opt" not in source
    ast.parse(source)


def test_hyperparameters_are_left_to_choose(student):
    [source] = [
        c.source
        for c in nbformat.read(student, as_version=4).cells
        if c.source.startswith("# EXERCISE: choose")
    ]

    assert re.findall(r"^(\w+) = None  # ", source, re.M) == ["batch_size", "z_dim", "learning_rate", "beta1"]


def test_every_check_fails_on_the_blank_with_a_message_for_the_learner(student):
    namespace = project.load_functions(student)
    cells = check_cells(nbformat.read(student, as_version=4))
    assert len(cells) == 6

    for source in cells:
        with pytest.raises(problem_unittests.CheckFailed) as caught:
            exec(source, namespace)
        message = str(caught.value)
        assert "TODO" in message, f"{source!r} failed with: {message}"


@pytest.mark.parametrize(
    "cell_start", ["problem_unittests.require_written(model_inputs, generator)", "mnist_history = None"]
)
def test_cells_using_blank_functions_say_which_to_write(student, cell_start):
    notebook = nbformat.read(student, as_version=4)
    namespace = project.load_functions(student)
    # The training cell runs when there is MNIST; the check stops it before the data is read.
    namespace.update(mnist_dataset="MNIST, never read", mnist_epochs=1, mnist_judge=None)
    [source] = [c.source for c in notebook.cells if c.source.startswith(cell_start)]

    with pytest.raises(problem_unittests.NotWrittenYet, match=r"model_inputs is not written yet.*TODO"):
        exec(source, namespace)


def test_a_function_without_docstring_is_refused():
    with pytest.raises(ValueError, match="generator has no docstring"):
        exercise.blank("def generator(z, out_channel_dim):\n    return z\n")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--outptu", "x.ipynb"], "unrecognized arguments"),
        (["-o", "dlnd_face_generation.ipynb"], "other than"),
    ],
)
def test_a_wrong_argument_writes_nothing_and_says_why(argv, message, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(project.PROJECT)
    before = project.NOTEBOOK.read_bytes()

    with pytest.raises(SystemExit) as stopped:
        student_edition.main(argv)

    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert project.NOTEBOOK.read_bytes() == before


def test_an_edited_student_notebook_is_kept_unless_forced(tmp_path, capsys):
    path = tmp_path / "exercise.ipynb"
    assert student_edition.main(["-o", str(path)]) == 0
    assert student_edition.main(["-o", str(path)]) == 0, "an unchanged edition is simply written again"
    path.write_text(path.read_text().replace("# TODO: Build the model", "my own code"))
    edited = path.read_text()

    with pytest.raises(SystemExit) as stopped:
        student_edition.main(["-o", str(path)])

    assert stopped.value.code == 2 and "add --force to overwrite it" in capsys.readouterr().err
    assert path.read_text() == edited
    assert student_edition.main(["-o", str(path), "--force"]) == 0
    assert "my own code" not in path.read_text()
