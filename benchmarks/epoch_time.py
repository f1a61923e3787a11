"""Time per MNIST epoch: the notebook as it is against the notebook of another commit.

Each run trains one MNIST epoch exactly as the notebook's MNIST cell does (its ``new_run`` and
its ``train``, with its hyperparameters; the quality measure after the epoch included), in a
process of its own, as a fresh kernel would. The two notebooks take turns, ``--runs`` times each,
so that whatever else the machine does falls on both alike; the medians are compared.

Usage: python -m benchmarks.epoch_time --against REF [--runs 3] [--max-batches N] [--data-dir data]
Each run's time is printed as it finishes; the last line is
``epoch time: N s against REF's M s (median of K): R.RRx``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from harness.project import PROJECT

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.

WORKING = "the working tree"


def read_notebook(ref: str):
    """The notebook of commit ``ref``, or the working tree's for ``WORKING``."""
    import nbformat

    if ref == WORKING:
        return nbformat.read(PROJECT / "dlnd_face_generation.ipynb", as_version=4)
    shown = subprocess.run(
        ["git", "show", f"{ref}:dlnd_face_generation.ipynb"], cwd=PROJECT, capture_output=True, text=True
    )
    if shown.returncode != 0:
        raise SystemExit(f"epoch_time.py: no notebook at {ref!r}: {shown.stderr.strip()}")
    return nbformat.reads(shown.stdout, as_version=4)


def time_epoch(ref: str, data_dir: str, max_batches: int | None, samples: int = 10_000) -> float:
    """Trains one MNIST epoch with the notebook of ``ref``, measured at its end on ``samples``
    samples as the notebook's is; returns its seconds."""
    from harness import project
    from harness.mnist_run import train_mnist

    notebook = project.load_functions(notebook=read_notebook(ref))
    start = time.perf_counter()
    history = train_mnist(notebook, 0, data_dir, 1, max_batches, samples)
    seconds = time.perf_counter() - start
    if not history["quality"]:
        raise SystemExit(f"epoch_time.py: the epoch of {ref} did not finish")
    return seconds


def timed_in_process(ref: str, args) -> float:
    """``time_epoch`` in a process of its own; its seconds."""
    command = [
        sys.executable,
        __file__,
        "--one",
        ref,
        "--data-dir",
        args.data_dir,
        "--samples",
        str(args.samples),
    ]
    if args.max_batches:
        command += ["--max-batches", str(args.max_batches)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"epoch_time.py: the run of {ref} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="epoch_time.py", description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="the commit whose notebook is the baseline (say HEAD)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each notebook (default 3)")
    parser.add_argument("--max-batches", type=int, default=None, help="batches of the epoch (default all)")
    parser.add_argument("--data-dir", default=str(PROJECT / "data"), help="the notebook's data_dir")
    parser.add_argument(
        "--samples", type=int, default=10_000, help="samples measured at the epoch's end (default 10000)"
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps({"seconds": time_epoch(args.one, args.data_dir, args.max_batches, args.samples)}))
        return 0
    if not args.against or args.runs < 1:
        parser.error("give --against REF (a commit) and --runs of at least 1")
    times = {WORKING: [], args.against: []}
    for run in range(args.runs):
        for ref in times:
            times[ref].append(timed_in_process(ref, args))
            print(f"run {run + 1}: {ref}: {times[ref][-1]:.1f} s", flush=True)
    now, then = statistics.median(times[WORKING]), statistics.median(times[args.against])
    print(
        f"epoch time: {now:.1f} s against {args.against}'s {then:.1f} s "
        f"(median of {args.runs}): {now / then:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
