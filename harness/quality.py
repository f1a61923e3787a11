"""How well a GAN has learned its data, as numbers: Fréchet distance, digit classes, confidence.

Eyeballing samples tells you little about a GAN: whether all ten digits appear, whether they are
sharp. A judge measures it. ``MnistJudge`` trains a small digit classifier once (about half a
minute on a laptop CPU; cached in ``data_dir``, never downloaded) and compares generated digits
with MNIST's test digits in the classifier's penultimate-layer features:

- the **Fréchet distance** (FD) between the two sets of features (FID, with this classifier in
  place of Inception), next to two floors measured in the same run: real digits against other
  real digits (the best reachable) and uniform noise against real digits (the worst);
- the share of each predicted digit class (mode coverage: a GAN that draws only 1s fails here);
- the mean confidence of the top class (blurry or ambiguous digits score low).

For faces no pretrained network can be fetched, so ``RandomFeatureJudge`` gives the same
distance in the features of a fixed random-weight convolutional network: a weaker signal, which
tells a better run from a worse one but means little on its own.

All images are float arrays of shape (n, 28, 28, channels) in [-1, 1], as the generator draws.
"""

from __future__ import annotations

import io
import itertools
import json
import os
from pathlib import Path

import numpy as np
from PIL import Image

from harness import atomic
from harness.data import download, extract
from harness.data.errors import CorruptArchiveError

CLASSIFIER_FILE = "mnist_classifier.npz"
# How many of MNIST's 60,000 training digits are each of 0-9: the share a GAN should draw of each.
MNIST_TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
MNIST_SHARES = tuple(count / sum(MNIST_TRAIN_COUNTS) for count in MNIST_TRAIN_COUNTS)
# Bumped when the classifier or its training changes, so that a cached one is retrained.
# 2: seeded before its weights and dropout are created, so the same seed trains the same classifier.
_CLASSIFIER_VERSION = 2
_BATCH = 500  # Images per forward pass when features are computed.


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature vectors.

    ``|mu_a - mu_b|^2 + tr(C_a) + tr(C_b) - 2 tr((C_a C_b)^(1/2))``; the trace of the matrix
    square root is taken from the eigenvalues of ``C_a^(1/2) C_b C_a^(1/2)``, which is
    symmetric, so no general matrix square root (scipy) is needed.

    Args:
        features_a: Array (n, d).
        features_b: Array (m, d).

    Returns:
        The distance, 0 for identical sets.

    Raises:
        ValueError: The sets have different feature sizes or fewer than two vectors.
    """
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            f"frechet_distance needs two arrays (n, d) with the same d and n >= 2; got shapes "
            f"{a.shape} and {b.shape}."
        )
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    mean_gap = np.sum((a.mean(axis=0) - b.mean(axis=0)) ** 2)
    return float(max(mean_gap + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root, 0.0))


def as_served(digits: np.ndarray) -> np.ndarray:
    """MNIST digits (uint8, (n, 28, 28)) as the GAN sees them: JPEG-stored, in [-1, 1].

    ``helper.download_extract`` stores MNIST as JPEG files, so the GAN learns digits with
    JPEG's slight blur; the classifier and the real sets are given the same.

    Returns:
        float32 array (n, 28, 28, 1) in [-1, 1].
    """
    stored = np.empty_like(digits)
    for index, digit in enumerate(digits):
        buffer = io.BytesIO()
        Image.fromarray(digit, "L").save(buffer, format="JPEG")  # As helper.extract saves them.
        stored[index] = np.asarray(Image.open(buffer))
    return stored[..., None].astype(np.float32) / 127.5 - 1


class _Network:
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


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


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
    _network: _Network

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
        test_digits = extract.read_idx(download.fetch("mnist-test-images", data_dir), "images")
        test_labels = extract.read_idx(download.fetch("mnist-test-labels", data_dir), "labels")
        self._network = _Network(channels=1, layers=(32, 64), kernel=5, dense=128, classes=10, seed=seed)
        cache = data_dir / CLASSIFIER_FILE
        test = as_served(test_digits)
        if not self._load(cache):
            self._train(data_dir, seed)
            self.accuracy = float(np.mean(self.predict(test).argmax(axis=1) == test_labels))
            self._save(cache)
        real = test[np.random.default_rng(seed).permutation(len(test))[:samples]]
        super().__init__(real, seed)

    def _load(self, cache: Path) -> bool:
        if not cache.is_file():
            return False
        with np.load(cache) as stored:
            meta = json.loads(str(stored["meta"]))
            if meta.get("version") != _CLASSIFIER_VERSION:
                return False
            self._network.load([stored[f"w{i}"] for i in range(len(self._network.variables))])
        self.accuracy = meta["accuracy"]
        print(f"Digit classifier loaded from {cache} (test accuracy {self.accuracy:.2%})")
        return True

    def _save(self, cache: Path) -> None:
        weights = {f"w{i}": value for i, value in enumerate(self._network.weights())}
        meta = json.dumps({"version": _CLASSIFIER_VERSION, "accuracy": self.accuracy})
        needed = sum(value.nbytes for value in weights.values()) + 1024
        with atomic.replacing(cache, needed) as temp, temp.open("wb") as stream:
            np.savez(stream, meta=meta, **weights)
        print(f"Digit classifier: test accuracy {self.accuracy:.2%}; saved to {cache}")

    def _train(self, data_dir: Path, seed: int, epochs: int = 3, batch_size: int = 128) -> None:
        import tensorflow.compat.v1 as tf
        from tqdm import tqdm

        digits = extract.read_idx(download.fetch("mnist", data_dir), "images")
        labels = extract.read_idx(download.fetch("mnist-train-labels", data_dir), "labels")
        if len(digits) != len(labels):
            raise CorruptArchiveError(
                f"MNIST's training files disagree: {len(digits)} images but {len(labels)} labels. "
                f"Delete both archives in {data_dir} and run again."
            )
        images, net = as_served(digits), self._network
        with net.graph.as_default():
            targets = tf.placeholder(tf.int64, (None,))
            rate = tf.placeholder(tf.float32, ())
            loss = tf.losses.sparse_softmax_cross_entropy(targets, net.logits)
            step = tf.train.AdamOptimizer(rate).minimize(loss)
            net.session.run(tf.global_variables_initializer())
        rng = np.random.default_rng(seed)
        batches = range(0, len(images) - batch_size + 1, batch_size)
        for epoch in range(epochs):
            order = rng.permutation(len(images))
            # A rate that falls 3x per epoch: three epochs reach 98.8% to 99.0% of test digits.
            feed = {net.training: True, rate: 1e-3 / 3**epoch}
            for start in tqdm(batches, desc=f"Digit classifier, epoch {epoch + 1}/{epochs}", unit="batch"):
                chosen = order[start : start + batch_size]
                feed.update({net.images: images[chosen], targets: labels[chosen]})
                net.session.run(step, feed_dict=feed)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 10) of the digits in ``images``."""
        return _softmax(self._network.run([self._network.logits], images)[0])

    def evaluate(self, images: np.ndarray) -> dict:
        """Measures generated digits: FD, the share of each digit class, the mean confidence.

        Returns:
            ``{"fd", "fd_of_noise", "classes": shares of digits 0-9, "confidence"}``.
        """
        # One pass through the classifier gives both the features and the class logits.
        features, logits = self._network.run([self._network.features, self._network.logits], images)
        scores = self._distance(features)
        probabilities = _softmax(logits)
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
        self._network = _Network(channels=real.shape[-1], layers=(32, 64, 128), kernel=3)
        rng = np.random.default_rng(seed)
        weights = []
        for shape in (v.shape.as_list() for v in self._network.variables):
            fan_in = np.prod(shape[:-1]) if len(shape) > 1 else 0
            # He-initialised kernels keep the activations' scale from layer to layer; zero biases.
            weights.append(rng.normal(0, np.sqrt(2 / fan_in), shape) if fan_in else np.zeros(shape))
        self._network.load([w.astype(np.float32) for w in weights])
        super().__init__(real, seed)
