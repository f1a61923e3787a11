"""The learner's code, taken out of a submitted notebook to be checked again, never run here.

In a notebook of this project, it is the cells tagged ``exercise`` (the six functions, their
helpers, the hyperparameters). In one of the original project, which has no tags, it is every
code cell that defines one of the six functions or sets a hyperparameter. Either way only the
definitions are kept (functions, classes, imports, and assignments of plain values such as
``batch_size = 32``): the calls that follow them in the same cell (the original's
``tests.test_model_inputs(model_inputs)``), the training, and assignments that compute something
(``mnist_dataset = helper.Dataset(...)``) are left out, so the code can be checked by our checks,
not by the submission's, and nothing in it runs when it is loaded but definitions.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass

from harness import exercise
from harness.project import EXERCISE, tags
from harness.rubric import FUNCTIONS, RANGES

HYPERPARAMETERS = tuple(RANGES)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


@dataclass(frozen=True)
class LearnerCode:
    """The learner's definitions, as one module's source.

    Attributes:
        source: The kept statements, in the notebook's order.
        functions: Which of the six functions it defines.
        hyperparameters: Which hyperparameters it sets.
        skipped: Cells that could not be parsed (their index in the notebook), left out.
        unwritten: The functions whose last definition is still a blank: a body that only passes,
            returns None or raises NotImplementedError, or the exercise edition's own body
            (``harness.exercise``). Read from the source, as text: such a function never passes,
            whatever the rest of the code makes of it when run.
    """

    source: str
    functions: tuple[str, ...]
    hyperparameters: tuple[str, ...]
    skipped: tuple[int, ...]
    unwritten: tuple[str, ...] = ()


def _names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {target.id for target in node.targets if isinstance(target, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def _kept(node: ast.stmt) -> bool:
    """A definition, or an assignment of a plain value (a number, a string, a tuple of them)."""
    if isinstance(node, _DEFINITIONS):
        return True
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return False
        return True
    return False


def _segment(source: str, node: ast.stmt) -> str:
    """The statement's lines, its decorators included."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "\n".join(source.splitlines()[first - 1 : node.end_lineno])


def _is_learners(cell, tree: ast.Module, tagged: bool) -> bool:
    if tagged:
        return EXERCISE in tags(cell)
    return any(_names(node) & {*FUNCTIONS, *HYPERPARAMETERS} for node in tree.body)


def _blank_statement(node: ast.stmt) -> bool:
    """``pass``, ``...``, a string, ``return``/``return None``/``return None, None``, or ``raise
    NotImplementedError``: what a function's body holds before it is written."""
    if isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        return True
    if isinstance(node, ast.Return):
        values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
        return all(
            value is None or (isinstance(value, ast.Constant) and value.value is None) for value in values
        )
    if isinstance(node, ast.Raise) and node.exc is not None:
        raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


@functools.cache
def _exercise_bodies() -> dict[str, str]:
    return exercise.blank_bodies()


def unwritten(node: ast.FunctionDef) -> bool:
    """Whether the function ``node`` is still a blank (see ``LearnerCode.unwritten``)."""
    if all(_blank_statement(statement) for statement in node.body):
        return True
    return exercise.body_dump(node) == _exercise_bodies().get(node.name)


def learner_code(notebook) -> LearnerCode:
    """The definitions of the learner's cells in ``notebook`` (read by nbformat), as one module."""
    tagged = any(EXERCISE in tags(cell) for cell in notebook.cells)
    kept, defined, skipped, last = [], set(), [], {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        # Jupyter's magics and shell lines (%matplotlib, !pip) are not Python: leave them out.
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            skipped.append(index)
            continue
        if not _is_learners(cell, tree, tagged):
            continue
        for node in tree.body:
            if _kept(node):
                kept.append(_segment(source, node))
                defined |= _names(node)
                last |= dict.fromkeys(_names(node), node)
    return LearnerCode(
        "\n\n\n".join(kept) + "\n",
        tuple(name for name in FUNCTIONS if name in defined),
        tuple(name for name in HYPERPARAMETERS if name in defined),
        tuple(skipped),
        tuple(
            name
            for name in FUNCTIONS
            if isinstance(last.get(name), ast.FunctionDef) and unwritten(last[name])
        ),
    )
