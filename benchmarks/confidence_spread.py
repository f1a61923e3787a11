"""How far the mean confidence of the 25 samples a notebook shows strays from that of many samples.

The reviewer's draft measures the last grid of 25 digits a submitted notebook shows and compares
its mean confidence with the one the notebook reports over 2,000 samples; a gap larger than
``samples.CONFIDENCE_TOLERANCE`` says the report is not borne out. This draws 25 of a run's saved
samples (``samples.npy``, which the notebook writes in the run's checkpoint folder) many times and
counts how often an honest report would be flagged.

Usage: python -m benchmarks.confidence_spread data/checkpoints/mnist-*/samples.npy [--draws 10000]
The last line is ``K of N draws flagged (tolerance T)``.
"""

import argparse
import contextlib
import io
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from harness import judges
from harness.project import PROJECT
from harness.review.samples import CONFIDENCE_TOLERANCE


def spread(confidences: np.ndarray, size: int, draws: int, seed: int = 0) -> np.ndarray:
    """The mean confidence of ``draws`` random sets of ``size`` samples."""
    rng = np.random.default_rng(seed)
    picks = (rng.choice(len(confidences), size, replace=False) for _ in range(draws))
    return np.array([confidences[chosen].mean() for chosen in picks])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path, help="a run's samples.npy (uint8, n x 28 x 28)")
    parser.add_argument("--data-dir", type=Path, default=PROJECT / "data", help="where the classifier is")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=25, help="samples in the grid the notebook shows")
    args = parser.parse_args(argv)
    digits = np.load(args.samples)
    images = digits.reshape(len(digits), 28, 28, 1).astype(np.float32) / 127.5 - 1
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        confidences = judges.MnistJudge(args.data_dir, samples=1000).predict(images).max(axis=1)
    means = spread(confidences, args.size, args.draws)
    mean = float(confidences.mean())
    deviation = confidences.std()
    print(f"{len(confidences)} samples: mean confidence {mean:.3f}, standard deviation {deviation:.3f}")
    print(
        f"the mean of {args.size}: standard deviation {means.std():.3f}, 0.1st percentile "
        f"{np.percentile(means, 0.1):.3f}, largest distance from {mean:.3f} {np.abs(means - mean).max():.3f}"
    )
    flagged = int(np.sum(np.abs(means - mean) > CONFIDENCE_TOLERANCE))
    print(f"{flagged} of {args.draws} draws flagged (tolerance {CONFIDENCE_TOLERANCE})")


if __name__ == "__main__":
    main()
