"""The training run around the learner's ``train``: the loop (``loop.Run``) and its parts.

``Run`` iterates the batches and tells its parts, each in its own file, what happened (as Keras
tells its callbacks): ``progress`` (bar and printed losses), ``showing`` (when train shows
samples), ``drawing`` (the generator's samples), ``averaging`` (the weight average they are
drawn with), ``frames`` (the film), ``measure`` (quality and ``samples.npy``), ``weights`` (for
the latent walk) and ``checkpointing`` (save and resume). A new part subclasses ``part.Part`` in a new
file. ``memory`` turns an out-of-memory error into one line that says what to change.
"""

from harness.checkpoints import CheckpointError
from harness.training.divergence import TrainingDiverged
from harness.training.loop import Run
from harness.training.losses import read_losses
from harness.training.measure import SAMPLES
from harness.training.memory import OutOfMemory
from harness.training.part import Part

__all__ = ["SAMPLES", "CheckpointError", "OutOfMemory", "Part", "Run", "TrainingDiverged", "read_losses"]
