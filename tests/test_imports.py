"""The project's imports run one way: the commands, then the run, then its parts, then the data."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {"review", "run_notebook", "student_edition", "submission"}
LEARNERS = {"helper", "problem_unittests"}
# Each layer of the package may import from the layers after it, never from one before it.
LAYERS = [
    ("harness.execution", "harness.self_review", "harness.review", "harness.review.", "harness.mnist_run"),
    ("harness.checks", "harness.checks."),  # The checks' halves, for the notebook and the review.
    ("harness.training", "harness.training.loop"),
    ("harness.training.",),  # The parts.
    (
        "harness.checkpoint_store",
        "harness.band",
        "harness.device",
        "harness.pictures",
        "harness.practices",
        "harness.judges",
        "harness.judges.",
        "harness.project",
        "harness.exercise",
    ),
    ("harness.practices.",),  # What the notes are read from.
    ("harness.data.",),
    ("harness.atomic", "harness.evidence", "harness.messages", "harness.quiet", "harness.rubric"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def ours(name: str) -> bool:
    return name.split(".")[0] in {"harness", *COMMANDS, *LEARNERS}


def runs(node) -> bool:
    """False for ``if TYPE_CHECKING:``, whose imports are for type hints and never run."""
    return not (isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING")


def walk(node):
    yield node
    for child in ast.iter_child_nodes(node):
        if runs(child):
            yield from walk(child)


def imports_of(path: Path) -> set[str]:
    """Every project module ``path`` imports when it runs, at its top or inside a function."""
    found = set()
    for node in walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return {name for name in found if ours(name)}


GRAPH = {
    module_name(path): imports_of(path)
    for path in [*ROOT.glob("*.py"), *ROOT.glob("harness/**/*.py")]
    if path.name != "__init__.py" or path.parent.name != "harness"
}


def layer(name: str) -> int | None:
    for index, prefixes in enumerate(LAYERS):
        if any(name == prefix or (prefix.endswith(".") and name.startswith(prefix)) for prefix in prefixes):
            return index
    return None


@pytest.mark.parametrize("module", sorted(name for name in GRAPH if name.startswith("harness")))
def test_the_package_never_imports_from_a_layer_above_it(module):
    here = layer(module)
    above = [
        name
        for name in GRAPH[module]
        if name.split(".")[0] in COMMANDS | LEARNERS or (layer(name) is not None and layer(name) < here)
    ]

    assert not above, f"{module} imports {above}: imports run from the commands down to the data"


def test_no_module_of_the_project_imports_itself_in_a_circle():
    modules = set(GRAPH)

    def visit(name, path):
        assert name not in path, f"an import circle: {' -> '.join([*path, name])}"
        for imported in GRAPH.get(name, ()):
            if imported in modules:
                visit(imported, [*path, name])

    for name in sorted(modules):
        visit(name, [])
