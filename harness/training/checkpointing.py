"""Saving a run's checkpoints (at each epoch's end, on a clock, when stopped) and resuming from them.

A checkpoint holds the session's variables (the learner's, and the weight average's), the run's
counters, and what each part gathered (``Part.state``). It is only ever resumed by a run with the
very same settings (``checkpoint_store.CheckpointStore.find``); a weight that is NaN or infinite is
never saved.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from harness import atomic
from harness.checkpoint_store import CheckpointError, CheckpointStore
from harness.messages import in_full
from harness.training.averaging import WeightAverage
from harness.training.divergence import TrainingDiverged, diverged
from harness.training.part import Part

_COUNTERS = ("step", "epoch", "batch_in_epoch")
_STOPS = (signal.SIGINT, signal.SIGTERM)  # Jupyter's stop button and Ctrl-C; kill and schedulers.


class Checkpointing(Part):
    """Saves checkpoints of the run into ``store``, and resumes the last one of the same run.

    It must come after every part whose variables or state it saves: the run tells it last.

    Attributes:
        saved_step: The step of the last checkpoint saved or resumed, or None.
    """

    ORDER = 90  # Last: it saves what every other part gathered.

    def __init__(
        self, store: CheckpointStore, settings: dict | None = None, save_minutes: float | None = 5.0
    ) -> None:
        """Describes the checkpoints.

        Args:
            store: Where checkpoints are saved and resumed from.
            settings: What makes this run this run (``checkpoint_store.settings_of``): a checkpoint is
                resumed only by a run with the same settings (and the same name, epochs, batch
                size, seed and weight average, which the run gives).
            save_minutes: Also save whenever this many minutes passed since the last save, so
                that a crash or a kill loses at most that much; None for epoch ends only.
        """
        self.store, self.settings, self.save_minutes = store, settings or {}, save_minutes
        self._saver = self.saved_step = None
        self._variables = []
        self._saved_at = time.monotonic()

    def run_settings(self, run) -> dict:
        """The settings a checkpoint of ``run`` is saved under and found by."""
        average = run.part(WeightAverage)
        shape = {"run": run.name, "epochs": run.epochs, "batch_size": run.batch_size, "seed": run.seed}
        return {**self.settings, **shape, "average": average.decay if average is not None else None}

    def folder(self, run) -> Path:
        """The run's folder of checkpoints (and of what other parts keep beside them)."""
        return self.store.run_folder(run.name, self.run_settings(run))

    def on_attach(self, run) -> None:
        import tensorflow.compat.v1 as tf

        self._variables = tf.global_variables()
        self._saver = tf.train.Saver(self._variables, max_to_keep=None)
        self._resume(run)

    def on_batch_end(self, run) -> None:
        due = self.save_minutes is not None and time.monotonic() - self._saved_at >= 60 * self.save_minutes
        if due and self._saver is not None:
            self.save(run)

    def on_epoch_end(self, run) -> None:
        if self._saver is not None:
            self.save(run)

    def on_stop(self, run, error) -> None:
        """Saves where ``train`` stopped (Ctrl-C, an error), unless it diverged or the session closed."""
        if isinstance(error, TrainingDiverged) or self._saver is None or self.saved_step == run.step:
            return
        if run.session._closed:
            return
        try:
            self.save(run)
        except Exception as failure:  # Saving must not hide why training stopped (diverged weights too).
            said = in_full(failure)
            run.note(f"{run.name}: stopped at step {run.step}; the checkpoint could not be saved: {said}")
            return
        run.note(f"{run.name}: stopped at step {run.step}; saved a checkpoint. Run the cell again to resume.")

    def save(self, run) -> None:
        """Saves a checkpoint of the session's variables, the run's counters and its parts' state.

        Raises:
            TrainingDiverged: A variable that is saved (a weight, a batch-norm statistic, the
                weight average) is NaN or infinite: such a checkpoint is never kept.
            DiskFullError: The disk is full; the last checkpoint is kept, and the note says which.
        """
        self._require_finite(run)
        state = {name: getattr(run, name) for name in _COUNTERS}
        arrays = {}
        for part in run.parts:
            for key, value in part.state().items():
                (arrays if isinstance(value, np.ndarray) else state)[key] = value
        try:
            with _stops_held_back(run):
                settings = self.run_settings(run)
                saved = self.store.save(run.name, settings, run.session, self._saver, state, arrays)
                run.checkpoint = saved
                self.saved_step, self._saved_at = run.step, time.monotonic()
        except atomic.DiskFullError as error:
            error.add_note(_what_is_kept(run))
            raise

    def _require_finite(self, run) -> None:
        """Raises ``TrainingDiverged`` naming the first saved variable that holds NaN or infinity."""
        variables = [v for v in self._variables if v.dtype.base_dtype.is_floating]
        for variable, value in zip(variables, run.session.run(variables)):
            if not np.all(np.isfinite(value)):
                raise diverged(run, f"A value of the networks, {variable.op.name}, became NaN or infinite")

    def _resume(self, run) -> None:
        checkpoint, reason = self.store.find(run.name, self.run_settings(run))
        if reason:
            run.note(reason)
        if checkpoint is None:
            return
        state, arrays = self.store.load(checkpoint, run.session, self._saver)
        try:
            run.step, run.epoch, run.batch_in_epoch = (int(state[name]) for name in _COUNTERS)
            for part in run.parts:
                part.restore(run, {**state, **arrays})
        except (KeyError, TypeError, ValueError) as error:
            raise CheckpointError(
                f"The checkpoint {checkpoint} cannot be read (it lacks {error}). Delete the folder "
                f"{checkpoint.parent} to start this run over, or set resume = False."
            ) from error
        run.checkpoint, self.saved_step = checkpoint, run.step
        if run.epoch >= run.epochs:
            run.note(
                f"Loaded the finished run {checkpoint.parent.name} ({run.epoch} epochs, {run.step} steps): "
                "nothing left to train. To train anew, set resume = False or delete "
                f"{checkpoint.parent.name} in the checkpoint folder."
            )
        else:
            run.note(f"Resumed {run.name} from step {run.step} (epoch {run.epoch + 1}).")


def _what_is_kept(run) -> str:
    """What a run keeps when its next checkpoint could not be written, and what the rerun does."""
    if run.checkpoint is None:
        return "No checkpoint of this run was kept yet: the next run starts from step 0."
    return (
        f"The last checkpoint, {run.checkpoint.name}, is kept: once there is space, run the cell again "
        "to resume from it."
    )


@contextlib.contextmanager
def _stops_held_back(run) -> Iterator[None]:
    """Holds a stop (Jupyter's stop button, Ctrl-C, SIGTERM) back until the checkpoint being saved is
    complete, then stops: a stop never costs more than the last checkpoint."""
    if threading.current_thread() is not threading.main_thread():
        yield  # Signals reach the main thread only: nothing to hold back here.
        return
    stops: list[int] = []
    held = {number: signal.signal(number, lambda number, frame: stops.append(number)) for number in _STOPS}
    try:
        yield
    finally:
        for number, handler in held.items():
            signal.signal(number, handler)
    if stops:
        run.note(
            f"{run.name}: stopped at step {run.step}, once the checkpoint being saved was complete. "
            "Run the cell again to resume from it."
        )
        raise KeyboardInterrupt(f"stopped by signal {signal.Signals(stops[0]).name}")
