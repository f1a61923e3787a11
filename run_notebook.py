"""Runs dlnd_face_generation.ipynb top to bottom and writes its HTML report.

Usage:
    python run_notebook.py                      # the full run: 2 MNIST epochs, 1 CelebA epoch
    python run_notebook.py -p max_batches=50    # a short run: 50 batches per epoch

``-p NAME=VALUE`` overrides a value of the notebook's cell tagged ``parameters`` (as papermill
does): the values are put in a cell inserted right after it. The executed notebook is saved as
``dlnd_face_generation.executed.ipynb`` and the report as ``dlnd_face_generation.html``; when a
cell fails, both are still written, up to the failing cell, and the exit status is 1.
"""

import argparse
import ast
import linecache
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "dlnd_face_generation.ipynb"


EXERCISE, GIVEN, DEFINITIONS = "exercise", "given", "definitions"


def tags(cell) -> list[str]:
    """The cell's tags: ``exercise`` (the learner's), ``given``, ``definitions``, ``parameters``."""
    return list(cell.metadata.get("tags", []))


def load_functions(path: Path = NOTEBOOK, notebook=None) -> dict:
    """Runs the notebook's exercise cells and the given cells tagged ``definitions``; returns their namespace.

    This gives the notebook's own functions (model_inputs, ..., train) to the tests and the
    benchmarks without a copy of them. Cells that download, train or show data are left out.

    Args:
        path: The notebook to read.
        notebook: The notebook, already read (``path`` then only names it in tracebacks).
    """
    notebook = notebook if notebook is not None else nbformat.read(path, as_version=4)
    namespace = {"__name__": "dlnd_face_generation"}
    for cell in notebook.cells:
        if cell.cell_type == "code" and {EXERCISE, DEFINITIONS} & set(tags(cell)):
            # Each cell gets a name of its own in linecache, as in Jupyter: tracebacks and
            # inspect.getsource then show the cell's lines.
            filename = f"{path}#{cell.get('id', len(linecache.cache))}"
            lines = cell.source.splitlines(keepends=True)
            linecache.cache[filename] = (len(cell.source), None, lines, filename)
            exec(compile(cell.source, filename, "exec"), namespace)
    return namespace


def with_parameters(notebook, parameters: dict, setup: str = ""):
    """Returns a copy of ``notebook`` with a cell setting ``parameters`` after its parameters cell.

    Args:
        notebook: The notebook, as read by nbformat.
        parameters: Names and values; each value is written as its repr().
        setup: More code for the inserted cell, run after the assignments.

    Raises:
        ValueError: The notebook has no cell tagged ``parameters``, or a name is not set in it.
    """
    copy = nbformat.from_dict(notebook)
    tagged = [i for i, cell in enumerate(copy.cells) if "parameters" in cell.metadata.get("tags", [])]
    if not tagged:
        raise ValueError("The notebook has no cell tagged 'parameters': tag the cell that sets data_dir.")
    known = {
        target.id
        for node in ast.parse(copy.cells[tagged[0]].source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise ValueError(f"Unknown parameters {unknown}: the parameters cell sets {sorted(known)}.")
    lines = [f"{name} = {value!r}" for name, value in parameters.items()]
    source = "\n".join([*lines, setup]).strip()
    if not source:
        return copy
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    copy.cells.insert(tagged[0] + 1, cell)
    return copy


def execute(notebook, timeout: int | None = None):
    """Runs every cell in a fresh kernel started in the project folder; returns the notebook.

    Raises:
        CellExecutionError: A cell failed; ``notebook`` holds the outputs up to that cell.
    """
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": HERE}}
    )
    return client.execute()


def export_html(notebook, path: Path) -> None:
    """Writes the notebook as a stand-alone HTML page (figures embedded)."""
    exporter = HTMLExporter()
    # Progress bars print a line per update; keep only what a screen would show last.
    exporter.register_preprocessor(CoalesceStreamsPreprocessor, enabled=True)
    body, _ = exporter.from_notebook_node(notebook)
    path.write_text(body, encoding="utf-8")


def describe_failure(notebook) -> str:
    """One paragraph on the cell that failed: its number, whose code it is (by its tag), the error."""
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        error = next((out for out in cell.get("outputs", []) if out.output_type == "error"), None)
        if error is None:
            continue
        defined = re.search(r"^def (\w+)\(", cell.source, re.M)
        if EXERCISE in tags(cell):
            owner = f"your exercise, {defined.group(1)}" if defined else "your exercise"
        elif cell.source.startswith("problem_unittests.test_"):
            owner = "the check of your function"
        else:
            owner = "given code"
        return f"Code cell {number} ({owner}) failed: {error.ename}: {error.evalue}\nThe report shows it."
    return "A cell failed; the report shows its output."


def parse_parameter(text: str) -> tuple[str, object]:
    name, separator, value = text.partition("=")
    if not separator or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # A bare word, such as a path: kept as a string.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-p", "--parameter", type=parse_parameter, action="append", default=[], metavar="NAME=VALUE"
    )
    parser.add_argument("--output", type=Path, default=HERE / "dlnd_face_generation.html")
    args = parser.parse_args(argv)

    notebook = with_parameters(nbformat.read(NOTEBOOK, as_version=4), dict(args.parameter))
    start = time.perf_counter()
    status = 0
    try:
        execute(notebook)
    except CellExecutionError:
        print(describe_failure(notebook), file=sys.stderr)
        status = 1
    nbformat.write(notebook, args.output.with_suffix(".executed.ipynb"))
    export_html(notebook, args.output)
    print(f"Ran the notebook in {time.perf_counter() - start:.0f} s; report: {args.output}")
    return status


if __name__ == "__main__":
    sys.exit(main())
