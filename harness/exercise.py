"""The exercise edition: the solution notebook with the learner's cells left to write.

In the cells tagged ``exercise``, each function keeps its signature and docstring, and its body
becomes ``# TODO: Implement Function`` and a placeholder return, as in the original project; a
region of a body marked ``# --- <what> (the exercise) ---`` ... ``# --- end ---`` becomes
``# TODO: <what>`` instead, so that ``train`` keeps the original's skeleton (the session, the
loops over epochs and batches). Hyperparameters become ``None``. ``student_edition.py`` writes
it; the review reads it to know a function a learner left as it was given (``blank_bodies``).
"""

import ast
import re

import nbformat

from harness.project import EXERCISE, NOTEBOOK, tags

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


def blank_bodies(path=NOTEBOOK) -> dict[str, str]:
    """Each exercise function's body as the exercise edition gives it (``ast.dump``, its docstring
    left out), by name: a learner's function with the same body is not written yet."""
    bodies = {}
    for cell in student_edition(nbformat.read(path, as_version=4)).cells:
        if cell.cell_type == "code" and EXERCISE in tags(cell):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.FunctionDef) and node.name in PLACEHOLDERS:
                    bodies[node.name] = body_dump(node)
    return bodies


def body_dump(node: ast.FunctionDef) -> str:
    """A function's body without its docstring, as ``ast.dump`` gives it (comments are not in it)."""
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    return ast.dump(ast.Module(body=body, type_ignores=[]))
