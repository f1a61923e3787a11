"""benchmarks/: the scripts run with tiny settings and print sound figures, their ratio or count last."""

import re
import sys
from pathlib import Path

from conftest import mnist_archives

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import quality_seeds


def test_quality_seeds_prints_each_seeds_figures_then_how_many_met_the_target(tmp_path, use_source, capsys):
    for name, archive in mnist_archives().items():
        source = use_source(name, archive, ("http://127.0.0.1:9/never-asked",))
        (tmp_path / source.archive).write_bytes(archive)  # Placed, as offline.

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
        ]
    )

    lines = capsys.readouterr().out.strip().splitlines()
    figures = [line for line in lines if line.startswith("seed ")]
    assert [line.split(":")[0] for line in figures] == ["seed 0", "seed 1"]
    for line in figures:
        fd, rarest, confidence = map(
            float, re.findall(r"FD ([\d.]+)%.*rarest digit ([\d.]+)%.*confidence ([\d.]+)", line)[0]
        )
        assert fd > 0 and 0 <= rarest <= 100 and 0 < confidence <= 1
    assert re.fullmatch(r"[0-2]/2 seeds met the target \(FD at most 3\.0% .*\)", lines[-1])


def test_a_seed_meets_the_target_only_when_all_three_figures_do():
    good = {"fd_of_noise": 0.028, "classes": [0.08] * 9 + [0.28], "confidence": 0.905}

    assert quality_seeds.meets(good)
    assert not quality_seeds.meets({**good, "confidence": 0.899})
    assert not quality_seeds.meets({**good, "fd_of_noise": 0.031})
    assert not quality_seeds.meets({**good, "classes": [0.074] + [0.1] * 9})
