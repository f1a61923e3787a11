"""harness/practices/diagnosis.py: each named failure from its evidence, and silence when samples are good."""

import numpy as np
import pytest

from harness import practices

GOOD_DIGITS = {"epoch": 2, "fd_of_noise": 0.018, "classes": [0.087] * 5 + [0.113] * 5, "confidence": 0.91}
POOR_DIGITS = {**GOOD_DIGITS, "fd_of_noise": 0.25, "confidence": 0.75}


def history(d_level, g_level, scores, steps=7500, seed=0):
    """Losses printed every 10 steps around the given levels (numbers, or functions of the run's share)."""
    rng = np.random.default_rng(seed)
    step = np.arange(10, steps + 1, 10)
    share = step / steps
    d_loss = (d_level(share) if callable(d_level) else d_level) * rng.uniform(0.8, 1.25, len(step))
    g_loss = (g_level(share) if callable(g_level) else g_level) * rng.uniform(0.8, 1.25, len(step))
    return {
        "step": step.tolist(),
        "d_loss": d_loss.tolist(),
        "g_loss": g_loss.tolist(),
        "steps": steps,
        "printed": True,
        "quality": [scores] if scores else [],
    }


def swinging(low, high):
    """A level that jumps between low and high every tenth of the run."""
    return lambda share: np.where((share * 10).astype(int) % 2 == 0, low, high)


def test_good_samples_get_no_diagnosis_even_when_the_discriminator_leads():
    # As the shipped solution's 2-epoch runs end: D about 0.4, G about 2.6, the best digits.
    assert practices.diagnose(history(0.45, 2.6, GOOD_DIGITS)) is None
    assert practices.diagnose(history(swinging(0.3, 1.5), swinging(0.7, 3.0), GOOD_DIGITS)) is None


def test_a_run_with_no_measured_epoch_or_too_short_to_judge_gets_no_diagnosis():
    assert practices.diagnose(history(0.05, 8.0, None)) is None
    assert practices.diagnose(None) is None
    assert practices.diagnose(history(0.05, 8.0, POOR_DIGITS, steps=400)) is None  # max_batches=200, say.


def test_the_discriminator_winning_is_named_with_its_losses_and_what_to_try():
    found = practices.diagnose(history(0.1, 6.0, POOR_DIGITS))

    assert found.name == "discriminator wins"
    assert "median 0.1" in found.evidence and "median 6." in found.evidence and "FD 25%" in found.evidence
    assert "smaller than the generator" in found.advice and "label smoothing" in found.advice


def test_swinging_losses_are_unstable_and_the_advice_names_settings_out_of_range_first():
    found = practices.diagnose(
        history(swinging(0.2, 3.0), swinging(0.8, 6.0), POOR_DIGITS), {"learning_rate": 0.02, "beta1": 0.5}
    )

    assert found.name == "unstable"
    assert found.advice.startswith("a learning rate of 0.0002 to 0.0008 (yours is 0.02); then batch norm")
    assert found.text().startswith("The training was unstable: over the second half")


def test_samples_as_far_from_digits_as_noise_with_calm_losses_mean_nothing_was_learned():
    found = practices.diagnose(
        history(0.65, 1.05, {**POOR_DIGITS, "fd_of_noise": 0.98}), {"learning_rate": 2e-6}
    )

    assert found.name == "nothing learned" and "98% as far from real digits" in found.evidence
    assert found.advice.startswith("a learning rate of 0.0002 to 0.0008 (yours is 2e-06); then checking")


@pytest.mark.parametrize(
    "classes",
    [[0.015] + [0.1094] * 9, [0.35] + [0.0722] * 9],
    ids=["a digit almost never", "one far too often"],
)
def test_a_few_digits_drawn_with_calm_losses_mean_the_generator_collapsed(classes):
    found = practices.diagnose(history(1.3, 0.8, {**GOOD_DIGITS, "classes": classes}))

    assert found.name == "collapse" and "the 0s" in found.evidence and "each digit is 10%" in found.evidence


def test_samples_far_from_digits_but_mostly_one_digit_mean_a_collapse_not_nothing_learned():
    one_digit = {**POOR_DIGITS, "fd_of_noise": 0.89, "classes": [0.86] + [0.0156] * 9}

    found = practices.diagnose(history(1.3, 0.8, one_digit))

    assert found.name == "collapse" and "the 0s are 86% of the samples" in found.evidence


def test_faces_are_diagnosed_from_their_losses_only_when_they_fall_short():
    faces = {"epoch": 1, "fd_of_noise": 0.6}

    assert practices.diagnose(history(0.1, 6.0, {**faces, "fd_of_noise": 0.2})) is None
    assert practices.diagnose(history(1.3, 0.8, faces)) is None  # Faces have no classes, no calibrated floor.
    assert practices.diagnose(history(0.1, 6.0, faces)).name == "discriminator wins"


def test_the_diagnosis_shows_under_its_run_and_nothing_when_it_went_well(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objects, **options: shown.extend(objects))

    practices.show_diagnosis(history(0.45, 2.6, GOOD_DIGITS), {})
    assert shown == []
    practices.show_diagnosis(history(0.1, 6.0, POOR_DIGITS), {"learning_rate": 0.02})
    [markdown] = shown
    assert markdown.data.startswith("🌀 **The discriminator won**: over the last quarter")
    assert "Try a learning rate of 0.0002 to 0.0008 (yours is 0.02); then a discriminator" in markdown.data


def test_the_self_review_notes_each_diagnosed_run():
    notes = practices.notes_on(
        {"mnist_history": history(0.1, 6.0, POOR_DIGITS), "celeba_history": history(0.45, 2.6, GOOD_DIGITS)}
    )

    runs = [(n.subject, n.done_well, n.text.split(":")[0]) for n in notes if n.subject.endswith("training")]
    assert runs == [("MNIST training", False, "The discriminator won")]
