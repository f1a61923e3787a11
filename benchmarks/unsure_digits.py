"""Where a run's over-drawn digits come from: the samples the digit classifier is unsure of.

A digit's share counts every sample the classifier calls that digit, however unsure it is. This
script splits a run's samples (the measure's draw: ``samples.npy`` in the run's checkpoint folder)
at a top-class probability of ``--below``, and MNIST's test digits the same way: how many are
unsure, and how many of all samples the classifier calls each digit among the sure ones and
among the unsure ones. A digit whose gap from its share lies among the unsure samples is drawn
too vaguely, not too often (``docs/tuning.md``, issue 36).

Usage: python benchmarks/unsure_digits.py data/checkpoints/mnist-*/samples.npy [--below 0.9]
One line for MNIST's test digits, then one per run; the last line is
``unsure samples: A% to B% of the runs' draws, against C% of MNIST's test digits``.
"""

import argparse
import contextlib
import io
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from harness import quality  # noqa: E402

UNSURE_BELOW = 0.9  # The top-class probability under which a sample counts as unsure.


def load_digits(path: Path) -> np.ndarray:
    """A run's samples (uint8, (n, 28, 28)) as the classifier takes them: (n, 28, 28, 1) in [-1, 1].

    Raises:
        ValueError: The file holds no such array.
    """
    digits = np.load(path)
    if not isinstance(digits, np.ndarray):  # An .npz archive: several arrays.
        raise ValueError(f"{path} holds several arrays, not a run's digits (uint8, n x 28 x 28)")
    if digits.dtype != np.uint8 or digits.ndim != 3 or digits.shape[1:] != (28, 28) or not len(digits):
        raise ValueError(
            f"{path} holds a {digits.dtype} array of shape {digits.shape}, not a run's digits "
            "(uint8, n x 28 x 28)"
        )
    return digits[..., None].astype(np.float32) / 127.5 - 1


def split(probabilities: np.ndarray, below: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Splits samples by how sure the classifier is of them.

    Args:
        probabilities: The classifier's class probabilities, (n, 10).
        below: A sample whose top class has a lower probability is unsure.

    Returns:
        The unsure samples' share of all (%), then each digit's share of all samples (%) among the
        sure ones and among the unsure ones: the two add up to the digit's share.
    """
    called, unsure = probabilities.argmax(axis=1), probabilities.max(axis=1) < below

    def shares(chosen: np.ndarray) -> np.ndarray:
        return 100 * np.bincount(called[chosen], minlength=10) / len(called)

    return 100 * float(unsure.mean()), shares(~unsure), shares(unsure)


def describe(name: str, probabilities: np.ndarray, below: float) -> tuple[str, float]:
    """One line of figures for a set of samples, and its unsure share (%)."""
    unsure_part, sure, unsure = split(probabilities, below)
    gaps = sure + unsure - 100 * np.array(quality.MNIST_SHARES)
    points = " ".join
    line = (
        f"{name}: {unsure_part:.1f}% unsure (top class under {below}); gaps 0 to 9 "
        f"{points(f'{g:+.1f}' for g in gaps)}; called 0 to 9 among the sure "
        f"{points(f'{s:.1f}' for s in sure)}, among the unsure "
        f"{points(f'{s:.1f}' for s in unsure)} (% of all)"
    )
    return line, unsure_part


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="unsure_digits.py", description=__doc__.splitlines()[0])
    parser.add_argument("samples", nargs="+", type=Path, help="runs' samples.npy (uint8, n x 28 x 28)")
    parser.add_argument("--below", type=float, default=UNSURE_BELOW, help="unsure under this (0.9)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data", help="where the classifier is")
    args = parser.parse_args(argv)
    if not 0 < args.below <= 1:
        parser.error(f"--below takes a probability above 0 and at most 1, got {args.below}")
    try:
        runs = [(path, load_digits(path)) for path in args.samples]
    except (OSError, ValueError) as error:
        parser.error(f"{error}. Pass runs' samples, such as data/checkpoints/mnist-1a2b3c4d5e6f/samples.npy.")
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        judge = quality.MnistJudge(args.data_dir)
    line, real_part = describe("MNIST's test digits", judge.predict(judge.real), args.below)
    print(line)
    parts = []
    for path, images in runs:
        line, part = describe(path.parent.name or str(path), judge.predict(images), args.below)
        parts.append(part)
        print(line, flush=True)
    print(
        f"unsure samples: {min(parts):.1f}% to {max(parts):.1f}% of the runs' draws, "
        f"against {real_part:.1f}% of MNIST's test digits"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
