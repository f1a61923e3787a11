"""Digit quality over several seeds: the notebook's own MNIST training, judged after its epochs.

Each seed trains the notebook's functions exactly as its MNIST cell does (its ``new_run`` and
its ``train``, with its hyperparameters and constants), then reads the quality measured after
the last epoch by ``judges.MnistJudge``: the Fréchet distance in share of the noise floor, the
ten digits' shares and the mean confidence. A seed meets the target when all three do: FD at
most 2.0% of the noise floor, every digit within 1 point of its share of MNIST's training digits
(the line names the digit furthest from its share), confidence at least 0.90.

The figures after each epoch, over the seeds (min and max) and seed by seed, are written to
``--band``: by default, when the run has the notebook's settings (2 full epochs), the file the
project ships, ``harness/reference_band.json``, against which the notebook draws a learner's run.

Usage: python -m benchmarks.quality_seeds --seeds 5 [--data-dir data] [--max-batches N] [--band FILE]
Each seed's figures are printed as it finishes; the last line is ``K/N seeds met the target``.
About 10 minutes a seed on a 2-core CPU for the full 2 epochs.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.

from harness import atomic, project
from harness.judges import furthest_share
from harness.mnist_run import train_mnist
from harness.project import PROJECT

SHIPPED_BAND = PROJECT / "harness" / "reference_band.json"

# The target after MNIST's 2 epochs (issue "Every digit in its real share").
MOST_FD_OF_NOISE, MOST_SHARE_GAP, LEAST_CONFIDENCE = 0.020, 0.010, 0.90


def meets(scores: dict) -> bool:
    """Whether one run's last quality meets the target."""
    _, gap = furthest_share(scores["classes"])
    return (
        scores["fd_of_noise"] <= MOST_FD_OF_NOISE
        and abs(gap) <= MOST_SHARE_GAP
        and scores["confidence"] >= LEAST_CONFIDENCE
    )


def train_seed(seed: int, data_dir: str, epochs: int, max_batches: int | None, samples: int) -> list[dict]:
    """Trains MNIST as the notebook does with ``seed``; returns the quality after each epoch."""
    history = train_mnist(project.load_functions(), seed, data_dir, epochs, max_batches, samples)
    if not history["quality"]:
        raise RuntimeError(f"seed {seed}: no quality was measured (no epoch finished)")
    return history["quality"]


def figures(scores: dict) -> dict:
    """The figures the band keeps of one measurement."""
    digit, gap = furthest_share(scores["classes"])
    return {
        "fd_of_noise": scores["fd_of_noise"],
        "confidence": scores["confidence"],
        "rarest": min(scores["classes"]),
        "largest_gap": abs(gap),
        "furthest_digit": digit,
        "classes": list(scores["classes"]),
    }


def band(seeds: dict[int, list[dict]]) -> list[dict]:
    """Per epoch, the min and max of each figure over the seeds that reached it."""
    epochs = max(len(measured) for measured in seeds.values())
    rows = []
    for epoch in range(epochs):
        reached = [figures(measured[epoch]) for measured in seeds.values() if len(measured) > epoch]
        row = {"epoch": epoch + 1, "seeds": len(reached)}
        for name in ("fd_of_noise", "confidence", "rarest", "largest_gap"):
            values = [measured[name] for measured in reached]
            row[name] = [min(values), max(values)]
        rows.append(row)
    return rows


def write_band(path: Path, seeds: dict[int, list[dict]], settings: dict) -> None:
    """Writes the band and each seed's figures to ``path``, all or nothing."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True
    )
    content = {
        "made_by": " ".join(
            ["python -m benchmarks.quality_seeds", *(f"--{k} {v}" for k, v in settings.items())]
        ),
        "commit": commit.stdout.strip() or None,
        "band": band(seeds),
        "seeds": {str(seed): [figures(scores) for scores in measured] for seed, measured in seeds.items()},
    }
    with atomic.replacing(path) as temp:
        temp.write_text(json.dumps(content, indent=1) + "\n")


def describe(seed: int, scores: dict, seconds: float) -> str:
    """One seed's line: the three figures, the ten shares and the furthest digit, the verdict."""
    digit, gap = furthest_share(scores["classes"])
    shares = " ".join(f"{share:.1%}" for share in scores["classes"])
    return (
        f"seed {seed}: FD {scores['fd_of_noise']:.1%} of the noise floor, rarest digit "
        f"{min(scores['classes']):.1%}, confidence {scores['confidence']:.3f}; shares of 0-9: {shares}; "
        f"furthest from its share: {digit} ({100 * gap:+.1f} points): "
        f"{'meets' if meets(scores) else 'misses'} the target ({seconds:.0f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quality_seeds.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds, from 0 (default 5)")
    parser.add_argument("--data-dir", default=str(PROJECT / "data"), help="the notebook's data_dir")
    parser.add_argument("--epochs", type=int, default=2, help="MNIST epochs (default 2, as the notebook)")
    parser.add_argument("--max-batches", type=int, default=None, help="batches per epoch (default all)")
    parser.add_argument("--samples", type=int, default=10_000, help="samples judged (default 10000)")
    parser.add_argument(
        "--band",
        type=Path,
        help="where the band is written (default: the shipped one, for the notebook's settings)",
    )
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.epochs < 1 or (args.max_batches is not None and args.max_batches < 1):
        parser.error("--seeds, --epochs and --max-batches take whole numbers from 1")
    notebook_settings = args.epochs == 2 and args.max_batches is None and args.samples == 10_000
    band_path = args.band or (SHIPPED_BAND if notebook_settings else None)
    settings = {
        "seeds": args.seeds,
        "epochs": args.epochs,
        "max-batches": args.max_batches,
    }

    met, seeds = 0, {}
    for seed in range(args.seeds):
        start = time.perf_counter()
        seeds[seed] = train_seed(seed, args.data_dir, args.epochs, args.max_batches, args.samples)
        met += meets(seeds[seed][-1])
        print(describe(seed, seeds[seed][-1], time.perf_counter() - start), flush=True)
    if band_path is not None:  # Only over every seed: a stopped run leaves the band it found.
        write_band(band_path, seeds, {k: v for k, v in settings.items() if v is not None})
        print(f"band over {len(seeds)} seeds, per epoch: {band_path}")
    print(
        f"{met}/{args.seeds} seeds met the target (FD at most {MOST_FD_OF_NOISE:.1%} of the noise floor, "
        f"every digit within {100 * MOST_SHARE_GAP:.0f} point of its share of MNIST, "
        f"confidence at least {LEAST_CONFIDENCE})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
