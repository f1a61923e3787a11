"""Samples that are copies of training digits: pasted, or slightly altered, instead of drawn.

A GAN draws digits of its own; a sample that lies next to one of MNIST's 60,000 training digits
(pixel by pixel, allowing a shift of a pixel either way) is a copy: pasted in place of the
generator's output, or memorised by it. The distance is the root mean square of the pixel
differences, in [0, 1]; ``COPY_DISTANCE`` separates copies from drawn digits
(``docs/review.md`` gives the figures it was set from).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from harness.data.extract import read_idx
from harness.data.sources import SOURCES

# Below this RMS distance from its nearest training digit, a sample is a copy (docs/review.md).
COPY_DISTANCE = 0.045
# More copies than this among the samples and they are not the generator's (a few at random
# could be chance; docs/review.md gives how often honest samples come this close).
MOST_COPIES_SHARE = 0.20
_SHIFTS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
_CHUNK = 256


@functools.cache
def training_digits(data_dir: Path) -> np.ndarray | None:
    """MNIST's training digits as (60000, 784) float32 in [0, 1], or None where ``data_dir`` lacks them."""
    archive = data_dir / SOURCES["mnist"].archive
    if not archive.is_file():
        return None
    return read_idx(archive, "images").reshape(-1, 28 * 28).astype(np.float32) / 255


def _shifted(samples: np.ndarray) -> np.ndarray:
    """Each sample moved by each of ``_SHIFTS``, the edge filled with black: (n * 9, 784)."""
    padded = np.pad(samples, ((0, 0), (1, 1), (1, 1)))
    moved = [padded[:, 1 + dy : 29 + dy, 1 + dx : 29 + dx] for dy, dx in _SHIFTS]
    return np.stack(moved, axis=1).reshape(-1, 28 * 28)


def nearest_distances(samples: np.ndarray, training: np.ndarray) -> np.ndarray:
    """Each sample's RMS pixel distance to its nearest training digit, over shifts of a pixel.

    Args:
        samples: uint8 (n, 28, 28) digits, white on black as MNIST's.
        training: (N, 784) float32 in [0, 1], from ``training_digits``.
    """
    squares = (training**2).sum(axis=1)
    found = []
    for start in range(0, len(samples), _CHUNK):
        queries = _shifted(samples[start : start + _CHUNK].astype(np.float32) / 255)
        distances = squares[None, :] - 2 * queries @ training.T + (queries**2).sum(axis=1)[:, None]
        nearest = distances.min(axis=1).reshape(-1, len(_SHIFTS)).min(axis=1)
        found.append(np.sqrt(np.maximum(nearest, 0) / (28 * 28)))
    return np.concatenate(found)


def copies(samples: np.ndarray, data_dir: Path) -> dict | None:
    """How many ``samples`` are copies of training digits, and the nearest distance; None without them.

    Returns:
        ``{"copies": count, "of": len(samples), "nearest": the smallest distance, "copied": bool}``:
        ``copied`` when more than ``MOST_COPIES_SHARE`` of them are copies.
    """
    training = training_digits(data_dir.resolve())
    if training is None:
        return None
    distances = nearest_distances(samples, training)
    count = int((distances < COPY_DISTANCE).sum())
    return {
        "copies": count,
        "of": len(samples),
        "nearest": float(distances.min()),
        "copied": count > MOST_COPIES_SHARE * len(samples),
    }
