"""The reference run's band: where a learner's MNIST run stands against the shipped solution's.

``python -m benchmarks.quality_seeds`` trains the shipped solution with the notebook's settings over
several seeds and writes, per epoch, the least and the most of each quality figure over them to
``reference_band.json``. A learner's run is on track when its figures lie within that band, ahead
when better than every seed's, behind when worse than every seed's. The notebook draws its run
against the band, and the self-review and the review quote it in a sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BAND_FILE", "Band", "load", "plot", "sentence", "standing"]

BAND_FILE = Path(__file__).with_name("reference_band.json")
# The figures the sentence and the plot compare, and whether lower is better for each.
LOWER_IS_BETTER = {"fd_of_noise": True, "confidence": False}
_SAID = {"fd_of_noise": ("FD", "{:.1%}", " of the noise floor"), "confidence": ("confidence", "{:.3f}", "")}


@dataclass(frozen=True)
class Band:
    """The reference's band.

    Attributes:
        epochs: Per epoch (from 1), each figure's ``[least, most]`` over the seeds.
        seeds: How many seeds the band spans.
        made_by: The command that wrote it.
    """

    epochs: dict[int, dict[str, list[float]]]
    seeds: int
    made_by: str

    def at(self, epoch: int) -> tuple[int, dict[str, list[float]]]:
        """The band's epoch nearest ``epoch`` (its last, for a run that trained longer), and its figures."""
        nearest = min(self.epochs, key=lambda known: (abs(known - epoch), -known))
        return nearest, self.epochs[nearest]


def load(path: Path = BAND_FILE) -> Band | None:
    """The band in ``path``, or None when there is none or it cannot be read."""
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = content["band"]
        epochs = {int(row["epoch"]): {name: list(row[name]) for name in LOWER_IS_BETTER} for row in rows}
        seeds = min(int(row["seeds"]) for row in rows)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Band(epochs, seeds, str(content.get("made_by", ""))) if epochs else None


def standing(band: Band, epoch: int, name: str, value: float) -> str:
    """``"within"``, ``"ahead of"`` or ``"behind"`` the band, for figure ``name`` after ``epoch``."""
    # Compared as shown (0.1% of the noise floor, 0.001 of confidence): what the learner reads agrees.
    least, most, value = (round(figure, 3) for figure in (*band.at(epoch)[1][name], value))
    if least <= value <= most:
        return "within"
    better = value < least if LOWER_IS_BETTER[name] else value > most
    return "ahead of" if better else "behind"


def sentence(band: Band | None, scores: dict) -> str:
    """One sentence placing the run's last measured figures (``scores``, with its ``epoch``) in the band."""
    if band is None:
        return ""
    epoch = scores["epoch"]
    nearest, figures = band.at(epoch)
    parts = []
    for name, (label, form, unit) in _SAID.items():
        least, most = figures[name]
        where = standing(band, epoch, name, scores[name])
        parts.append(
            f"{label} {form.format(scores[name])}{unit} is {where} the reference's "
            f"{form.format(least)} to {form.format(most)}"
        )
    compared = f"after epoch {nearest}" + ("" if nearest == epoch else f" (your run: epoch {epoch})")
    return f"Against the shipped solution's band over {band.seeds} seeds {compared}: {parts[0]}; {parts[1]}."


def plot(quality: list[dict], band: Band | None, shares: tuple[float, ...]):
    """The run's quality in one figure: the ten digits' shares beside MNIST's, and its FD and
    confidence after each epoch against the band. Returns the matplotlib figure."""
    from matplotlib import pyplot

    figure, (digits, distance, confidence) = pyplot.subplots(1, 3, figsize=(13, 3.2))
    last = quality[-1]
    width = 0.4
    digits.bar([d - width / 2 for d in range(10)], last["classes"], width, label="your samples")
    digits.bar([d + width / 2 for d in range(10)], shares, width, color="lightgray", label="MNIST's digits")
    digits.set(
        xticks=range(10), xlabel="digit the classifier sees", ylabel="share", title="Each digit's share"
    )
    digits.legend(fontsize="small")
    epochs = [scores["epoch"] for scores in quality]
    panels = (
        (distance, "fd_of_noise", "FD (share of the noise floor)"),
        (confidence, "confidence", "Mean confidence"),
    )
    for axes, name, title in panels:
        if band is not None:
            known = sorted(band.epochs)
            low = [band.epochs[e][name][0] for e in known]
            high = [band.epochs[e][name][1] for e in known]
            label = f"reference, {band.seeds} seeds"
            axes.fill_between(known, low, high, color="tab:green", alpha=0.25, label=label)
        axes.plot(epochs, [scores[name] for scores in quality], "o-", color="tab:blue", label="your run")
        axes.set(xlabel="epoch", title=title, xticks=sorted({*epochs, *(band.epochs if band else ())}))
        axes.legend(fontsize="small")
    figure.tight_layout()
    return figure
