"""Notes on ``train``: what its check saw it feed (real images, noise), and how often its runs
printed losses and showed samples."""

from __future__ import annotations

import numpy as np

from harness.practices.note import Note

# Batches between two printed losses, and between two sample grids, that reviewers find useful.
PRINT_EVERY, SHOW_EVERY = (5, 50), (50, 500)


def feed_notes(feeds: dict) -> list[Note]:
    """Notes on what ``train`` fed its graph, as its check recorded it (``OUTCOMES.train_feeds``)."""
    notes = []
    if "real" in feeds:
        notes.append(
            Note(
                "train",
                True,
                "Real batches scaled to [-1, 1], the range of the generator's tanh: otherwise the "
                "discriminator tells real images from generated ones by their range alone.",
            )
        )
    if "noise" in feeds:
        notes.append(_noise_note(*feeds["noise"]))
    return notes


def _noise_note(low: float, high: float, std: float) -> Note:
    if -1.0001 <= low < -0.9 and 0.9 < high <= 1.0001:
        return Note(
            "train",
            True,
            "Noise from U(-1, 1), as show_generator_output, the film and the quality measure draw it: "
            "the generator is judged on the kind of noise it learned from.",
        )
    kind = (
        f"a normal distribution (std {std:.1f})" if low < -1.5 or high > 1.5 else f"{low:.1f} to {high:.1f}"
    )
    return Note(
        "train",
        False,
        f"Draw the noise from U(-1, 1), as show_generator_output does: train draws it from {kind}, so "
        "the samples shown, filmed and measured come from noise unlike what the generator learned on.",
    )


def frequency_notes(history: dict | None) -> list[Note]:
    """Notes on how often a training run's ``train`` printed its losses and showed samples."""
    if not history or not history.get("steps"):
        return []
    return [note for note in (_print_note(history), _show_note(history)) if note is not None]


def _every(steps: list[int]) -> int:
    return int(np.median(np.diff([0, *steps])))


def _print_note(history: dict) -> Note | None:
    if not history.get("printed"):
        if history["steps"] < PRINT_EVERY[1]:
            return None  # Too short a run to have printed any.
        return Note(
            "train",
            False,
            "Print both losses every 10 batches: train printed none, and a loss that runs to 0 or "
            "climbs is the first sign that training goes wrong.",
        )
    every, (low, high) = _every(history["step"]), PRINT_EVERY
    if low <= every <= high:
        return Note(
            "train",
            True,
            f"Losses printed every {every} batches: enough points to follow both, few enough to read.",
        )
    why = "a line every batch or two buries the trend" if every < low else "trouble shows late between them"
    return Note("train", False, f"Print the losses every 10 batches or so: every {every}, {why}.")


def _show_note(history: dict) -> Note | None:
    shown, (low, high) = history.get("show_steps", []), SHOW_EVERY
    if not shown:
        if history["steps"] < low:
            return None  # Too short a run to have shown any.
        return Note(
            "train",
            False,
            "Show samples with show_generator_output every 100 batches: train showed none, and "
            "samples tell what losses cannot (blur, one digit only).",
        )
    every = _every(shown)
    if low <= every <= high:
        return Note("train", True, f"Samples shown every {every} batches: training seen as it goes.")
    why = "each grid costs a pass of the generator" if every < low else "changes go unseen between them"
    return Note("train", False, f"Show samples every 100 batches or so: every {every}, {why}.")
