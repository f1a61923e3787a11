"""Stopping a run whose numbers became NaN or infinite, with the step, likely causes and what is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.training.loop import Run


class TrainingDiverged(FloatingPointError):
    """A loss or the generator's output became NaN or infinite: training cannot recover from it."""


def diverged(run: Run, what: str) -> TrainingDiverged:
    """The error to raise when ``what`` ("Generator loss became nan") happened in ``run``."""
    kept = (
        f"The last checkpoint, {run.checkpoint.parent.name}/{run.checkpoint.name}, is kept: fix the "
        "cause and run again to resume from it, or set resume = False to start over."
        if run.checkpoint
        else "No checkpoint had been saved yet."
    )
    return TrainingDiverged(
        f"{what} at step {run.step}: training stopped. Likely causes: a learning rate too high "
        "(reviewed range 0.0002 to 0.0008); a loss computed from probabilities (log of 0) instead of "
        "tf.nn.sigmoid_cross_entropy_with_logits on the logits; real images not scaled to [-1, 1], "
        f"or holding NaN. {kept}"
    )
