"""The wording of errors that come from the learner's code or from TensorFlow, and how a notebook
shows them: the message and the learner's own line, not a traceback through libraries."""

from __future__ import annotations

import os
import site
import sys
import sysconfig
import traceback as tracebacks

# Lines of a TensorFlow error that show where it happened, not what went wrong.
_STACK = ("Graph execution error", "Detected at node", "File ", "Node:", "[[")
_HARNESS = os.path.dirname(os.path.abspath(__file__))
_PROJECT = os.path.dirname(_HARNESS)
# Frames from these folders are Python's or a library's, not the learner's code.
_LIBRARIES = tuple(
    {
        os.path.abspath(folder)
        for folder in (
            *(sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")),
            *site.getsitepackages(),
            site.getusersitepackages(),
        )
    }
)
_TRACEBACK_HINT = "(The full traceback: run %tb in a new cell.)"


def not_written_yet(name: str) -> str:
    """What a learner reads of a function that still has the exercise's blank body."""
    return (
        f"{name} is not written yet. Replace `# TODO: Implement Function` in its cell with your code; its "
        "docstring says what to return."
    )


def first_line(error: BaseException) -> str:
    """The line of an error's message that says what went wrong (TensorFlow's come after a stack)."""
    message = getattr(error, "message", None) or str(error)
    for line in message.splitlines():
        line = line.strip()
        if line and not line.startswith(_STACK):
            return line.rstrip(".")
    return ""


def one_line(error: BaseException) -> str:
    """``"ValueError: what went wrong"``: the error's kind and its first meaningful line."""
    return f"{type(error).__name__}: {first_line(error)}"


def _is_ours(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.endswith(".py") and (os.path.dirname(path) == _PROJECT or path.startswith(_HARNESS + os.sep))


def in_full(error: BaseException) -> str:
    """An error's message and the notes added to it on its way (``add_note``), as one paragraph."""
    return " ".join([str(error), *getattr(error, "__notes__", ())])


def is_learners(filename: str) -> bool:
    """Whether a traceback frame's file is the learner's code: not a library, not this project's."""
    path = os.path.abspath(filename)
    return not _is_ours(filename) and not path.startswith(_LIBRARIES) and not filename.startswith("<frozen")


def learner_line(error: BaseException) -> str:
    """Where in the learner's code ``error`` comes from: ``" (in NAME: `LINE`)"``, or ``""``.

    The last of the learner's lines the error passed through; failing that, for an error of a
    TensorFlow op, the learner's line that made the op.
    """
    op = getattr(error, "op", None)
    made = list(op.traceback) if op is not None and getattr(op, "traceback", None) else []
    for frames in (tracebacks.extract_tb(error.__traceback__), made):
        for frame in reversed(list(frames)):
            filename, name, line = frame[0], frame[2], frame[3]
            if is_learners(filename) and line:
                where = "this cell" if name == "<module>" else name
                return f" (in {where}: `{line.strip()}`)"
    return ""


# The errors whose own message says all, shown as that message alone.
_BRIEF: set[type[BaseException]] = set()


def show_briefly(*kinds: type[BaseException]) -> None:
    """In IPython (Jupyter), shows errors briefly instead of as a traceback through our code.

    Errors of ``kinds`` (a check's failure, a stop during training) show their message alone:
    it already names the learner's line or the step. Any other error that passes through a
    library or this project shows its kind, its first meaningful line and the learner's line it
    came from. Errors only in the learner's own code keep IPython's traceback, which is theirs.
    Every error still stops "Run All", and ``%tb`` in a new cell shows the full traceback.
    Outside IPython, nothing changes.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    _BRIEF.update(kinds)
    shell.set_custom_exc((Exception, *_BRIEF), _brief_traceback)


def _brief_traceback(shell, kind, error, traceback, tb_offset=None) -> list[str]:
    if issubclass(kind, SyntaxError):  # Raised while a cell is compiled: IPython's own display.
        shell.showsyntaxerror()
        return []
    frames = tracebacks.extract_tb(traceback)
    # The traceback starts in IPython, which runs the cell: from the cell on is what counts.
    cell = next((i for i, frame in enumerate(frames) if is_learners(frame.filename)), 0)
    frames = frames[cell:]
    if issubclass(kind, tuple(_BRIEF)):
        said = f"{kind.__name__}: {in_full(error)}" if str(error) else kind.__name__
    elif all(is_learners(frame.filename) for frame in frames):
        shell.showtraceback((kind, error, traceback), tb_offset=tb_offset)
        return []
    elif _is_ours(frames[-1].filename):  # Our messages say what and how to fix it, in full.
        said = f"{kind.__name__}: {in_full(error)}{learner_line(error)}"
    else:  # A library's message can carry its own stack: its first meaningful line.
        said = f"{one_line(error)}{learner_line(error)}"
    # What showtraceback keeps, so that %tb can still show the whole traceback.
    sys.last_type, sys.last_value, sys.last_traceback = kind, error, traceback
    lines = [said, _TRACEBACK_HINT]
    shell._showtraceback(kind, error, lines)
    return lines
