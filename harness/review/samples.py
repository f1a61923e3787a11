"""The samples a submitted notebook shows, measured again.

At each epoch's end the notebook shows a grid of 25 samples ("Samples after epoch 2 (step 7500):"),
each 28x28, drawn at twice their size. The last grid of digits is cut back into its samples and
measured with the project's digit classifier (the one the reviewer's own run trained, in
``data/``): their mean confidence, and which digits they are. 25 samples tell less than the 2,000
the notebook measured, so the comparison allows for it (``CONFIDENCE_TOLERANCE``).
"""

from __future__ import annotations

import base64
import functools
import io
from pathlib import Path

import numpy as np
from PIL import Image

from harness import judges
from harness.review import copies

CAPTION = "Samples after epoch"
TILE = 28
MOST_PIXELS = 2048 * 2048  # A grid of samples is a few hundred pixels wide; more is not one.
# Mean confidence over 25 samples against the notebook's over 2,000: a reported figure further
# from the measured one than this is not what the samples show.
CONFIDENCE_TOLERANCE = 0.15
COPY_CHECKED = 1000  # Of a training done again's samples, those checked for copies.


def last_grids(notebook) -> dict[str, np.ndarray]:
    """The last grid of samples shown after an epoch, by kind ("digits", "faces"), as uint8 arrays."""
    grids, captioned = {}, False
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text = output.get("text", "")
            if CAPTION in ("".join(text) if isinstance(text, list) else text):
                captioned = True
            elif captioned and "image/png" in output.get("data", {}):
                captioned = False
                grid = _decoded(output["data"]["image/png"])
                if grid is not None:
                    grids["digits" if grid.ndim == 2 else "faces"] = grid
    return grids


def _decoded(png: str) -> np.ndarray | None:
    """The grid at the samples' own size: grayscale (h, w) or colour (h, w, 3); None if not a grid."""
    try:
        with Image.open(io.BytesIO(base64.b64decode(png))) as image:
            if image.width * image.height > MOST_PIXELS:
                return None
            pixels = np.asarray(image.convert("RGB"))
    except (OSError, ValueError):
        return None
    for scale in (4, 3, 2):
        small = pixels[::scale, ::scale]
        if np.array_equal(np.repeat(np.repeat(small, scale, 0), scale, 1), pixels):
            pixels = small
            break
    if pixels.shape[0] % TILE or pixels.shape[1] % TILE:
        return None
    grey = (pixels == pixels[..., :1]).all()
    return pixels[..., 0] if grey else pixels


def tiles(grid: np.ndarray) -> np.ndarray:
    """The samples of a grid, in [-1, 1], shaped (n, 28, 28, channels) as the generator draws them."""
    return _cut(grid).astype(np.float32) / 127.5 - 1


def _cut(grid: np.ndarray) -> np.ndarray:
    """The samples of a grid as its pixels, (n, 28, 28, channels)."""
    grid = grid[..., None] if grid.ndim == 2 else grid
    rows, columns = grid.shape[0] // TILE, grid.shape[1] // TILE
    cut = grid.reshape(rows, TILE, columns, TILE, grid.shape[-1]).swapaxes(1, 2)
    return cut.reshape(rows * columns, TILE, TILE, grid.shape[-1])


def measure_digits(grid: np.ndarray, data_dir: Path) -> dict:
    """The digit classifier's ``confidence`` and ``digits`` (how many of each) on a grid's ``count``
    samples, with ``copies`` (``copies.copies``: how many are MNIST digits) and the ``picture``
    measured; where ``data_dir`` has no trained classifier, the picture and why it is ``unmeasured``.
    """
    shown = {"picture": picture(grid), "count": len(_cut(grid))}
    if not (data_dir / judges.CLASSIFIER_FILE).is_file():
        return shown | {
            "unmeasured": "the digit classifier is not in your data folder: run the notebook once"
        }
    probabilities = _judge(data_dir.resolve()).predict(tiles(grid))
    counts = np.bincount(probabilities.argmax(axis=1), minlength=10)
    measured = {"confidence": float(probabilities.max(axis=1).mean()), "digits": counts.tolist()}
    return shown | measured | {"copies": copies.copies(_cut(grid)[..., 0], data_dir)}


def picture(grid: np.ndarray, scale: int = 2) -> str:
    """The grid as we decoded it, re-encoded as a small PNG (base64) for the review's page."""
    image = Image.fromarray(grid).resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST)
    stream = io.BytesIO()
    image.save(stream, format="PNG", optimize=True)
    return base64.b64encode(stream.getvalue()).decode("ascii")


def measure_trained(samples: np.ndarray, data_dir: Path) -> dict:
    """The figures of the samples a training done again left (uint8, (n, 28, 28)), measured here:
    ``fd_of_noise``, ``confidence``, ``rarest`` and ``copies``."""
    # Against as many real digits as the notebook's measure uses for as many samples: the same FD.
    judge = _judge(data_dir.resolve(), min(len(samples), 10_000))
    scores = judge.evaluate(samples[..., None].astype(np.float32) / 127.5 - 1)
    found = {key: scores[key] for key in ("fd_of_noise", "confidence")} | {"rarest": min(scores["classes"])}
    return found | {"copies": copies.copies(samples[:COPY_CHECKED], data_dir)}


@functools.cache
def _judge(data_dir: Path, real: int = 1000) -> judges.MnistJudge:
    """The digit classifier of ``data_dir`` with ``real`` test digits, loaded once for a batch of reviews."""
    return judges.MnistJudge(data_dir, samples=real)
