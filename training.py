"""The bookkeeping of a training run, so that ``train`` can stay about the GAN.

``Run`` is what the notebook's ``train`` hands its steps to. It

- starts the session's variables fresh or, when asked to resume, from the last checkpoint of
  the same model, data and hyperparameters;
- counts steps behind a progress bar, keeps both losses every ``print_every`` steps, and stops
  the run with ``TrainingDiverged`` when a loss is NaN or infinite;
- every ``show_every`` steps draws the same fixed batch of noise vectors and shows it: the
  frames of a film of training (``film_html``), with ``plot_losses`` beside it;
- at the end of each epoch measures the samples with a ``quality`` judge, if given, and saves
  a checkpoint; on KeyboardInterrupt it saves one too, then lets the interrupt through.

Checkpoints are written into a temporary folder that is renamed once complete; a small
``latest.json``, replaced atomically, names the current one. A crash while saving therefore
never spoils the last good checkpoint.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import itertools
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from matplotlib import pyplot
from PIL import Image, ImageDraw
from tqdm import tqdm

import helper

# TensorFlow is imported inside the functions that use it: whoever imports this module first
# must be able to set TF_USE_LEGACY_KERAS before TensorFlow loads.

LATEST = "latest.json"
_SAMPLE_BATCH = 500  # Noise vectors per generator run when many samples are drawn.


class TrainingDiverged(FloatingPointError):
    """A loss became NaN or infinite: training cannot recover from it."""


class CheckpointError(ValueError):
    """A checkpoint cannot be read back."""


def _hyperparameter_key(name: str, hyperparameters: dict, graph) -> str:
    """Digest of what a checkpoint fits: the run's name, its hyperparameters and the graph.

    The graph's structure (every op's name, type and inputs, not its values) changes when
    the model or the loss changes, so a checkpoint is only resumed into the same model.
    """
    nodes = sorted((node.name, node.op, *node.input) for node in graph.as_graph_def().node)
    text = json.dumps([name, sorted(hyperparameters.items()), nodes], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


class Run:
    """One training run's progress, history, film, quality and checkpoints.

    Attributes:
        history: ``{"step", "d_loss", "g_loss"}`` lists every ``print_every`` steps,
            ``"quality"`` (one dict per epoch, when a judge is given), ``"frames"`` (the
            film's frames, uint8 grids) and ``"frame_steps"``.
        step: Training steps done so far, over all epochs.
        checkpoint: Folder of the last checkpoint saved or resumed, or None.
    """

    def __init__(
        self,
        name: str = "gan",
        *,
        checkpoint_dir: str | os.PathLike | None = None,
        resume: bool = False,
        judge=None,
        quality_samples: int = 10_000,
        print_every: int = 10,
        show_every: int = 100,
        film_size: int = 25,
        seed: int = 0,
    ) -> None:
        """Describes the run; nothing happens until ``running``.

        Args:
            name: Name of the run (the data set), part of the checkpoint folder's name.
            checkpoint_dir: Folder for checkpoints; None for no checkpoints.
            resume: Start from the last checkpoint of the same model, data and
                hyperparameters, if there is one.
            judge: A ``quality.Judge`` that measures the samples at the end of each epoch.
            quality_samples: Samples drawn for each measurement.
            print_every: Steps between two loss reports.
            show_every: Steps between two film frames, each shown as it is drawn.
            film_size: Noise vectors in the film (a square number shows as a full grid).
            seed: Seed of the film's noise vectors and of the measured samples.
        """
        if resume and checkpoint_dir is None:
            raise ValueError("resume=True needs a checkpoint_dir to resume from; pass one, or resume=False.")
        self.name, self.resume, self.judge = name, resume, judge
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.quality_samples, self.seed = quality_samples, seed
        self.print_every, self.show_every, self.film_size = print_every, show_every, film_size
        self.history = {
            "step": [],
            "d_loss": [],
            "g_loss": [],
            "quality": [],
            "frames": [],
            "frame_steps": [],
        }
        self.step = self.epoch = self.batch_in_epoch = 0
        self.label = name  # Names the progress lines; epochs() adds the epoch to it.
        self.checkpoint: Path | None = None
        self._saved_step = None
        self._session = self._saver = self._folder = None

    @contextlib.contextmanager
    def running(self, session, input_z, samples, image_mode: str, hyperparameters: dict) -> Iterator[Run]:
        """Starts the run in ``session``; saves a checkpoint if it is interrupted.

        Args:
            session: The training session, with the whole graph built.
            input_z: The noise placeholder.
            samples: The generator's output in inference mode, fed from ``input_z``.
            image_mode: ``'L'`` or ``'RGB'``, to draw the frames.
            hyperparameters: Everything that makes a checkpoint fit this run besides the
                graph: batch size, learning rate, beta1, data shape...

        Raises:
            TrainingDiverged: From ``record``; no checkpoint is saved then.
        """
        import tensorflow.compat.v1 as tf

        self._session, self._input_z, self._samples, self.image_mode = session, input_z, samples, image_mode
        z_dim = input_z.shape.as_list()[-1]
        self._film_z = np.random.default_rng(self.seed).uniform(-1, 1, (self.film_size, z_dim))
        if self.checkpoint_dir is not None:
            self._saver = tf.train.Saver(max_to_keep=None)
            key = _hyperparameter_key(self.name, hyperparameters, session.graph)
            self._folder = self.checkpoint_dir / f"{self.name}-{key}"
        if not (self.resume and self._restore()):
            session.run(tf.global_variables_initializer())
        try:
            yield self
        except KeyboardInterrupt:
            if self._saver is not None and self.step != self._saved_step:
                self.save()
                print(f"Interrupted at step {self.step}: saved {self.checkpoint}. Run again to resume.")
            raise

    def epochs(self, epoch_count: int) -> Iterator[int]:
        """Yields the epochs still to run; after each, measures quality and saves a checkpoint."""
        for epoch in range(self.epoch, epoch_count):
            self.label = f"{self.name} epoch {epoch + 1}/{epoch_count}"
            yield epoch
            self.epoch, self.batch_in_epoch = epoch + 1, 0
            if self.judge is not None:
                self.measure()
            if self._saver is not None:
                self.save()
        self.show_frame()

    def batches(self, batches: Iterable, total: int) -> Iterator:
        """Yields an epoch's batches behind a progress bar, skipping those done before a resume."""
        done = self.batch_in_epoch
        remaining = itertools.islice(batches, done, None)
        yield from tqdm(remaining, desc=self.label, total=total, initial=done, unit="batch")

    def record(self, d_loss: float, g_loss: float) -> None:
        """Counts a finished step; keeps its losses and draws a frame when it is time.

        Raises:
            TrainingDiverged: A loss is NaN or infinite.
        """
        for which, value in (("Discriminator", d_loss), ("Generator", g_loss)):
            if not math.isfinite(value):
                raise TrainingDiverged(self._divergence_message(which, value))
        self.step += 1
        self.batch_in_epoch += 1
        if self.step % self.print_every == 0:
            for key, value in zip(("step", "d_loss", "g_loss"), (self.step, d_loss, g_loss), strict=True):
                self.history[key].append(float(value))
            tqdm.write(f"{self.label} step {self.step}: D loss {d_loss:.4f}, G loss {g_loss:.4f}")
        if self.step % self.show_every == 0:
            self.show_frame()

    def _divergence_message(self, which: str, value: float) -> str:
        kept = (
            f"The last checkpoint, {self.checkpoint} (step {self._saved_step}), is kept: fix the cause and "
            "run again to resume from it, or delete it to start over."
            if self.checkpoint
            else "No checkpoint had been saved yet."
        )
        return (
            f"{which} loss became {value} at step {self.step + 1}: training stopped. Likely causes: "
            "a learning rate too high (reviewed range 0.0002 to 0.0008); a loss computed from "
            "probabilities (log of 0) instead of tf.nn.sigmoid_cross_entropy_with_logits on the "
            f"logits; real images not scaled to [-1, 1], or holding NaN. {kept}"
        )

    def draw(self, z: np.ndarray) -> np.ndarray:
        """The generator's images for noise vectors ``z``, in [-1, 1], in batches."""
        chunks = [
            self._session.run(self._samples, {self._input_z: z[start : start + _SAMPLE_BATCH]})
            for start in range(0, len(z), _SAMPLE_BATCH)
        ]
        return np.concatenate(chunks)

    def show_frame(self) -> None:
        """Draws the film's noise vectors, keeps the grid as a frame and shows it."""
        if self.history["frame_steps"][-1:] == [self.step]:
            frame = self.history["frames"][-1]
        else:
            grid = helper.images_square_grid(self.draw(self._film_z), self.image_mode)
            frame = np.asarray(grid)
            self.history["frames"].append(frame)
            self.history["frame_steps"].append(self.step)
        pyplot.imshow(frame, cmap="gray" if self.image_mode == "L" else None)
        pyplot.title(f"{self.name}, step {self.step}")
        pyplot.axis("off")
        pyplot.show()

    def measure(self) -> dict:
        """Measures ``quality_samples`` samples with the judge; keeps and prints the result."""
        rng = np.random.default_rng(self.seed + self.step)
        z = rng.uniform(-1, 1, (self.quality_samples, self._film_z.shape[1]))
        scores = {"epoch": self.epoch, "step": self.step, **self.judge.evaluate(self.draw(z))}
        self.history["quality"].append(scores)
        tqdm.write(f"{self.name} after epoch {self.epoch} (step {self.step}): {self.judge.describe(scores)}")
        return scores

    def save(self) -> Path:
        """Saves a checkpoint: variables, counters, history and film, all or nothing."""
        folder = self._folder
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"step-{self.step:07d}"
        if not final.is_dir():
            work = Path(tempfile.mkdtemp(dir=folder, prefix=".step-", suffix=".part"))
            try:
                self._saver.save(
                    self._session, str(work / "model"), write_meta_graph=False, write_state=False
                )
                state = {"step": self.step, "epoch": self.epoch, "batch_in_epoch": self.batch_in_epoch}
                history = {k: v for k, v in self.history.items() if k != "frames"}
                (work / "state.json").write_text(json.dumps({**state, "history": history}))
                np.save(work / "frames.npy", np.asarray(self.history["frames"], dtype=np.uint8))
                os.rename(work, final)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        _write_atomically(folder / LATEST, json.dumps({"checkpoint": final.name}))
        for old in folder.iterdir():
            if old.is_dir() and old != final:
                shutil.rmtree(old, ignore_errors=True)
        self.checkpoint, self._saved_step = final, self.step
        return final

    def _restore(self) -> bool:
        latest = self._folder / LATEST
        if not latest.is_file():
            return False
        final = self._folder / json.loads(latest.read_text())["checkpoint"]
        try:
            state = json.loads((final / "state.json").read_text())
            frames = np.load(final / "frames.npy")
            self._saver.restore(self._session, str(final / "model"))
        except (OSError, ValueError) as error:
            raise CheckpointError(
                f"The checkpoint {final} cannot be read ({error}). Delete the folder {self._folder} "
                "to start this run over, or set resume = False."
            ) from error
        self.step, self.epoch, self.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        self.history = {**state["history"], "frames": list(frames)}
        self.checkpoint, self._saved_step = final, self.step
        print(f"Resumed {self.name} from {final}: epoch {self.epoch + 1}, step {self.step}.")
        return True

    def restore_into(self, session) -> None:
        """Loads the last checkpoint's values of the variables that ``session``'s graph has.

        Raises:
            CheckpointError: The run has saved no checkpoint.
        """
        import tensorflow.compat.v1 as tf

        if self.checkpoint is None:
            raise CheckpointError(
                f"The run {self.name!r} has no checkpoint: train it with a checkpoint_dir first."
            )
        tf.train.Saver(tf.global_variables()).restore(session, str(self.checkpoint / "model"))


def _write_atomically(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def film_html(frames: list[np.ndarray], steps: list[int], scale: int = 3, milliseconds: int = 200) -> str:
    """An animated GIF of the frames, embedded in an <img> tag (the report stands alone).

    Args:
        frames: uint8 grids, (height, width) or (height, width, 3), as ``Run`` draws them.
        steps: The step of each frame, written in its corner.
        scale: Each pixel becomes scale x scale pixels.
        milliseconds: Time each frame is shown; the last is held five times longer.

    Returns:
        HTML to display, e.g. with ``IPython.display.HTML``.
    """
    if not frames:
        raise ValueError("film_html needs at least one frame: train for show_every steps or more first.")
    images = []
    for frame, step in zip(frames, steps, strict=True):
        image = Image.fromarray(frame).convert("RGB")
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
        ImageDraw.Draw(image).text((4, 2), f"step {step}", fill=(255, 64, 64))
        images.append(image)
    buffer = io.BytesIO()
    durations = [milliseconds] * (len(images) - 1) + [milliseconds * 5]
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/gif;base64,{data}" alt="samples during training, step by step">'


def plot_losses(history: dict, title: str = "Losses") -> None:
    """Plots both losses over the training steps."""
    pyplot.figure(figsize=(8, 3))
    pyplot.plot(history["step"], history["d_loss"], label="discriminator")
    pyplot.plot(history["step"], history["g_loss"], label="generator")
    pyplot.xlabel("step")
    pyplot.ylabel("loss")
    pyplot.title(title)
    pyplot.legend()
    pyplot.show()
