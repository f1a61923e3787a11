"""Running the notebook short on test data, served from 127.0.0.1, and filling its exercise cells
with a learner's own solution."""

import ast
import gzip
import hashlib
import re

import nbformat

from harness import execution, exercise, project
from harness.data import sources
from helpers.archives import mnist_archives


def serving(httpserver, name: str, archive: bytes) -> str:
    """Code for the kernel: points helper's table entry for `name` at the test server."""
    path = f"/{name}/{sources.SOURCES[name].archive}"
    httpserver.expect_request(path).respond_with_data(archive)
    fields = {"urls": (httpserver.url_for(path),), "sha256": hashlib.sha256(archive).hexdigest()}
    if name.startswith("mnist"):
        fields["payload_sha256"] = hashlib.sha256(gzip.decompress(archive)).hexdigest()
    return f"sources.SOURCES[{name!r}] = dataclasses.replace(sources.SOURCES[{name!r}], **{fields!r})"


def refusing_celeba(httpserver) -> str:
    """Code for the kernel: CelebA's only host answers 403, as Google Drive does when busy."""
    httpserver.expect_request("/celeba.zip").respond_with_data("Forbidden", status=403)
    refused = (httpserver.url_for("/celeba.zip"),)
    return f"sources.SOURCES['celeba'] = dataclasses.replace(sources.SOURCES['celeba'], urls={refused!r})"


def serving_mnist(httpserver) -> list[str]:
    return [serving(httpserver, name, archive) for name, archive in mnist_archives().items()]


def shortened(tmp_path, setup_lines, notebook=None, **parameters):
    """A copy of ``notebook`` (the committed one by default) set up for a short run on test data."""
    notebook = notebook or nbformat.read(project.NOTEBOOK, as_version=4)
    setup = "\n".join(["import dataclasses", "from harness.data import sources", *setup_lines])
    parameters = {
        "data_dir": str(tmp_path / "data"),
        "mnist_epochs": 1,
        "celeba_epochs": 1,
        "quality_samples": 64,
        **parameters,
    }
    return project.with_parameters(notebook, parameters, setup)


def run(tmp_path, setup_lines, notebook=None, stream=None, **parameters):
    """Executes ``notebook`` short, then exports it; returns both."""
    notebook = shortened(tmp_path, setup_lines, notebook, **parameters)
    executed = execution.execute(notebook, timeout=600, stream=stream)
    html = tmp_path / "report.html"
    execution.export_html(executed, html)
    return executed, html.read_text(encoding="utf-8")


HYPERPARAMETERS = ("batch_size", "z_dim", "learning_rate", "beta1")


def learner_cells(source: str) -> dict[str, str]:
    """A learner's solution file cut into the cells they would write: one per exercise function
    (with the helpers and constants written before it), and the hyperparameters."""
    cells, pending, tree = {}, [], ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue  # The notebook's setup cell imports tf and np.
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "\n".join(source.splitlines()[first - 1 : node.end_lineno])  # With its decorators.
        if isinstance(node, ast.FunctionDef) and node.name in exercise.PLACEHOLDERS:
            cells[node.name], pending = "\n\n\n".join([*pending, text]), []
        elif isinstance(node, ast.Assign) and node.targets[0].id in HYPERPARAMETERS:
            cells["hyperparameters"] = cells.get("hyperparameters", "") + text + "\n"
        else:
            pending.append(text)
    return cells


def fill_exercises(notebook, source: str):
    """A copy of ``notebook`` whose exercise cells hold the learner's ``source`` instead."""
    filled = nbformat.from_dict(notebook)
    cells = learner_cells(source)
    for cell in filled.cells:
        if "exercise" not in project.tags(cell):
            continue
        defined = re.search(r"^def (\w+)\(", cell.source, re.M)
        key = defined.group(1) if defined else "hyperparameters"
        cell.source = f"# EXERCISE: {key}, written by a learner.\n{cells[key]}"
    return filled
