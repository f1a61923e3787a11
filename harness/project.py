"""The project's notebook, and reading it: its cells' tags, its functions, its parameters and sections.

Every code cell is tagged ``exercise`` (the learner's: the six functions and the hyperparameters)
or ``given``; given cells that only define things are also tagged ``definitions``, and the cell of
the run's settings ``parameters`` (papermill's convention). The commands, the tests and the
benchmarks read the notebook through these tags, so that it stays the one source of its functions.

``nbformat`` is imported by the functions that read a notebook, not with the module: its import
takes 2 s, and the review's sandboxes import this module for ``PROJECT`` and read no notebook.
"""

from __future__ import annotations

import ast
import linecache
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
NOTEBOOK = PROJECT / "dlnd_face_generation.ipynb"
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
    import nbformat  # Here, not above: see the module's docstring.

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


def given_definitions(path: Path = NOTEBOOK) -> str:
    """The source of the notebook's given cells tagged ``definitions`` (its imports, constants and
    helpers such as ``show_generator_output``), without a line of the exercise cells: the code a
    submission's functions are loaded over in a review, where no solution may be seen."""
    import nbformat  # Here, not above: see the module's docstring.

    notebook = nbformat.read(path, as_version=4)
    cells = [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and DEFINITIONS in tags(cell) and EXERCISE not in tags(cell)
    ]
    return "\n\n\n".join(cells) + "\n"


def with_parameters(notebook, parameters: dict, setup: str = ""):
    """Returns a copy of ``notebook`` with a cell setting ``parameters`` after its parameters cell.

    Args:
        notebook: The notebook, as read by nbformat.
        parameters: Names and values; each value is written as its repr().
        setup: More code for the inserted cell, run after the assignments.

    Raises:
        ValueError: The notebook has no cell tagged ``parameters``, or a name is not set in it.
    """
    import nbformat  # Here, not above: see the module's docstring.

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


def declared_parameters(notebook) -> dict[str, tuple[object, str]]:
    """The parameters cell's names, each with its default value and its comment.

    Raises:
        ValueError: The notebook has no cell tagged ``parameters``.
    """
    tagged = [cell for cell in notebook.cells if "parameters" in tags(cell)]
    if not tagged:
        raise ValueError("The notebook has no cell tagged 'parameters': tag the cell that sets data_dir.")
    source = tagged[0].source
    lines = source.splitlines()
    declared = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            comment = lines[node.lineno - 1].partition("#")[2].strip()
            declared[node.targets[0].id] = (ast.literal_eval(node.value), comment)
    return declared


def heading_of(notebook, cell_index: int) -> str:
    """The last markdown heading at or above a cell, as 'Section > Subsection'."""
    levels: dict[int, str] = {}
    for cell in notebook.cells[: cell_index + 1]:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^(#{1,4})\s+(.*)", line)
            if match:
                depth = len(match.group(1))
                levels = {level: title for level, title in levels.items() if level < depth}
                levels[depth] = match.group(2).strip()
    return " > ".join(levels[level] for level in sorted(levels)[-2:]) or "(start)"
