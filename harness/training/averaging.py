"""A moving average of the generator's weights, and drawing with it (Yazici et al. 2019).

A GAN's generator never settles: each update chases the discriminator's last move, so the
weights of any one step carry that step's wobble. Their exponential moving average over the last
few hundred steps draws sharper, more varied samples than the weights of the last step, at no
cost to training: the average only watches. ``WeightAverage``, a part of every training run,
keeps one for the learner's generator, and the film, the quality measure, ``samples.npy`` and the
latent walk draw with it::

    average = MovingAverage(generator_variables, decay=0.999)
    average.start(session)
    for step in ...:
        ...  # the learner's updates
        if step % EVERY == 0:
            average.update(session, step, since=step - EVERY)
    with average.swapped_in(session):
        images = session.run(samples)  # drawn with the averaged weights

Updating every step would cost a session call a batch (about a millisecond: a third of a batch on
a GPU), so the run updates every ``EVERY`` steps with what the average would keep over those
steps, ``keep(t)`` multiplied over them: over a span of 1,000 steps, a weight seen every 25th
step draws the same average (``tests/harness/training/test_averaging.py`` bounds the difference).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence

from harness.training.drawing import Drawing
from harness.training.part import Part

__all__ = ["EVERY", "MovingAverage", "WeightAverage", "keep_over"]

SCOPE = "moving_average"  # Where the averaged weights live in the graph (and in checkpoints).
# Steps between two updates of the run's average: its session call, about 1 ms on this CPU, then
# costs 0.03 ms a batch (``python -m benchmarks.train_step``); a span of 1,000 steps still holds 40 of
# the weights it averages; and the film's frames, every 100 steps, find it up to date.
EVERY = 25


def keep_over(decay: float, since: int, step: int) -> float:
    """What the average keeps of itself over steps ``since + 1`` to ``step``: each step's keep,
    ``min(decay, (1 + t) / (5 + t))``, multiplied over them (1 when there is none)."""
    return math.prod(min(decay, (1 + t) / (5 + t)) for t in range(since + 1, step + 1))


class MovingAverage:
    """The exponential moving average of some variables, kept in the graph next to them.

    Early in training the weights move fast, so the decay starts low and grows with the step, as
    in ``tf.train.ExponentialMovingAverage`` with ``num_updates`` but slower to forget:
    ``min(decay, (1 + t) / (5 + t))``. The average thus spans about the last quarter of training,
    and at most ``1 / (1 - decay)`` steps. (Measured on MNIST, seed 2, after 2 epochs: spanning
    the last 1,000 steps drew better digits than the last 400, which TensorFlow's
    ``(1 + t) / (10 + t)`` gives there; see the README.)

    Attributes:
        decay: The most the average keeps of itself at each update, below 1.
        variables: The averaged variables.
        averages: Their averages, one variable each, global (so that a ``tf.train.Saver`` built
            afterwards saves and restores them with the run), named ``moving_average/<name>``.
    """

    def __init__(self, variables: Sequence, decay: float) -> None:
        """Adds the averages, their update and the swap to the default graph.

        Args:
            variables: The variables to average, e.g. the generator's trainable ones.
            decay: From 0 to below 1; 0.999 averages over about the last 1,000 steps.

        Raises:
            ValueError: ``decay`` is outside [0, 1), or there is no variable to average.
        """
        import tensorflow.compat.v1 as tf

        if not 0 <= decay < 1:
            raise ValueError(f"decay must be from 0 to below 1, got {decay!r}.")
        if not variables:
            raise ValueError("There are no variables to average: build the generator first.")
        self.decay, self.variables = decay, list(variables)
        self._keep = keep = tf.placeholder(tf.float32, (), name=f"{SCOPE}/keep")
        self.averages, self._live, updates = [], [], []
        with tf.name_scope(None):
            for variable in self.variables:
                name, zeros = variable.op.name, tf.zeros(variable.shape, variable.dtype.base_dtype)
                average = tf.Variable(zeros, trainable=False, name=f"{SCOPE}/{name}")
                # The live weights while the averages stand in: never saved, so not global.
                live = tf.Variable(zeros, trainable=False, name=f"{SCOPE}/live/{name}", collections=[])
                updates.append(tf.assign_sub(average, (1 - keep) * (average - variable)))
                self.averages.append(average)
                self._live.append(live)
        self._update = tf.group(*updates)
        self._start = tf.group(*[a.assign(v) for a, v in zip(self.averages, self.variables)])
        keep_live = tf.group(*[live.assign(v) for live, v in zip(self._live, self.variables)])
        with tf.control_dependencies([keep_live]):  # One session call: the live weights kept first.
            self._put_average = tf.group(*[v.assign(a) for a, v in zip(self.averages, self.variables)])
        self._put_live = tf.group(*[v.assign(live) for live, v in zip(self._live, self.variables)])

    def start(self, session) -> None:
        """Starts the averages at the variables' present values (a resumed run then restores them)."""
        session.run([average.initializer for average in self.averages])
        session.run([live.initializer for live in self._live])
        session.run(self._start)

    def update(self, session, step: int, since: int | None = None) -> None:
        """Moves the averages towards the variables, after training step ``step`` (from 1).

        Args:
            session: The training session.
            step: The training step just done.
            since: The step of the last update, when it is not ``step - 1``: the variables' present
                values then stand for every step after it, as if each had been averaged in.
        """
        since = step - 1 if since is None else since
        session.run(self._update, {self._keep: keep_over(self.decay, since, step)})

    @contextlib.contextmanager
    def swapped_in(self, session) -> Iterator[None]:
        """Puts the averages in the variables' place, and the variables back afterwards, even on error."""
        session.run(self._put_average)
        try:
            yield
        finally:
            session.run(self._put_live)


class WeightAverage(Part):
    """Keeps the moving average of the generator's weights, and has the run's ``Drawing`` draw with it.

    The average is updated every ``EVERY`` steps, and brought up to the present step before
    anything draws with it and at the end of each epoch (so checkpoints saved then hold it as of
    their step). The averages are global variables made before the checkpoints' saver, so that
    checkpoints keep them and a resumed run restores them.
    """

    ORDER = 30  # After the drawing is built, before anything draws.

    def __init__(self, decay: float, every: int = EVERY) -> None:
        """Describes the average; it is made once ``train``'s session is found.

        Args:
            decay: ``MovingAverage``'s decay, e.g. 0.999.
            every: Steps between two updates; 1 updates after every step.
        """
        self.decay, self.every = decay, every
        self.average: MovingAverage | None = None
        self._since = 0  # The step the average was last brought up to.

    def on_attach(self, run) -> None:
        import tensorflow.compat.v1 as tf

        drawing = run.part(Drawing)
        if drawing is None or not drawing.ready:
            return
        variables = [v for v in tf.trainable_variables() if v.op.name.startswith("generator/")]
        if not variables:
            run.note(
                f"{run.name}: the samples are drawn with the last step's weights, not their average: "
                "the generator has no trainable variables in a 'generator' scope."
            )
            return
        self.average = MovingAverage(variables, self.decay)
        self.average.start(run.session)
        drawing.averaged = lambda: self._swapped_in(run)

    def on_epoch_begin(self, run, epoch: int, batches: int) -> None:
        self._since = run.step  # Up to date: a fresh run, the last epoch's end, or a checkpoint's step.

    def on_batch_end(self, run) -> None:
        if run.step - self._since >= self.every:
            self._catch_up(run)

    def on_epoch_end(self, run) -> None:
        self._catch_up(run)

    def on_stop(self, run, error) -> None:
        if run.session is not None and not run.session._closed:
            self._catch_up(run)

    def _catch_up(self, run) -> None:
        if self.average is not None and run.step > self._since:
            self.average.update(run.session, run.step, since=self._since)
            self._since = run.step

    def _swapped_in(self, run):
        self._catch_up(run)
        return self.average.swapped_in(run.session)
