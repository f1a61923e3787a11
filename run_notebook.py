"""Runs dlnd_face_generation.ipynb top to bottom and writes its HTML report.

Usage:
    python run_notebook.py                      # the full run: 2 MNIST epochs, 1 CelebA epoch
    python run_notebook.py -p max_batches=50    # a short run: 50 batches per epoch

``-p NAME=VALUE`` overrides a value of the notebook's cell tagged ``parameters`` (as papermill
does): the values are checked against the cell's defaults, then put in a cell inserted right
after it; ``--help`` lists them. While it runs, each cell's heading and the time so far are
printed, and the training's progress bar is forwarded. The executed notebook is saved as
``dlnd_face_generation.executed.ipynb`` and the report as ``dlnd_face_generation.html``; when a
cell fails, both are still written, up to the failing cell, the cell and the learner's error are
printed, and the exit status is 1. A bad option or parameter is one line and exit status 2.
"""

import argparse
import ast
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from harness import atomic
from harness.execution import describe_failure, execute, export_html
from harness.project import NOTEBOOK, PROJECT, declared_parameters, with_parameters

# The smallest value each whole-number parameter takes (0 epochs skips a data set).
MINIMUM = {"mnist_epochs": 0, "celeba_epochs": 0, "max_batches": 1, "quality_samples": 2}


def check_parameter(name: str, value, declared: dict) -> None:
    """Refuses a value of another kind than the parameter's default, or below its minimum.

    Raises:
        ValueError: One line naming the parameter, what it takes and what it got.
    """
    if name not in declared:
        raise ValueError(f"unknown parameter {name!r}; the notebook's parameters are {', '.join(declared)}")
    default = declared[name][0]
    if isinstance(default, bool):
        fits, kind = isinstance(value, bool), "True or False"
    elif isinstance(default, int) or default is None:
        low = MINIMUM.get(name, 0)
        whole = isinstance(value, int) and not isinstance(value, bool) and value >= low
        fits, kind = whole or (default is None and value is None), f"a whole number from {low}"
        kind += " or None" if default is None else ""
    elif isinstance(default, float):
        fits, kind = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
    else:
        fits, kind = isinstance(value, str), "a text"
    if not fits:
        raise ValueError(f"parameter {name} takes {kind}, got {value!r}")


def parse_parameter(text: str) -> tuple[str, object]:
    name, separator, value = text.partition("=")
    if not separator or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # A bare word, such as a path: kept as a string.


def check_output(path: Path) -> Path:
    """The report's path, made absolute; its folder is created.

    Raises:
        ValueError: The path is a notebook, a file of the project, or its folder cannot be made.
    """
    path = path.resolve()
    if path.suffix.lower() != ".html":
        raise ValueError(f"--output must end in .html (the report), got {path.name}")
    if path.parent == PROJECT and path.with_suffix("").name in {p.stem for p in PROJECT.glob("*.py")}:
        raise ValueError(
            f"--output {path.name} would sit beside the project's own {path.stem}.py; choose another name"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"--output: cannot create the folder {path.parent} ({error.strerror})") from None
    if not os.access(path.parent, os.W_OK):
        raise ValueError(f"--output: the folder {path.parent} cannot be written")
    return path


def build_parser(declared: dict) -> argparse.ArgumentParser:
    listing = "\n".join(
        f"  {name} = {default!r}" + (f"  ({comment})" if comment else "")
        for name, (default, comment) in declared.items()
    )
    parser = argparse.ArgumentParser(
        prog="run_notebook.py",
        description=__doc__.splitlines()[0],
        epilog=f"parameters (-p NAME=VALUE), with their defaults:\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-p",
        "--parameter",
        type=parse_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter of the notebook (repeatable); see below",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=PROJECT / "dlnd_face_generation.html",
        help="the HTML report (default: dlnd_face_generation.html); the executed notebook goes beside it",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    source = nbformat.read(NOTEBOOK, as_version=4)
    declared = declared_parameters(source)
    parser = build_parser(declared)
    args = parser.parse_args(argv)
    try:
        for name, value in args.parameter:
            check_parameter(name, value, declared)
        output = check_output(args.output)
    except ValueError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2

    notebook = with_parameters(source, dict(args.parameter))
    start = time.perf_counter()
    status = 0
    try:
        execute(notebook, stream=sys.stderr, times=output.with_suffix(".times.json"))
    except CellExecutionError:
        print(describe_failure(notebook), file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("Interrupted: the report shows the cells run so far.", file=sys.stderr)
        status = 130
    try:
        atomic.write_text(output.with_suffix(".executed.ipynb"), nbformat.writes(notebook))
        export_html(notebook, output)
    except atomic.DiskFullError as error:
        print(error, file=sys.stderr)
        return 1
    size = output.stat().st_size / 1e6
    print(f"Ran the notebook in {time.perf_counter() - start:.0f} s; report: {output.name} ({size:.1f} MB)")
    return status


if __name__ == "__main__":
    sys.exit(main())
