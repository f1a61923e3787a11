"""Input pipeline: the original per-file loader against helper.Dataset's cache, in one run.

Makes CelebA-sized JPEGs (178x218 RGB, photo-like texture), then times on the same files:
  * an epoch of the original project's pipeline: open, decode, crop, resize every JPEG of
    every batch, in one thread;
  * an epoch of helper.Dataset, sliced from its memory-mapped cache;
  * building that cache, against decoding every file once in a single process.

Usage: python benchmarks/input_pipeline.py [--images 6000] [--batch-size 64]
The last line is ``epoch speedup: N.Nx``.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import helper
from harness.data import images


def original_get_image(path: str, width: int, height: int, mode: str) -> np.ndarray:
    """The original project's decode: full-size decode, crop 108x108, bilinear resize."""
    image = Image.open(path)
    if image.size != (width, height):
        j = (image.size[0] - images.FACE_CROP) // 2
        i = (image.size[1] - images.FACE_CROP) // 2
        image = image.crop([j, i, j + images.FACE_CROP, i + images.FACE_CROP])
        image = image.resize([width, height], Image.BILINEAR)
    return np.array(image.convert(mode))


def original_epoch(files: list[str], batch_size: int) -> int:
    """The original Dataset.get_batches: every batch decoded from its files, in order."""
    batches = 0
    for start in range(0, len(files) - batch_size + 1, batch_size):
        batch = np.array([original_get_image(f, 28, 28, "RGB") for f in files[start : start + batch_size]])
        batch = batch.astype(np.float32) / 255 - 0.5
        batches += 1
    return batches


def make_photos(folder: Path, count: int) -> list[str]:
    rng = np.random.default_rng(0)
    paths = []
    for index in range(1, count + 1):
        smooth = Image.fromarray(rng.integers(0, 256, (9, 8, 3), dtype=np.uint8)).resize(
            (178, 218), Image.BICUBIC
        )
        texture = np.asarray(smooth, np.int16) + rng.normal(0, 3, (218, 178, 3)).astype(np.int16)
        path = folder / f"{index:06d}.jpg"
        Image.fromarray(texture.clip(0, 255).astype(np.uint8)).save(path, quality=85)
        paths.append(str(path))
    return paths


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=6000)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        folder = Path(workdir) / "img_align_celeba"
        folder.mkdir()
        print(f"Making {args.images} CelebA-sized JPEGs ...")
        files = make_photos(folder, args.images)

        single = timed(lambda: [original_get_image(f, 28, 28, "RGB") for f in files])
        dataset = helper.Dataset("celeba", files, seed=0)
        build = timed(lambda: dataset.images)

        original = timed(original_epoch, files, args.batch_size)
        # A cached epoch takes milliseconds: the median of several is steadier than one.
        cached = statistics.median(
            timed(lambda: sum(1 for _ in dataset.get_batches(args.batch_size))) for _ in range(20)
        )

    n = args.images
    print(f"single-process decode (original): {single:7.2f} s  {n / single:10.0f} images/s")
    print(f"cache build ({os.cpu_count()} processes):       {build:7.2f} s  {n / build:10.0f} images/s")
    print(f"epoch, original per-file pipeline: {original:7.3f} s  {n / original:10.0f} images/s")
    print(f"epoch, cached pipeline:            {cached:7.4f} s  {n / cached:10.0f} images/s")
    print(f"cache build speedup: {single / build:.1f}x")
    print(f"epoch speedup: {original / cached:.1f}x")


if __name__ == "__main__":
    main()
