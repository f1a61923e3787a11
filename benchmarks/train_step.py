"""Training speed: the original project's loop against the notebook's `train`, on the same model.

Both build the notebook's own model (its functions, loaded from the notebook) for MNIST's and
CelebA's shapes, batch 64, and train on random batches:
  * the original-style loop: feed_dict, sess.run(d_opt) then sess.run(g_opt), TensorFlow's
    default configuration (oneDNN off on this CPU), in a separate process so that no
    process-wide setting leaks into it;
  * `train` as shipped, in this process, configured as the notebook configures it.
The step's FLOPs are counted with TensorFlow's profiler, and this machine's dense matmul rate is
measured in the same run, so that the achieved rate can be put against it.

Usage: python benchmarks/train_step.py [--steps 60]
The last line is ``train speedup: N.Nx, M% of matmul peak`` (the slower of the two data sets).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Configured as the notebook configures TensorFlow (before it is imported), and with no screen
# for the samples that train shows every 100 steps.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

import run_notebook  # noqa: E402

BATCH = 64
Z_DIM = 100
SHAPES = {"MNIST": 1, "CelebA": 3}


def random_images(count: int, channels: int) -> np.ndarray:
    """``count`` random 28x28 images in [-0.5, 0.5], as helper.Dataset serves them."""
    return np.random.default_rng(0).uniform(-0.5, 0.5, (count, 28, 28, channels)).astype(np.float32)


def original_loop(channels: int, steps: int, warmup: int) -> dict:
    """The original notebook's loop on the notebook's model; returns images/s and FLOPs/image."""
    nb = run_notebook.load_functions()
    tf = nb["tf"]
    input_real, input_z, lr = nb["model_inputs"](28, 28, channels, Z_DIM)
    d_loss, g_loss = nb["model_loss"](input_real, input_z, channels)
    d_opt, g_opt = nb["model_opt"](d_loss, g_loss, lr, 0.5)
    feed = {
        input_real: random_images(BATCH, channels) * 2,
        input_z: np.random.uniform(-1, 1, (BATCH, Z_DIM)),
        lr: 2e-4,
    }
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(warmup):
            sess.run(d_opt, feed)
            for _ in range(nb["G_STEPS"]):
                sess.run(g_opt, feed)
        start = time.perf_counter()
        for _ in range(steps):
            sess.run(d_opt, feed)
            for _ in range(nb["G_STEPS"]):
                sess.run(g_opt, feed)
        seconds = time.perf_counter() - start
        flops = 0
        for op in (d_opt, *[g_opt] * nb["G_STEPS"]):
            metadata = tf.RunMetadata()
            sess.run(
                op, feed, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=metadata
            )
            profile = tf.profiler.profile(
                tf.get_default_graph(),
                run_meta=metadata,
                cmd="op",
                options=tf.profiler.ProfileOptionBuilder(tf.profiler.ProfileOptionBuilder.float_operation())
                .with_empty_output()
                .build(),
            )
            flops += profile.total_float_ops
    return {"images_per_s": steps * BATCH / seconds, "flops_per_image": flops / BATCH}


def train_images_per_second(notebook: dict, batch: int, channels: int, steps: int, warmup: int) -> float:
    """Images/s of ``notebook``'s `train` on random batches; the difference of two runs cancels graph
    building."""
    tf = notebook["tf"]
    seconds = []
    for count in (warmup, warmup + steps):
        data = random_images(count * batch, channels)
        with tf.Graph().as_default():
            start = time.perf_counter()
            notebook["train"](
                1,
                batch,
                Z_DIM,
                2e-4,
                0.5,
                lambda size, data=data: (data[i : i + size] for i in range(0, len(data), size)),
                data.shape,
                "L" if channels == 1 else "RGB",
            )
            seconds.append(time.perf_counter() - start)
    return steps * batch / (seconds[1] - seconds[0])


def matmul_rate() -> float:
    """This process's best dense float32 matmul rate, GFLOP/s (TensorFlow, 2048x2048)."""
    import tensorflow as tf2

    n = 2048
    a = tf2.random.uniform((n, n))
    best = 0.0
    for _ in range(10):
        start = time.perf_counter()
        tf2.linalg.matmul(a, a).numpy()
        best = max(best, 2 * n**3 / (time.perf_counter() - start) / 1e9)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--original", type=int, metavar="CHANNELS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.original:
        print(json.dumps(original_loop(args.original, args.steps, args.warmup)))
        return

    # TensorFlow's own default for this CPU: oneDNN off (it is on only where TensorFlow turns it on).
    default_env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"}
    peak = matmul_rate()
    print(f"dense matmul peak: {peak:.0f} GFLOP/s")
    worst = None
    for name, channels in SHAPES.items():
        command = [sys.executable, __file__, "--original", str(channels), "--steps", str(args.steps)]
        output = subprocess.run(command, env=default_env, capture_output=True, text=True, check=True).stdout
        original = json.loads(output.strip().splitlines()[-1])
        shipped = train_images_per_second(
            run_notebook.load_functions(), BATCH, channels, args.steps, args.warmup
        )
        speedup = shipped / original["images_per_s"]
        rate = shipped * original["flops_per_image"] / 1e9
        print(
            f"{name}: original loop {original['images_per_s']:.1f} images/s, train {shipped:.1f} images/s, "
            f"{speedup:.2f}x; {original['flops_per_image'] / 1e9:.2f} GFLOP/image, {rate:.0f} GFLOP/s "
            f"= {rate / peak:.0%} of matmul peak"
        )
        if worst is None or speedup < worst[0]:
            worst = (speedup, rate / peak)
    print(f"train speedup: {worst[0]:.1f}x, {worst[1]:.0%} of matmul peak")


if __name__ == "__main__":
    main()
