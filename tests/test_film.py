"""film.py: the film of training as an animated GIF, and its errors."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

import film


def test_film_is_an_animated_gif_of_every_frame():
    frames = [np.full((10, 10), value, np.uint8) for value in (0, 128, 255)]

    html = film.film_html(frames, [100, 200, 300], scale=2)

    data = html.split("base64,")[1].split('"')[0]
    gif = Image.open(io.BytesIO(base64.b64decode(data)))
    assert gif.format == "GIF" and gif.n_frames == 3 and gif.size == (20, 20)


@pytest.mark.parametrize(
    "frames, steps, message",
    [([], [], "at least one frame"), ([np.zeros((4, 4), np.uint8)], [1, 2], "1 frames but 2 steps")],
)
def test_film_needs_one_step_per_frame(frames, steps, message):
    with pytest.raises(ValueError, match=message):
        film.film_html(frames, steps)
