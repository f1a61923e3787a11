"""What a judge is: generated images against real ones, in the features of a fixed network."""

from __future__ import annotations

import numpy as np

from harness.judges.distance import frechet_distance
from harness.judges.network import Network


class Judge:
    """Compares generated images with real ones in the features of a fixed network.

    Subclasses build ``_network`` (and may add class statistics in ``evaluate``).

    Attributes:
        real: The real images compared against, in [-1, 1].
        floors: ``{"real": FD of two halves of the real images, "noise": FD of uniform noise
            against the real images}``, measured when the judge is made.
        signal: A few words saying what the distance means, for reports.
    """

    signal = ""
    kind = "images"
    _network: Network

    def __init__(self, real: np.ndarray, seed: int = 0) -> None:
        self.real = real
        self.real_features = self.features(real)
        half = len(real) // 2
        rng = np.random.default_rng(seed)
        noise = rng.uniform(-1, 1, size=real.shape).astype(np.float32)
        self.floors = {
            "real": frechet_distance(self.real_features[:half], self.real_features[half:]),
            "noise": frechet_distance(self.features(noise), self.real_features),
        }

    def features(self, images: np.ndarray) -> np.ndarray:
        """The network's feature vectors of ``images``, computed in batches."""
        return self._network.run([self._network.features], images)[0]

    def evaluate(self, images: np.ndarray) -> dict:
        """Measures generated images against the real ones.

        Returns:
            ``{"fd": distance, "fd_of_noise": distance as a fraction of the noise floor}``.
        """
        return self._distance(self.features(images))

    def _distance(self, features: np.ndarray) -> dict:
        fd = frechet_distance(features, self.real_features)
        return {"fd": fd, "fd_of_noise": fd / self.floors["noise"]}

    def describe(self, scores: dict) -> str:
        """One line for a report: the distance, where it stands between the floors."""
        return (
            f"FD {scores['fd']:.2f} = {100 * scores['fd_of_noise']:.1f}% of the noise floor "
            f"(floors: real {self.kind} {self.floors['real']:.2f}, noise {self.floors['noise']:.1f}; "
            f"in {self.signal})"
        )
