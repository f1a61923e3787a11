"""Measuring the samples at the end of each epoch, and keeping the last epoch's as ``samples.npy``."""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from harness import atomic
from harness.training.drawing import Drawing
from harness.training.part import Part

SAMPLES = "samples.npy"  # The last epoch's samples, uint8, in the run's checkpoint folder.


class Measure(Part):
    """Draws ``count`` samples at each epoch's end, scores them with ``judge``, and keeps the last
    epoch's in the run's checkpoint folder for any other judge (FID tools read such arrays).

    Attributes:
        scores: Each epoch's scores: ``{"epoch", "step", ...}`` and the judge's figures.
    """

    def __init__(self, drawing: Drawing, judge=None, count: int = 10_000, seed: int = 0) -> None:
        """Describes the measure.

        Args:
            drawing: The part that draws the generator's images.
            judge: A ``quality`` judge (``evaluate`` and ``describe``); None to keep the samples only.
            count: Samples drawn for each measurement.
            seed: With the step, seeds the noise of the samples drawn.
        """
        self.drawing, self.judge, self.count, self.seed = drawing, judge, count, seed
        self.scores: list[dict] = []

    def on_epoch_end(self, run) -> None:
        last = run.epoch == run.epochs
        keep = last and run.store is not None
        if not (self.judge is not None or keep) or not self.drawing.ready:
            return
        rng = np.random.default_rng(self.seed + run.step)
        images = self.drawing.draw(rng.uniform(-1, 1, (self.count, run.z_dim)))
        if images is None:
            return
        if keep:
            self._keep(run, images)
        if self.judge is None:
            return
        scores = {"epoch": run.epoch, "step": run.step, **self.judge.evaluate(images)}
        self.scores.append(scores)
        line = f"{run.name} after epoch {run.epoch} (step {run.step}): {self.judge.describe(scores)}"
        tqdm.write(line, file=run.stdout)

    def _keep(self, run, images: np.ndarray) -> None:
        pixels = np.clip(np.round((images + 1) * 127.5), 0, 255).astype(np.uint8)
        if pixels.shape[-1] == 1:
            pixels = pixels[..., 0]
        folder = run.store.run_folder(run.name, run.settings)
        folder.mkdir(parents=True, exist_ok=True)
        with atomic.replacing(folder / SAMPLES, pixels.nbytes + 128) as temp, temp.open("wb") as stream:
            np.save(stream, pixels)
        run.note(
            f"{run.name}: the final {len(pixels):,} samples ({'x'.join(map(str, pixels.shape[1:]))}, uint8) "
            f"are in {folder / SAMPLES}, for any judge (FID tools read such arrays)."
        )

    def state(self) -> dict:
        return {"quality": self.scores}

    def restore(self, run, state: dict) -> None:
        self.scores = state["quality"]

    def history(self, run, returned) -> dict:
        return {"quality": self.scores}
