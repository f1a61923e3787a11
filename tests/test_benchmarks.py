"""benchmarks/: the scripts run with tiny settings and print sound figures, their ratio or count last."""

import json
import re

import numpy as np
import pytest
from helpers.archives import digits, place_mnist

from benchmarks import (
    confidence_spread,
    copy_distance,
    epoch_time,
    quality_seeds,
    review_workers,
    similarity_line,
    similarity_term,
    train_step,
    training_diagnosis,
)
from harness.judges import MNIST_SHARES


def test_quality_seeds_prints_each_seeds_figures_then_how_many_met_the_target(tmp_path, use_source, capsys):
    place_mnist(tmp_path, use_source)

    quality_seeds.main(
        [
            "--seeds",
            "2",
            "--data-dir",
            str(tmp_path),
            "--epochs",
            "1",
            "--max-batches",
            "2",
            "--samples",
            "64",
            "--band",
            str(tmp_path / "band.json"),
        ]
    )

    lines = capsys.readouterr().out.strip().splitlines()
    figures = [line for line in lines if line.startswith("seed ")]
    assert [line.split(":")[0] for line in figures] == ["seed 0", "seed 1"]
    band = json.loads((tmp_path / "band.json").read_text())
    for seed, line in enumerate(figures):
        fd, rarest, confidence = map(
            float, re.findall(r"FD ([\d.]+)%.*rarest digit ([\d.]+)%.*confidence ([\d.]+)", line)[0]
        )
        assert fd > 0 and 0 <= rarest <= 100 and 0 < confidence <= 1
        shares = [
            float(share) for share in re.findall(r"([\d.]+)%", re.findall(r"shares of 0-9: (.*?);", line)[0])
        ]
        digit, gap = re.findall(r"furthest from its share: (\d) \(([+-][\d.]+) points\)", line)[0]
        assert len(shares) == 10 and abs(sum(shares) - 100) < 0.6 and min(shares) == rarest
        [measured] = band["seeds"][str(seed)]
        assert measured["furthest_digit"] == int(digit)
        assert abs(100 * measured["largest_gap"] - abs(float(gap))) < 0.06
        assert abs(100 * measured["fd_of_noise"] - fd) < 0.06
    [epoch] = band["band"]
    assert epoch["epoch"] == 1 and epoch["seeds"] == 2
    low, high = epoch["confidence"]
    assert low <= high and {low, high} <= {m[0]["confidence"] for m in band["seeds"].values()}
    assert band["made_by"].startswith("python -m benchmarks.quality_seeds --seeds 2 --epochs 1")
    assert re.fullmatch(r"[0-2]/2 seeds met the target \(FD at most 2\.0% .*\)", lines[-1])


def test_quality_seeds_stopped_before_its_last_seed_leaves_the_band_it_found(tmp_path, monkeypatch):
    band = tmp_path / "band.json"
    band.write_text('{"band": "the shipped one"}')
    perfect = {"fd_of_noise": 0.005, "confidence": 0.95, "classes": list(MNIST_SHARES)}

    def train_seed(seed, *args):
        if seed == 1:
            raise KeyboardInterrupt  # the user stops the run during its second seed
        return [perfect]

    monkeypatch.setattr(quality_seeds, "train_seed", train_seed)
    with pytest.raises(KeyboardInterrupt):
        quality_seeds.main(["--seeds", "2", "--band", str(band)])

    assert band.read_text() == '{"band": "the shipped one"}'
    assert list(tmp_path.iterdir()) == [band]


def test_a_seed_meets_the_target_only_when_all_three_figures_do():
    shares = list(MNIST_SHARES)
    good = {"fd_of_noise": 0.019, "classes": shares, "confidence": 0.905}
    nine_over = [*shares[:8], shares[8] - 0.011, shares[9] + 0.011]
    nine_just_in = [*shares[:8], shares[8] - 0.009, shares[9] + 0.009]

    assert quality_seeds.meets(good)
    assert quality_seeds.meets({**good, "classes": nine_just_in})
    assert not quality_seeds.meets({**good, "classes": nine_over})
    assert not quality_seeds.meets({**good, "confidence": 0.899})
    assert not quality_seeds.meets({**good, "fd_of_noise": 0.021})


def test_train_step_prints_the_device_and_positive_consistent_figures(capsys, notebook):

    # One shape: CelebA's runs the same code with 3 channels.
    train_step.main(["--steps", "2", "--warmup", "1", "--shapes", "MNIST"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("device: CPU: ") or lines[0].startswith("device: GPU: ")
    [line] = [line for line in lines if line.startswith("MNIST: ")]
    original, shipped, ratio, gflop, rate, share, batch, original_ms, train_ms, run_ms, own_ms = map(
        float,
        re.findall(
            r"original loop ([\d.]+) images/s, train ([\d.]+) images/s, ([\d.]+)x; ([\d.]+) GFLOP/image, "
            r"([\d.]+) GFLOP/s = ([\d.]+)% of matmul peak; per batch of (\d+): "
            r"original loop ([\d.]+) ms, train ([\d.]+) ms, in the notebook's run ([\d.]+) ms, "
            r"of which the run's own ([\d.]+) ms",
            line,
        )[0],
    )
    figures = (original, shipped, ratio, gflop, rate, share, original_ms, train_ms, run_ms, own_ms)
    assert min(figures) > 0, line
    assert own_ms < run_ms, "the run alone trains nothing: it costs less than a training batch"
    assert abs(ratio - shipped / original) < 0.01 * ratio + 0.01
    assert abs(rate - shipped * gflop) <= 0.5 + 0.01 * rate
    assert batch == notebook["batch_size"]
    assert abs(train_ms - 1000 * batch / shipped) <= 0.05 + 0.01 * train_ms
    film_ms, train_calls, run_calls, train_arrays, run_arrays = map(
        float,
        re.findall(
            r"its film's frames ([\d.]+) ms .*session calls: train ([\d.]+), the run's own ([\d.]+); "
            r"arrays fed: train ([\d.]+) \([\d.]+ MB\), the run's own ([\d.]+)",
            line,
        )[0],
    )
    # Two timed batches of train: a discriminator update and G_STEPS generator ones each, each
    # fed the real batch, the noise and the learning rate; no sample shown in two batches.
    assert train_calls == 1 + notebook["G_STEPS"]
    assert train_arrays == 3 * train_calls
    # The run's own: the weight average's update every 25 batches, nothing every batch.
    assert 0 < run_calls <= 0.05 and run_arrays <= run_calls
    assert film_ms >= 0
    assert re.fullmatch(r"train speedup: [\d.]+x, \d+% of matmul peak", lines[-1])


def test_flops_per_image_are_the_graphs_and_the_same_each_time():

    once, again = train_step.flops_per_image(1), train_step.flops_per_image(1)

    assert once == again and 1e8 < once < 1e10


def test_training_diagnosis_prints_each_run_then_the_confusion_table(tmp_path, use_source, capsys):

    place_mnist(tmp_path, use_source)
    keep = tmp_path / "histories.json"
    options = ["--data-dir", str(tmp_path), "--epochs", "1", "--max-batches", "2", "--samples", "64"]
    cases = ["--cases", "shipped", "generator reads 2 noise values", "--seeds", "1", "--shipped-seeds", "1"]

    training_diagnosis.main([*options, *cases, "--keep", str(keep)])

    lines = capsys.readouterr().out.strip().splitlines()
    runs = [line for line in lines if ", seed " in line]
    assert [line.split(":")[0] for line in runs] == [
        "shipped, seed 0",
        "generator reads 2 noise values, seed 0",
    ]
    assert all(
        re.search(r"FD [\d.]+% of noise's, digits [\d.]+% to [\d.]+%; diagnosis: [a-z ]+ \(", r) for r in runs
    )
    rows = {
        line.split(" | ")[0].strip("| "): line
        for line in lines
        if line.startswith("| ") and "---" not in line
    }
    right, wrong, none = map(int, rows["generator reads 2 noise values"].strip("| ").split(" | ")[2:])
    assert right + wrong + none == 1
    total = sum(int(row.strip("| ").split(" | ")[2]) for name, row in rows.items() if name != "case")
    assert lines[-1] == f"{total}/2 runs diagnosed right"
    # The histories are kept: a second call trains nothing and prints the same table.
    assert len(json.loads(keep.read_text())) == 2
    training_diagnosis.main([*options, *cases, "--keep", str(keep), "--data-dir", str(tmp_path / "none")])
    assert capsys.readouterr().out.strip().splitlines()[-1] == lines[-1]


def test_confidence_spread_prints_the_spread_then_the_draws_flagged(tmp_path, use_source, capsys):

    place_mnist(tmp_path, use_source)
    samples = tmp_path / "samples.npy"
    np.save(samples, digits(200, 2)[0])

    confidence_spread.main([str(samples), "--data-dir", str(tmp_path), "--draws", "500"])

    lines = capsys.readouterr().out.strip().splitlines()
    figures = re.findall(r"mean confidence ([\d.]+), standard deviation ([\d.]+)", lines[0])[0]
    mean, deviation = map(float, figures)
    assert 0.1 <= mean <= 1 and deviation >= 0
    flagged = re.fullmatch(r"(\d+) of 500 draws flagged \(tolerance 0\.15\)", lines[-1])
    assert flagged and 0 <= int(flagged.group(1)) <= 500


def test_the_spread_of_means_of_25_is_what_sampling_without_replacement_gives():

    half_sure = np.array([0.0, 1.0] * 50)

    means = confidence_spread.spread(half_sure, 25, 4000)

    assert abs(means.mean() - 0.5) < 0.01
    # sqrt(p(1 - p) / n), times the factor of drawing 25 of 100 without replacement.
    assert abs(means.std() - 0.1 * np.sqrt(75 / 99)) < 0.01
    assert confidence_spread.spread(np.full(100, 0.9), 25, 10).std() == 0


def test_review_workers_times_both_worker_counts_and_prints_the_ratio_last(tmp_path, capsys):

    # Submissions refused at once: only the batch's machinery (the cluster, the summary) is timed.
    (tmp_path / "broken.zip").write_bytes(b"not a zip at all")

    assert review_workers.main([str(tmp_path / "broken.zip"), "--copies", "2", "--runs", "1"]) == 0

    lines = capsys.readouterr().out.strip().splitlines()
    runs = [
        float(s) for s in re.findall(r"run 1, [12] worker\(s\): 2 reviews in ([\d.]+) s", "\n".join(lines))
    ]
    assert len(runs) == 2 and min(runs) > 0
    ratio = float(
        re.fullmatch(r"2 workers: ([\d.]+)x the batch rate of 1 worker \(median of 1 runs\)", lines[-1])[1]
    )
    assert abs(ratio - runs[0] / runs[1]) < 0.01 + 0.01 * ratio


def test_review_workers_names_what_it_needs(tmp_path, capsys):

    with pytest.raises(SystemExit):
        review_workers.main([str(tmp_path / "missing.zip")])
    assert "is not a file: give a submission's zip" in capsys.readouterr().err


def test_epoch_time_compares_the_working_notebook_with_a_commits_by_median(
    tmp_path, use_source, capsys, monkeypatch
):

    place_mnist(tmp_path, use_source)
    # Each run in this process: the test archives are known only here.
    monkeypatch.setattr(
        epoch_time,
        "timed_in_process",
        lambda ref, args: epoch_time.time_epoch(ref, args.data_dir, args.max_batches, args.samples),
    )
    tiny = ["--max-batches", "2", "--samples", "64", "--data-dir", str(tmp_path)]

    epoch_time.main(["--against", "HEAD", "--runs", "2", *tiny])

    lines = capsys.readouterr().out.strip().splitlines()
    runs = [re.fullmatch(r"run ([12]): (.+): ([\d.]+) s", line) for line in lines if line.startswith("run ")]
    assert [(match[1], match[2]) for match in runs] == [
        ("1", "the working tree"),
        ("1", "HEAD"),
        ("2", "the working tree"),
        ("2", "HEAD"),
    ]
    seconds = {ref: sorted(float(m[3]) for m in runs if m[2] == ref) for ref in ("the working tree", "HEAD")}
    now, then = (sum(values) / 2 for values in seconds.values())  # The median of two.
    last = re.fullmatch(
        r"epoch time: ([\d.]+) s against HEAD's ([\d.]+) s \(median of 2\): ([\d.]+)x", lines[-1]
    )
    assert last and abs(float(last[1]) - now) < 0.06 and abs(float(last[2]) - then) < 0.06
    # The ratio is of the unrounded medians; the runs' times are printed to 0.1 s, off by up to
    # 0.05 s each, which on these few-second runs moves their ratio by more than its last digit.
    slack = 0.005 + now / then * (0.05 / now + 0.05 / then)
    assert abs(float(last[3]) - now / then) <= slack and min(min(v) for v in seconds.values()) > 0


def test_epoch_time_names_a_commit_without_the_notebook():

    with pytest.raises(SystemExit, match="no notebook at 'no-such-commit'"):
        epoch_time.read_notebook("no-such-commit")


def test_copy_distance_prints_each_kind_then_the_shares_at_the_line_last(tmp_path, use_source, capsys):
    place_mnist(tmp_path, use_source)
    drawn = np.random.default_rng(0).integers(0, 256, (40, 28, 28)).astype(np.uint8)  # Noise: no digit.
    np.save(tmp_path / "samples.npy", drawn)

    copy_distance.main([str(tmp_path / "samples.npy"), "--data-dir", str(tmp_path), "--count", "20"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("real digits not among the references")
    assert re.search(r"^pasted .* copies 100\.0%$", lines[1])
    assert re.search(rf"^drawn: {tmp_path.name} .* copies 0\.0%$", lines[-2])
    assert re.fullmatch(
        r"at 0\.08: at most [\d.]+% of real or drawn digits called copies; "
        r"at least [\d.]+% of edited copies caught",
        lines[-1],
    )


def test_similarity_line_prints_each_kinds_scores_then_the_margins_on_either_side_of_the_line(capsys):
    scores = similarity_line.main(["--seeds", "1"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("independent pairs: 21 pairs, scores ")
    assert len(lines) == 2 + len(similarity_line.DISGUISES)
    above, below = (float(figure) for figure in re.findall(r"(-?\d\.\d+) (?:above|below)", lines[-1]))
    assert above == pytest.approx(0.6 - max(scores["independent pairs"]), abs=1e-3) and above > 0
    assert below > 0


def test_similarity_term_finds_every_planted_copy_and_names_no_independent_pair(capsys):
    seconds, found, false = similarity_term.main(["--learners", "30", "--runs", "1"])

    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert (found, false) == (7, 0) and seconds > 0
    assert re.fullmatch(r"median [\d.]+ s; planted copies found 7 of 7; false pairs 0", last)
