"""The fixed cost of a batch: the notebook's batch loop as shipped against ways to cut its overhead.

Each batch the notebook's `train` makes one discriminator update and then G_STEPS generator
updates on the same batch, each with new noise and each a `sess.run` with a feed dictionary.
This script runs that batch on the notebook's own model (its functions, loaded from the
notebook), at its batch size (or ``--batch``), on random MNIST-shaped data, as:
  * shipped: `sess.run([d_opt, d_loss], feed)`, then G_STEPS times new noise and
    `sess.run([g_opt, g_loss], feed)`;
  * callables: the same updates through `sess.make_callable` (no feed dictionary to parse);
  * own batch norm updates: each optimizer runs only its own network's UPDATE_OPS (the shipped
    `model_opt` runs both networks' with each);
  * XLA: the shipped loop with XLA's auto-clustering turned on for the session.
All four share one process and take turns, ``--rounds`` times ``--batches`` batches each, after
``--warmup`` batches; each prints its median time per batch. It also prints the cost of one
empty `sess.run`, the part of a batch that fewer session calls could save.

Usage: python benchmarks/batch_overhead.py [--rounds 5] [--batches 30] [--warmup 10] [--batch N]
The last line is ``best variant: NAME, N.NNx the shipped loop`` (above 1 is faster).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.

import numpy as np  # noqa: E402

from harness import project  # noqa: E402

VARIANTS = ("shipped", "callables", "own batch norm updates", "XLA")


def _own_updates_opt(tf, d_loss, g_loss, learning_rate, beta1):
    """The notebook's model_opt, except that each optimizer runs only its own network's UPDATE_OPS."""
    train_ops = []
    for scope, loss in (("discriminator", d_loss), ("generator", g_loss)):
        variables = [v for v in tf.trainable_variables() if v.name.startswith(f"{scope}/")]
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope=scope)):
            optimizer = tf.train.AdamOptimizer(learning_rate, beta1=beta1)
            train_ops.append(optimizer.minimize(loss, var_list=variables))
    return train_ops


class Loop:
    """One variant of the batch loop, in its own graph and session."""

    def __init__(self, notebook: dict, variant: str, batch: int) -> None:
        tf = notebook["tf"]
        self.g_steps, self.z_dim = notebook["G_STEPS"], notebook["z_dim"]
        self.learning_rate = notebook["learning_rate"]
        self.images = np.random.default_rng(0).uniform(-0.5, 0.5, (batch, 28, 28, 1)).astype(np.float32)
        with tf.Graph().as_default():
            inputs = notebook["model_inputs"](28, 28, 1, self.z_dim)
            d_loss, g_loss = notebook["model_loss"](*inputs[:2], 1)
            if variant == "own batch norm updates":
                d_opt, g_opt = _own_updates_opt(tf, d_loss, g_loss, inputs[2], notebook["beta1"])
            else:
                d_opt, g_opt = notebook["model_opt"](d_loss, g_loss, inputs[2], notebook["beta1"])
            config = tf.ConfigProto()
            if variant == "XLA":
                config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1
            self.session = tf.Session(config=config)
            self.session.run(tf.global_variables_initializer())
            self.empty = tf.no_op()
        if variant == "callables":
            d_step = self.session.make_callable([d_opt, d_loss], feed_list=list(inputs))
            g_step = self.session.make_callable([g_opt, g_loss], feed_list=list(inputs))
            self.steps = (lambda feed: d_step(*feed), lambda feed: g_step(*feed))
        else:
            self.steps = tuple(
                (lambda feed, fetches=fetches: self.session.run(fetches, dict(zip(inputs, feed))))
                for fetches in ([d_opt, d_loss], [g_opt, g_loss])
            )

    def batch(self) -> None:
        """One batch, as the notebook's train does it."""
        d_step, g_step = self.steps
        real = self.images * 2
        d_step((real, self._noise(), self.learning_rate))
        for _ in range(self.g_steps):
            g_step((real, self._noise(), self.learning_rate))

    def _noise(self) -> np.ndarray:
        return np.random.uniform(-1, 1, (len(self.images), self.z_dim))

    def seconds_per_batch(self, batches: int) -> float:
        start = time.perf_counter()
        for _ in range(batches):
            self.batch()
        return (time.perf_counter() - start) / batches

    def empty_call_seconds(self, calls: int = 2000) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            self.session.run(self.empty)
        return (time.perf_counter() - start) / calls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="batch_overhead.py", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="turns of each variant (default 5)")
    parser.add_argument("--batches", type=int, default=30, help="batches per turn (default 30)")
    parser.add_argument("--warmup", type=int, default=10, help="batches before timing (default 10)")
    parser.add_argument("--batch", type=int, help="batch size (default: the notebook's batch_size)")
    args = parser.parse_args(argv)
    if min(args.rounds, args.batches, args.warmup) < 1 or (args.batch is not None and args.batch < 1):
        parser.error("--rounds, --batches, --warmup and --batch take whole numbers from 1")

    notebook = project.load_functions()
    batch = args.batch or notebook["batch_size"]
    loops = {variant: Loop(notebook, variant, batch) for variant in VARIANTS}
    for loop in loops.values():
        for _ in range(args.warmup):
            loop.batch()
    times = {variant: [] for variant in VARIANTS}
    for _ in range(args.rounds):
        for variant, loop in loops.items():
            times[variant].append(loop.seconds_per_batch(args.batches))
    medians = {variant: float(np.median(values)) for variant, values in times.items()}
    empty = loops["shipped"].empty_call_seconds()
    calls = 1 + notebook["G_STEPS"]
    print(
        f"one empty sess.run: {1000 * empty:.3f} ms; a batch makes {calls}: {1000 * calls * empty:.2f} ms "
        f"of {1000 * medians['shipped']:.1f} ms ({calls * empty / medians['shipped']:.1%})"
    )
    for variant in VARIANTS:
        spread = ", ".join(f"{1000 * value:.1f}" for value in times[variant])
        print(
            f"{variant}: {1000 * medians[variant]:.1f} ms per batch of {batch} (median of {spread}), "
            f"{medians['shipped'] / medians[variant]:.2f}x the shipped loop"
        )
    best = min(VARIANTS[1:], key=medians.get)
    print(f"best variant: {best}, {medians['shipped'] / medians[best]:.2f}x the shipped loop")
    for loop in loops.values():
        loop.session.close()


if __name__ == "__main__":
    main()
