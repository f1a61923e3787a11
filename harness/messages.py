"""The wording of errors that come from the learner's code or from TensorFlow."""

from __future__ import annotations

import sys

# Lines of a TensorFlow error that show where it happened, not what went wrong.
_STACK = ("Graph execution error", "Detected at node", "File ", "Node:", "[[")


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


# The errors shown briefly in a notebook: their own message says what went wrong and where.
_BRIEF: set[type[BaseException]] = set()


def show_briefly(*kinds: type[BaseException]) -> None:
    """In IPython (Jupyter), shows errors of these kinds as their message alone, not a traceback.

    A check's failure already names the learner's line, and a stop during training already said
    where it stopped: the traceback through this project's code would bury that. The error still
    stops "Run All", and ``%tb`` in a new cell shows the full traceback. Outside IPython, nothing
    changes.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    _BRIEF.update(kinds)
    shell.set_custom_exc(tuple(_BRIEF), _brief_traceback)


def _brief_traceback(shell, kind, error, traceback, tb_offset=None) -> list[str]:
    # What showtraceback would keep, so that %tb can still show the whole traceback.
    sys.last_type, sys.last_value, sys.last_traceback = kind, error, traceback
    said = f"{kind.__name__}: {error}" if str(error) else kind.__name__
    lines = [said, "(The full traceback: run %tb in a new cell.)"]
    shell._showtraceback(kind, error, lines)
    return lines
