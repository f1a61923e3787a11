"""Training speed: the original project's loop against the notebook's `train`, on the same model.

Both build the notebook's own model (its functions, loaded from the notebook) for MNIST's and
CelebA's shapes, at the notebook's batch size, and train on random batches:
  * the original-style loop: feed_dict, sess.run(d_opt) then sess.run(g_opt), TensorFlow's
    default configuration (oneDNN off on this CPU), in a separate process so that no
    process-wide setting leaks into it;
  * `train` as shipped, in this process, configured as the notebook configures it, given
    batches by a plain generator;
  * `train` in a ``training.Run`` as the notebook's training cells run it (progress bar, loss
    reader, film, moving average of the generator's weights): the time per batch a learner sees;
  * the run alone, around a loop that trains nothing: what the run itself costs a batch (its
    loop, its parts, the weight average), without its film and then with it (25 images drawn
    every SHOW_EVERY batches: the learner's generator, so it grows with the model), each the
    median of 3 runs timed after the film's first frame.
Session calls and the arrays they feed (each one a copy from the host to a GPU) are counted per
batch, for `train` alone and for the run alone. Only the steps after ``--warmup`` are timed,
within one run. A step's FLOPs are counted from the
graph by TensorFlow's profiler, on the CPU whatever the device, so they are the same on every
machine; this machine's dense matmul rate is measured in the same run, so that the achieved rate
can be put against it. The device trained on is printed first. Every figure is checked positive.

Usage: python -m benchmarks.train_step [--steps 60] [--warmup 10] [--batch N]
Each data set's line ends with the time per batch of each; the last line is
``train speedup: N.Nx, M% of matmul peak`` (the slower of the two data sets).
"""

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Configured as the notebook configures TensorFlow (before it is imported).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import matplotlib
import numpy as np

from harness import project, training

Z_DIM = 100
SHAPES = {"MNIST": 1, "CelebA": 3}
# The original loop runs as `python -m benchmarks.train_step --original` from here.
PROJECT = Path(__file__).resolve().parents[1]


def random_images(count: int, channels: int) -> np.ndarray:
    """``count`` random 28x28 images in [-0.5, 0.5], as helper.Dataset serves them."""
    return np.random.default_rng(0).uniform(-0.5, 0.5, (count, 28, 28, channels)).astype(np.float32)


def _model(nb: dict, channels: int, batch: int):
    input_real, input_z, lr = nb["model_inputs"](28, 28, channels, Z_DIM)
    d_loss, g_loss = nb["model_loss"](input_real, input_z, channels)
    d_opt, g_opt = nb["model_opt"](d_loss, g_loss, lr, 0.5)
    feed = {
        input_real: random_images(batch, channels) * 2,
        input_z: np.random.uniform(-1, 1, (batch, Z_DIM)),
        lr: 2e-4,
    }
    return d_opt, g_opt, feed


def flops_per_image(channels: int, batch: int = 32) -> float:
    """FLOPs of one batch's updates (the discriminator's, then G_STEPS generator ones) per image,
    counted by the profiler from the graph's ops on the CPU: the same on every device."""
    nb = project.load_functions()
    tf = nb["tf"]
    flops = 0
    with tf.Graph().as_default(), tf.device("/cpu:0"):
        d_opt, g_opt, feed = _model(nb, channels, batch)
        with tf.Session(config=tf.ConfigProto(device_count={"GPU": 0})) as sess:
            sess.run(tf.global_variables_initializer())
            for op in (d_opt, *[g_opt] * nb["G_STEPS"]):
                metadata = tf.RunMetadata()
                options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
                sess.run(op, feed, options=options, run_metadata=metadata)
                profile = tf.profiler.profile(
                    tf.get_default_graph(),
                    run_meta=metadata,
                    cmd="op",
                    options=tf.profiler.ProfileOptionBuilder(
                        tf.profiler.ProfileOptionBuilder.float_operation()
                    )
                    .with_empty_output()
                    .build(),
                )
                flops += profile.total_float_ops
    return _positive("FLOPs per image", flops / batch)


def original_loop(nb: dict, channels: int, batch: int, steps: int, warmup: int) -> dict:
    """The original notebook's loop on the notebook's model; returns its images/s."""
    tf = nb["tf"]
    d_opt, g_opt, feed = _model(nb, channels, batch)
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
    return {"images_per_s": _positive("images/s of the original loop", steps * batch / seconds)}


class _SessionCalls:
    """Counts ``tf.Session.run`` calls, and the arrays they feed and their bytes, while active."""

    def __init__(self, tf) -> None:
        self.session_class, self.calls, self.arrays, self.bytes = tf.Session, 0, 0, 0

    def snapshot(self) -> tuple[int, int, int]:
        return self.calls, self.arrays, self.bytes

    @contextlib.contextmanager
    def counting(self):
        inherited = "run" not in vars(self.session_class)
        original = self.session_class.run

        def run(session, fetches, feed_dict=None, *args, **kwargs):
            self.calls += 1
            for value in (feed_dict or {}).values():
                self.arrays += 1
                self.bytes += np.asarray(value).nbytes
            return original(session, fetches, feed_dict, *args, **kwargs)

        self.session_class.run = run
        try:
            yield self
        finally:
            if inherited:
                del self.session_class.run
            else:
                self.session_class.run = original


class _TimedBatches:
    """Random batches served as helper.Dataset serves them; ``steps`` batches are timed from the
    one after ``warmup``, up to the request of the next (a run stops asking after its last), and
    the session calls made meanwhile counted."""

    def __init__(self, batch: int, channels: int, steps: int, warmup: int, calls: _SessionCalls) -> None:
        self.images = random_images((warmup + steps + 1) * batch, channels)
        self.shape, self.image_mode = self.images.shape, "L" if channels == 1 else "RGB"
        self.batch, self.warmup, self.steps, self.marks, self.calls = batch, warmup, steps, {}, calls

    def get_batches(self, size: int):
        for index, start in enumerate(range(0, len(self.images) - size + 1, size)):
            if index in (self.warmup, self.warmup + self.steps):
                mark = "end" if "start" in self.marks else "start"
                self.marks[mark], self.marks[f"{mark}_calls"] = time.perf_counter(), self.calls.snapshot()
            yield self.images[start : start + size]

    def seconds_per_batch(self) -> float:
        return (self.marks["end"] - self.marks["start"]) / self.steps

    def per_batch(self) -> dict:
        """Session calls, fed arrays and fed megabytes per timed batch."""
        done = [end - start for start, end in zip(self.marks["start_calls"], self.marks["end_calls"])]
        return {
            "calls": done[0] / self.steps,
            "arrays": done[1] / self.steps,
            "mb": done[2] / self.steps / 1e6,
        }


def train_images_per_second(notebook: dict, batch: int, channels: int, steps: int, warmup: int) -> tuple:
    """Images/s of ``notebook``'s `train` on random batches from a plain generator, timed over
    ``steps`` batches from the one after ``warmup``, within one run, and its session calls per
    batch (``_TimedBatches.per_batch``)."""
    tf = notebook["tf"]
    calls = _SessionCalls(tf)
    data = _TimedBatches(batch, channels, steps, warmup, calls)
    with tf.Graph().as_default(), contextlib.redirect_stdout(io.StringIO()), calls.counting():
        notebook["train"](1, batch, Z_DIM, 2e-4, 0.5, data.get_batches, data.shape, data.image_mode)
    return _positive("images/s of train", batch / data.seconds_per_batch()), data.per_batch()


def _timed_run(notebook: dict, data: _TimedBatches, channels: int, film: bool = True):
    """A ``training.Run`` of ``data`` as the notebook's training cells make it (the learner's
    generator for the film, the moving average), without checkpoints or a progress bar; with
    ``film`` False, its film draws no frame during the timed steps."""
    generator = notebook["generator"]
    every = notebook["SHOW_EVERY"] if film else 10 * len(data.images)
    parts = [
        training.Progress(verbose=False),
        training.Drawing(lambda z: generator(z, channels, is_train=False)),
        training.WeightAverage(0.999),
        training.Film(every=every),
        training.Measure(),
    ]
    return training.Run("timed", data, epochs=1, batch_size=data.batch, z_dim=Z_DIM, parts=parts)


def run_seconds_per_batch(notebook: dict, batch: int, channels: int, steps: int, warmup: int) -> float:
    """Seconds per batch of ``notebook``'s `train` in a ``training.Run`` as its training cells make it."""
    tf = notebook["tf"]
    data = _TimedBatches(batch, channels, steps, warmup, _SessionCalls(tf))
    run = _timed_run(notebook, data, channels)
    with tf.Graph().as_default(), run:
        notebook["train"](1, batch, Z_DIM, 2e-4, 0.5, run.get_batches, run.data_shape, data.image_mode)
    return _positive("seconds per batch of the run", data.seconds_per_batch())


def run_overhead_per_batch(nb: dict, batch: int, channels: int, steps: int, film: bool) -> tuple:
    """Seconds per batch that a ``training.Run`` itself adds (its loop, its parts, the weight
    average's updates and, with ``film``, its film's frames), and its session calls per batch:
    the same run around a loop that builds the model and iterates the batches in its session
    without training, so that only the run is timed. The timing starts after the film's first
    frame (whose session call is prepared once) and ``steps`` is rounded up to whole frames, so
    that every timed batch bears its share of the frames."""
    tf = nb["tf"]
    every = nb["SHOW_EVERY"]
    calls = _SessionCalls(tf)
    data = _TimedBatches(batch, channels, -(-steps // every) * every, every + 1, calls)
    run = _timed_run(nb, data, channels, film)
    with tf.Graph().as_default(), run:
        input_real, input_z, _ = nb["model_inputs"](28, 28, channels, Z_DIM)
        nb["model_loss"](input_real, input_z, channels)
        with tf.Session() as sess, calls.counting():
            sess.run(tf.global_variables_initializer())
            for _ in run.get_batches(batch):
                pass
    return _positive("seconds per batch of the run alone", data.seconds_per_batch()), data.per_batch()


def median_run_overhead(nb: dict, batch: int, channels: int, steps: int, film: bool) -> tuple:
    """``run_overhead_per_batch``'s seconds, the median of 3 runs, and its calls per batch."""
    measured = [run_overhead_per_batch(nb, batch, channels, steps, film) for _ in range(3)]
    return statistics.median(seconds for seconds, _ in measured), measured[0][1]


def _positive(what: str, value: float) -> float:
    if not value > 0:
        raise RuntimeError(f"{what} came out {value}: the measurement is broken, not the code it measures.")
    return value


def device_description() -> str:
    """The device train runs on, and its kind."""
    import tensorflow as tf2

    gpus = tf2.config.list_physical_devices("GPU")
    if gpus:
        details = tf2.config.experimental.get_device_details(gpus[0])
        return f"GPU: {details.get('device_name', gpus[0].name)}"
    cpuinfo = Path("/proc/cpuinfo")
    names = [
        line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
    ]
    return f"CPU: {names[0] if names else 'unknown processor'}, {os.cpu_count()} cores"


def matmul_rate() -> float:
    """This process's best dense float32 matmul rate, GFLOP/s (TensorFlow, 2048x2048)."""
    import tensorflow.compat.v1 as tf

    n = 2048
    with tf.Graph().as_default():
        # A variable, not a constant: TensorFlow would compute a constant's product only once.
        a = tf.Variable(tf.random_uniform((n, n)))
        product = tf.reduce_sum(tf.matmul(a, a))  # Summed: only a number comes back.
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(product)
            best = 0.0
            for _ in range(10):
                start = time.perf_counter()
                sess.run(product)
                best = max(best, 2 * n**3 / (time.perf_counter() - start) / 1e9)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="train_step.py", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="timed steps (default 60)")
    parser.add_argument("--warmup", type=int, default=10, help="steps run before timing (default 10)")
    parser.add_argument("--batch", type=int, help="batch size (default: the notebook's batch_size)")
    parser.add_argument(
        "--shapes",
        nargs="+",
        choices=list(SHAPES),
        default=list(SHAPES),
        help="data sets' shapes (default both)",
    )
    parser.add_argument("--original", type=int, metavar="CHANNELS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # No screen for the samples train shows every 100 steps. Not MPLBACKEND: a process this one
    # starts (a notebook's kernel, say) would inherit it and show no figures either.
    matplotlib.use("Agg")
    notebook = project.load_functions()
    batch = args.batch or notebook["batch_size"]
    if args.steps < 1 or args.warmup < 1 or batch < 1:
        parser.error("--steps, --warmup and --batch take whole numbers from 1")
    if args.original:
        print(json.dumps(original_loop(notebook, args.original, batch, args.steps, args.warmup)))
        return

    # TensorFlow's own default for this CPU: oneDNN off (it is on only where TensorFlow turns it on).
    default_env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"}
    print(f"device: {device_description()}")
    peak = _positive("the matmul rate", matmul_rate())
    print(f"dense matmul peak: {peak:.0f} GFLOP/s")
    worst = None
    for name in args.shapes:
        channels = SHAPES[name]
        command = [
            sys.executable,
            "-m",
            "benchmarks.train_step",
            "--original",
            str(channels),
            "--steps",
            str(args.steps),
            "--warmup",
            str(args.warmup),
            "--batch",
            str(batch),
        ]
        output = subprocess.run(
            command, cwd=PROJECT, env=default_env, capture_output=True, text=True, check=True
        ).stdout
        original = json.loads(output.strip().splitlines()[-1])
        shipped, train_calls = train_images_per_second(notebook, batch, channels, args.steps, args.warmup)
        in_run = run_seconds_per_batch(notebook, batch, channels, args.steps, args.warmup)
        # The run alone takes a tenth of a millisecond a batch: more steps time it as precisely.
        own, run_calls = median_run_overhead(notebook, batch, channels, 10 * args.steps, film=False)
        with_film, _ = median_run_overhead(notebook, batch, channels, 10 * args.steps, film=True)
        flops = flops_per_image(channels, batch)
        speedup = shipped / original["images_per_s"]
        rate = shipped * flops / 1e9
        film = max(with_film - own, 0)
        print(
            f"{name}: original loop {original['images_per_s']:.1f} images/s, train {shipped:.1f} images/s, "
            f"{speedup:.2f}x; {flops / 1e9:.2f} GFLOP/image, {rate:.0f} GFLOP/s "
            f"= {rate / peak:.0%} of matmul peak; per batch of {batch}: original loop "
            f"{1000 * batch / original['images_per_s']:.1f} ms, train {1000 * batch / shipped:.1f} ms, "
            f"in the notebook's run {1000 * in_run:.1f} ms, of which the run's own {1000 * own:.2f} ms "
            f"and its film's frames {1000 * film:.2f} ms (25 images every {notebook['SHOW_EVERY']} "
            f"batches); per batch, session calls: train {train_calls['calls']:.2f}, the run's own "
            f"{run_calls['calls']:.2f}; arrays fed: train {train_calls['arrays']:.2f} "
            f"({train_calls['mb']:.3f} MB), the run's own {run_calls['arrays']:.2f} "
            f"({run_calls['mb']:.4f} MB)"
        )
        if worst is None or speedup < worst[0]:
            worst = (speedup, rate / peak)
    print(f"train speedup: {worst[0]:.1f}x, {worst[1]:.0%} of matmul peak")


if __name__ == "__main__":
    main()
