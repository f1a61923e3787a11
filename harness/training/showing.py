"""Noting the steps at which ``train`` shows its samples, for the notes on how often it does."""

from __future__ import annotations

from harness import pictures
from harness.training.part import Part


class Showing(Part):
    """Keeps the steps after which ``train`` showed a grid of samples (``show_generator_output``,
    through ``pictures.show_live``).

    Attributes:
        steps: The steps, resumed ones included.
    """

    ORDER = 10

    def __init__(self) -> None:
        self.steps: list[int] = []
        self._shown = False

    def _saw(self) -> None:
        self._shown = True

    def on_train_begin(self, run) -> None:
        self._shown = False
        pictures.watch(self._saw)

    def on_batch_end(self, run) -> None:
        # A grid shown while the batch before this one trained: train shows it before its next batch.
        if self._shown:
            self.steps.append(run.step)
        self._shown = False

    def on_train_end(self, run) -> None:
        pictures.unwatch(self._saw)

    def state(self) -> dict:
        return {"show_steps": self.steps}

    def restore(self, run, state: dict) -> None:
        self.steps = state.get("show_steps", [])

    def history(self, run, returned) -> dict:
        return {"show_steps": self.steps, "steps": run.step}
