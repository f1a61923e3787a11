"""run_notebook.py: its options, its checks of parameters and output before anything runs."""

import nbformat
import pytest

import run_notebook
from harness import project


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
