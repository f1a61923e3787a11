"""harness/review/copies.py: samples that are MNIST's digits (training or test), pasted or edited,
are named, and the digits section cannot meet on them; drawn digits are not."""

import gzip
import struct

import numpy as np
import pytest
from PIL import Image, ImageFilter

from harness.data.sources import SOURCES
from harness.review import copies, sections

GOOD = {"epoch": 2, "fd_of_noise": 0.018, "confidence": 0.909, "rarest": 0.087}


def strokes(count: int, seed: int) -> np.ndarray:
    """``count`` digit-like images: a few thick strokes each, centred on their centre of mass as
    MNIST centres its digits."""
    rng = np.random.default_rng(seed)
    digits = np.zeros((count, 28, 28), np.uint8)
    for index, digit in enumerate(digits):
        for _ in range(4):
            row, column = rng.integers(8, 15, 2)
            digit[row : row + rng.integers(3, 7), column : column + rng.integers(3, 7)] = 255
        centre = [(digit.sum(axis=other) @ np.arange(28)) / digit.sum() for other in (1, 0)]
        digits[index] = np.roll(digit, [round(13.5 - c) for c in centre], axis=(0, 1))
    return digits


def idx(digits: np.ndarray) -> bytes:
    return gzip.compress(struct.pack(">4B3I", 0, 0, 8, 3, *digits.shape) + digits.tobytes())


@pytest.fixture
def data_dir(tmp_path):
    """A data folder whose MNIST archives hold 300 training and 100 test "digits", in IDX format."""
    public = strokes(400, 0)
    (tmp_path / SOURCES["mnist"].archive).write_bytes(idx(public[:300]))
    (tmp_path / SOURCES["mnist-test-images"].archive).write_bytes(idx(public[300:]))
    copies._prepared_digits.cache_clear()
    return tmp_path, public


def edits(digits: np.ndarray) -> dict[str, np.ndarray]:
    """The edits a forger might make to hide a pasted digit."""
    rng, scaled = np.random.default_rng(1), digits.astype(np.float32)
    shifted = np.pad(digits, ((0, 0), (2, 0), (0, 2)))[:, :28, 2:]  # Down and left, black filled in.
    blurred = [np.asarray(Image.fromarray(d).filter(ImageFilter.GaussianBlur(0.6))) for d in digits]
    return {
        "pasted": digits,
        "dimmed to 80%": (scaled * 0.8).astype(np.uint8),
        "contrast, grey background": np.clip((scaled - 128) * 1.5 + 160, 0, 255).astype(np.uint8),
        "noise 5%": np.clip(scaled + rng.normal(0, 0.05 * 255, digits.shape), 0, 255).astype(np.uint8),
        "blurred 0.6 px": np.stack(blurred),
        "shifted 2 px": shifted,
    }


@pytest.mark.parametrize("which", ["training", "test"])
def test_pasted_and_edited_public_digits_are_copies(data_dir, which):
    folder, public = data_dir
    pasted = public[:25] if which == "training" else public[300:325]

    for edit, forged in edits(pasted).items():
        found = copies.copies(forged, folder)
        assert found["copied"] and found["copies"] >= 23, (edit, found)


def test_drawn_digits_are_not_copies(data_dir):
    folder, _ = data_dir
    drawn = strokes(25, seed=2)  # Like the public ones, but none of them.

    found = copies.copies(drawn, folder)

    assert found == {"copies": 0, "of": 25, "nearest": pytest.approx(found["nearest"]), "copied": False}
    assert found["nearest"] > copies.COPY_DISTANCE


def test_without_mnist_in_the_data_folder_nothing_is_claimed(tmp_path):
    copies._prepared_digits.cache_clear()

    assert copies.copies(np.zeros((25, 28, 28), np.uint8), tmp_path) is None


def test_a_section_of_pasted_digits_requires_changes_whatever_its_figures():
    found = {"copies": 25, "of": 25, "nearest": 0.0, "copied": True}
    measured = {"confidence": 0.98, "digits": [3] * 10, "copies": found, "picture": "iVBOR", "count": 25}

    section = sections.digits_section(GOOD, GOOD, measured, None)

    assert section.verdict == sections.REQUIRES
    assert "25 of the 25 samples shown are copies of MNIST digits" in section.evidence
    assert section.picture == "iVBOR"


def test_a_training_done_again_whose_samples_are_copies_does_not_meet():
    found = {"copies": 900, "of": 1000, "nearest": 0.0, "copied": True}
    trained = {**GOOD, "copies": found, "description": "2 epochs of all batches, seed 0"}

    section = sections.digits_section(None, None, None, None, trained)

    assert section.verdict == sections.REQUIRES
    assert "900 of the samples checked are copies" in section.evidence


def test_drawn_samples_shown_meet_on_what_was_measured_here():
    found = {"copies": 0, "of": 25, "nearest": 0.12, "copied": False}
    measured = {"confidence": 0.91, "digits": [3] * 10, "copies": found, "picture": "", "count": 25}

    section = sections.digits_section(GOOD, GOOD, measured, None)

    assert section.verdict == sections.MEETS
    assert "Measured here on the last 25 samples shown: mean confidence 0.910" in section.evidence
    assert (
        "None of the samples shown is an MNIST digit pasted in (the nearest lies at 0.120)."
        in section.evidence
    )
