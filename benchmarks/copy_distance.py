"""How far samples lie from MNIST's training digits: drawn ones, real unseen ones, and copies.

The review calls a sample a copy when its nearest training digit (RMS pixel distance, a shift of a
pixel allowed) is closer than ``copies.COPY_DISTANCE``. This measures that distance for MNIST's
10,000 test digits (real digits the GAN never saw), for training digits pasted as they are, through
JPEG, with noise, shifted by a pixel, dimmed or blurred, and for the samples of real runs
(``samples.npy``, which the notebook writes in each run's checkpoint folder).

Usage: python benchmarks/copy_distance.py [data/checkpoints/mnist-*/samples.npy ...] [--data-dir data]
One line per kind (the 1st, 5th, 50th percentile and the largest); the last line is the
share of each kind the line calls a copy.
"""

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from harness.data.extract import read_idx  # noqa: E402
from harness.data.sources import SOURCES  # noqa: E402
from harness.review.copies import COPY_DISTANCE, nearest_distances, training_digits  # noqa: E402


def altered(digits: np.ndarray, rng) -> dict[str, np.ndarray]:
    """Training digits pasted as they are and altered the ways a forger might."""

    def each(change):
        return np.stack([np.asarray(change(Image.fromarray(d))) for d in digits]).astype(np.uint8)

    def jpeg(image, quality=75):
        stream = io.BytesIO()
        image.save(stream, format="JPEG", quality=quality)
        return Image.open(stream).convert("L")

    noisy = np.clip(digits + rng.normal(0, 0.05 * 255, digits.shape), 0, 255).astype(np.uint8)
    return {
        "pasted": digits,
        "JPEG 75": each(jpeg),
        "noise 5%": noisy,
        "shifted 1 px": np.roll(digits, 1, axis=2),
        "dimmed 80%": (digits * 0.8).astype(np.uint8),
        "blurred": each(lambda image: image.filter(ImageFilter.GaussianBlur(0.6))),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", nargs="*", type=Path, help="samples.npy of real runs")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--count", type=int, default=500, help="of each kind (default 500)")
    args = parser.parse_args(argv)
    training = training_digits(args.data_dir.resolve())
    rng = np.random.default_rng(0)
    raw = read_idx(args.data_dir / SOURCES["mnist"].archive, "images")
    test = read_idx(args.data_dir / SOURCES["mnist-test-images"].archive, "images")
    kinds = {"real test digits": test[rng.choice(len(test), args.count, replace=False)]}
    kinds |= altered(raw[rng.choice(len(raw), args.count, replace=False)], rng)
    for path in args.samples:
        samples = np.load(path, allow_pickle=False)
        kinds[f"samples {path.parent.name}"] = samples[rng.choice(len(samples), args.count, replace=False)]
    called = []
    for kind, digits in kinds.items():
        distances = nearest_distances(digits, training)
        low, five, median = np.percentile(distances, [1, 5, 50])
        print(f"{kind}: 1% {low:.3f}, 5% {five:.3f}, median {median:.3f}, largest {distances.max():.3f}")
        called.append(f"{kind} {np.mean(distances < COPY_DISTANCE):.1%}")
    print(f"called copies at {COPY_DISTANCE}: " + "; ".join(called))


if __name__ == "__main__":
    main()
