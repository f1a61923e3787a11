"""The samples of a training done again, drawn by our code from the generator the training left.

The training (``retraining``) runs the learner's code, so nothing it writes is taken as a sample.
It leaves its trained generator as evidence: the graph that draws from ``z`` and its weights.
``draw`` copies those files out of its scratch folder and runs this module on them, as
``python -m harness.review.drawing``, in a sandbox of its own where no learner code runs: the graph
is read with the judge's allow-list (``operations.ALLOWED``), must hold no stored table and move
smoothly with ``z`` (the generator check's own rules), gets its weights loaded, and draws the
samples from noise this process picks. They are saved in its scratch folder, which only it writes,
and read back on the reviewer's side as data (``read_samples``).
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import sys
from pathlib import Path

import numpy as np

from harness.review import sandbox

TRAINED = "trained_generator"  # The files' stem the training leaves in its scratch folder.
DRAWN = "drawn.npy"
DRAWER = ["-P", "-m", "harness.review.drawing"]
_MOST_SAMPLES = 20_000
_CHUNK = 1000


def draw(
    trained: Path, work: Path, limits: sandbox.Limits, count: int
) -> tuple[np.ndarray | None, str | None]:
    """``count`` samples of the trained generator the training left in ``trained``, drawn in a sandbox.

    Args:
        trained: The training's scratch folder (its sandbox has ended).
        work: A fresh folder of the reviewer's for the copied files and the drawing's scratch.
        limits: What the drawing may use.
        count: How many samples to draw.

    Returns:
        ``(samples, None)``, uint8 (n, 28, 28); or ``(None, why)`` when none could be drawn.
    """
    # Here, not above: it imports TensorFlow, which the reviewer's process needs for nothing else.
    from harness.evidence import MOST_ARRAY_BYTES, MOST_GRAPH_BYTES, SUFFIXES

    copied = work / "trained"
    copied.mkdir(parents=True)
    for suffix in SUFFIXES:
        path = trained / f"{TRAINED}.{suffix}"
        if (
            path.is_symlink()
            or not path.is_file()
            or path.stat().st_size > MOST_GRAPH_BYTES + MOST_ARRAY_BYTES
        ):
            return None, "the training left no trained generator"
        shutil.copyfile(path, copied / path.name, follow_symlinks=False)
    command = [
        sys.executable,
        *DRAWER,
        str(copied),
        str(min(count, _MOST_SAMPLES)),
        str(secrets.randbits(32)),
    ]
    outcome = sandbox.run(command, work / "scratch", limits, readable=(copied,))
    samples = read_samples(work / "scratch" / DRAWN)
    if samples is not None:
        return samples, None
    return None, _failure(outcome.stdout) or outcome.problem() or "no samples could be drawn"


def _failure(stdout: str) -> str | None:
    lines = stdout[-(2**16) :].strip().splitlines()
    try:
        said = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        return None
    return str(said["failed"])[:2000] if isinstance(said, dict) and "failed" in said else None


def read_samples(path: Path) -> np.ndarray | None:
    """Samples as a file holds them, read as data: a uint8 array of digits, or None."""
    if not path.is_file() or path.is_symlink() or path.stat().st_size > _MOST_SAMPLES * 28 * 28 + 4096:
        return None
    try:
        samples = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        return None
    if samples.dtype != np.uint8 or samples.ndim != 3 or samples.shape[1:] != (28, 28) or not len(samples):
        return None
    return samples


# In the drawing's sandbox: no learner code here, only its trained generator as data.


def drawn(folder: Path, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` samples of the trained generator in ``folder``, as uint8 (count, 28, 28).

    Raises:
        harness.evidence.EvidenceError: The files are malformed, hold a forbidden op, or their
            weights do not fit the graph.
        harness.checks.CheckFailed: The graph holds a stored table, or does not move smoothly with z.
    """
    import tensorflow.compat.v1 as tf

    from harness import evidence
    from harness.checks import networks
    from harness.review import operations

    built = evidence.read(folder, TRAINED, operations.ALLOWED)
    z, images = built.element(built.roles.get("z")), built.element(built.roles.get("images"))
    networks.require_no_table(built.graph, "the trained generator")
    variables, names = built.variables(), built.roles.get("variables")
    if not isinstance(names, list) or set(names) != set(variables):
        raise evidence.EvidenceError("the trained weights are not the graph's variables")
    with built.graph.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for index, name in enumerate(names):
            try:
                variables[name].load(built.array(f"value_{index}"), sess)
            except (ValueError, TypeError) as error:
                raise evidence.EvidenceError(f"the trained weights do not fit {name!r:.80}") from error
        networks.require_smooth_in_z(sess, z, images, rng, "the trained generator")
        width = z.shape.as_list()[-1]
        parts = [sess.run(images, {z: rng.uniform(-1, 1, (n, width))}) for n in _chunks(count)]
    samples = np.concatenate(parts)
    if samples.shape[1:] != (28, 28, 1):
        raise evidence.EvidenceError(f"the trained generator draws images of shape {samples.shape[1:]}")
    return np.clip(np.round((samples[..., 0] + 1) * 127.5), 0, 255).astype(np.uint8)


def _chunks(count: int) -> list[int]:
    return [min(_CHUNK, count - start) for start in range(0, count, _CHUNK)]


def main(folder: str, count: int, seed: int) -> None:
    """In the sandbox: draws the samples into ``DRAWN``, or says why it could not, as a line of JSON."""
    import tensorflow.compat.v1 as tf

    from harness.checks import CheckFailed
    from harness.evidence import EvidenceError
    from harness.quiet import native_log_lines_hidden

    tf.disable_v2_behavior()
    try:
        with native_log_lines_hidden():
            samples = drawn(Path(folder), count, np.random.default_rng(seed))
    except (EvidenceError, CheckFailed) as error:
        print(json.dumps({"failed": f"its trained generator could not be drawn from: {error}"}), flush=True)
        return
    except Exception as error:  # Whatever the graph does when run: no samples, and why.
        print(json.dumps({"failed": f"drawing from its trained generator failed: {type(error).__name__}"}))
        return
    np.save(DRAWN, samples)
    print(json.dumps({"drawn": len(samples)}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Draws samples of a trained generator (in a sandbox).")
    parser.add_argument("folder")
    parser.add_argument("count", type=int)
    parser.add_argument("seed", type=int)
    arguments = parser.parse_args()
    main(arguments.folder, arguments.count, arguments.seed)
