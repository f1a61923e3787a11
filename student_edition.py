"""Writes the exercise edition of the notebook: the solution with the learner's cells left to write.

Usage:
    python student_edition.py                   # writes dlnd_face_generation_student.ipynb
    python student_edition.py -o exercise.ipynb # writes it elsewhere

The cells tagged ``exercise`` are the learner's: ``harness.exercise`` blanks them (each function
keeps its signature and docstring; ``train`` keeps the original's skeleton; hyperparameters
become ``None``). Every other cell, the markdown and the checks are kept, and all outputs are
cleared. The checks then fail on the blank functions with a message that says what to write.
"""

import argparse
import sys
from pathlib import Path

import nbformat

from harness import atomic
from harness.exercise import PLACEHOLDERS, student_edition
from harness.project import PROJECT

SOLUTION = PROJECT / "dlnd_face_generation.ipynb"
STUDENT = PROJECT / "dlnd_face_generation_student.ipynb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="student_edition.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-o", "--output", type=Path, default=STUDENT, help=f"where to write it (default: {STUDENT.name})"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the output even if it was edited since it was written"
    )
    args = parser.parse_args(argv)
    if args.output.suffix != ".ipynb" or args.output.resolve() == SOLUTION:
        parser.error(f"--output must be a new .ipynb file other than {SOLUTION.name}, got {args.output}")
    if not args.output.parent.is_dir():
        parser.error(f"--output: the folder {args.output.parent} does not exist; create it first")
    notebook = student_edition(nbformat.read(SOLUTION, as_version=4))
    text = nbformat.writes(notebook) + "\n"
    if args.output.is_file() and args.output.read_text(encoding="utf-8") != text and not args.force:
        parser.error(
            f"{args.output} exists and differs from a fresh student edition (a learner's work?): "
            "keeping it. Choose another --output, or add --force to overwrite it."
        )
    atomic.write_text(args.output, text)
    print(f"Wrote {args.output}: {', '.join(PLACEHOLDERS)} and the hyperparameters are left for the learner.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
