"""Measuring the samples at the end of each epoch, and keeping the last epoch's as ``samples.npy``."""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from harness import atomic
from harness.training.checkpointing import Checkpointing
from harness.training.drawing import Drawing
from harness.training.part import Part

SAMPLES = "samples.npy"  # The last epoch's samples, uint8, in the run's checkpoint folder.


class Measure(Part):
    """Draws ``count`` samples at each epoch's end, scores them with ``judge``, and keeps the last
    epoch's in the run's checkpoint folder (its ``Checkpointing``'s) for any other judge (FID
    tools read such arrays).

    Attributes:
        scores: Each epoch's scores: ``{"epoch", "step", ...}`` and the judge's figures.
    """

    ORDER = 50

    def __init__(self, judge=None, count: int = 10_000) -> None:
        """Describes the measure (it draws with the run's ``Drawing``, its noise from the run's
        seed and step).

        Args:
            judge: A ``judges.Judge`` (``evaluate`` and ``describe``); None to keep the samples only.
            count: Samples drawn for each measurement.
        """
        self.judge, self.count = judge, count
        self.scores: list[dict] = []

    def on_epoch_end(self, run) -> None:
        drawing, checkpointing = run.part(Drawing), run.part(Checkpointing)
        keep = run.epoch == run.epochs and checkpointing is not None
        if not (self.judge is not None or keep) or drawing is None or not drawing.ready:
            return
        rng = np.random.default_rng(run.seed + run.step)
        images = drawing.draw(rng.uniform(-1, 1, (self.count, run.z_dim)))
        if images is None:
            return
        if keep:
            self._keep(run, checkpointing.folder(run), images)
        if self.judge is None:
            return
        scores = {"epoch": run.epoch, "step": run.step, **self.judge.evaluate(images)}
        self.scores.append(scores)
        line = f"{run.name} after epoch {run.epoch} (step {run.step}): {self.judge.describe(scores)}"
        tqdm.write(line, file=run.stdout)

    def _keep(self, run, folder, images: np.ndarray) -> None:
        pixels = np.clip(np.round((images + 1) * 127.5), 0, 255).astype(np.uint8)
        if pixels.shape[-1] == 1:
            pixels = pixels[..., 0]
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
