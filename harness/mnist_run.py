"""Training MNIST as the notebook's MNIST cell does, outside the notebook.

The benchmarks and the reviewer's draft (when the reviewer asks for training) train the learner's
functions with the notebook's own ``new_run`` and hyperparameters, on the data the notebook uses,
and read the quality measured after the last epoch. The namespace is the notebook's (from
``project.load_functions``): its ``helper`` and ``judges``, so that nothing here imports them.
"""

from __future__ import annotations

import os
from glob import glob

from harness.training import TrainingDiverged


def train_mnist(
    notebook: dict,
    seed: int,
    data_dir: str,
    epochs: int,
    max_batches: int | None,
    samples: int,
    on_trained=None,
) -> dict:
    """Trains MNIST as the notebook's MNIST cell does, with the notebook's namespace ``notebook``.

    Args:
        notebook: The notebook's namespace: its functions, hyperparameters, ``helper``, ``judges``.
        seed: The run's seed.
        data_dir: The notebook's data folder: MNIST's files, its cache, the digit classifier.
        epochs: MNIST epochs.
        max_batches: Batches per epoch, or None for all.
        samples: Samples the quality is measured on.
        on_trained: Called with the ``training.Run`` once it trained (to draw from its generator).

    Returns:
        The run's history; a run that diverged returns its history up to then.
    """
    tf, helper = notebook["tf"], notebook["helper"]
    tf.disable_v2_behavior()
    helper.fetch_all(helper.MNIST_FILES, data_dir)
    folder = helper.download_extract("mnist", data_dir)
    dataset = helper.Dataset("mnist", glob(os.path.join(folder, "*.jpg")), seed=seed)
    judge = notebook["judges"].MnistJudge(data_dir, samples=samples)
    # The notebook's parameters cell, for this run: no resuming, so each run trains anew.
    notebook.update(
        data_dir=data_dir, max_batches=max_batches, resume=False, quality_samples=samples, seed=seed
    )
    run = notebook["new_run"]("mnist", dataset, epochs, judge)
    returned = None
    try:
        with tf.Graph().as_default(), run:
            returned = notebook["train"](
                epochs,
                notebook["batch_size"],
                notebook["z_dim"],
                notebook["learning_rate"],
                notebook["beta1"],
                run.get_batches,
                run.data_shape,
                "L",
            )
    except TrainingDiverged as error:
        print(f"seed {seed}: {error}", flush=True)
    if on_trained is not None:
        on_trained(run)
    return run.history(returned)
