"""The progress bar of each epoch, and the losses ``train`` prints: read, kept, shown in the bar.

While the with-block around ``train`` runs, what it prints goes through a line reader: a line
that shows both losses is kept for the loss plot and, while a bar runs, shown in the bar instead
of printed (hundreds of such lines would bury the notebook). A loss that is NaN or infinite stops
training at the end of its batch.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
from tqdm import tqdm

from harness.training.divergence import diverged
from harness.training.losses import read_losses, returned_losses
from harness.training.part import Part


class LineReader(io.TextIOBase):
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


class Progress(Part):
    """Shows a progress bar per epoch, and keeps the losses ``train`` prints.

    Attributes:
        losses: ``{"step", "d_loss", "g_loss"}``: the finite losses read, and the step of each.
    """

    ORDER = 0  # First: it reads what train prints as the batch ends.

    def __init__(self, verbose: bool = True) -> None:
        self.verbose = verbose
        self.losses: dict[str, list[float]] = {"step": [], "d_loss": [], "g_loss": []}
        self._last: tuple[float, float] | None = None
        self._bar = self._reader = self._redirect = None

    def on_train_begin(self, run) -> None:
        self._reader = LineReader(run.stdout, lambda line: self._take(run, line))
        self._redirect = contextlib.redirect_stdout(self._reader)
        self._redirect.__enter__()

    def on_train_end(self, run) -> None:
        self._redirect.__exit__(None, None, None)
        self._reader.close_line()
        self._redirect = None

    def on_epoch_begin(self, run, epoch: int, batches: int) -> None:
        label = f"{run.name} epoch {epoch + 1}/{max(run.epochs, epoch + 1)}"
        self._bar = tqdm(
            total=batches,
            initial=run.batch_in_epoch,
            desc=label,
            unit="batch",
            disable=not self.verbose,
            mininterval=1,
        )

    def on_batch_end(self, run) -> None:
        if self._last is not None:
            for which, value in zip(("Discriminator", "Generator"), self._last):
                if not math.isfinite(value):
                    raise diverged(run, f"{which} loss became {value}")
        self._bar.update()

    def on_epoch_end(self, run) -> None:
        self._close_bar()

    def on_stop(self, run, error) -> None:
        self._close_bar()

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _take(self, run, line: str) -> bool:
        """Keeps the losses a printed line shows; returns whether the line is not to be printed."""
        losses = read_losses(line)
        if losses is None:
            return False
        d_loss, g_loss = self._last = losses
        if math.isfinite(d_loss) and math.isfinite(g_loss):
            for key, value in (("step", run.step + 1), ("d_loss", d_loss), ("g_loss", g_loss)):
                self.losses[key].append(value)
        if self._bar is None or self._bar.disable:
            return False
        self._bar.set_postfix_str(f"D loss {d_loss:.4f}, G loss {g_loss:.4f}", refresh=False)
        run.note(
            f"{run.name}: the losses train prints show in the progress bar, and in the loss plot after it."
        )
        return True

    def state(self) -> dict:
        return {"losses": self.losses}

    def restore(self, run, state: dict) -> None:
        self.losses = state["losses"]

    def history(self, run, returned) -> dict:
        """The printed losses, else the returned ones spread evenly over the steps."""
        losses, pairs = {**self.losses, "printed": bool(self.losses["step"])}, returned_losses(returned)
        if not losses["step"] and pairs:
            steps = np.linspace(run.step / len(pairs), run.step, len(pairs)).round().astype(int)
            losses = {
                "printed": False,
                "step": steps.tolist(),
                "d_loss": [d for d, _ in pairs],
                "g_loss": [g for _, g in pairs],
            }
        if not losses["step"] and run.step:
            run.note(
                f"{run.name}: no loss plot: train neither printed its losses (for example "
                "'Discriminator Loss: 0.53 Generator Loss: 1.20') nor returned them."
            )
        return losses
