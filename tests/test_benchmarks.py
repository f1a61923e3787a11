"""benchmarks/: the scripts run with tiny settings and print sound figures, their ratio or count last."""

import inspect
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import digits, mnist_archives

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import candidate
import quality_seeds
import share_noise

from harness import project
from harness.quality import MNIST_SHARES


def place_mnist(folder, use_source):
    """Places the test MNIST archives in ``folder``, as offline, and points the sources at them."""
    for name, archive in mnist_archives().items():
        source = use_source(name, archive, ("http://127.0.0.1:9/never-asked",))
        (folder / source.archive).write_bytes(archive)


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
    assert band["made_by"].startswith("python benchmarks/quality_seeds.py --seeds 2 --epochs 1")
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


def test_a_candidate_runs_over_the_notebooks_functions_as_a_later_cell(tmp_path):
    patch = tmp_path / "fewer_updates.py"
    patch.write_text(
        "G_STEPS = 1\n_generator = generator\n\n\n"
        "def generator(z, out_channel_dim, is_train=True):\n"
        "    return _generator(z, out_channel_dim, is_train, alpha=0.2)\n"
    )
    shipped = project.load_functions()

    patched = candidate.load_functions(patch)

    assert patched["G_STEPS"] == 1 and shipped["G_STEPS"] != 1
    assert patched["_generator"].__code__.co_code == shipped["generator"].__code__.co_code
    # The checkpoints' settings hash the functions' source: the candidate's runs get folders of their own.
    assert "alpha=0.2" in inspect.getsource(patched["generator"])
    assert inspect.getsource(patched["discriminator"]) == inspect.getsource(shipped["discriminator"])


def test_a_candidate_that_cannot_be_read_or_run_is_named_with_the_fix(tmp_path):
    unreadable = r"Cannot read the candidate .*missing\.py.*Pass a Python"
    with pytest.raises(candidate.CandidateError, match=unreadable):
        candidate.load_functions(tmp_path / "missing.py")
    broken = tmp_path / "broken.py"
    broken.write_text("batch_size = undefined_name\n")
    with pytest.raises(candidate.CandidateError, match=r"broken\.py failed .*NameError.*Fix the file"):
        candidate.load_functions(broken)


def test_quality_seeds_trains_a_candidate_and_leaves_the_shipped_band(tmp_path, monkeypatch, capsys):
    patch = tmp_path / "bigger_batches.py"
    patch.write_text("batch_size = 32\n")
    shipped_band = tmp_path / "reference_band.json"
    monkeypatch.setattr(quality_seeds, "SHIPPED_BAND", shipped_band)
    trained = []

    def train_mnist(notebook, seed, *args):
        trained.append((seed, notebook["batch_size"]))
        return {"quality": [{"fd_of_noise": 0.005, "confidence": 0.95, "classes": list(MNIST_SHARES)}]}

    monkeypatch.setattr(quality_seeds, "train_mnist", train_mnist)
    quality_seeds.main(["--seeds", "2", "--candidate", str(patch)])

    assert trained == [(0, 32), (1, 32)]
    assert not shipped_band.exists()  # The notebook's settings, but not its functions: no band.
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("2/2 seeds met the target")
    quality_seeds.main(["--seeds", "1", "--candidate", str(patch), "--band", str(tmp_path / "mine.json")])
    made_by = json.loads((tmp_path / "mine.json").read_text())["made_by"]
    assert made_by == f"python benchmarks/quality_seeds.py --seeds 1 --epochs 2 --candidate {patch}"


@pytest.mark.parametrize("patch", sorted(candidate.CANDIDATES.glob("*.py")), ids=lambda path: path.stem)
def test_each_candidate_of_the_tuning_record_trains(patch, tmp_path, use_source):
    place_mnist(tmp_path, use_source)

    [measured] = quality_seeds.train_seed(0, str(tmp_path), 1, 2, 32, patch)

    assert measured["fd_of_noise"] > 0 and len(measured["classes"]) == 10


def test_quality_seeds_and_share_noise_refuse_a_candidate_they_cannot_read(tmp_path, capsys):
    run = tmp_path / "mnist-0123456789ab"  # What share_noise reads of a run before its candidate.
    run.mkdir()
    (run / "settings.json").write_text("{}")
    (run / "latest.json").write_text('{"checkpoint": "step-2"}')
    missing = ["--candidate", str(tmp_path / "missing.py"), "--data-dir", str(tmp_path)]
    for script, arguments in ((quality_seeds, ["--seeds", "1"]), (share_noise, [str(run)])):
        with pytest.raises(SystemExit) as stopped:
            script.main([*arguments, *missing])

        assert stopped.value.code == 2
        assert "Cannot read the candidate" in capsys.readouterr().err


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
    import train_step

    train_step.main(["--steps", "2", "--warmup", "1"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("device: CPU: ") or lines[0].startswith("device: GPU: ")
    for name in ("MNIST", "CelebA"):
        [line] = [line for line in lines if line.startswith(f"{name}: ")]
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
    import train_step

    once, again = train_step.flops_per_image(1), train_step.flops_per_image(1)

    assert once == again and 1e8 < once < 1e10


def test_batch_overhead_prints_each_variants_median_and_the_best_ratio_last(capsys, notebook):
    import batch_overhead

    batch_overhead.main(["--rounds", "1", "--batches", "1", "--warmup", "1", "--batch", "8"])

    lines = capsys.readouterr().out.strip().splitlines()
    empty, calls, share_of = map(
        float, re.findall(r"empty sess.run: ([\d.]+) ms; a batch makes (\d): ([\d.]+) ms", lines[0])[0]
    )
    assert empty > 0 and calls == 1 + notebook["G_STEPS"] and abs(share_of - calls * empty) <= 0.01
    medians = {}
    for line in lines[1:-1]:
        name, ms, ratio = re.fullmatch(
            r"(.+): ([\d.]+) ms per batch of 8 \(median of [\d., ]+\), "
            r"([\d.]+)x the shipped loop",
            line,
        ).groups()
        medians[name] = float(ms)
        assert float(ms) > 0 and abs(float(ratio) - medians["shipped"] / float(ms)) <= 0.01 + 0.01 * float(
            ratio
        )
    assert list(medians) == ["shipped", "callables", "own batch norm updates", "XLA"]
    # Medians are printed to 0.1 ms: variants that tie there may each be the best unrounded.
    fastest = min(medians[name] for name in list(medians)[1:])
    best = [name for name in list(medians)[1:] if medians[name] == fastest]
    assert re.fullmatch(rf"best variant: ({'|'.join(best)}), [\d.]+x the shipped loop", lines[-1]), lines


def test_training_diagnosis_prints_each_run_then_the_confusion_table(tmp_path, use_source, capsys):
    import training_diagnosis

    place_mnist(tmp_path, use_source)
    keep = tmp_path / "histories.json"
    options = ["--data-dir", str(tmp_path), "--epochs", "1", "--max-batches", "2", "--samples", "64"]
    cases = ["--cases", "shipped", "generator reads 2 noise values", "--seeds", "2", "--shipped-seeds", "1"]

    training_diagnosis.main([*options, *cases, "--keep", str(keep)])

    lines = capsys.readouterr().out.strip().splitlines()
    runs = [line for line in lines if ", seed " in line]
    assert [line.split(":")[0] for line in runs] == [
        "shipped, seed 0",
        "generator reads 2 noise values, seed 0",
        "generator reads 2 noise values, seed 1",
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
    assert right + wrong + none == 2
    total = sum(int(row.strip("| ").split(" | ")[2]) for name, row in rows.items() if name != "case")
    assert lines[-1] == f"{total}/3 runs diagnosed right"
    # The histories are kept: a second call trains nothing and prints the same table.
    assert len(json.loads(keep.read_text())) == 3
    training_diagnosis.main([*options, *cases, "--keep", str(keep), "--data-dir", str(tmp_path / "none")])
    assert capsys.readouterr().out.strip().splitlines()[-1] == lines[-1]


def test_confidence_spread_prints_the_spread_then_the_draws_flagged(tmp_path, use_source, capsys):
    import confidence_spread

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
    import confidence_spread

    half_sure = np.array([0.0, 1.0] * 50)

    means = confidence_spread.spread(half_sure, 25, 4000)

    assert abs(means.mean() - 0.5) < 0.01
    # sqrt(p(1 - p) / n), times the factor of drawing 25 of 100 without replacement.
    assert abs(means.std() - 0.1 * np.sqrt(75 / 99)) < 0.01
    assert confidence_spread.spread(np.full(100, 0.9), 25, 10).std() == 0


def test_review_workers_times_both_worker_counts_and_prints_the_ratio_last(tmp_path, capsys):
    import review_workers

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
    import review_workers

    with pytest.raises(SystemExit):
        review_workers.main([str(tmp_path / "missing.zip")])
    assert "is not a file: give a submission's zip" in capsys.readouterr().err


def test_epoch_time_compares_the_working_notebook_with_a_commits_by_median(
    tmp_path, use_source, capsys, monkeypatch
):
    import epoch_time

    place_mnist(tmp_path, use_source)
    # Each run in this process: the test archives are known only here.
    monkeypatch.setattr(
        epoch_time,
        "timed_in_process",
        lambda ref, args: epoch_time.time_epoch(ref, args.data_dir, args.max_batches),
    )

    epoch_time.main(["--against", "HEAD", "--runs", "2", "--max-batches", "2", "--data-dir", str(tmp_path)])

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
    import epoch_time

    with pytest.raises(SystemExit, match="no notebook at 'no-such-commit'"):
        epoch_time.read_notebook("no-such-commit")


def test_share_noise_draws_a_run_again_first_with_its_own_noise_then_with_other(tmp_path, use_source, capsys):
    place_mnist(tmp_path, use_source)
    [measured] = quality_seeds.train_seed(3, str(tmp_path), 1, 2, 64)
    [run] = (tmp_path / "checkpoints").glob("mnist-*")
    capsys.readouterr()

    share_noise.main([str(run), "--draws", "3", "--samples", "64", "--data-dir", str(tmp_path)])

    own, pooled, last = capsys.readouterr().out.strip().splitlines()[-3:]
    gaps = [float(gap) for gap in own.split("gaps ")[1].split()]
    # The measure's own draw gives the run's figures again: the same weights, sampler and noise.
    assert gaps == [round(100 * (a - b), 1) + 0.0 for a, b in zip(measured["classes"], MNIST_SHARES)]
    assert pooled.startswith(f"{run.name} (seed 3): over 3 draws: gaps ")
    assert len(pooled.split("largest gap of each draw ")[1].split()) == 3
    assert re.fullmatch(r"[0-3]/3 draws had a digit more than 1 point from its share", last)


def test_share_noise_first_draw_is_the_runs_own_samples_and_the_others_new(tmp_path, use_source):
    place_mnist(tmp_path, use_source)
    quality_seeds.train_seed(1, str(tmp_path), 1, 3, 32)
    [run] = (tmp_path / "checkpoints").glob("mnist-*")
    notebook = project.load_functions()
    drawn = []

    class Recorder:  # A judge that keeps what it is shown.
        def evaluate(self, images):
            drawn.append(np.clip(np.round((images[..., 0] + 1) * 127.5), 0, 255).astype(np.uint8))
            return {"classes": [0.1] * 10}

    share_noise.draw_shares(notebook, *share_noise.last_checkpoint(run), Recorder(), draws=2, samples=32)

    kept = np.load(run / "samples.npy")  # What the run's measure drew, with its averaged weights.
    assert np.abs(drawn[0].astype(int) - kept).max() <= 1
    assert np.abs(drawn[1].astype(int) - kept).max() > 1  # new noise: more than rounding apart


def test_share_noise_says_when_the_notebook_generator_no_longer_fits_the_run(tmp_path, use_source):
    place_mnist(tmp_path, use_source)
    quality_seeds.train_seed(0, str(tmp_path), 1, 2, 32)
    [run] = (tmp_path / "checkpoints").glob("mnist-*")
    notebook = project.load_functions()
    tf = notebook["tf"]

    def wider_generator(z, out_channel_dim, is_train=True):  # its dense layer has another shape
        with tf.variable_scope("generator", reuse=not is_train):
            return tf.reshape(tf.layers.dense(z, 7 * 7 * 130), (-1, 7, 7, 130))

    notebook["generator"] = wider_generator
    with pytest.raises(ValueError, match=r"does not fit this run's weights.*Draw runs trained with"):
        share_noise.draw_shares(notebook, *share_noise.last_checkpoint(run), None, draws=2, samples=8)


def test_share_noise_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        share_noise.main([str(tmp_path)])

    assert stopped.value.code == 2
    assert "is not a run's checkpoint folder" in capsys.readouterr().err


def test_unsure_digits_splits_each_digits_share_between_the_sure_and_the_unsure():
    import unsure_digits

    probabilities = np.full((4, 10), 0.01)
    probabilities[[0, 1, 2, 3], [9, 9, 8, 9]] = [0.91, 0.5, 0.95, 0.3]  # one sure 9, one sure 8

    unsure, sure, vague = unsure_digits.split(probabilities, below=0.9)

    assert unsure == 50.0
    assert sure.tolist() == [0] * 8 + [25.0, 25.0]
    assert vague.tolist() == [0] * 9 + [50.0]


def test_unsure_digits_prints_mnists_line_each_runs_then_the_range(tmp_path, use_source, capsys):
    import unsure_digits

    place_mnist(tmp_path, use_source)
    run = tmp_path / "mnist-1a2b" / "samples.npy"
    run.parent.mkdir()
    np.save(run, np.concatenate([digits(50, 2)[0], np.full((50, 28, 28), 128, np.uint8)]))  # half grey

    unsure_digits.main([str(run), "--data-dir", str(tmp_path)])

    real, drawn, last = capsys.readouterr().out.strip().splitlines()
    assert real.startswith("MNIST's test digits: ") and drawn.startswith("mnist-1a2b: ")
    part = float(re.match(r"mnist-1a2b: ([\d.]+)% unsure", drawn)[1])
    sure, vague = (
        list(map(float, re.findall(rf"among the {which} ([\d. ]+)", drawn)[0].split()))
        for which in ("sure", "unsure")
    )
    assert abs(sum(vague) - part) < 0.6 and abs(sum(sure) + sum(vague) - 100) < 1.1
    assert re.fullmatch(
        rf"unsure samples: {part:.1f}% to {part:.1f}% of the runs' draws, "
        r"against [\d.]+% of MNIST's test digits",
        last,
    )


@pytest.mark.parametrize(
    ("save", "said"),
    [
        (
            lambda path: np.save(path, np.zeros((3, 28, 28), np.float32)),
            "holds a float32 array of shape (3, 28, 28)",
        ),
        (lambda path: np.savez(path, digits=np.zeros((3, 28, 28), np.uint8)), "holds several arrays"),
    ],
)
def test_unsure_digits_refuses_a_file_that_holds_no_digits(tmp_path, capsys, save, said):
    import unsure_digits

    with (tmp_path / "samples.npy").open("wb") as stream:
        save(stream)

    with pytest.raises(SystemExit) as stopped:
        unsure_digits.main([str(tmp_path / "samples.npy"), "--data-dir", str(tmp_path)])

    assert stopped.value.code == 2
    assert f"{said}, not a run's digits" in capsys.readouterr().err
