"""The wording of errors that come from the learner's code or from TensorFlow."""

from __future__ import annotations

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
