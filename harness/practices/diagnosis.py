"""A diagnosis of a training run from its history: what went wrong, the evidence, what to try.

Only a run whose samples fall short of the rubric is diagnosed: the digits' distance to real
ones above 10% of noise's, or a digit almost never (or far too often) drawn; the faces' above
30%. Its losses cannot decide alone: in the shipped solution's own 2-epoch MNIST runs, which draw
the best digits, the discriminator's loss falls to about 0.4 and the generator's climbs to about
2.5, as in a run the discriminator won. Then the four failures GAN guides name (Soumith
Chintala's "GAN hacks", the project's reviewers) are looked for in this order, the first found
being the diagnosis:

1. the discriminator wins: over the last quarter of the steps its loss is low and the
   generator's high;
2. the training is unstable: over the second half, the losses' level swings (the median of each
   fifth of it, the highest against the lowest);
3. the generator collapses onto one digit: it is over half of the samples;
4. nothing is learned: the samples are about as far from real digits as noise is;
5. the generator collapses onto a few digits: one is almost never drawn, or one far too often.

A run whose samples are good gets no diagnosis, whatever its losses: silence means nothing
named went wrong. Nor does a run of fewer than 500 steps, too short to judge.
``python -m benchmarks.training_diagnosis`` measures how often each is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.rubric import RANGES, in_range

# Samples that fall short (the self-review's lines): digits, then faces (in random features).
SHORT_FD_OF_NOISE = {"digits": 0.10, "faces": 0.30}
COLLAPSE_RAREST, COLLAPSE_COMMONEST = 0.02, 0.30  # Shares of the samples; each digit is 10% of MNIST.
ONE_DIGIT = 0.5  # A share of the samples that is a collapse even when they are far from MNIST.
D_WINS_MOST_D, D_WINS_LEAST_G = 0.8, 2.5  # Median losses over the last quarter of the steps.
UNSTABLE_G_SWING, UNSTABLE_D_SWING = 2.0, 3.0  # Highest over lowest median of a fifth of the second half.
NOTHING_LEAST_FD_OF_NOISE = 0.5
LEAST_LOSSES = 10  # Printed losses the part of the run read needs.
LEAST_STEPS = 500  # A shorter run (max_batches set, say) is too short to judge: its samples are noise.


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong in a training run.

    Attributes:
        name: "discriminator wins", "unstable", "nothing learned" or "collapse".
        evidence: What the history shows, with its figures.
        advice: What to try, most likely first.
    """

    name: str
    evidence: str
    advice: str

    @property
    def title(self) -> str:
        """What went wrong, in a few words: "The discriminator won"."""
        return _TITLES[self.name]

    def text(self) -> str:
        """The diagnosis as a reviewer writes it: what, the evidence, what to try."""
        return f"{self.title}: {self.evidence}. Try {self.advice}."


_TITLES = {
    "discriminator wins": "The discriminator won",
    "unstable": "The training was unstable",
    "nothing learned": "Nothing was learned",
    "collapse": "The generator collapsed onto a few digits",
}


def diagnose(history: dict | None, settings: dict | None = None) -> Diagnosis | None:
    """The diagnosis of a training run, or None when its samples are good or show no named failure.

    Args:
        history: ``training.Run.history``: the losses and the step of each, ``"steps"``, and the
            quality measured after each epoch (``fd_of_noise``, and for digits ``classes``).
        settings: The learner's hyperparameters (``learning_rate``, ``beta1``), named in the advice
            when they are outside the reviewed ranges.
    """
    quality = (history or {}).get("quality") or []
    if not quality or history.get("steps", 0) < LEAST_STEPS or not _falls_short(quality[-1]):
        return None
    for reader in (_discriminator_wins, _unstable, _one_digit, _nothing_learned, _collapse):
        found = reader(history, quality[-1], settings or {})
        if found is not None:
            return found
    return None


def _falls_short(scores: dict) -> bool:
    if "classes" not in scores:
        return scores["fd_of_noise"] > SHORT_FD_OF_NOISE["faces"]
    shares = scores["classes"]
    return (
        scores["fd_of_noise"] > SHORT_FD_OF_NOISE["digits"]
        or min(shares) < COLLAPSE_RAREST
        or max(shares) > COLLAPSE_COMMONEST
    )


def _losses(history: dict, start: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The D and G losses printed after ``start`` (a share of the run's steps), if enough were."""
    steps = np.asarray(history.get("step", []), dtype=float)
    if not len(steps):
        return None
    kept = steps > start * max(history.get("steps") or 0, steps[-1])
    d_loss = np.asarray(history["d_loss"], dtype=float)[kept]
    g_loss = np.asarray(history["g_loss"], dtype=float)[kept]
    return (d_loss, g_loss) if len(d_loss) >= LEAST_LOSSES else None


def _first(settings: dict) -> str:
    """What to try first when the learning rate or beta1 is outside its reviewed range, else ''."""
    advice = []
    for name, words in (
        ("learning_rate", "a learning rate of {low:g} to {high:g}"),
        ("beta1", "Adam's beta1 of about 0.5"),
    ):
        low, high = RANGES[name]
        value = settings.get(name)
        if isinstance(value, int | float) and not in_range(name, value):
            advice.append(f"{words.format(low=low, high=high)} (yours is {value:g})")
    return " and ".join(advice) + "; then " if advice else ""


def _discriminator_wins(history: dict, scores: dict, settings: dict) -> Diagnosis | None:
    losses = _losses(history, 0.75)
    if losses is None:
        return None
    d_median, g_median = np.median(losses[0]), np.median(losses[1])
    if not (d_median < D_WINS_MOST_D and g_median > D_WINS_LEAST_G):
        return None
    return Diagnosis(
        "discriminator wins",
        f"over the last quarter of the steps its loss was low (median {d_median:.2f}) and the generator's "
        f"high (median {g_median:.2f}), while the samples fell short ({_figures(scores)}): the "
        "discriminator told them apart too easily for the generator to learn from it",
        _first(settings) + "a discriminator smaller than the generator (fewer filters), dropout in the "
        "discriminator, one-sided label smoothing (real labels of 0.9), or more generator steps a batch",
    )


def _unstable(history: dict, scores: dict, settings: dict) -> Diagnosis | None:
    losses = _losses(history, 0.5)
    if losses is None:
        return None
    levels = [[np.median(part) for part in np.array_split(values, 5)] for values in losses]
    swings = [max(level) / max(min(level), 1e-3) for level in levels]
    if swings[0] <= UNSTABLE_D_SWING and swings[1] <= UNSTABLE_G_SWING:
        return None
    spans = [f"{min(level):.2f} and {max(level):.2f}" for level in levels]
    return Diagnosis(
        "unstable",
        f"over the second half of the steps the losses' level kept swinging (the median of each fifth: "
        f"the discriminator's between {spans[0]}, the generator's between {spans[1]}), and the samples "
        f"fell short ({_figures(scores)}): each network kept undoing what the other learned",
        (_first(settings) or "a smaller learning rate (0.0002) and Adam's beta1 of 0.5; then ")
        + "batch norm in both networks (not on the discriminator's first layer nor the generator's last)",
    )


def _nothing_learned(history: dict, scores: dict, settings: dict) -> Diagnosis | None:
    if "classes" not in scores or scores["fd_of_noise"] < NOTHING_LEAST_FD_OF_NOISE:
        return None
    return Diagnosis(
        "nothing learned",
        f"after epoch {scores['epoch']} the samples are {scores['fd_of_noise']:.0%} as far from real digits "
        "as noise is (a trained generator's: under 10%), and the losses show no fight that explains it",
        _first(settings) + "checking that train runs both optimizers on every batch with the learning "
        "rate you set, that the generator's output goes through tanh, and that real batches are "
        "scaled to [-1, 1]",
    )


def _one_digit(history: dict, scores: dict, settings: dict) -> Diagnosis | None:
    """A collapse onto one digit, whatever the distance: drawing one digit only is far from MNIST too."""
    if "classes" not in scores or max(scores["classes"]) <= ONE_DIGIT:
        return None
    return _collapse(history, scores, settings)


def _collapse(history: dict, scores: dict, settings: dict) -> Diagnosis | None:
    if "classes" not in scores:
        return None
    shares = np.asarray(scores["classes"])
    rarest, commonest = int(shares.argmin()), int(shares.argmax())
    if shares[rarest] >= COLLAPSE_RAREST and shares[commonest] <= COLLAPSE_COMMONEST:
        return None
    return Diagnosis(
        "collapse",
        f"after epoch {scores['epoch']} the {commonest}s are {shares[commonest]:.0%} of the samples and the "
        f"{rarest}s {shares[rarest]:.1%} (each digit is 10% of MNIST): the generator draws a few kinds "
        "and hardly any of the others",
        _first(settings) + "batch norm in the generator, one-sided label smoothing, a smaller batch "
        "(16 to 32), or dropout in the discriminator",
    )


def _figures(scores: dict) -> str:
    """The last epoch's figures, in words."""
    figures = f"FD {scores['fd_of_noise']:.0%} of noise's"
    if "classes" in scores:
        figures += f", rarest digit {min(scores['classes']):.1%}"
    return figures
