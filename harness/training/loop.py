"""A training run around the learner's own ``train``: a small loop that tells its parts what happened.

The notebook calls ``train`` with the original project's signature and nothing more::

    run = training.Run("mnist", dataset, epochs=2, batch_size=32, z_dim=100, parts=[Drawing(...), ...])
    with tf.Graph().as_default(), run:
        returned = train(2, 32, 100, 0.0005, 0.5, run.get_batches, run.data_shape, "L")
    history = run.history(returned)

Everything the project adds reaches a learner's loop through what such a loop already does: it
iterates ``run.get_batches(batch_size)`` once per epoch inside its ``tf.Session``, and it prints
(or returns) its losses. ``get_batches`` is the loop: it finds the session, counts the steps and
tells each part, in order, that training began, that it is attached to the session, that a batch
or an epoch is done, or that training stopped early. The parts, each in its own file, do the
rest: ``Progress`` (the bar, and the printed losses), ``Showing`` (when ``train`` shows
samples), ``Drawing`` (the generator's samples), ``WeightAverage`` (the average they are drawn
with), ``Film``, ``Measure`` (quality and ``samples.npy``), ``TrainedWeights`` (for the latent
walk) and ``Checkpointing`` (save and resume).
What a loop does not give is left out with a one-line note; nothing here makes a correct
``train`` fail.
"""

from __future__ import annotations

import itertools
import random
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np

from harness.messages import show_briefly
from harness.training.checkpointing import Checkpointing
from harness.training.divergence import TrainingDiverged
from harness.training.memory import OutOfMemory, out_of_memory
from harness.training.part import Part
from harness.training.progress import Progress
from harness.training.showing import Showing
from harness.training.weights import TrainedWeights

__all__ = ["Run"]
P = TypeVar("P", bound=Part)


class Run:
    """One training run of a learner's ``train``: see the module's docstring.

    Attributes:
        data_shape: (images per epoch, height, width, channels): what ``train`` is given.
        step: Batches trained so far, over all epochs (resumed ones included).
        epoch: Epochs finished.
        batch_in_epoch: Batches trained in the epoch under way.
        session: ``train``'s session, once it iterates inside one.
        checkpoint: Folder of the last checkpoint saved or resumed, or None.
        notes: The one-line notes printed so far (what could not be done, and why).
        parts: The parts told of the run's events, in order.
    """

    def __init__(
        self,
        name: str,
        data,
        *,
        epochs: int,
        batch_size: int,
        z_dim: int,
        parts: Sequence[Part] = (),
        max_batches: int | None = None,
        seed: int = 0,
    ) -> None:
        """Describes the run; nothing happens until ``train`` iterates ``get_batches``.

        Args:
            name: The run's name (the data set), in progress lines and checkpoint folders.
            data: A ``helper.Dataset`` or anything with ``get_batches(size)``, ``shape`` and
                ``image_mode``.
            epochs: The epoch count ``train`` is given.
            batch_size: The batch size ``train`` is given.
            z_dim: The noise size ``train`` is given.
            parts: What the run does besides counting, as Keras's ``fit`` takes callbacks: a
                ``Progress`` (the bar and the losses read), ``Drawing`` (the generator's samples),
                ``WeightAverage``, ``Film``, ``Measure``, ``Checkpointing``... Each is told of
                the events in its kind's ``ORDER`` (the average before anything draws,
                checkpoints last); a part that needs another's work asks ``run.part(Kind)``. A
                ``Progress``, ``Showing`` and ``TrainedWeights`` are added when not given.
            max_batches: At most this many batches per epoch; None for all.
            seed: Seed of Python's, NumPy's and TensorFlow's (the graph's) random numbers while
                train runs, and of the noise the parts draw with.

        Raises:
            ValueError: A count is not a whole number in its range.
        """
        self.name, self.data, self.epochs, self.batch_size, self.z_dim = name, data, epochs, batch_size, z_dim
        self.data_shape = _data_shape(data.shape, epochs, batch_size, z_dim, max_batches)
        self.image_mode, self.seed = data.image_mode, seed
        self.step = self.epoch = self.batch_in_epoch = 0
        self.session = self.checkpoint = None
        self.notes: list[str] = []
        self.stdout = sys.stdout
        self._calls = 0
        self._sigterm = None
        given = list(parts)
        given += [kind() for kind in (Progress, Showing, TrainedWeights) if not _has(given, kind)]
        self.parts: list[Part] = sorted(given, key=lambda part: part.ORDER)

    def part(self, kind: type[P]) -> P | None:
        """The run's part of kind ``kind``, or None: how a part finds another's work."""
        return next((part for part in self.parts if isinstance(part, kind)), None)

    @property
    def verbose(self) -> bool:
        """Whether the run shows its progress and its notes."""
        return self.part(Progress).verbose

    def __enter__(self) -> Run:
        import tensorflow.compat.v1 as tf

        # Every source of randomness train may use: the same seed repeats a run on this machine.
        random.seed(self.seed)
        np.random.seed(self.seed)
        tf.set_random_seed(self.seed)
        if threading.current_thread() is threading.main_thread():
            # A kill, a scheduler or a container stop sends SIGTERM: save and stop as for Ctrl-C.
            self._sigterm = signal.signal(signal.SIGTERM, _interrupt)
        # In Jupyter, a stop shows the run's note and one line, not a traceback through train.
        show_briefly(KeyboardInterrupt, TrainingDiverged, OutOfMemory)
        self.stdout = sys.stdout
        self._tell("on_train_begin")
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self._sigterm is not None:
            signal.signal(signal.SIGTERM, self._sigterm)
            self._sigterm = None
        self._tell("on_train_end")
        advice = None if error is None else out_of_memory(self, error, self._saved_step())
        if advice is not None:
            raise advice from None  # TensorFlow's report is the allocator's, not the learner's.

    def _saved_step(self) -> int | None:
        """The step of the last checkpoint saved or resumed, or None."""
        checkpointing = self.part(Checkpointing)
        return checkpointing.saved_step if checkpointing is not None else None

    def note(self, text: str) -> None:
        """Prints a one-line note, once, past the loss reader."""
        if text not in self.notes:
            self.notes.append(text)
            if self.verbose:
                print(text, file=self.stdout, flush=True)

    def get_batches(self, batch_size: int) -> Iterator[np.ndarray]:
        """One epoch of batches, in [-0.5, 0.5]; call it once per epoch, inside the session.

        Raises:
            TrainingDiverged: The last printed loss, the generator's output or a weight is not finite.
        """
        epoch = self._calls
        self._calls += 1
        if epoch == 0:
            self._attach()
        if epoch < self.epoch:
            return  # Done before this run resumed.
        if epoch > self.epoch:
            self.batch_in_epoch = 0
        total = self.data_shape[0] // batch_size
        batches = itertools.islice(self.data.get_batches(batch_size), self.batch_in_epoch, total)
        self._tell("on_epoch_begin", epoch, total)
        finished, error = False, None
        try:
            for batch in batches:
                yield batch
                self.step += 1
                self.batch_in_epoch += 1
                self._tell("on_batch_end")
            finished = True
        except BaseException as stopped:
            error = stopped
            raise
        finally:
            if finished:
                self.epoch += 1
                self.batch_in_epoch = 0
                self._tell("on_epoch_end")
            else:
                self._tell("on_stop", error)

    def _attach(self) -> None:
        import tensorflow.compat.v1 as tf

        self.session = tf.get_default_session()
        if self.session is None:
            self.note(
                f"{self.name}: no film, quality measure or checkpoints: train iterates get_batches outside "
                "`with tf.Session() as sess:`, so the run cannot see the session."
            )
            return
        with self.session.graph.as_default():
            self._tell("on_attach")

    def _tell(self, event: str, *args) -> None:
        """Tells every part, in order, of ``event`` (a ``Part`` method's name)."""
        for part in self.parts:
            getattr(part, event)(self, *args)

    def history(self, returned=None) -> dict:
        """The run's history: losses (printed, else returned), film frames and quality.

        Args:
            returned: What ``train`` returned; its losses are used when it printed none.

        Returns:
            ``{"step", "d_loss", "g_loss"}`` (lists of the losses and the step of each),
            ``"printed"`` (whether train printed them), ``"steps"``, ``"show_steps"`` (after which
            train showed samples), ``"frames"``, ``"frame_steps"``, ``"quality"``.
        """
        history = {}
        for part in self.parts:
            history.update(part.history(self, returned))
        return history

    @property
    def trained(self) -> bool:
        """Whether the run has a trained generator to draw with (it finished an epoch, or resumed one)."""
        return bool(self.part(TrainedWeights).weights)

    def restore_into(self, session) -> None:
        """Loads the trained generator's weights (their moving average, if one is kept) into the
        same-named variables of ``session``'s graph.

        Raises:
            CheckpointError: The run has no trained weights: it did not finish an epoch.
        """
        self.part(TrainedWeights).restore_into(self, session)


def _has(parts: list[Part], kind: type) -> bool:
    return any(type(part) is kind for part in parts)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signal.Signals(signum).name}")


def _data_shape(shape: tuple, epochs: int, batch_size: int, z_dim: int, max_batches: int | None) -> tuple:
    """The shape of the data ``train`` is given: ``shape``, cut to ``max_batches`` batches.

    Raises:
        ValueError: A count is not a whole number in its range, or the batch exceeds the data.
    """
    for label, value, low in (("epochs", epochs, 0), ("batch_size", batch_size, 1), ("z_dim", z_dim, 1)):
        _require_whole(label, value, low)
    count = shape[0]
    if batch_size > count:
        raise ValueError(f"batch_size is {batch_size} but the data has {count} images: use a smaller one.")
    if max_batches is not None:
        _require_whole("max_batches", max_batches, 1)
        count = min(count, max_batches * batch_size)
    return (count, *shape[1:])


def _require_whole(label: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{label} must be a whole number of at least {low}, got {value!r}.")
