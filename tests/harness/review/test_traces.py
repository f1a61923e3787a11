"""harness/review/traces.py: a submission's trace is read as the draft reads it; a refused or
unreadable one has none."""

import base64
import io
import json
import zipfile

import nbformat
import numpy as np
from helpers.submissions import SOLUTIONS, executed
from PIL import Image

from harness.review import samples, traces
from harness.review.code import learner_code


def test_a_zipped_notebook_gives_its_learners_code_and_figures_and_a_refused_zip_none():
    notebook = executed(SOLUTIONS[0].read_text())
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("project/dlnd_face_generation.ipynb", nbformat.writes(notebook))
    escaping = io.BytesIO()
    with zipfile.ZipFile(escaping, "w") as archive:
        archive.writestr("../outside.ipynb", nbformat.writes(notebook))

    trace = traces.trace_of("ada", ".zip", bundle.getvalue())

    assert trace.code == learner_code(notebook).source and '"fd": 5.35' in trace.figures
    assert trace.samples == ""  # Its notebook shows no grid of samples.
    assert traces.trace_of("bob", ".zip", escaping.getvalue()) is None
    assert traces.trace_of("cy", ".ipynb", b"not a notebook") is None
    odd = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    odd.cells[0].metadata["tags"] = 5  # A notebook nbformat reads, with tags that are no list.
    assert traces.trace_of("dee", ".ipynb", json.dumps(odd).encode()) is None


def test_the_given_code_is_the_exercise_editions_blanks():
    given = traces.given_code()

    assert "# TODO: Implement Function" in given and "def train(" in given
    assert "tf.layers" not in given and "tf.layers" in traces.reference().code


def showing(pixels: np.ndarray) -> bytes:
    """A learner's notebook whose last cell shows ``pixels`` as its samples after an epoch."""
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, format="PNG")
    notebook = executed(SOLUTIONS[0].read_text())
    notebook.cells[-1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"{samples.CAPTION} 2:\n"),
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png.getvalue()).decode()}),
    ]
    return nbformat.writes(notebook).encode()


def test_the_samples_digest_is_the_same_for_the_same_pixels_and_not_for_one_changed():
    pixels = np.random.default_rng(0).integers(0, 256, (56, 84), dtype=np.uint8)
    touched = pixels.copy()
    touched[30, 40] ^= 1

    digests = [
        traces.trace_of(name, ".ipynb", showing(grid)).samples
        for name, grid in (("ada", pixels), ("bob", pixels), ("cy", touched))
    ]

    assert digests[0] and digests[0] == digests[1] != digests[2]
