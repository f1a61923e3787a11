"""How a copy is disguised, and how independent learners differ: the cases the similarity line is
measured on (``similarity_line.py``, ``similarity_term.py``) and tested against.

Each takes a learner's source (the six functions, their helpers, the hyperparameters) and returns
another; ``random.Random`` makes each one repeatable. None of them runs the code.
"""

from __future__ import annotations

import ast
import builtins
import random

import nbformat

from harness.review.code import learner_code
from harness.rubric import FUNCTIONS, RANGES

KEPT = {*FUNCTIONS, *RANGES, "tf", "np", "self", *dir(builtins)}  # Names a copy must keep to work.
NEW_NAMES = ("out", "net", "h", "layer", "feat", "x_", "tmp", "val", "logits_", "res", "cur", "step_")


def renamed(source: str, rng: random.Random) -> str:
    """Every name the learner chose (arguments, variables, helpers) renamed; comments dropped."""
    tree = ast.parse(source)
    keywords = {node.arg for node in ast.walk(tree) if isinstance(node, ast.keyword)}
    chosen = {
        name
        for node in ast.walk(tree)
        for name in _bound(node)
        if name not in KEPT and name not in keywords and not name.startswith("__")
    }
    names = {name: f"{rng.choice(NEW_NAMES)}{index}" for index, name in enumerate(sorted(chosen))}
    return ast.unparse(_Renamer(names).visit(tree))


def _bound(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.FunctionDef):
        return [node.name]
    return []


class _Renamer(ast.NodeTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.names.get(node.arg, node.arg)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.name = self.names.get(node.name, node.name)
        self.generic_visit(node)
        return node


def reordered(source: str, rng: random.Random) -> str:
    """The top-level definitions shuffled, and independent neighbouring lines swapped."""
    tree = ast.parse(source)
    rng.shuffle(tree.body)
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if isinstance(body, list) and not isinstance(node, ast.Module):
                _swap_independent(body, rng)
    return ast.unparse(tree)


def _swap_independent(body: list[ast.stmt], rng: random.Random) -> None:
    index = 0
    while index + 1 < len(body):
        one, other = body[index], body[index + 1]
        if _simple(one) and _simple(other) and not (_writes(one) & _touches(other)) and rng.random() < 0.7:
            body[index], body[index + 1] = other, one
            index += 1
        index += 1


def _simple(node: ast.stmt) -> bool:
    return isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Expr) and not (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)  # A docstring stays first.
    )


def _writes(node: ast.stmt) -> set[str]:
    return {
        name.id for name in ast.walk(node) if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store)
    }


def _touches(node: ast.stmt) -> set[str]:
    return {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}


def recommented(source: str, rng: random.Random) -> str:
    """Comments and docstrings removed, and comments of the copier's own added."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.FunctionDef) and ast.get_docstring(node) is not None:
            node.body = body[1:] or [ast.Pass()]
    lines = ast.unparse(tree).splitlines()
    said = ("# my own approach", "# build it step by step", "# as explained in the lesson", "# TODO tidy")
    return "\n".join(f"{line}  {rng.choice(said)}" if rng.random() < 0.2 else line for line in lines)


def one_rewritten(source: str, other: str, rng: random.Random) -> str:
    """One of the six functions (not ``train``, the largest) replaced by ``other``'s own."""
    name = rng.choice([name for name in FUNCTIONS if name != "train"])
    mine, theirs = ast.parse(source), ast.parse(other)
    replacement = next(node for node in theirs.body if getattr(node, "name", None) == name)
    mine.body = [replacement if getattr(node, "name", None) == name else node for node in mine.body]
    return ast.unparse(mine)


def varied(source: str, rng: random.Random) -> str:
    """An independent learner's take on the same approach, line by line their own: their own
    sizes, rates and slopes, arguments named or not and in their own order, nested calls taken
    apart into variables, lists for tuples."""
    tree = _Varier(rng).visit(ast.parse(source))
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if isinstance(body, list) and not isinstance(node, ast.Module):
                setattr(node, field, [line for statement in body for line in _taken_apart(statement, rng)])
    return ast.unparse(ast.fix_missing_locations(tree))


class _Varier(ast.NodeTransformer):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if type(node.value) in (int, float) and self.rng.random() < 0.8:
            node.value = _other_number(node.value, self.rng)
        return node

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        starred = any(isinstance(arg, ast.Starred) for arg in node.args)
        if len(node.args) > 1 and not starred and self.rng.random() < 0.5:  # After the first, by name.
            node.keywords = [
                ast.keyword(f"arg{index}", arg) for index, arg in enumerate(node.args[1:])
            ] + node.keywords
            node.args = node.args[:1]
        self.rng.shuffle(node.keywords)
        return node

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        self.generic_visit(node)
        sliced = any(isinstance(element, ast.Slice) for element in node.elts)  # An index: no list.
        if isinstance(node.ctx, ast.Load) and not sliced and self.rng.random() < 0.5:
            return ast.List(node.elts, ast.Load())
        return node


def _taken_apart(statement: ast.stmt, rng: random.Random) -> list[ast.stmt]:
    """``a = f(g(x), h(y))`` as ``t = g(x)`` then ``a = f(t, h(y))``, now and then, for any call's
    arguments in an assignment or a return."""
    if not isinstance(statement, ast.Assign | ast.Return) or statement.value is None:
        return [statement]
    before = []
    for call in [node for node in ast.walk(statement.value) if isinstance(node, ast.Call)]:
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Call) and rng.random() < 0.6:
                name = f"part{rng.randrange(1000)}"
                before.append(ast.Assign([ast.Name(name, ast.Store())], arg))
                call.args[index] = ast.Name(name, ast.Load())
    return [*reversed(before), statement]


def _other_number(value: int | float, rng: random.Random) -> int | float:
    if isinstance(value, int) and value >= 16:  # Filters and units.
        return int(value * rng.choice((0.5, 0.75, 1.5, 2)))
    if isinstance(value, int) and 2 < value < 8:  # Kernels.
        return rng.choice([kernel for kernel in (3, 4, 5, 6) if kernel != value])
    if isinstance(value, float) and 0 < value < 1:  # Slopes, rates, smoothing, dropout.
        return round(value * rng.choice((0.5, 0.75, 1.25, 1.5)), 4)
    return value


def as_notebook(source: str):
    """A notebook whose one exercise cell holds ``source``: what ``learner_code`` reads of it."""
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["exercise"]})
    return nbformat.v4.new_notebook(cells=[cell])


def learner_source(source: str) -> str:
    """``source`` as the review compares it: the learner's definitions, read from a notebook."""
    return learner_code(as_notebook(source)).source
