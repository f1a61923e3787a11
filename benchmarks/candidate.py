"""A candidate setting for the tuning benchmarks: a Python file run over the notebook's functions.

Each candidate in ``docs/tuning.md`` replaces one of the notebook's functions or constants (a
loss, a schedule, a network, a hyperparameter). Its file, in ``benchmarks/candidates/``, runs in
the namespace of the notebook's functions, after them, as a later notebook cell would: what it
defines replaces the notebook's own, and it may call them (``_generator = generator``) or run
another candidate beside it first (its ``__file__`` is its own path).
``quality_seeds.py --candidate FILE`` trains it, and ``share_noise.py --candidate FILE`` draws its runs.
"""

from pathlib import Path

from harness import project

CANDIDATES = Path(__file__).resolve().parent / "candidates"


class CandidateError(ValueError):
    """A candidate file that cannot be read, or fails as it runs."""


def load_functions(candidate: Path | None = None) -> dict:
    """The notebook's functions, with ``candidate``'s definitions run over them.

    Args:
        candidate: A Python file, or None for the notebook's functions as they are.

    Raises:
        CandidateError: The file cannot be read, or fails as it runs.
    """
    if candidate is None:
        return project.load_functions()
    try:  # Before the notebook's functions, which import TensorFlow: a mistyped name fails at once.
        source = Path(candidate).read_text()
    except OSError as error:
        raise CandidateError(
            f"Cannot read the candidate {candidate}: {error.strerror}. "
            f"Pass a Python file, such as one in {CANDIDATES}."
        ) from None
    notebook = project.load_functions()
    notebook["__file__"] = str(candidate)  # As runpy sets it: a candidate may build on one beside it.
    try:
        # The file's own name, so that tracebacks and inspect.getsource (the checkpoints' settings) find it.
        exec(compile(source, str(candidate), "exec"), notebook)
    except Exception as error:  # Whatever the file raises, it is the file's to fix.
        raise CandidateError(
            f"The candidate {candidate} failed as it ran over the notebook's functions: "
            f"{type(error).__name__}: {error}. Fix the file: it runs after the notebook's cells, "
            "in their namespace."
        ) from None
    return notebook
