"""The training run around the learner's ``train``: the loop (``loop.Run``) and its parts.

``Run`` iterates the batches and tells the parts it is given, each in its own file, what happened
(as Keras tells the callbacks ``fit`` is given): ``progress`` (bar and printed losses),
``showing`` (when train shows samples), ``drawing`` (the generator's samples), ``averaging``
(the weight average they are drawn with), ``frames`` (the film), ``measure`` (quality and
``samples.npy``), ``weights`` (for the latent walk) and ``checkpointing`` (save and resume). A
new part subclasses ``part.Part`` in a new file. ``memory`` turns an out-of-memory error into
one line that says what to change.
"""

from harness.checkpoint_store import CheckpointError
from harness.training.averaging import WeightAverage
from harness.training.checkpointing import Checkpointing
from harness.training.divergence import TrainingDiverged
from harness.training.drawing import Drawing
from harness.training.frames import Film
from harness.training.loop import Run
from harness.training.losses import read_losses
from harness.training.measure import SAMPLES, Measure
from harness.training.memory import OutOfMemory
from harness.training.part import Part
from harness.training.progress import Progress

__all__ = [
    "SAMPLES",
    "CheckpointError",
    "Checkpointing",
    "Drawing",
    "Film",
    "Measure",
    "OutOfMemory",
    "Part",
    "Progress",
    "Run",
    "TrainingDiverged",
    "WeightAverage",
    "read_losses",
]
