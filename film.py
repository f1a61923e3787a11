"""Pictures of a training run: the film of its samples and the plot of its losses."""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib import pyplot
from PIL import Image, ImageDraw


def film_html(frames: list[np.ndarray], steps: list[int], scale: int = 3, milliseconds: int = 200) -> str:
    """An animated GIF of the frames, embedded in an <img> tag (the report stands alone).

    Args:
        frames: uint8 grids, (height, width) or (height, width, 3), as ``training.Run`` draws them.
        steps: The step of each frame, written in its corner.
        scale: Each pixel becomes scale x scale pixels.
        milliseconds: Time each frame is shown; the last is held five times longer.

    Returns:
        HTML to display, e.g. with ``IPython.display.HTML``.

    Raises:
        ValueError: No frames, or not as many steps as frames.
    """
    if not frames:
        raise ValueError("film_html needs at least one frame: train for show_every steps or more first.")
    if len(frames) != len(steps):
        raise ValueError(
            f"film_html got {len(frames)} frames but {len(steps)} steps: give one step per frame."
        )
    images = []
    for frame, step in zip(frames, steps):
        image = Image.fromarray(np.asarray(frame, np.uint8)).convert("RGB")
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
        ImageDraw.Draw(image).text((4, 2), f"step {step}", fill=(255, 64, 64))
        images.append(image)
    buffer = io.BytesIO()
    durations = [milliseconds] * (len(images) - 1) + [milliseconds * 5]
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/gif;base64,{data}" alt="samples during training, step by step">'


def plot_losses(history: dict, title: str = "Losses") -> None:
    """Plots both losses over the training steps, from a ``training.Run`` history."""
    pyplot.figure(figsize=(8, 3))
    pyplot.plot(history["step"], history["d_loss"], label="discriminator")
    pyplot.plot(history["step"], history["g_loss"], label="generator")
    pyplot.xlabel("step")
    pyplot.ylabel("loss")
    pyplot.title(title)
    pyplot.legend()
    pyplot.show()
