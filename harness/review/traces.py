"""What each submission of a batch shows of its author (``similarity.Trace``), read in the
reviewer's process as the draft reads it: unpacked with the same limits, the notebook parsed,
nothing of it run."""

from __future__ import annotations

import functools
import hashlib
import json
import tempfile
from pathlib import Path

import nbformat

from harness import exercise, project
from harness.review import draft, figures, samples
from harness.review.code import learner_code
from harness.review.similarity import Trace
from harness.review.unpack import unpack


def trace_of(name: str, suffix: str, payload: bytes) -> Trace | None:
    """The trace of a submission (its name, ".zip" or ".ipynb", its bytes); None when it has no
    notebook that can be read, or is refused as the draft refuses it."""
    with tempfile.TemporaryDirectory(prefix="trace-") as folder:
        path = Path(folder) / f"submission{suffix}"
        path.write_bytes(payload)
        try:
            notebook = notebook_in(unpack(path, Path(folder) / "files"))
            if notebook is None:
                return None
            return Trace(name, learner_code(notebook).source, _figures(notebook), _samples(notebook))
        except Exception:  # Refused, a broken zip, a notebook of odd shape: its draft says why.
            return None


def notebook_in(files: Path):
    """The notebook the draft reviews, read; None when there is none or it cannot be read."""
    notebooks = draft.notebooks_in(files)
    return draft.read_notebook(notebooks[0]) if notebooks else None


def _figures(notebook) -> str:
    reported = figures.reported_quality(notebook)
    return json.dumps(reported, sort_keys=True) if any(reported.values()) else ""


def _samples(notebook) -> str:
    grids = samples.last_grids(notebook)
    digest = hashlib.sha256()
    for kind in sorted(grids):
        digest.update(kind.encode() + grids[kind].tobytes())
    return digest.hexdigest() if grids else ""


@functools.cache
def reference() -> Trace:
    """The reference solution: the shipped notebook's own code."""
    return Trace("reference", learner_code(nbformat.read(project.NOTEBOOK, as_version=4)).source)


@functools.cache
def given_code() -> str:
    """The exercise edition's code: what every learner is given, as ``learner_code`` reads it."""
    edition = exercise.student_edition(nbformat.read(project.NOTEBOOK, as_version=4))
    return learner_code(edition).source
