"""A small convolutional network in a TensorFlow graph of its own: the judges' feature extractor."""

from __future__ import annotations

import itertools

import numpy as np

_BATCH = 500  # Images per forward pass when features are computed.


class Network:
    """A small convolutional network in its own TensorFlow graph and session.

    With ``dense`` units its features are a dense layer after the convolutions (the digit
    classifier's penultimate layer); without, they are each convolution's channel means and
    standard deviations over the image (texture statistics, which a random net still gives).
    """

    def __init__(
        self,
        channels: int,
        layers: tuple[int, ...],
        kernel: int,
        dense: int | None = None,
        classes: int = 0,
        seed: int = 0,
    ) -> None:
        import tensorflow.compat.v1 as tf

        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.set_random_seed(seed)
            # Each layer's own seed: the legacy layers' default initializer ignores the graph's.
            seeds = itertools.count(seed * 100)

            def initializer():
                return tf.glorot_uniform_initializer(seed=next(seeds))

            self.images = tf.placeholder(tf.float32, (None, 28, 28, channels), name="images")
            self.training = tf.placeholder_with_default(False, (), name="training")
            x, statistics = self.images, []
            for filters in layers:
                x = tf.layers.conv2d(
                    x,
                    filters,
                    kernel,
                    strides=2,
                    padding="same",
                    activation=tf.nn.relu,
                    kernel_initializer=initializer(),
                )
                mean, variance = tf.nn.moments(x, axes=(1, 2))
                statistics += [mean, tf.sqrt(variance + 1e-6)]
            if dense:
                self.features = tf.layers.dense(
                    tf.layers.flatten(x), dense, activation=tf.nn.relu, kernel_initializer=initializer()
                )
            else:
                self.features = tf.concat(statistics, axis=1)
            dropped = tf.layers.dropout(self.features, 0.3, training=self.training, seed=next(seeds))
            self.logits = (
                tf.layers.dense(dropped, classes, kernel_initializer=initializer()) if classes else None
            )
            self.variables = tf.global_variables()
            self._values = [tf.placeholder(v.dtype.base_dtype, v.shape) for v in self.variables]
            self._assign = tf.group(*(v.assign(value) for v, value in zip(self.variables, self._values)))
            self.session = tf.Session(graph=self.graph)

    def load(self, weights: list[np.ndarray]) -> None:
        self.session.run(self._assign, dict(zip(self._values, weights, strict=True)))

    def weights(self) -> list[np.ndarray]:
        return self.session.run(self.variables)

    def run(self, fetches: list, images: np.ndarray) -> list[np.ndarray]:
        """Runs ``fetches`` on ``images`` in batches; returns each fetch's results, joined."""
        parts = [
            self.session.run(fetches, {self.images: images[start : start + _BATCH]})
            for start in range(0, len(images), _BATCH)
        ]
        return [np.concatenate(results) for results in zip(*parts, strict=True)]


def softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)
