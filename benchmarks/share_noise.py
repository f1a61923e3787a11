"""How much of a run's digit shares is the measure's own noise: one trained generator, many draws.

A seed's quality is measured on one draw of noise (10,000 samples). This script takes MNIST runs'
checkpoint folders (``data/checkpoints/mnist-*``, as the notebook and ``quality_seeds.py`` leave
them), rebuilds the notebook's generator with each run's averaged weights, and draws it again
``--draws`` times. The first draw is the measure's own (it gives the run's figures again); the
others use other noise. Over all of them, each digit's share is known about three times better
(``docs/tuning.md``, "the measure's own noise"), so candidates can be ranked by their true gaps.

Usage: python benchmarks/share_noise.py data/checkpoints/mnist-* [--draws 10] [--samples 10000]
       [--candidate FILE]
Runs trained with a candidate (``quality_seeds.py --candidate FILE``) are drawn with the same file.
Each run gets two lines (the measure's draw; all draws with each digit's spread); the last line is
``K/N draws had a digit more than 1 point from its share``.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import candidate  # noqa: E402

from harness.quality import MNIST_SHARES  # noqa: E402
from harness.training.averaging import SCOPE  # noqa: E402

MOST_SHARE_GAP = 1.0  # Points, as ``quality_seeds.py``'s target.


def last_checkpoint(folder: Path) -> tuple[Path, dict]:
    """The run's last checkpoint (its ``model`` prefix) and its settings."""
    try:
        settings = json.loads((folder / "settings.json").read_text())
        latest = json.loads((folder / "latest.json").read_text())["checkpoint"]
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(
            f"{folder} is not a run's checkpoint folder (settings.json and latest.json): {error}. "
            "Pass folders such as data/checkpoints/mnist-1a2b3c4d5e6f."
        ) from None
    return folder / latest / "model", settings


def draw_shares(
    notebook: dict, checkpoint: Path, settings: dict, judge, draws: int, samples: int
) -> np.ndarray:
    """Each draw's ten shares (draws, 10), with the checkpoint's averaged generator weights."""
    tf = notebook["tf"]
    stored = tf.train.load_checkpoint(str(checkpoint))
    step = json.loads((checkpoint.parent / "state.json").read_text())["step"]  # As the checkpoint saved it.
    with tf.Graph().as_default(), tf.Session() as session:
        z = tf.placeholder(tf.float32, (None, settings["z_dim"]))
        notebook["generator"](z, 1, is_train=True)  # The variables, as train made them.
        images = notebook["generator"](z, 1, is_train=False)  # The notebook's sampler.
        for variable in tf.global_variables():
            name = variable.op.name
            averaged = f"{SCOPE}/{name}"
            try:
                variable.load(stored.get_tensor(averaged if stored.has_tensor(averaged) else name), session)
            except (tf.errors.NotFoundError, ValueError) as error:
                raise ValueError(
                    f"{checkpoint}: the notebook's generator does not fit this run's weights ({name}: "
                    f"{str(error).splitlines()[0]}). Draw runs trained with the notebook as it is now, "
                    "or pass --candidate with the file they were trained with."
                ) from None
        shares = []
        for k in range(draws):
            # The first draw is the measure's: seeded with the run's seed and step.
            rng = np.random.default_rng(settings["seed"] + step if k == 0 else [k, settings["seed"]])
            noise = rng.uniform(-1, 1, (samples, settings["z_dim"]))
            drawn = np.concatenate([session.run(images, {z: part}) for part in np.array_split(noise, 10)])
            shares.append(judge.evaluate(drawn)["classes"])
    return np.array(shares)


def describe(name: str, gaps: np.ndarray) -> list[str]:
    """A run's two lines, from its gaps in points (draws, 10)."""
    points = " ".join
    pooled = gaps.mean(axis=0)
    return [
        f"{name}: the measure's draw: gaps {points(f'{g:+.1f}' for g in gaps[0])}",
        f"{name}: over {len(gaps)} draws: gaps {points(f'{g:+.2f}' for g in pooled)}; largest "
        f"{np.abs(pooled).max():.2f} (digit {int(np.abs(pooled).argmax())}); spread of each digit "
        f"{points(f'{s:.2f}' for s in gaps.std(axis=0, ddof=1))}; largest gap of each draw "
        f"{points(f'{g:.1f}' for g in np.abs(gaps).max(axis=1))}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="share_noise.py", description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="MNIST runs' checkpoint folders")
    parser.add_argument("--draws", type=int, default=10, help="draws of each generator (default 10)")
    parser.add_argument("--samples", type=int, default=10_000, help="samples a draw (default 10000)")
    parser.add_argument("--data-dir", default=str(ROOT / "data"), help="where the digit classifier is")
    parser.add_argument("--candidate", type=Path, help="the file the runs' candidate was trained with")
    args = parser.parse_args(argv)
    if args.draws < 2 or args.samples < 10:
        parser.error("--draws takes whole numbers from 2, --samples from 10")
    try:
        found = [(folder, *last_checkpoint(folder)) for folder in args.runs]
    except ValueError as error:
        parser.error(str(error))
    try:
        notebook = candidate.load_functions(args.candidate)
    except candidate.CandidateError as error:
        parser.error(str(error))
    notebook["tf"].disable_v2_behavior()
    judge = notebook["quality"].MnistJudge(args.data_dir, samples=min(args.samples, 10_000))
    over = 0
    for folder, checkpoint, settings in found:
        try:
            shares = draw_shares(notebook, checkpoint, settings, judge, args.draws, args.samples)
        except ValueError as error:
            parser.error(str(error))
        gaps = 100 * (shares - np.array(MNIST_SHARES))
        over += int((np.abs(gaps).max(axis=1) > MOST_SHARE_GAP).sum())
        print("\n".join(describe(f"{folder.name} (seed {settings['seed']})", gaps)), flush=True)
    print(f"{over}/{args.draws * len(found)} draws had a digit more than 1 point from its share")
    return 0


if __name__ == "__main__":
    sys.exit(main())
