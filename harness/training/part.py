"""What a part of a training run is: one job, told of the run's events, as a Keras callback is."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.training.loop import Run


class Part:
    """One job of a training run (a progress bar, the film, checkpoints...), told of its events.

    ``Run`` calls each part's methods in the order of their kinds' ``ORDER`` (lower first); a part
    overrides the events it cares about, and finds another part's work with ``run.part(Kind)``.
    Everything a part gathers that a resumed run needs back goes in ``state``: JSON values, or
    NumPy arrays (saved beside the checkpoint as ``.npy`` files).
    """

    ORDER = 70  # After the parts that draw, before checkpoints (which save what the others gathered).

    def on_train_begin(self, run: Run) -> None:
        """The with-block around ``train`` starts."""

    def on_attach(self, run: Run) -> None:
        """``train`` iterates its first batches inside a session: ``run.session`` is set, and its
        graph is the default one."""

    def on_epoch_begin(self, run: Run, epoch: int, batches: int) -> None:
        """``train`` starts its epoch ``epoch`` (from 0) of ``batches`` batches, of which
        ``run.batch_in_epoch`` were done before a resume."""

    def on_batch_end(self, run: Run) -> None:
        """``train`` asked for the next batch: the last one is trained (``run.step`` counts it)."""

    def on_epoch_end(self, run: Run) -> None:
        """An epoch is done (``run.epoch`` counts it)."""

    def on_stop(self, run: Run, error: BaseException | None) -> None:
        """``train`` stopped in the middle of an epoch: interrupted, failed, or left the loop."""

    def on_train_end(self, run: Run) -> None:
        """The with-block around ``train`` ends."""

    def state(self) -> dict:
        """What a checkpoint keeps of this part."""
        return {}

    def restore(self, run: Run, state: dict) -> None:
        """Takes back what ``state`` gave, from a resumed checkpoint (the session is restored)."""

    def history(self, run: Run, returned) -> dict:
        """This part's share of ``Run.history``, after ``train`` returned ``returned``."""
        return {}
