"""harness/pictures.py: the film of training as an animated WebP, and its errors."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from harness import pictures


def test_film_is_an_animated_webp_of_every_frame():
    frames = [np.full((10, 10), value, np.uint8) for value in (0, 128, 255)]

    html = pictures.film_html(frames, [100, 200, 300], scale=2)

    data = html.split("base64,")[1].split('"')[0]
    movie = Image.open(io.BytesIO(base64.b64decode(data)))
    band = pictures.LABEL_PIXELS + 6  # The step is written above each frame.
    assert movie.format == "WEBP" and movie.n_frames == 3 and movie.size == (20, 20 + band)


def test_film_labels_are_legible_and_frames_keep_their_shades():
    frames = [np.tile(np.arange(0, 256, 4, dtype=np.uint8), (64, 1))]

    html = pictures.film_html(frames, [3750], scale=1)

    movie = Image.open(io.BytesIO(base64.b64decode(html.split("base64,")[1].split('"')[0]))).convert("L")
    label = np.asarray(movie)[: pictures.LABEL_PIXELS + 6] < 128
    rows = np.flatnonzero(label.any(axis=1))
    assert rows.max() - rows.min() + 1 >= 10, "the step label is at least 10 px of ink (a 14 px font)"
    shades = np.asarray(movie, np.int16)[pictures.LABEL_PIXELS + 6 :]
    assert np.abs(shades - frames[0]).mean() < 3, "the frame's shades come through (lossy, but close)"


@pytest.mark.parametrize(
    "frames, steps, message",
    [([], [], "at least one frame"), ([np.zeros((4, 4), np.uint8)], [1, 2], "1 frames but 2 steps")],
)
def test_film_needs_one_step_per_frame(frames, steps, message):
    with pytest.raises(ValueError, match=message):
        pictures.film_html(frames, steps)


def test_a_long_run_keeps_the_film_to_its_most_frames_first_and_last_included():
    frames = [np.full((10, 10), step % 256, np.uint8) for step in range(0, 3800, 100)]

    html = pictures.film_html(frames, list(range(0, 3800, 100)), scale=1, most=10)

    movie = Image.open(io.BytesIO(base64.b64decode(html.split("base64,")[1].split('"')[0])))
    assert movie.n_frames == 10
