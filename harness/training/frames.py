"""The film of a training run: the same noise vectors drawn every few steps, and at each epoch's end."""

from __future__ import annotations

import numpy as np

from harness.data.images import images_square_grid
from harness.training.divergence import diverged
from harness.training.drawing import Drawing
from harness.training.part import Part


class Film(Part):
    """Draws a frame (a grid of samples) every ``every`` steps and at each epoch's end.

    Attributes:
        frames: The frames, uint8 grids (height, width) or (height, width, 3).
        steps: The step of each frame.
    """

    ORDER = 40  # After the average, which it draws with.

    def __init__(self, every: int = 100, show=None, size: int = 25) -> None:
        """Describes the film; nothing is drawn until ``train`` trains (with the run's ``Drawing``).

        Args:
            every: Steps between two frames.
            show: ``show(grid, caption)`` shows the frame at each epoch's end (``pictures.show_grid``);
                None to show none.
            size: Noise vectors in the film, the same in every frame, drawn from the run's seed
                (a square number fills the grid).
        """
        self.every, self.show, self.size = every, show, size
        self.frames: list[np.ndarray] = []
        self.steps: list[int] = []
        self.z = None

    def on_train_begin(self, run) -> None:
        self.z = np.random.default_rng(run.seed).uniform(-1, 1, (self.size, run.z_dim))

    def on_batch_end(self, run) -> None:
        if run.step % self.every == 0:
            self._draw(run)

    def on_epoch_end(self, run) -> None:
        if run.session is None:
            return
        self._draw(run)
        if self.show is not None and self.steps[-1:] == [run.step]:
            self.show(self.frames[-1], f"Samples after epoch {run.epoch} (step {run.step}):")

    def _draw(self, run) -> None:
        if self.steps[-1:] == [run.step]:
            return
        drawing = run.part(Drawing)
        images = drawing.draw(self.z) if drawing is not None else None
        if images is None:
            return
        if not np.all(np.isfinite(images)):
            raise diverged(run, "The generator's output became NaN or infinite")
        self.frames.append(np.asarray(images_square_grid(images, run.image_mode)))
        self.steps.append(run.step)

    def state(self) -> dict:
        return {"frame_steps": self.steps, "frames": np.asarray(self.frames, dtype=np.uint8)}

    def restore(self, run, state: dict) -> None:
        self.frames, self.steps = list(state["frames"]), state["frame_steps"]

    def history(self, run, returned) -> dict:
        if not self.frames and run.step:
            run.note(f"{run.name}: no film: no samples could be drawn during training.")
        return {"frames": self.frames, "frame_steps": self.steps}
