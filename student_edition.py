"""Writes the exercise edition of the notebook: the solution with the learner's functions blank.

Usage:
    python student_edition.py        # writes dlnd_face_generation_student.ipynb

Each function the learner writes (``model_inputs`` ... ``train``) keeps its signature and its
docstring; its body becomes ``# TODO: Implement Function`` and a placeholder return, as in the
original project. Every other cell, the markdown and the checks after each function are kept,
and all outputs are cleared. The checks then fail on the blank functions with a message that
says what to write.
"""

import ast
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOLUTION = HERE / "dlnd_face_generation.ipynb"
STUDENT = HERE / "dlnd_face_generation_student.ipynb"

# What each blank function returns: as many Nones as the real one returns values.
PLACEHOLDERS = {
    "model_inputs": "None, None, None",
    "discriminator": "None, None",
    "generator": "None",
    "model_loss": "None, None",
    "model_opt": "None, None",
    "train": "None",
}


def blank(source: str) -> str:
    """Replaces the body of each exercise function defined in ``source`` by a TODO.

    Raises:
        ValueError: A function to blank has no docstring (the learner would not know its job).
    """
    lines = source.splitlines()
    functions = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name in PLACEHOLDERS
    ]
    for function in reversed(functions):  # From the bottom, so that line numbers stay valid.
        docstring = function.body[0]
        if ast.get_docstring(function) is None:
            raise ValueError(f"{function.name} has no docstring: write one saying what it returns.")
        indent = " " * function.body[0].col_offset
        body = [f"{indent}# TODO: Implement Function", f"{indent}return {PLACEHOLDERS[function.name]}"]
        lines[docstring.end_lineno : function.end_lineno] = body
    return "\n".join(lines)


def student_edition(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Returns a copy of the solution notebook with blank exercises and no outputs."""
    notebook = nbformat.from_dict(solution)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = blank(cell.source)
            cell.outputs, cell.execution_count = [], None
    return notebook


def main() -> int:
    notebook = student_edition(nbformat.read(SOLUTION, as_version=4))
    nbformat.write(notebook, STUDENT)
    print(f"Wrote {STUDENT.name}: {', '.join(PLACEHOLDERS)} are left for the learner.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
