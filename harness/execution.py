"""Running the notebook in a fresh kernel, and writing what it gave as the HTML report.

``execute`` runs every cell, printing each cell's section, the time so far and how long the cell
took last time, and forwarding the progress bars the cells print. ``export_html`` writes the
report, titled after the project, with each progress bar as its last state. ``describe_failure``
says which cell failed, whose code it is and the error.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from traitlets.config import Config

from harness import atomic
from harness.project import EXERCISE, PROJECT, heading_of, tags

TITLE = "Face Generation: a DCGAN that draws digits, then faces"


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
            resources={"metadata": {"path": PROJECT}},
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
