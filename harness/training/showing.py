"""Noting the steps at which ``train`` shows its samples, for the notes on how often it does."""

from __future__ import annotations

from harness import film
from harness.training.part import Part


class Showing(Part):
    """Keeps the steps after which ``train`` showed a grid of samples (``show_generator_output``,
    through ``film.show_live``).

    Attributes:
        steps: The steps, resumed ones included.
    """

    def __init__(self) -> None:
        self.steps: list[int] = []
        self._calls = 0

    def on_train_begin(self, run) -> None:
        self._calls = film.live_calls()

    def on_batch_end(self, run) -> None:
        # A grid shown while the batch before this one trained: train shows it before its next batch.
        calls = film.live_calls()
        if calls > self._calls:
            self.steps.append(run.step)
        self._calls = calls

    def state(self) -> dict:
        return {"show_steps": self.steps}

    def restore(self, run, state: dict) -> None:
        self.steps = state.get("show_steps", [])

    def history(self, run, returned) -> dict:
        return {"show_steps": self.steps, "steps": run.step}
