"""The trained generator's weights, kept after each epoch so that a new graph can draw with them."""

from __future__ import annotations

import contextlib

import numpy as np

from harness.checkpoint_store import CheckpointError
from harness.training.drawing import Drawing
from harness.training.part import Part


class TrainedWeights(Part):
    """Keeps the generator's weights (their moving average, if one is kept) after each epoch and
    after a resume, for ``restore_into`` (the notebook's latent walk rebuilds the generator)."""

    ORDER = 60  # After the average and the measure, before checkpoints.

    def __init__(self) -> None:
        self.weights: dict[str, np.ndarray] = {}

    def on_epoch_end(self, run) -> None:
        if run.session is not None:
            self._keep(run)

    def restore(self, run, state: dict) -> None:
        self._keep(run)

    def _keep(self, run) -> None:
        import tensorflow.compat.v1 as tf

        variables = run.session.graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
        generator = [v for v in variables if v.op.name.startswith("generator/")]
        drawing = run.part(Drawing)
        with drawing.averaged() if drawing is not None else contextlib.nullcontext():
            self.weights = dict(zip((v.op.name for v in generator), run.session.run(generator)))

    def restore_into(self, run, session) -> None:
        """Loads the kept weights into the same-named variables of ``session``'s graph.

        Raises:
            CheckpointError: No weights are kept: the run did not finish an epoch.
        """
        import tensorflow.compat.v1 as tf

        if not self.weights:
            raise CheckpointError(
                f"The run {run.name!r} has no trained generator to load: train it for an epoch first."
            )
        variables = [v for v in tf.global_variables() if v.op.name in self.weights]
        session.run([v.assign(self.weights[v.op.name]) for v in variables])
