"""dlnd_face_generation.ipynb: committed clean, shaped as the course expects, and runs top to bottom.

The smoke runs execute the whole notebook in a real kernel (nbclient) on tiny data that the
helper downloads over HTTP from 127.0.0.1, a few batches per data set (through the parameters
cell), and export it to HTML (nbconvert) as the main job does.
"""

import ast
import io
import os
import re

import nbformat
import numpy as np
import pytest
from helpers.archives import faces_archive
from helpers.notebooks import fill_exercises, refusing_celeba, run, serving, serving_mnist
from helpers.submissions import SOLUTIONS
from PIL import Image

import student_edition
from harness import execution, project

FUNCTIONS = ("model_inputs", "discriminator", "generator", "model_loss", "model_opt", "train")


@pytest.fixture(scope="module")
def committed():
    return nbformat.read(project.NOTEBOOK, as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_committed_notebook_has_no_outputs(committed):
    dirty = [i for i, cell in enumerate(code_cells(committed)) if cell.outputs or cell.execution_count]

    assert not dirty, f"code cells {dirty} carry outputs: clear them (nbstripout) before committing"


def test_each_function_is_defined_then_checked_right_after(committed):
    sources = [cell.source for cell in code_cells(committed)]
    for name in FUNCTIONS:
        defining = [i for i, s in enumerate(sources) if re.search(rf"^def {name}\(", s, re.M)]
        assert len(defining) == 1, f"{name} should be defined in exactly one cell"
        assert f"problem_unittests.test_{name}({name}" in sources[defining[0] + 1]


def test_every_code_cell_follows_a_markdown_cell(committed):
    cells = committed.cells
    lonely = [
        i for i, cell in enumerate(cells) if cell.cell_type == "code" and cells[i - 1].cell_type != "markdown"
    ]

    assert lonely == [], "say why before each code cell, in a markdown cell"


def test_parameters_cell_sets_data_dir_epochs_and_batch_limit(committed):
    tagged = [cell for cell in committed.cells if "parameters" in cell.metadata.get("tags", [])]

    assert len(tagged) == 1
    names = {t.id for node in ast.parse(tagged[0].source).body for t in node.targets}
    assert {"data_dir", "mnist_epochs", "celeba_epochs", "max_batches"} <= names


def test_unknown_parameter_is_refused(committed):
    with pytest.raises(ValueError, match=r"Unknown parameters \['epochs'\]"):
        project.with_parameters(committed, {"epochs": 1})


def outputs_of(notebook, marker):
    [cell] = [cell for cell in code_cells(notebook) if marker in cell.source and "tests." not in cell.source]
    return cell.outputs


def errors(notebook):
    return [out for cell in code_cells(notebook) for out in cell.outputs if out.output_type == "error"]


@pytest.mark.slow
@pytest.mark.slow
def test_whole_notebook_runs_on_tiny_data_and_exports_a_clean_report(httpserver, tmp_path):
    setup = [*serving_mnist(httpserver), serving(httpserver, "celeba", faces_archive())]
    data_dir = os.path.relpath(tmp_path / "data", project.PROJECT)  # As a learner's "./data" is.
    progress = io.StringIO()

    executed, html = run(tmp_path, setup, max_batches=3, data_dir=data_dir, stream=progress)

    assert errors(executed) == []
    for marker in ("interpolate(mnist_run", "interpolate(celeba_run"):
        figures = [out for out in outputs_of(executed, marker) if "image/png" in out.get("data", {})]
        assert figures, f"the cell with {marker!r} shows no generated images: {outputs_of(executed, marker)}"
    # Data (2), the untrained generator's samples, one grid per epoch (2), the digit classes, the
    # walks (2). With 6 batches per epoch, below PRINT_EVERY, no losses are printed: no loss plot.
    pictures = [
        out
        for cell in executed.cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    assert len(pictures) == 8
    assert "no loss plot" in html
    assert html.count("data:image/webp;base64") == 2  # The film of each training, embedded.
    quality_lines = "".join(out.get("text", "") for out in outputs_of(executed, 'mnist_history["quality"]'))
    assert "Epoch 1: FD" in quality_lines and "noise floor" in quality_lines
    assert "furthest from its share of MNIST: " in quality_lines
    # The run against the shipped solution's band, in a sentence (the chart is one of the pictures).
    assert "Against the shipped solution's band over " in quality_lines
    placed = r"seeds after epoch \d: FD [\d.]+% of the noise floor is (within|ahead of|behind)"
    assert re.search(placed, quality_lines)
    assert "Against the shipped solution&#x27;s band" in html or "Against the shipped solution's band" in html
    assert "Tests Passed" in html and "Submitting this project" in html and "rubric item" in html
    assert "Notes on your practices" in html and "Strided convolutions instead of pooling" in html
    assert "Noise from U(-1, 1)" in html and "Samples shown every" not in html  # 6 batches: too few to say.
    # Training 3 batches an epoch is too short to judge: no diagnosis, though the samples are noise.
    for diagnosis in (
        "The discriminator won:",
        "was unstable:",
        "Nothing was learned:",
        "onto a few digits:",
    ):
        assert diagnosis not in html
    assert "<title>Face Generation: a DCGAN that draws digits, then faces</title>" in html
    for noise in ("Traceback", "WARNING", "absl", "I0000", "cpu_feature_guard", "oneDNN custom"):
        assert noise not in html, f"{noise!r} in the report"
    for path in (str(project.PROJECT), str(tmp_path), os.path.expanduser("~") + "/"):
        absolute = re.compile(rf"(?<![.\w]){re.escape(path)}")  # ../../tmp/... is the relative data_dir.
        assert not absolute.search(html), f"a path of the machine, {path}, in the report"
    assert len(html) < 1_500_000
    assert "cell 1/" in progress.getvalue() and "Neural network training > MNIST" in progress.getvalue()
    assert (tmp_path / "data" / "mnist" / "image_0.jpg").is_file()


def test_samples_shown_during_training_replace_each_other(tmp_path):
    notebook = nbformat.read(project.NOTEBOOK, as_version=4)
    kept = [c for c in notebook.cells if {"exercise", "definitions"} & set(project.tags(c))]
    showing = nbformat.v4.new_code_cell(
        "with tf.Graph().as_default(), tf.Session() as sess:\n"
        "    _, z, _ = model_inputs(28, 28, 1, 100)\n"
        "    generator(z, 1)\n"
        "    sess.run(tf.global_variables_initializer())\n"
        "    for _ in range(5):\n"
        "        show_generator_output(sess, 16, z, 1, 'L')"
    )
    notebook.cells = [*kept, showing]

    executed = execution.execute(notebook, timeout=300)

    shown = [out for out in executed.cells[-1].outputs if out.output_type == "display_data"]
    assert len(shown) == 1 and "image/png" in shown[0].data, "five calls, one grid, updated in place"


def test_a_data_set_with_0_epochs_is_neither_fetched_nor_prepared(tmp_path):
    # No source is served: any download would fail here (and go to the internet elsewhere).
    executed, _ = run(tmp_path, [], mnist_epochs=0, celeba_epochs=0)

    assert errors(executed) == []
    said = "".join(out.get("text", "") for out in outputs_of(executed, 'download_extract("celeba"'))
    assert "MNIST: 0 epochs" in said and "CelebA: 0 epochs" in said
    printed = "".join(out.get("text", "") for cell in code_cells(executed) for out in cell.outputs)
    assert "not available" not in printed and "Skipped: no MNIST in this run" in printed
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir()), "nothing fetched"


@pytest.mark.slow
def test_a_learners_notebook_without_celeba_runs_every_cell_says_so_once_and_a_rerun_loads_the_run(
    httpserver, tmp_path
):
    # A learner's own solution in the exercise edition: the one whose train returns its losses as a
    # dict and prints them in its own words (the others train in test_learner_solutions).
    exercise = student_edition.student_edition(nbformat.read(project.NOTEBOOK, as_version=4))
    learners = fill_exercises(exercise, (SOLUTIONS[0].parent / "upsampling.py").read_text())
    setup = [*serving_mnist(httpserver), refusing_celeba(httpserver)]
    first, first_html = run(tmp_path, setup, notebook=learners, max_batches=2, mnist_epochs=2)

    assert errors(first) == []
    assert all(cell.execution_count for cell in code_cells(first)), "every cell ran"
    assert first_html.count("Tests Passed") == 6, "every check passed"
    assert first_html.count("data:image/webp;base64") == 1, "the film of the MNIST run"
    assert "Epoch 2: FD" in first_html and "noise floor" in first_html, "the quality after each epoch"
    download_output = "".join(out.get("text", "") for out in outputs_of(first, 'download_extract("celeba"'))
    assert "CelebA is not available" in download_output and "HTTP 403" in download_output
    assert download_output.count("CelebA is not available") == 1
    training_output = "".join(out.get("text", "") for out in outputs_of(first, "celeba_run = new_run("))
    assert "Skipped: no CelebA in this run" in training_output
    trained = "".join(out.get("text", "") for out in outputs_of(first, "mnist_run = new_run("))
    assert "mnist epoch 2/2" in trained
    assert "Traceback" not in first_html
    assert Image.open(tmp_path / "data" / "mnist" / "image_0.jpg").size == (28, 28)

    # Run again with the same settings: the finished run is loaded, not trained. (A changed setting
    # starts afresh: test_checkpointing.)
    again, html = run(tmp_path, setup, notebook=learners, max_batches=2, mnist_epochs=2)

    loaded = "".join(out.get("text", "") for out in outputs_of(again, "mnist_run = new_run("))
    assert "Loaded the finished run mnist-" in loaded and "set resume = False" in loaded
    assert "data:image/webp;base64" in html, "the film comes back with the finished run"


@pytest.fixture
def fed(notebook, monkeypatch):
    """What every session call feeds, in order: a dict of tensor names to copies of the values."""
    tf, feeds = notebook["tf"], []
    original_run = tf.Session.run

    def recording_run(self, fetches, feed_dict=None, **kwargs):
        feeds.append({tensor.name: np.copy(value) for tensor, value in (feed_dict or {}).items()})
        return original_run(self, fetches, feed_dict=feed_dict, **kwargs)

    monkeypatch.setattr(tf.Session, "run", recording_run)
    return feeds


def test_train_updates_the_discriminator_once_then_the_generator_g_steps_times_on_new_noise(notebook, fed):
    # Why: new noise for each generator update is part of the settings the README measured.
    tf = notebook["tf"]
    batches = np.random.default_rng(0).uniform(-0.5, 0.5, (2, 4, 28, 28, 1)).astype(np.float32)
    with tf.Graph().as_default():
        notebook["train"](1, 4, 8, 0.0005, 0.5, lambda size: iter(batches), (8, 28, 28, 1), "L")

    updates = [feed for feed in fed if "input_real:0" in feed]
    per_batch = 1 + notebook["G_STEPS"]
    assert notebook["G_STEPS"] >= 1 and len(updates) == len(batches) * per_batch
    for index, batch in enumerate(batches):
        group = updates[index * per_batch : (index + 1) * per_batch]
        assert all(np.array_equal(feed["input_real:0"], batch * 2) for feed in group)
        noises = [feed["input_z:0"] for feed in group]
        assert all(not np.array_equal(a, b) for i, a in enumerate(noises) for b in noises[i + 1 :])


def test_train_feeds_late_rate_of_the_learning_rate_in_the_later_half_even_resumed(notebook, fed):
    # Why: the shipped digits were measured with this step; a resumed run's get_batches yields
    # nothing for the epochs done before, so the step must go by epoch, not by train's batch count.
    tf = notebook["tf"]
    batches = np.random.default_rng(0).uniform(-0.5, 0.5, (2, 4, 28, 28, 1)).astype(np.float32)
    per_epoch = len(batches) * (1 + notebook["G_STEPS"])
    assert 0 < notebook["LATE_RATE"] < 1
    for done_before, expected in [(0, [1.0, notebook["LATE_RATE"]]), (1, [notebook["LATE_RATE"]])]:
        fed.clear()
        epochs = iter(range(2))

        def get_batches(size, done_before=done_before, epochs=epochs):
            return iter(batches) if next(epochs) >= done_before else iter(())

        with tf.Graph().as_default():
            notebook["train"](2, 4, 8, 0.0008, 0.5, get_batches, (8, 28, 28, 1), "L")

        rates = [float(feed["learning_rate:0"]) for feed in fed if "learning_rate:0" in feed]
        assert rates == [0.0008 * share for share in expected for _ in range(per_epoch)]
