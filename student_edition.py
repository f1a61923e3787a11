"""Writes the exercise edition of the notebook: the solution with the learner's cells left to write.

Usage:
    python student_edition.py                   # writes dlnd_face_generation_student.ipynb
    python student_edition.py -o exercise.ipynb # writes it elsewhere

The cells tagged ``exercise`` are the learner's. In them, each function keeps its signature
and docstring, and its body becomes ``# TODO: Implement Function`` and a placeholder return, as
in the original project; a region of a body marked ``# --- <what> (the exercise) ---`` ...
``# --- end ---`` becomes ``# TODO: <what>`` instead, so that ``train`` keeps the original's
skeleton (the session, the loops over epochs and batches). Hyperparameters become ``None``.
Every other cell, the markdown and the checks are kept, and all outputs are cleared. The checks
then fail on the blank functions with a message that says what to write.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat

from harness import atomic
from harness.project import EXERCISE, PROJECT, tags

SOLUTION = PROJECT / "dlnd_face_generation.ipynb"
STUDENT = PROJECT / "dlnd_face_generation_student.ipynb"

# What each blank function returns: as many Nones as the real one returns values.
PLACEHOLDERS = {
    "model_inputs": "None, None, None",
    "discriminator": "None, None",
    "generator": "None",
    "model_loss": "None, None",
    "model_opt": "None, None",
    "train": "None",
}
_REGION_START = re.compile(r"^(\s*)# --- (.+) \(the exercise\) ---$")
_REGION_END = re.compile(r"^\s*# --- end ---$")


def _blank_regions(lines: list[str], first: int, last: int) -> bool:
    """Replaces the marked regions of lines[first:last] by TODOs, in place; False if there are none."""
    found = False
    index = last - 1
    while index >= first:
        start = _REGION_START.match(lines[index])
        if start:
            end = next(i for i in range(index, last) if _REGION_END.match(lines[i]))
            indent, what = start.groups()
            following = next((line for line in lines[end + 1 : last] if line.strip()), "")
            ends_block = len(following) - len(following.lstrip()) < len(indent)
            lines[index : end + 1] = [f"{indent}# TODO: {what}", *([f"{indent}pass"] if ends_block else [])]
            found = True
        index -= 1
    return found


def blank(source: str) -> str:
    """Blanks the exercise functions and hyperparameters defined in an exercise cell's ``source``.

    Raises:
        ValueError: A function to blank has no docstring (the learner would not know its job), or a
            marked region has no end.
    """
    lines = source.splitlines()
    tree = ast.parse(source)
    for node in reversed(tree.body):  # From the bottom, so that line numbers stay valid.
        if isinstance(node, ast.FunctionDef) and node.name in PLACEHOLDERS:
            if ast.get_docstring(node) is None:
                raise ValueError(f"{node.name} has no docstring: write one saying what it returns.")
            try:
                if _blank_regions(lines, node.body[0].end_lineno, node.end_lineno):
                    continue
            except StopIteration:
                raise ValueError(
                    f"{node.name} has a '# --- ... (the exercise) ---' line without '# --- end ---'."
                ) from None
            indent = " " * node.body[0].col_offset
            body = [f"{indent}# TODO: Implement Function", f"{indent}return {PLACEHOLDERS[node.name]}"]
            lines[node.body[0].end_lineno : node.end_lineno] = body
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            line = lines[node.lineno - 1]
            value = ast.get_source_segment(source, node.value)
            lines[node.lineno - 1] = line.replace(f"= {value}", "= None", 1)
    return "\n".join(lines)


def student_edition(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Returns a copy of the solution notebook with blank exercises and no outputs."""
    notebook = nbformat.from_dict(solution)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            if EXERCISE in tags(cell):
                cell.source = blank(cell.source)
            cell.outputs, cell.execution_count = [], None
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="student_edition.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-o", "--output", type=Path, default=STUDENT, help=f"where to write it (default: {STUDENT.name})"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the output even if it was edited since it was written"
    )
    args = parser.parse_args(argv)
    if args.output.suffix != ".ipynb" or args.output.resolve() == SOLUTION:
        parser.error(f"--output must be a new .ipynb file other than {SOLUTION.name}, got {args.output}")
    if not args.output.parent.is_dir():
        parser.error(f"--output: the folder {args.output.parent} does not exist; create it first")
    notebook = student_edition(nbformat.read(SOLUTION, as_version=4))
    text = nbformat.writes(notebook) + "\n"
    if args.output.is_file() and args.output.read_text(encoding="utf-8") != text and not args.force:
        parser.error(
            f"{args.output} exists and differs from a fresh student edition (a learner's work?): "
            "keeping it. Choose another --output, or add --force to overwrite it."
        )
    atomic.write_text(args.output, text)
    print(f"Wrote {args.output}: {', '.join(PLACEHOLDERS)} and the hyperparameters are left for the learner.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
