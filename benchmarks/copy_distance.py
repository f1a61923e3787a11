"""The copy line: how far drawn samples, real digits and edited copies lie from MNIST's digits.

The review calls a sample a copy when its nearest MNIST digit (training or test; compared as
shapes, see ``harness/review/copies.py``) is closer than ``copies.COPY_DISTANCE``. This measures
that distance for real digits the references do not hold (MNIST's test digits against its training
digits alone: how close two real, different digits come), for public digits pasted as they are or
edited (JPEG, noise, dimmed, contrast, blurred, shifted by 2 and 3 pixels, and all at once), and
for the samples of real runs (``samples.npy``, which the notebook writes in each run's checkpoint
folder).

Usage: python -m benchmarks.copy_distance [data/checkpoints/mnist-*/samples.npy ...] [--data-dir data]
One line per kind (the 1st, 5th, 50th percentile and the largest, and the share called a copy);
the last line is the largest share of drawn or real digits called a copy, and the smallest share
of edited copies caught.
"""

import argparse
import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from harness.data.extract import read_idx
from harness.data.sources import SOURCES
from harness.review.copies import COPY_DISTANCE, nearest_distances, prepared, public_digits


def edited(digits: np.ndarray, rng) -> dict[str, np.ndarray]:
    """Public digits pasted as they are and edited the ways a forger might."""

    def each(change, images=digits):
        return np.stack([np.asarray(change(Image.fromarray(d))) for d in images]).astype(np.uint8)

    def jpeg(image, quality=75):
        stream = io.BytesIO()
        image.save(stream, format="JPEG", quality=quality)
        return Image.open(stream).convert("L")

    def shifted(images, pixels):  # Down and to the left, the frame filled with black.
        padded = np.pad(images, ((0, 0), (pixels, 0), (0, pixels)))
        return padded[:, :28, pixels:]

    def blurred(images, radius):
        return each(lambda image: image.filter(ImageFilter.GaussianBlur(radius)), images)

    scaled = digits.astype(np.float32)
    noisy = np.clip(scaled + rng.normal(0, 0.05 * 255, digits.shape), 0, 255).astype(np.uint8)
    dimmed = (scaled * 0.8).astype(np.uint8)
    return {
        "pasted": digits,
        "JPEG 75": each(jpeg),
        "noise 5%": noisy,
        "dimmed 80%": dimmed,
        "dimmed 60%": (scaled * 0.6).astype(np.uint8),
        "contrast 1.5, grey background": np.clip((scaled - 128) * 1.5 + 160, 0, 255).astype(np.uint8),
        "blurred 0.6": blurred(digits, 0.6),
        "blurred 1.0": blurred(digits, 1.0),
        "shifted 2 px": shifted(digits, 2),
        "shifted 3 px": shifted(digits, 3),
        "dimmed, blurred 0.6, shifted 2 px": blurred(shifted(dimmed, 2), 0.6),
    }


def line(kind: str, distances: np.ndarray) -> str:
    low, five, median, high = np.percentile(distances, [1, 5, 50, 95])
    called = float((distances < COPY_DISTANCE).mean())
    return (
        f"{kind:<40} 1st {low:.3f}  5th {five:.3f}  median {median:.3f}  95th {high:.3f}"
        f"  largest {distances.max():.3f}  copies {called:.1%}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", nargs="*", type=Path, help="samples.npy files of real runs")
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--count", type=int, default=500, help="of each kind (default 500)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    public = public_digits(args.data_dir.resolve())
    if public is None:
        parser.error(f"{args.data_dir} lacks MNIST's training or test digits: run the notebook once.")
    references = prepared(public)
    training = read_idx(args.data_dir / SOURCES["mnist"].archive, "images")
    test = read_idx(args.data_dir / SOURCES["mnist-test-images"].archive, "images")
    unseen = nearest_distances(test[rng.choice(len(test), args.count, replace=False)], prepared(training))
    print(line("real digits not among the references", unseen))
    honest, caught = [float((unseen < COPY_DISTANCE).mean())], []
    for kind, copies in edited(public[rng.choice(len(public), args.count, replace=False)], rng).items():
        distances = nearest_distances(copies, references)
        caught.append(float((distances < COPY_DISTANCE).mean()))
        print(line(kind, distances))
    for path in args.samples:
        drawn = np.load(path)
        distances = nearest_distances(
            drawn[rng.choice(len(drawn), min(args.count, len(drawn)), False)], references
        )
        honest.append(float((distances < COPY_DISTANCE).mean()))
        print(line(f"drawn: {path.parent.name}", distances))
    print(
        f"at {COPY_DISTANCE}: at most {max(honest):.1%} of real or drawn digits called copies; "
        f"at least {min(caught):.1%} of edited copies caught"
    )


if __name__ == "__main__":
    main()
