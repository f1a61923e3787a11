"""When training runs out of memory: one line that says what to change, instead of TensorFlow's page.

TensorFlow's out-of-memory error (``ResourceExhaustedError``, "OOM when allocating tensor with
shape[...] on ... GPU:0") comes with the allocator's report, tens of lines a learner cannot act on.
What helps is shorter: where memory ran out, what to change (a smaller batch, or another process
that holds the GPU's memory), and that the last checkpoint is kept, so nothing trained is lost.
"""

from __future__ import annotations

import re

__all__ = ["OutOfMemory", "out_of_memory"]

_GPU = re.compile(r"device:GPU:(\d+)|GPU_(\d+)_bfc")


class OutOfMemory(Exception):
    """Training ran out of memory on its device; the message says what to change."""


def out_of_memory(run, error: BaseException, saved_step: int | None) -> OutOfMemory | None:
    """The one-line error for ``error`` when it is TensorFlow's out-of-memory error, else None.

    Args:
        run: The ``training.Run`` that was training (its name, step and batch size are quoted).
        error: What ``train`` raised.
        saved_step: The step of the last checkpoint saved or resumed, or None for none.
    """
    import tensorflow as tf

    if not isinstance(error, tf.errors.ResourceExhaustedError):
        return None
    found = _GPU.search(getattr(error, "message", None) or str(error))
    if found:
        where = f"GPU {found.group(1) or found.group(2)}"
        other = "or stop the other programs that hold its memory (`nvidia-smi` lists them)"
    else:
        where = "this machine"
        other = "or close other programs to free memory"
    kept = (
        f"The checkpoint of step {saved_step} is kept: run the cell again with the same settings to resume."
        if saved_step
        else "No checkpoint was saved yet."
    )
    return OutOfMemory(
        f"{run.name}: {where} ran out of memory at step {run.step}. Set a smaller batch_size in the "
        f"Hyperparameters cell (it is {run.batch_size}; 16 to 64 are reviewed) {other}. {kept}"
    )
