"""Judging generated faces: the Fréchet distance in the features of a fixed random-weight network
(no pretrained network can be fetched for faces: a weaker signal, for comparing runs)."""

from __future__ import annotations

import numpy as np

from harness.judges.judge import Judge
from harness.judges.network import Network


class RandomFeatureJudge(Judge):
    """Judges generated images in the features of a fixed random-weight conv net.

    No pretrained network can be fetched for faces, so this distance is a weaker signal than
    the digit classifier's: it compares runs with each other, not with a standard.
    """

    signal = "random-weight conv net features, a weaker signal"
    kind = "faces"

    def __init__(self, real: np.ndarray, seed: int = 0) -> None:
        """Args:
        real: Real images in [-1, 1], shape (n, 28, 28, channels).
        seed: Seed of the random weights and of the noise floor.
        """
        self._network = Network(channels=real.shape[-1], layers=(32, 64, 128), kernel=3)
        rng = np.random.default_rng(seed)
        weights = []
        for shape in (v.shape.as_list() for v in self._network.variables):
            fan_in = np.prod(shape[:-1]) if len(shape) > 1 else 0
            # He-initialised kernels keep the activations' scale from layer to layer; zero biases.
            weights.append(rng.normal(0, np.sqrt(2 / fan_in), shape) if fan_in else np.zeros(shape))
        self._network.load([w.astype(np.float32) for w in weights])
        super().__init__(real, seed)
