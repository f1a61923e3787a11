"""harness/review/copies.py: samples that are training digits, pasted or altered, are named, and
the digits section cannot meet on them; drawn digits are not."""

import gzip
import struct

import numpy as np
import pytest

from harness.data.sources import SOURCES
from harness.review import copies, rubric

GOOD = {"epoch": 2, "fd_of_noise": 0.018, "confidence": 0.909, "rarest": 0.087}


@pytest.fixture
def data_dir(tmp_path):
    """A data folder whose MNIST training archive holds 300 random strokes, in MNIST's IDX format."""
    rng = np.random.default_rng(0)
    digits = np.zeros((300, 28, 28), np.uint8)
    for digit in digits:
        for _ in range(4):  # A few thick strokes, as a digit's.
            row, column = rng.integers(4, 20, 2)
            digit[row : row + rng.integers(3, 8), column : column + rng.integers(3, 8)] = 255
    header = struct.pack(">4B3I", 0, 0, 8, 3, *digits.shape)
    (tmp_path / SOURCES["mnist"].archive).write_bytes(gzip.compress(header + digits.tobytes()))
    copies.training_digits.cache_clear()
    return tmp_path, digits


def test_pasted_noisy_and_shifted_training_digits_are_copies(data_dir):
    folder, digits = data_dir
    rng = np.random.default_rng(1)
    pasted = digits[:25]
    noisy = np.clip(pasted + rng.normal(0, 0.05 * 255, pasted.shape), 0, 255).astype(np.uint8)
    shifted = np.roll(pasted, 1, axis=1)

    for forged in (pasted, noisy, shifted):
        found = copies.copies(forged, folder)
        assert found["copied"] and found["copies"] == 25, found


def test_drawn_digits_are_not_copies(data_dir):
    folder, _ = data_dir
    drawn = np.random.default_rng(2).integers(0, 256, (25, 28, 28)).astype(np.uint8)

    found = copies.copies(drawn, folder)

    assert found == {"copies": 0, "of": 25, "nearest": pytest.approx(found["nearest"]), "copied": False}
    assert found["nearest"] > copies.COPY_DISTANCE


def test_without_mnist_in_the_data_folder_nothing_is_claimed(tmp_path):
    copies.training_digits.cache_clear()

    assert copies.copies(np.zeros((25, 28, 28), np.uint8), tmp_path) is None


def test_a_section_of_pasted_digits_requires_changes_whatever_its_figures():
    found = {"copies": 25, "of": 25, "nearest": 0.0, "copied": True}
    measured = {"confidence": 0.98, "digits": [3] * 10, "copies": found, "picture": "iVBOR"}

    section = rubric.digits_section(GOOD, GOOD, measured, None)

    assert section.verdict == rubric.REQUIRES
    assert "25 of the 25 samples shown are copies of MNIST training digits" in section.evidence
    assert section.picture == "iVBOR"


def test_a_training_done_again_whose_samples_are_copies_does_not_meet():
    found = {"copies": 900, "of": 1000, "nearest": 0.0, "copied": True}
    trained = {**GOOD, "copies": found, "description": "2 epochs of all batches, seed 0"}

    section = rubric.digits_section(None, None, None, None, trained)

    assert section.verdict == rubric.REQUIRES
    assert "900 of the 1000 samples checked are copies" in section.evidence


def test_drawn_samples_meet_as_before():
    found = {"copies": 0, "of": 25, "nearest": 0.12, "copied": False}
    measured = {"confidence": 0.91, "digits": [3] * 10, "copies": found, "picture": ""}

    section = rubric.digits_section(GOOD, GOOD, measured, None)

    assert section.verdict == rubric.MEETS
    assert "None is a training digit pasted in (the nearest lies at 0.120)." in section.evidence
