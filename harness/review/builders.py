"""Which of the learner's definitions built each function's graphs, for the reviewer to read.

The worker records, for each function checked, the lines of the learner's code that made an op of
its graphs (TensorFlow keeps each op's traceback). Here they are mapped back to the top-level
definitions that hold them. That record comes from the learner's sandbox, so it decides nothing:
a function whose graphs were built by code outside it (a correct function hidden elsewhere, called
by a hook) is told to the reviewer, with the code, to read.
"""

from __future__ import annotations

import ast


def builders(source: str, lines: list[int]) -> dict[str, str]:
    """The top-level definitions of ``source`` that hold one of ``lines``, with their source, by name."""
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if any(first <= line <= node.end_lineno for line in lines):
            found[node.name] = "\n".join(source.splitlines()[first - 1 : node.end_lineno])
    return found


def told(name: str, built_by: dict[str, str]) -> str | None:
    """A sentence for the reviewer when ``name``'s graphs were built by none of its own lines."""
    if not built_by or name in built_by:
        return None
    others = ", ".join(f"`{other}`" for other in built_by)
    return f"Its graphs were built by code in {others}, not in `{name}` itself: read that code (below)."
