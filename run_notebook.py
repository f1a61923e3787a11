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
import contextlib
import json
import linecache
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from traitlets.config import Config

import atomic

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


TITLE = "Face Generation: a DCGAN that draws digits, then faces"
# The smallest value each whole-number parameter takes (0 epochs skips a data set).
MINIMUM = {"mnist_epochs": 0, "celeba_epochs": 0, "max_batches": 1, "quality_samples": 2}


class _TalkingClient(NotebookClient):
    """Runs the notebook, printing each cell's heading, the time so far and how long the cell took
    last time (the estimate), and forwarding the progress bars the cells print (to standard
    error, as tqdm does)."""

    def __init__(self, notebook, stream=None, last_times: dict | None = None, **kwargs) -> None:
        super().__init__(notebook, **kwargs)
        self.stream = stream
        self.started = time.perf_counter()
        self.code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
        self.last_times, self.times = last_times or {}, {}
        self._cell_started = self.started
        self.on_cell_start = self._announce
        self.on_cell_executed = self._time

    def _announce(self, cell, cell_index: int) -> None:
        self._cell_started = time.perf_counter()
        if self.stream is None or cell.cell_type != "code":
            return
        number = sum(c.cell_type == "code" for c in self.nb.cells[: cell_index + 1])
        elapsed = _clock(time.perf_counter() - self.started)
        last = self.last_times.get(cell.get("id", ""), 0)
        estimate = f" (took {_clock(last)} last time)" if last >= 5 else ""
        print(
            f"\r[{elapsed}] cell {number}/{self.code_cells}: {heading_of(self.nb, cell_index)}{estimate}",
            file=self.stream,
        )

    def _time(self, cell, cell_index: int, execute_reply) -> None:
        self.times[cell.get("id", str(cell_index))] = round(time.perf_counter() - self._cell_started, 1)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if self.stream is not None and msg["msg_type"] == "stream" and content.get("name") == "stderr":
            bar = content.get("text", "").replace("\n", "\r").split("\r")
            shown = [part for part in bar if part.strip()]
            if shown:
                print(f"\r    {shown[-1].strip()[:100]}", end="", file=self.stream, flush=True)
        return super().output(outs, msg, display_id, cell_index)


def _clock(seconds: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(seconds))


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


def execute(notebook, timeout: int | None = None, stream=None, times: Path | None = None):
    """Runs every cell in a fresh kernel started in the project folder; returns the notebook.

    The kernel talks over local sockets, not TCP, and the C++ libraries' log lines go to its
    console, not into the notebook.

    Args:
        notebook: The notebook; its outputs are filled in.
        timeout: Seconds a cell may take; None for no limit.
        stream: Where progress is printed (standard error, say); None for silence.
        times: A JSON file of each cell's duration: read for the estimates, then updated.

    Raises:
        CellExecutionError: A cell failed; ``notebook`` holds the outputs up to that cell.
    """
    config = Config()
    config.KernelManager.transport = "ipc"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # Inherited by the kernel.
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        config.KernelManager.ip = str(Path(sockets) / "ipc")
        last_times = {}
        if times is not None and times.is_file():
            with contextlib.suppress(OSError, ValueError):
                last_times = json.loads(times.read_text())
        client = _TalkingClient(
            notebook,
            stream=stream,
            last_times=last_times,
            config=config,
            timeout=timeout,
            kernel_name="python3",
            # A loaded machine can deliver a cell's last outputs seconds after the cell ends:
            # wait for them rather than drop them from the report (nbclient waits 4 s).
            iopub_timeout=60,
            resources={"metadata": {"path": HERE}},
            extra_arguments=["--IPKernelApp.capture_fd_output=False"],
        )
        try:
            return client.execute()
        finally:
            if stream is not None:
                print(file=stream)
            if times is not None and client.times:
                with contextlib.suppress(OSError):
                    atomic.write_text(times, json.dumps({**last_times, **client.times}))


def export_html(notebook, path: Path) -> None:
    """Writes the notebook as a stand-alone HTML page (figures embedded), titled after the project."""
    exporter = HTMLExporter()
    # Progress bars print a line per update; keep only what a screen would show last.
    exporter.register_preprocessor(CoalesceStreamsPreprocessor, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": TITLE}})
    atomic.write_text(path, body)


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
    if path.parent == HERE and path.with_suffix("").name in {p.stem for p in HERE.glob("*.py")}:
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
        default=HERE / "dlnd_face_generation.html",
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
    nbformat.write(notebook, output.with_suffix(".executed.ipynb"))
    export_html(notebook, output)
    size = output.stat().st_size / 1e6
    print(f"Ran the notebook in {time.perf_counter() - start:.0f} s; report: {output.name} ({size:.1f} MB)")
    return status


if __name__ == "__main__":
    sys.exit(main())
