"""harness/band.py: a learner's run placed in the band of the shipped solution's seeds."""

import json

import matplotlib
import pytest

from harness import band
from harness.judges import MNIST_SHARES

matplotlib.use("Agg")


@pytest.fixture
def reference(tmp_path):
    rows = [
        {"epoch": 1, "seeds": 5, "fd_of_noise": [0.021, 0.025], "confidence": [0.895, 0.903]},
        {"epoch": 2, "seeds": 5, "fd_of_noise": [0.013, 0.019], "confidence": [0.908, 0.915]},
    ]
    path = tmp_path / "band.json"
    path.write_text(json.dumps({"made_by": "python benchmarks/quality_seeds.py --seeds 5", "band": rows}))
    return band.load(path)


def scores(epoch, fd, confidence):
    return {"epoch": epoch, "fd_of_noise": fd, "confidence": confidence, "classes": [0.1] * 10}


@pytest.mark.parametrize(
    ("name", "value", "where"),
    [
        ("fd_of_noise", 0.016, "within"),
        ("fd_of_noise", 0.0191, "within"),  # 1.9% as shown: the learner reads it inside.
        ("fd_of_noise", 0.011, "ahead of"),  # A lower distance is better.
        ("fd_of_noise", 0.03, "behind"),
        ("confidence", 0.93, "ahead of"),  # A higher confidence is better.
        ("confidence", 0.85, "behind"),
    ],
)
def test_a_figure_is_within_ahead_of_or_behind_the_band(reference, name, value, where):
    assert band.standing(reference, 2, name, value) == where


def test_the_sentence_names_the_epoch_the_seeds_and_where_each_figure_stands(reference):
    said = band.sentence(reference, scores(2, 0.03, 0.91))

    assert said == (
        "Against the shipped solution's band over 5 seeds after epoch 2: FD 3.0% of the noise floor is "
        "behind the reference's 1.3% to 1.9%; confidence 0.910 is within the reference's 0.908 to 0.915."
    )
    assert "after epoch 2 (your run: epoch 3)" in band.sentence(reference, scores(3, 0.01, 0.95))
    assert band.sentence(None, scores(2, 0.03, 0.91)) == ""


def test_a_missing_or_broken_band_is_none(tmp_path):
    (tmp_path / "broken.json").write_text('{"band": [{"epoch": 1}]}')

    assert band.load(tmp_path / "missing.json") is None
    assert band.load(tmp_path / "broken.json") is None


def test_the_shipped_band_spans_the_notebooks_two_epochs():
    shipped = band.load()

    assert shipped is not None and sorted(shipped.epochs) == [1, 2] and shipped.seeds >= 1
    assert "benchmarks.quality_seeds" in shipped.made_by


def test_the_plot_shows_the_shares_beside_mnists_and_the_run_against_the_band(reference):
    quality = [scores(1, 0.04, 0.88), scores(2, 0.018, 0.91)]

    figure = band.plot(quality, reference, MNIST_SHARES)

    digits, distance, confidence = figure.axes
    assert len(digits.patches) == 20, "ten bars of samples, ten of MNIST"
    assert [bar.get_height() for bar in digits.patches[10:]] == pytest.approx(MNIST_SHARES)
    for axes, name in ((distance, "fd_of_noise"), (confidence, "confidence")):
        [run] = axes.get_lines()
        assert list(run.get_ydata()) == [q[name] for q in quality]
        assert len(axes.collections) == 1, "the band, shaded"
    assert len(band.plot(quality, None, MNIST_SHARES).axes[1].collections) == 0, "no band: the run alone"
