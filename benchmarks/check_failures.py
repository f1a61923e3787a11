"""How long a failed check is on the learner's screen: every seeded mistake, as Jupyter shows it.

Each broken solution of ``tests/solution_variants.py`` is run through its check, as the notebook's
check cells run it. In Jupyter a failed check shows its message and one line pointing to ``%tb``
(``harness.messages.show_briefly``); this counts the lines that takes in an output area
``--width`` characters wide (JupyterLab's, beside its side bar, holds about 100).

Usage: python benchmarks/check_failures.py [--width 100]
One line per mistake; the last line is ``longest check failure: N lines (median M) of W columns``.
"""

import argparse
import os
import statistics
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import solution_variants as variants  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

import problem_unittests as checks  # noqa: E402

NEEDS_TF_MODULE = {"discriminator", "generator", "model_opt"}


def shown_lines(message: str, width: int) -> int:
    """Lines of the brief display: the message, wrapped, and the ``%tb`` line."""
    return len(textwrap.wrap(f"CheckFailed: {message}", width)) + 1


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=100, help="characters per line of the output area")
    args = parser.parse_args(argv)
    counts = []
    for name, cases in variants.BROKEN.items():
        check = getattr(checks, f"test_{name}")
        for function, mistake in cases:
            try:
                check(function, tf) if name in NEEDS_TF_MODULE else check(function)
            except checks.CheckFailed as failure:
                counts.append(shown_lines(str(failure), args.width))
                print(f"{name}, {mistake}: {counts[-1]} lines")
            else:
                raise SystemExit(f"{name}, {mistake}: the check passed a broken solution")
    print(
        f"longest check failure: {max(counts)} lines (median {statistics.median(counts):g}) of "
        f"{args.width} columns, over {len(counts)} mistakes"
    )


if __name__ == "__main__":
    main()
