"""Digit quality over several seeds: the notebook's own MNIST training, judged after its epochs.

Each seed trains the notebook's functions exactly as its MNIST cell does (its ``new_run`` and
its ``train``, with its hyperparameters and constants), then reads the quality measured after
the last epoch by ``quality.MnistJudge``: the Fréchet distance in share of the noise floor, the
rarest digit's share and the mean confidence. A seed meets the target when all three do.

Usage: python benchmarks/quality_seeds.py --seeds 5 [--data-dir data] [--max-batches N]
Each seed's figures are printed as it finishes; the last line is ``K/N seeds met the target``.
About 10 minutes a seed on a 2-core CPU for the full 2 epochs.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.

from harness import project  # noqa: E402
from harness.mnist_run import train_mnist  # noqa: E402

# The target after MNIST's 2 epochs (issue "Good digits on every seed").
MOST_FD_OF_NOISE, LEAST_RAREST_DIGIT, LEAST_CONFIDENCE = 0.030, 0.075, 0.90


def meets(scores: dict) -> bool:
    """Whether one run's last quality meets the target."""
    return (
        scores["fd_of_noise"] <= MOST_FD_OF_NOISE
        and min(scores["classes"]) >= LEAST_RAREST_DIGIT
        and scores["confidence"] >= LEAST_CONFIDENCE
    )


def train_seed(seed: int, data_dir: str, epochs: int, max_batches: int | None, samples: int) -> dict:
    """Trains MNIST as the notebook does with ``seed``; returns the last epoch's quality."""
    history = train_mnist(project.load_functions(), seed, data_dir, epochs, max_batches, samples)
    if not history["quality"]:
        raise RuntimeError(f"seed {seed}: no quality was measured (no epoch finished)")
    return history["quality"][-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quality_seeds.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds, from 0 (default 5)")
    parser.add_argument("--data-dir", default=str(ROOT / "data"), help="the notebook's data_dir")
    parser.add_argument("--epochs", type=int, default=2, help="MNIST epochs (default 2, as the notebook)")
    parser.add_argument("--max-batches", type=int, default=None, help="batches per epoch (default all)")
    parser.add_argument("--samples", type=int, default=10_000, help="samples judged (default 10000)")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.epochs < 1 or (args.max_batches is not None and args.max_batches < 1):
        parser.error("--seeds, --epochs and --max-batches take whole numbers from 1")

    met = 0
    for seed in range(args.seeds):
        start = time.perf_counter()
        scores = train_seed(seed, args.data_dir, args.epochs, args.max_batches, args.samples)
        met += meets(scores)
        print(
            f"seed {seed}: FD {scores['fd_of_noise']:.1%} of the noise floor, rarest digit "
            f"{min(scores['classes']):.1%}, confidence {scores['confidence']:.3f}: "
            f"{'meets' if meets(scores) else 'misses'} the target ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    print(
        f"{met}/{args.seeds} seeds met the target (FD at most {MOST_FD_OF_NOISE:.1%} of the noise floor, "
        f"every digit at least {LEAST_RAREST_DIGIT:.1%}, confidence at least {LEAST_CONFIDENCE})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
