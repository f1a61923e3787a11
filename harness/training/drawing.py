"""Drawing images with the learner's generator, in inference mode, during and after training.

The learner's ``train`` builds its own graph; once it trains inside a session, this part adds
the generator's inference-mode images for a noise placeholder to that graph (``sampler``), so
that the film, the quality measure and ``samples.npy`` can draw with it. A generator that cannot
be built or run this way gives a one-line note, never a crash of the learner's training.
"""

from __future__ import annotations

import contextlib

import numpy as np

from harness.messages import one_line
from harness.training.part import Part

_CHUNK = 500  # Noise vectors per generator run when many samples are drawn.


class Drawing(Part):
    """Draws the generator's images for any noise, with the averaged weights when they are kept.

    Attributes:
        averaged: A context in which the generator's variables hold their moving average, e.g.
            ``WeightAverage.swapped_in``; set by the part that keeps it.
    """

    ORDER = 20  # Before the parts that draw with it.

    def __init__(self, sampler) -> None:
        """Describes the drawing; nothing is built until ``train``'s session is found.

        Args:
            sampler: ``sampler(z)`` builds the generator's images in inference mode for the noise
                placeholder ``z`` (the run's ``z_dim`` wide), e.g. ``lambda z: generator(z, 1,
                is_train=False)``.
        """
        self.sampler = sampler
        self.averaged = contextlib.nullcontext
        self._run = self._z = self._images = None

    @property
    def ready(self) -> bool:
        """Whether images can be drawn: the generator was built for drawing and has not failed."""
        return self._images is not None

    def on_attach(self, run) -> None:
        import tensorflow.compat.v1 as tf

        self._run = run
        try:
            self._z = tf.placeholder(tf.float32, (None, run.z_dim), name="run_z")
            self._images = self.sampler(self._z)
        except Exception as error:  # The learner's generator: a note, never a crash.
            run.note(f"{run.name}: no film or quality measure: {one_line(error)}")

    def draw(self, z: np.ndarray) -> np.ndarray | None:
        """The generator's images for ``z``, in [-1, 1]; None when they cannot be drawn."""
        if not self.ready:
            return None
        session = self._run.session
        try:
            with self.averaged():
                chunks = [
                    session.run(self._images, {self._z: z[start : start + _CHUNK]})
                    for start in range(0, len(z), _CHUNK)
                ]
        except Exception as error:  # The learner's graph: a note, never a crash.
            self._run.note(
                f"{self._run.name}: no film or quality measure: drawing samples failed: {one_line(error)}"
            )
            self._images = None
            return None
        return np.concatenate(chunks)
