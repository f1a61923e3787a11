"""Samples that are copies of MNIST's digits: pasted, or edited, instead of drawn.

A GAN draws digits of its own; a sample that lies next to one of MNIST's 70,000 public digits
(its training and its test digits) is a copy: pasted in place of the generator's output, or
memorised by it. Both are compared as shapes, not as pixel values: each image's levels are set
from its own background and ink (faint pixels dropped), it is moved so that its centre of mass is
the frame's centre (as MNIST centres its digits), blurred (a Gaussian of ``BLUR`` pixels) and
standardised (mean 0, length 1). Dimming, a change of contrast, a grey background, noise, a slight
blur or a shift of a few pixels then leaves a copy near its original. The distance is the length of the
difference of two such images (0: the same shape; about 1.4: unrelated), and ``COPY_DISTANCE``
separates copies from drawn digits (``docs/review.md`` gives the figures it was set from).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from harness.data.extract import read_idx
from harness.data.sources import SOURCES

PUBLIC = ("mnist", "mnist-test-images")  # The archives of MNIST's training and test digits.
# Below this distance from its nearest MNIST digit, a sample is a copy (docs/review.md).
COPY_DISTANCE = 0.08
# More copies than this among the samples and they are not the generator's (a few at random
# could be chance; docs/review.md gives how often honest samples come this close).
MOST_COPIES_SHARE = 0.20
BLUR = 1.5  # The Gaussian's standard deviation, in pixels.
FAINT = 0.1  # Of the ink's brightness: fainter pixels are background (noise, JPEG's ringing).
_CHUNK = 256
_SIZE, _MARGIN = 28, 4


def public_digits(data_dir: Path) -> np.ndarray | None:
    """MNIST's training and test digits as uint8 (70000, 28, 28), or None where ``data_dir`` lacks
    one of their archives."""
    archives = [data_dir / SOURCES[name].archive for name in PUBLIC]
    if not all(archive.is_file() for archive in archives):
        return None
    return np.concatenate([read_idx(archive, "images") for archive in archives])


@functools.cache
def _prepared_digits(data_dir: Path) -> np.ndarray | None:
    digits = public_digits(data_dir)
    return None if digits is None else prepared(digits)


def prepared(images: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) digits, white on black, as rows compared for shape: centred on their centre
    of mass in a frame with a margin (so that no ink is cut off), blurred, standardised: float32
    (n, 36 * 36), each of mean 0 and length 1."""
    centred = _blurred(_centred(_levelled(images))).reshape(len(images), -1)
    centred -= centred.mean(axis=1, keepdims=True)
    return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-6)


def _levelled(images: np.ndarray) -> np.ndarray:
    """Each image's background (its median) at 0 and its ink (its 99th percentile) at 1, with what
    is fainter than ``FAINT`` of the ink taken away: dimming, contrast, a grey background and
    faint noise or JPEG's ringing go."""
    flat = images.reshape(len(images), -1).astype(np.float32)
    low = np.median(flat, axis=1)[:, None, None]
    high = np.percentile(flat, 99, axis=1)[:, None, None]
    scaled = np.clip((images - low) / np.maximum(high - low, 1), 0, 1)
    return np.maximum(scaled - FAINT, 0) / (1 - FAINT)


def _blurred(images: np.ndarray) -> np.ndarray:
    """A Gaussian blur of ``BLUR`` pixels, the frame padded with black: ``K @ image @ K.T``, where
    row i of ``K`` holds the Gaussian's weights around pixel i."""
    size = images.shape[1]
    offsets = np.arange(size)[:, None] - np.arange(size)[None, :]
    kernel = np.exp(-0.5 * (offsets / BLUR) ** 2) * (np.abs(offsets) <= int(np.ceil(3 * BLUR)))
    kernel = (kernel / np.exp(-0.5 * (np.arange(-size, size) / BLUR) ** 2).sum()).astype(np.float32)
    return kernel @ images @ kernel.T


def _centred(images: np.ndarray) -> np.ndarray:
    """Each image moved by whole pixels so that its centre of mass lies at the centre of a frame
    ``_MARGIN`` pixels wider on each side (MNIST's own digits are centred so in theirs)."""
    mass = images.sum(axis=(1, 2))
    grid = np.arange(_SIZE, dtype=np.float32)
    rows = (images.sum(axis=2) @ grid) / np.maximum(mass, 1e-6)
    columns = (images.sum(axis=1) @ grid) / np.maximum(mass, 1e-6)
    moves = np.stack([np.round((_SIZE - 1) / 2 - rows), np.round((_SIZE - 1) / 2 - columns)], axis=1)
    moves = np.clip(moves, -_MARGIN, _MARGIN).astype(int)
    framed = np.zeros((len(images), _SIZE + 2 * _MARGIN, _SIZE + 2 * _MARGIN), np.float32)
    for move in np.unique(moves, axis=0):
        which = np.all(moves == move, axis=1)
        top, left = _MARGIN + move[0], _MARGIN + move[1]
        framed[which, top : top + _SIZE, left : left + _SIZE] = images[which]
    return framed


def nearest_distances(samples: np.ndarray, references: np.ndarray) -> np.ndarray:
    """Each sample's distance to its nearest reference digit.

    Args:
        samples: uint8 (n, 28, 28) digits, white on black as MNIST's.
        references: Rows from ``prepared``.
    """
    found = []
    for start in range(0, len(samples), _CHUNK):
        queries = prepared(samples[start : start + _CHUNK])
        closest = (queries @ references.T).max(axis=1)
        found.append(np.sqrt(np.maximum(2 - 2 * closest, 0)))
    return np.concatenate(found)


def copies(samples: np.ndarray, data_dir: Path) -> dict | None:
    """How many ``samples`` are copies of MNIST's digits, and the nearest distance; None without them.

    Returns:
        ``{"copies": count, "of": len(samples), "nearest": the smallest distance, "copied": bool}``:
        ``copied`` when more than ``MOST_COPIES_SHARE`` of them are copies.
    """
    references = _prepared_digits(data_dir.resolve())
    if references is None:
        return None
    distances = nearest_distances(samples, references)
    count = int((distances < COPY_DISTANCE).sum())
    return {
        "copies": count,
        "of": len(samples),
        "nearest": float(distances.min()),
        "copied": count > MOST_COPIES_SHARE * len(samples),
    }
