"""Judging generated digits: the Fréchet distance in the digit classifier's features, each digit's
share of the samples beside its share of MNIST, and the classifier's mean confidence."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from harness.data import download, extract
from harness.judges.classifier import as_served, digit_classifier
from harness.judges.judge import Judge
from harness.judges.network import softmax

# How many of MNIST's 60,000 training digits are each of 0-9: the share a GAN should draw of each.
MNIST_TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
MNIST_SHARES = tuple(count / sum(MNIST_TRAIN_COUNTS) for count in MNIST_TRAIN_COUNTS)


class MnistJudge(Judge):
    """Judges generated digits with a digit classifier the project trains itself.

    Attributes:
        accuracy: The classifier's accuracy on MNIST's 10,000 test digits.
        floors: See ``Judge``.
    """

    signal = "digit classifier features"
    kind = "digits"

    def __init__(self, data_dir: str | os.PathLike, samples: int = 10_000, seed: int = 0) -> None:
        """Loads the classifier from ``data_dir`` (training and caching it the first time).

        Args:
            data_dir: The data folder: MNIST's four files are fetched there (or found there)
                and the classifier is cached there as ``mnist_classifier.npz``.
            samples: Real test digits to compare against (at most 10,000).
            seed: Seed of the classifier's training and of the noise floor.
        """
        data_dir = Path(data_dir)
        self._network, self.accuracy = digit_classifier(data_dir, seed)
        test = as_served(extract.read_idx(download.fetch("mnist-test-images", data_dir), "images"))
        real = test[np.random.default_rng(seed).permutation(len(test))[:samples]]
        super().__init__(real, seed)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 10) of the digits in ``images``."""
        return softmax(self._network.run([self._network.logits], images)[0])

    def evaluate(self, images: np.ndarray) -> dict:
        """Measures generated digits: FD, the share of each digit class, the mean confidence.

        Returns:
            ``{"fd", "fd_of_noise", "classes": shares of digits 0-9, "confidence"}``.
        """
        # One pass through the classifier gives both the features and the class logits.
        features, logits = self._network.run([self._network.features, self._network.logits], images)
        scores = self._distance(features)
        probabilities = softmax(logits)
        counts = np.bincount(probabilities.argmax(axis=1), minlength=10)
        scores["classes"] = (counts / len(images)).tolist()
        scores["confidence"] = float(probabilities.max(axis=1).mean())
        return scores

    def describe(self, scores: dict) -> str:
        digit, gap = furthest_share(scores["classes"])
        return (
            f"{super().describe(scores)}; rarest digit {min(scores['classes']):.1%} of samples; "
            f"mean confidence {scores['confidence']:.3f}; furthest from its share of MNIST: "
            f"{digit} ({100 * gap:+.1f} points)"
        )


def furthest_share(classes) -> tuple[int, float]:
    """The digit whose share of the samples ``classes`` lies furthest from its share of MNIST's
    training digits, and by how much (positive: drawn too often)."""
    gaps = np.asarray(classes, dtype=float) - MNIST_SHARES
    digit = int(np.abs(gaps).argmax())
    return digit, float(gaps[digit])
