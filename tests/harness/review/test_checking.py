"""harness/review/checking.py: the learner's functions checked again by our checks in the sandbox;
hostile ones are stopped by its limits and reported, and reach none of the reviewer's things."""

import nbformat
from helpers.notebooks import learner_cells
from helpers.submissions import SOLUTIONS, executed, needs_bubblewrap

from harness.review import checking, sandbox
from harness.review.code import learner_code

pytestmark = needs_bubblewrap
LIMITS = sandbox.Limits(wall_seconds=180, cpu_seconds=15, memory_bytes=2 * 2**30, processes=128)
HONEST_LIMITS = sandbox.Limits(wall_seconds=300, memory_bytes=3 * 2**30)
# Each function does one hostile thing; the top of the first cell deletes the reviewer's folder.
HOSTILE = """
shutil.rmtree(FOLDER)


def model_inputs(image_width, image_height, image_channels, z_dim):
    import urllib.request

    return urllib.request.urlopen(URL, timeout=5).read()


def discriminator(images, reuse=False, alpha=0.2):
    import pathlib

    pathlib.Path(FOLDER, "notes.md").write_text("overwritten")


def generator(z, out_channel_dim, is_train=True, alpha=0.2):
    import shutil

    shutil.rmtree(FOLDER)


def model_loss(input_real, input_z, out_channel_dim):
    hoard = []
    while True:
        hoard.append(bytearray(10**8))


def model_opt(d_loss, g_loss, learning_rate, beta1):
    import os

    while True:
        os.fork()


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    while True:
        pass


batch_size = 32
z_dim = 100
learning_rate = 0.0004
beta1 = 0.5
"""


def test_hostile_functions_are_stopped_and_reported_and_the_reviewers_files_stay(tmp_path, httpserver):
    httpserver.expect_request("/").respond_with_data("secret")
    folder = tmp_path / "reviewer"
    folder.mkdir()
    (folder / "notes.md").write_text("my notes")
    source = HOSTILE.replace("URL", repr(httpserver.url_for("/"))).replace("FOLDER", repr(str(folder)))
    code = learner_code(executed(source))

    checked = checking.check(code, tmp_path / "scratch", LIMITS)

    results = checked.results
    assert "URLError" in results.get("model_inputs", ""), (checked.stopped, checked.error, results)
    # The reviewer's folder is hidden (under /tmp) or read-only: either way out of reach.
    assert "No such file or directory" in results["discriminator"] or "Read-only" in results["discriminator"]
    assert "No such file or directory" in results["generator"] or "Read-only" in results["generator"]
    assert results["model_loss"].endswith("It ran into the memory limit of 2 GiB.")
    assert results["model_opt"].endswith("It ran into the process limit of 128.")
    assert "train" not in results and checked.stopped == "the CPU-time limit of 15 s"
    assert checked.seconds < LIMITS.wall_seconds
    assert (folder / "notes.md").read_text() == "my notes"
    assert httpserver.log == []


def test_a_learners_solution_in_an_original_projects_notebook_passes_every_check_and_gets_notes(tmp_path):
    # Without the cells' tags: the definitions are found in the cells that define them.
    cells = learner_cells(SOLUTIONS[0].read_text())
    sources = ["import problem_unittests as tests\nimport helper"]
    sources += [f"{cells[name]}\n\n\ntests.test_{name}({name})" for name in checking.FUNCTIONS]
    training = "with tf.Graph().as_default():\n    train(2, batch_size, z_dim)"
    sources.append(cells["hyperparameters"] + training)
    original = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text) for text in sources])

    checked = checking.check(learner_code(original), tmp_path / "scratch", HONEST_LIMITS)

    assert checked.results == dict.fromkeys(checking.FUNCTIONS, "passed")
    assert checked.stopped is None and checked.error is None
    assert {"discriminator", "generator", "model_loss", "train", "learning_rate"} <= {
        note.subject for note in checked.notes
    }
