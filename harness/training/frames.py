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

    def __init__(self, drawing: Drawing, z: np.ndarray, image_mode: str, every: int = 100, show=None) -> None:
        """Describes the film; nothing is drawn until ``train`` trains.

        Args:
            drawing: The part that draws the generator's images.
            z: The film's noise vectors, the same in every frame (a square number fills the grid).
            image_mode: ``'L'`` or ``'RGB'``.
            every: Steps between two frames.
            show: ``show(grid, caption)`` shows the frame at each epoch's end (``film.show_grid``);
                None to show none.
        """
        self.drawing, self.z, self.image_mode, self.every, self.show = drawing, z, image_mode, every, show
        self.frames: list[np.ndarray] = []
        self.steps: list[int] = []

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
        images = self.drawing.draw(self.z)
        if images is None:
            return
        if not np.all(np.isfinite(images)):
            raise diverged(run, "The generator's output became NaN or infinite")
        self.frames.append(np.asarray(images_square_grid(images, self.image_mode)))
        self.steps.append(run.step)

    def state(self) -> dict:
        return {"frame_steps": self.steps, "frames": np.asarray(self.frames, dtype=np.uint8)}

    def restore(self, run, state: dict) -> None:
        self.frames, self.steps = list(state["frames"]), state["frame_steps"]

    def history(self, run, returned) -> dict:
        if not self.frames and run.step:
            run.note(f"{run.name}: no film: no samples could be drawn during training.")
        return {"frames": self.frames, "frame_steps": self.steps}
