"""A training run around the learner's own ``train``: progress, losses, film, quality, checkpoints.

The notebook calls ``train`` with the original project's signature and nothing more::

    run = training.Run("mnist", dataset, epochs=2, batch_size=32, z_dim=100, sampler=...)
    with tf.Graph().as_default(), run:
        returned = train(2, 32, 100, 0.0005, 0.5, run.get_batches, run.data_shape, "L")
    history = run.history(returned)

Everything the project adds reaches a learner's loop through what such a loop already does:

- it iterates ``run.get_batches(batch_size)`` once per epoch inside its ``tf.Session``: the run
  shows a progress bar, finds the session, draws the film's frames every ``show_every`` steps
  with the learner's generator (``sampler``), and at the end of each epoch measures the samples
  with a ``quality`` judge and saves a checkpoint; when the loop stops early (Ctrl-C, an error)
  it saves one too. Resuming skips the epochs and batches already done.
- it prints its losses (``Discriminator Loss: 0.53 ... Generator Loss: 1.20`` and most other
  wordings): the run reads them as they are printed, for the loss plot and to stop at once,
  with ``TrainingDiverged``, when one is NaN or infinite; or it returns them, as a list of
  ``(d_loss, g_loss)`` pairs or a dict of two lists.

What a loop does not give is left out with a one-line note; nothing here makes a correct
``train`` fail.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import random
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
from tqdm import tqdm

import atomic
import helper
from averaging import MovingAverage
from checkpoints import CheckpointError, CheckpointStore

__all__ = ["CheckpointError", "Run", "TrainingDiverged", "read_losses"]

_SAMPLE_BATCH = 500  # Noise vectors per generator run when many samples are drawn.
SAMPLES = "samples.npy"  # The last epoch's samples, uint8, in the run's checkpoint folder.
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
# A loss label and its value: "Discriminator Loss: 0.53", "d_loss=0.5", "D: 0.5", "loss_g 1.2".
_LABELLED = re.compile(rf"(?i)([a-z_]+(?:[ _]loss(?:es)?)?)\s*[:=]?\s*({_NUMBER})\b")
_LOSS_WORD = re.compile(r"(?i)[ _]?loss(?:es)?$|^loss(?:es)?[ _]?")


def _role(label: str) -> str | None:
    """'d' for a discriminator loss's label ("D", "d_loss", "Discriminator Loss"), 'g' likewise, else None."""
    word = _LOSS_WORD.sub("", label.strip()).lower()
    for role, long in (("d", "disc"), ("g", "gen")):
        if word == role or word.startswith(long):
            return role
    return None


class TrainingDiverged(FloatingPointError):
    """A loss or the generator's output became NaN or infinite: training cannot recover from it."""


def read_losses(line: str) -> tuple[float, float] | None:
    """The (discriminator, generator) losses printed in ``line``, or None if it shows no pair."""
    found = {}
    for label, value in _LABELLED.findall(line):
        role = _role(label)
        if role is not None and role not in found:
            found[role] = float(value)
    return (found["d"], found["g"]) if len(found) == 2 else None


def _returned_losses(returned) -> list[tuple[float, float]]:
    """(d, g) pairs from what a train returned: pairs, two lists, or a dict of two lists."""
    with contextlib.suppress(TypeError, ValueError):
        if isinstance(returned, dict):
            lists = {_role(str(key)): value for key, value in returned.items()}
            if "d" in lists and "g" in lists:
                returned = list(zip(lists["d"], lists["g"]))
        values = np.asarray(returned, dtype=np.float64)
        if values.ndim == 2 and values.shape[0] == 2 and values.shape[1] != 2:
            values = values.T
        if values.ndim == 2 and values.shape[1] == 2:
            return [(float(d), float(g)) for d, g in values]
    return []


class _LineReader(io.TextIOBase):
    """Hands each complete printed line to ``take``; the lines it does not take are passed through."""

    def __init__(self, stream, take) -> None:
        super().__init__()
        self.stream, self.take, self._line = stream, take, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            if not self.take(line):
                self.stream.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def close_line(self) -> None:
        """Passes on what was printed without a newline at the end."""
        if self._line:
            self.stream.write(self._line)
            self._line = ""


class Run:
    """One training run of a learner's ``train``: see the module's docstring.

    Attributes:
        data_shape: (images per epoch, height, width, channels): what ``train`` is given.
        step: Batches trained so far, over all epochs (resumed ones included).
        epoch: Epochs finished.
        checkpoint: Folder of the last checkpoint saved or resumed, or None.
        notes: The one-line notes printed so far (what could not be done, and why).
    """

    def __init__(
        self,
        name: str,
        data,
        *,
        epochs: int,
        batch_size: int,
        z_dim: int,
        sampler=None,
        max_batches: int | None = None,
        store: CheckpointStore | None = None,
        settings: dict | None = None,
        judge=None,
        quality_samples: int = 10_000,
        show_every: int = 100,
        film_size: int = 25,
        seed: int = 0,
        verbose: bool = True,
        show=None,
        save_minutes: float | None = 5.0,
        average: float | None = 0.999,
    ) -> None:
        """Describes the run; nothing happens until ``train`` iterates ``get_batches``.

        Args:
            name: The run's name (the data set), in progress lines and checkpoint folders.
            data: A ``helper.Dataset`` or anything with ``get_batches(size)``, ``shape`` and
                ``image_mode``.
            epochs: The epoch count ``train`` is given.
            batch_size: The batch size ``train`` is given.
            z_dim: The noise size ``train`` is given.
            sampler: ``sampler(z)`` builds the generator's images in inference mode for the
                noise placeholder ``z``, e.g. ``lambda z: generator(z, 1, is_train=False)``;
                None for no film and no quality measure.
            max_batches: At most this many batches per epoch; None for all.
            store: Where checkpoints are saved and resumed from; None for none.
            settings: What makes this run this run (``checkpoints.settings_of``); a checkpoint
                is resumed only by a run with the same settings.
            judge: A ``quality`` judge that measures samples at the end of each epoch.
            quality_samples: Samples drawn for each measurement.
            show_every: Steps between two frames of the film.
            film_size: Noise vectors in the film (a square number shows as a full grid).
            seed: Seed of Python's, NumPy's and TensorFlow's (the graph's) random numbers while
                train runs, of the film's noise vectors and of the measured samples.
            verbose: Show a progress bar for each epoch, and the notes.
            show: ``show(grid, caption)`` shows the film's frame at the end of each epoch, e.g.
                ``film.show_grid``; None to show none.
            save_minutes: Also save a checkpoint whenever this many minutes passed since the
                last one, so that a crash or a kill loses at most that much; None for epoch
                ends only.
            average: The decay of the moving average of the generator's weights that the film,
                the quality measure, ``samples.npy`` and ``restore_into`` draw with
                (``averaging.MovingAverage``); None to draw with the weights of the last step.

        Raises:
            ValueError: A count is not a whole number in its range.
        """
        count = data.shape[0]
        for label, value, low in (("epochs", epochs, 0), ("batch_size", batch_size, 1), ("z_dim", z_dim, 1)):
            _require_whole(label, value, low)
        if batch_size > count:
            raise ValueError(
                f"batch_size is {batch_size} but the data has {count} images: use a smaller one."
            )
        if max_batches is not None:
            _require_whole("max_batches", max_batches, 1)
            count = min(count, max_batches * batch_size)
        self.name, self.data, self.epochs, self.batch_size, self.z_dim = name, data, epochs, batch_size, z_dim
        self.data_shape = (count, *data.shape[1:])
        self.image_mode = data.image_mode
        self.sampler, self.store, self.judge = sampler, store, judge
        self.settings = {
            **(settings or {}),
            "run": name,
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": seed,
            "average": average,
        }
        self.quality_samples, self.show_every, self.seed = quality_samples, show_every, seed
        self.verbose, self.show, self.save_minutes = verbose, show, save_minutes
        self.average = average
        self._saved_at = time.monotonic()
        self._film_z = np.random.default_rng(seed).uniform(-1, 1, (film_size, z_dim))
        self.step = self.epoch = self.batch_in_epoch = 0
        self.losses: dict[str, list[float]] = {"step": [], "d_loss": [], "g_loss": []}
        self.frames: list[np.ndarray] = []
        self.frame_steps: list[int] = []
        self.quality: list[dict] = []
        self.checkpoint = None
        self.notes: list[str] = []
        self._calls = 0
        self._session = self._samples = self._saver = self._average = None
        self._weights: dict[str, np.ndarray] = {}
        self._last_losses: tuple[float, float] | None = None
        self._saved_step: int | None = None
        self._stdout = sys.stdout
        self._reader = self._reading = self._bar = self._sigterm = None

    # The with-block around the call of train: reads the losses it prints.

    def __enter__(self) -> Run:
        import tensorflow.compat.v1 as tf

        # Every source of randomness train may use: the same seed repeats a run on this machine.
        random.seed(self.seed)
        np.random.seed(self.seed)
        tf.set_random_seed(self.seed)
        if threading.current_thread() is threading.main_thread():
            # A kill, a scheduler or a container stop sends SIGTERM: save and stop as for Ctrl-C.
            self._sigterm = signal.signal(signal.SIGTERM, _interrupt)
        self._stdout = sys.stdout
        self._reader = _LineReader(self._stdout, self._take_losses)
        self._reading = contextlib.redirect_stdout(self._reader)
        self._reading.__enter__()
        return self

    def __exit__(self, *error) -> None:
        if self._sigterm is not None:
            signal.signal(signal.SIGTERM, self._sigterm)
            self._sigterm = None
        self._reading.__exit__(*error)
        self._reader.close_line()
        self._reading = None

    def _take_losses(self, line: str) -> bool:
        """Keeps the losses a printed line shows; while a progress bar runs, shows them in it instead.

        Returns:
            Whether the line was taken (not to be printed): hundreds of loss lines would bury
            the notebook, and the bar and the loss plot show them.
        """
        losses = read_losses(line)
        if losses is None:
            return False
        d_loss, g_loss = self._last_losses = losses
        if math.isfinite(d_loss) and math.isfinite(g_loss):
            for key, value in (("step", self.step + 1), ("d_loss", d_loss), ("g_loss", g_loss)):
                self.losses[key].append(value)
        if self._bar is None:
            return False
        self._bar.set_postfix_str(f"D loss {d_loss:.4f}, G loss {g_loss:.4f}", refresh=False)
        self.note(
            f"{self.name}: the losses train prints show in the progress bar, and in the loss plot after it."
        )
        return True

    def note(self, text: str) -> None:
        """Prints a one-line note, once, past the loss reader."""
        if text not in self.notes:
            self.notes.append(text)
            if self.verbose:
                print(text, file=self._stdout, flush=True)

    # What train is given.

    def get_batches(self, batch_size: int) -> Iterator[np.ndarray]:
        """One epoch of batches, in [-0.5, 0.5]; call it once per epoch, inside the session.

        Raises:
            TrainingDiverged: The last printed loss, or the generator's output, is not finite.
        """
        epoch = self._calls
        self._calls += 1
        if epoch == 0:
            self._attach()
        if epoch < self.epoch:
            return  # Done before this run resumed.
        skip = self.batch_in_epoch if epoch == self.epoch else 0
        total = self.data_shape[0] // batch_size
        batches = itertools.islice(self.data.get_batches(batch_size), skip, total)
        label = f"{self.name} epoch {epoch + 1}/{max(self.epochs, epoch + 1)}"
        bar = tqdm(
            total=total, initial=skip, desc=label, unit="batch", disable=not self.verbose, mininterval=1
        )
        self._bar = None if bar.disable else bar
        finished = diverged = False
        try:
            for batch in batches:
                yield batch
                self._count_batch()
                bar.update()
            finished = True
        except TrainingDiverged:
            diverged = True
            raise
        finally:
            bar.close()
            self._bar = None
            if finished:
                self._end_epoch()
            elif not diverged:
                self._save_on_stop()

    def _count_batch(self) -> None:
        self.step += 1
        self.batch_in_epoch += 1
        if self._last_losses is not None:
            for which, value in zip(("Discriminator", "Generator"), self._last_losses):
                if not math.isfinite(value):
                    raise TrainingDiverged(self._divergence(f"{which} loss became {value}"))
        if self._average is not None:
            self._average.update(self._session, self.step)
        if self.step % self.show_every == 0:
            self._draw_frame()
        due = self.save_minutes is not None and time.monotonic() - self._saved_at >= 60 * self.save_minutes
        if due and self._saver is not None:
            self._save()

    # The session train trains in.

    def _attach(self) -> None:
        import tensorflow.compat.v1 as tf

        session = tf.get_default_session()
        if session is None:
            self.note(
                f"{self.name}: no film, quality measure or checkpoints: train iterates get_batches outside "
                "`with tf.Session() as sess:`, so the run cannot see the session."
            )
            return
        self._session = session
        with session.graph.as_default():
            if self.sampler is not None:
                try:
                    self._z = tf.placeholder(tf.float32, (None, self.z_dim), name="run_z")
                    self._samples = self.sampler(self._z)
                except Exception as error:  # The learner's generator: a note, never a crash.
                    self.note(f"{self.name}: no film or quality measure: {_first_line(error)}")
                else:
                    self._start_average()
            if self.store is not None:
                self._saver = tf.train.Saver(tf.global_variables(), max_to_keep=None)
                self._resume()

    def _start_average(self) -> None:
        """Starts the moving average of the generator's weights, before the saver that keeps it."""
        import tensorflow.compat.v1 as tf

        if self.average is None:
            return
        variables = [v for v in tf.trainable_variables() if v.op.name.startswith("generator/")]
        if not variables:
            self.note(
                f"{self.name}: the samples are drawn with the last step's weights, not their average: "
                "the generator has no trainable variables in a 'generator' scope."
            )
            return
        self._average = MovingAverage(variables, self.average)
        self._average.start(self._session)

    def _resume(self) -> None:
        checkpoint, reason = self.store.find(self.name, self.settings)
        if reason:
            self.note(reason)
        if checkpoint is None:
            return
        state, frames = self.store.load(checkpoint, self._session, self._saver)
        self.step, self.epoch, self.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        self.losses, self.quality = state["losses"], state["quality"]
        self.frames, self.frame_steps = frames, state["frame_steps"]
        self.checkpoint, self._saved_step = checkpoint, self.step
        self._keep_weights()
        if self.epoch >= self.epochs:
            self.note(
                f"Loaded the finished run {checkpoint.parent.name} ({self.epoch} epochs, {self.step} steps): "
                "nothing left to train. To train anew, set resume = False or delete "
                f"{checkpoint.parent.name} in the checkpoint folder."
            )
        else:
            self.note(f"Resumed {self.name} from step {self.step} (epoch {self.epoch + 1}).")

    def _averaged(self):
        """A context in which the generator's variables hold their moving average, if one is kept."""
        if self._average is None:
            return contextlib.nullcontext()
        return self._average.swapped_in(self._session)

    def _draw(self, z: np.ndarray) -> np.ndarray | None:
        """The generator's images for ``z``, drawn with its averaged weights; None when they cannot be."""
        if self._samples is None:
            return None
        try:
            with self._averaged():
                chunks = [
                    self._session.run(self._samples, {self._z: z[start : start + _SAMPLE_BATCH]})
                    for start in range(0, len(z), _SAMPLE_BATCH)
                ]
        except Exception as error:  # The learner's graph: a note, never a crash.
            self.note(
                f"{self.name}: no film or quality measure: drawing samples failed: {_first_line(error)}"
            )
            self._samples = None
            return None
        return np.concatenate(chunks)

    def _draw_frame(self) -> None:
        if self.frame_steps[-1:] == [self.step]:
            return
        images = self._draw(self._film_z)
        if images is None:
            return
        if not np.all(np.isfinite(images)):
            raise TrainingDiverged(self._divergence("The generator's output became NaN or infinite"))
        self.frames.append(np.asarray(helper.images_square_grid(images, self.image_mode)))
        self.frame_steps.append(self.step)

    def _keep_weights(self) -> None:
        import tensorflow.compat.v1 as tf

        variables = self._session.graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
        generator = [v for v in variables if v.op.name.startswith("generator/")]
        with self._averaged():
            self._weights = dict(zip((v.op.name for v in generator), self._session.run(generator)))

    def _end_epoch(self) -> None:
        self.epoch += 1
        self.batch_in_epoch = 0
        if self._session is None:
            return
        self._draw_frame()
        if self.show is not None and self.frame_steps[-1:] == [self.step]:
            self.show(self.frames[-1], f"Samples after epoch {self.epoch} (step {self.step}):")
        self._keep_weights()
        last = self.epoch == self.epochs
        if (self.judge is not None or (last and self.store is not None)) and self._samples is not None:
            self._measure(last)
        if self._saver is not None:
            self._save()

    def _measure(self, last: bool) -> None:
        """Draws ``quality_samples`` samples: measures them with the judge, and after the last
        epoch keeps them as ``samples.npy`` in the run's folder, for any other judge to score."""
        rng = np.random.default_rng(self.seed + self.step)
        images = self._draw(rng.uniform(-1, 1, (self.quality_samples, self.z_dim)))
        if images is None:
            return
        if last and self.store is not None:
            self._keep_samples(images)
        if self.judge is None:
            return
        scores = {"epoch": self.epoch, "step": self.step, **self.judge.evaluate(images)}
        self.quality.append(scores)
        tqdm.write(
            f"{self.name} after epoch {self.epoch} (step {self.step}): {self.judge.describe(scores)}",
            file=self._stdout,
        )

    def _keep_samples(self, images: np.ndarray) -> None:
        pixels = np.clip(np.round((images + 1) * 127.5), 0, 255).astype(np.uint8)
        if pixels.shape[-1] == 1:
            pixels = pixels[..., 0]
        folder = self.store.run_folder(self.name, self.settings)
        folder.mkdir(parents=True, exist_ok=True)
        with atomic.replacing(folder / SAMPLES) as temp, temp.open("wb") as stream:
            np.save(stream, pixels)
        self.note(
            f"{self.name}: the final {len(pixels):,} samples ({'x'.join(map(str, pixels.shape[1:]))}, uint8) "
            f"are in {folder / SAMPLES}, for any judge (FID tools read such arrays)."
        )

    def _save(self) -> None:
        """Saves a checkpoint of the session's variables and the run's state.

        Raises:
            TrainingDiverged: A weight is NaN or infinite: such a checkpoint is never kept.
        """
        import tensorflow.compat.v1 as tf

        weights = self._session.run(self._session.graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES))
        if not all(np.all(np.isfinite(value)) for value in weights):
            raise TrainingDiverged(self._divergence("A weight of the networks became NaN or infinite"))
        state = {
            "step": self.step,
            "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch,
            "losses": self.losses,
            "quality": self.quality,
            "frame_steps": self.frame_steps,
        }
        self.checkpoint = self.store.save(
            self.name, self.settings, self._session, self._saver, state, self.frames
        )
        self._saved_step, self._saved_at = self.step, time.monotonic()

    def _save_on_stop(self) -> None:
        """Saves a checkpoint when train stops mid-epoch (Ctrl-C, an error), if the session is open."""
        if self._saver is None or self._saved_step == self.step or self._session._closed:
            return
        try:
            self._save()
        except Exception as error:  # Saving must not hide why training stopped (diverged weights too).
            self.note(f"{self.name}: stopped at step {self.step}; the checkpoint could not be saved: {error}")
            return
        self.note(
            f"{self.name}: stopped at step {self.step}; saved a checkpoint. Run the cell again to resume."
        )

    def _divergence(self, what: str) -> str:
        kept = (
            f"The last checkpoint, {self.checkpoint.parent.name}/{self.checkpoint.name}, is kept: fix the "
            "cause and run again to resume from it, or set resume = False to start over."
            if self.checkpoint
            else "No checkpoint had been saved yet."
        )
        return (
            f"{what} at step {self.step}: training stopped. Likely causes: a learning rate too high "
            "(reviewed range 0.0002 to 0.0008); a loss computed from probabilities (log of 0) instead of "
            "tf.nn.sigmoid_cross_entropy_with_logits on the logits; real images not scaled to [-1, 1], "
            f"or holding NaN. {kept}"
        )

    # After train returns.

    def history(self, returned=None) -> dict:
        """The run's history: losses (printed, else returned), film frames and quality.

        Args:
            returned: What ``train`` returned; its losses are used when it printed none.

        Returns:
            ``{"step", "d_loss", "g_loss"}`` (lists), ``"frames"``, ``"frame_steps"``, ``"quality"``.
        """
        losses = self.losses
        pairs = _returned_losses(returned)
        if not losses["step"] and pairs:
            steps = np.linspace(self.step / len(pairs), self.step, len(pairs)).round().astype(int)
            losses = {
                "step": steps.tolist(),
                "d_loss": [d for d, _ in pairs],
                "g_loss": [g for _, g in pairs],
            }
        if not losses["step"] and self.step:
            self.note(
                f"{self.name}: no loss plot: train neither printed its losses (for example "
                "'Discriminator Loss: 0.53 Generator Loss: 1.20') nor returned them."
            )
        if not self.frames and self.step:
            self.note(f"{self.name}: no film: no samples could be drawn during training.")
        return {**losses, "frames": self.frames, "frame_steps": self.frame_steps, "quality": self.quality}

    @property
    def trained(self) -> bool:
        """Whether the run has a trained generator to draw with (it finished an epoch, or resumed one)."""
        return bool(self._weights)

    def restore_into(self, session) -> None:
        """Loads the trained generator's weights (their moving average, if one is kept) into the
        same-named variables of ``session``'s graph.

        Raises:
            CheckpointError: The run has no trained weights: it did not finish an epoch.
        """
        import tensorflow.compat.v1 as tf

        if not self._weights:
            raise CheckpointError(
                f"The run {self.name!r} has no trained generator to load: train it for an epoch first."
            )
        variables = [v for v in tf.global_variables() if v.op.name in self._weights]
        session.run([v.assign(self._weights[v.op.name]) for v in variables])


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signal.Signals(signum).name}")


def _require_whole(label: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{label} must be a whole number of at least {low}, got {value!r}.")


def first_line(error: BaseException) -> str:
    """The line of an error's message that says what went wrong (TensorFlow's come after a stack)."""
    message = getattr(error, "message", None) or str(error)
    stack = ("Graph execution error", "Detected at node", "File ", "Node:", "[[")
    for line in message.splitlines():
        line = line.strip()
        if line and not line.startswith(stack):
            return line.rstrip(".")
    return ""


def _first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {first_line(error)}"
