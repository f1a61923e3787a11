"""run_notebook.py: its options, its checks of parameters and output before anything runs."""

import io

import nbformat
import pytest

import run_notebook
from harness import execution, project


@pytest.fixture(scope="module")
def committed():
    return nbformat.read(project.NOTEBOOK, as_version=4)


def test_help_lists_every_parameter_with_its_default_and_comment(capsys):
    with pytest.raises(SystemExit) as stopped:
        run_notebook.main(["--help"])

    shown = capsys.readouterr().out
    assert stopped.value.code == 0
    for line in (
        "data_dir = './data'  (Where the data sets, caches and checkpoints go.)",
        "mnist_epochs = 2  (Epochs on MNIST; 0 skips it.)",
        "max_batches = None  (At most this many batches per epoch; None for all of them.)",
        "resume = True",
        "quality_samples = 10000",
    ):
        assert line in shown


@pytest.mark.parametrize(
    "parameter, message",
    [
        (
            "epochs=2",
            "unknown parameter 'epochs'; the notebook's parameters are data_dir, mnist_epochs, "
            "celeba_epochs, max_batches, resume, quality_samples, seed",
        ),
        ("mnist_epochs=2.5", "parameter mnist_epochs takes a whole number from 0, got 2.5"),
        ("max_batches=-5", "parameter max_batches takes a whole number from 1 or None, got -5"),
        ("resume=maybe", "parameter resume takes True or False, got 'maybe'"),
        ("quality_samples=True", "parameter quality_samples takes a whole number from 2, got True"),
        ("data_dir=3", "parameter data_dir takes a text, got 3"),
    ],
)
def test_a_bad_parameter_is_one_line_and_exit_status_2(parameter, message, capsys):
    assert run_notebook.main(["-p", parameter]) == 2

    error = capsys.readouterr().err
    assert error == f"run_notebook.py: {message}\n"


@pytest.mark.parametrize(
    "output, message",
    [
        ("dlnd_face_generation.ipynb", "--output must end in .html"),
        ("helper.html", "would sit beside the project's own helper.py"),
    ],
)
def test_an_output_that_would_overwrite_the_project_is_refused_before_the_run(output, message, capsys):
    before = project.NOTEBOOK.read_bytes()

    assert run_notebook.main(["--output", str(project.PROJECT / output)]) == 2

    assert message in capsys.readouterr().err
    assert project.NOTEBOOK.read_bytes() == before


def test_an_output_folder_that_cannot_be_made_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")

    assert run_notebook.main(["--output", str(tmp_path / "file" / "report.html")]) == 2

    assert "cannot create the folder" in capsys.readouterr().err


def test_a_missing_output_folder_is_made(tmp_path):
    assert run_notebook.check_output(tmp_path / "new" / "report.html") == tmp_path / "new" / "report.html"
    assert (tmp_path / "new").is_dir()


def test_each_cell_is_announced_with_its_section(committed):
    index = next(
        i for i, cell in enumerate(committed.cells) if cell.source.startswith("mnist_run = new_run(")
    )

    assert project.heading_of(committed, index) == "Neural network training > MNIST"


def test_a_failure_names_the_cell_and_whose_code_it_is(committed):
    notebook = nbformat.from_dict(committed)
    [cell] = [c for c in notebook.cells if c.source.startswith("problem_unittests.test_model_loss")]
    cell.outputs = [
        nbformat.v4.new_output("error", ename="CheckFailed", evalue="d_loss labels the fakes 0.10")
    ]

    message = execution.describe_failure(notebook)

    number = [c for c in notebook.cells if c.cell_type == "code"].index(cell) + 1
    assert message.startswith(f"Code cell {number} (the check of your function) failed: CheckFailed: d_loss")


def test_parameters_go_in_a_cell_right_after_the_parameters_cell(committed):
    injected = project.with_parameters(committed, {"max_batches": 5})
    index = next(i for i, c in enumerate(injected.cells) if "parameters" in c.metadata.get("tags", []))

    assert injected.cells[index + 1].source == "max_batches = 5"
    assert len(injected.cells) == len(committed.cells) + 1


def test_no_parameters_adds_no_cell(committed):
    assert len(project.with_parameters(committed, {}).cells) == len(committed.cells)


def test_each_cell_is_announced_with_how_long_it_took_last_time(committed):
    index = next(
        i for i, cell in enumerate(committed.cells) if cell.source.startswith("mnist_run = new_run(")
    )
    said = io.StringIO()
    client = execution._TalkingClient(committed, stream=said, last_times={committed.cells[index].id: 644})

    client._announce(committed.cells[index], index)

    assert "Neural network training > MNIST (took 00:10:44 last time)" in said.getvalue()
