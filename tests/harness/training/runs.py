"""The runs the training tests share: the notebook's train in a Run on small data, and a recording part."""

import json

import tensorflow.compat.v1 as tf

from harness import checkpoint_store, training

BATCH, Z_DIM = 8, 16


def make_run(
    tmp_path,
    notebook,
    data,
    epochs=2,
    learning_rate=0.0005,
    resume=True,
    *,
    parts=(),
    judge=None,
    quality_samples=64,
    average=0.999,
    draws=True,
    save_minutes=5.0,
    max_batches=None,
    seed=0,
):
    """The notebook's kind of run on small data: its parts (the film every 2 steps, no bar; with
    ``draws`` False, no samples drawn at all), and ``parts`` besides. It keeps 64 samples, not the
    notebook's 10,000 (drawing those took half of each run's time)."""
    store = checkpoint_store.CheckpointStore(tmp_path / "checkpoints", resume=resume)
    settings = checkpoint_store.settings_of(notebook, learning_rate=learning_rate, data="test digits")
    generator = notebook["generator"]
    standard = [
        training.Progress(verbose=False),
        *([training.Drawing(lambda z: generator(z, 1, is_train=False))] if draws else []),
        *([training.WeightAverage(average)] if average is not None else []),
        training.Film(every=2),
        training.Measure(judge, quality_samples),
        training.Checkpointing(store, settings, save_minutes),
    ]
    return training.Run(
        "digits",
        data,
        epochs=epochs,
        batch_size=BATCH,
        z_dim=Z_DIM,
        parts=[*standard, *parts],
        max_batches=max_batches,
        seed=seed,
    )


def train_run(notebook, run, learning_rate=0.0005, train=None):
    """Trains as the notebook's training cells do; returns the run's history."""
    train = train or notebook["train"]
    with tf.Graph().as_default(), run:
        tf.set_random_seed(0)
        returned = train(run.epochs, BATCH, Z_DIM, learning_rate, 0.5, run.get_batches, run.data_shape, "L")
    return run.history(returned)


def checkpoint_steps(tmp_path):
    folders = [p for p in (tmp_path / "checkpoints").iterdir() if p.is_dir()]
    assert len(folders) == 1, "one run, one checkpoint folder"
    latest = json.loads((folders[0] / checkpoint_store.LATEST).read_text())["checkpoint"]
    return latest, sorted(p.name for p in folders[0].iterdir() if p.is_dir())


class Recorder(training.Part):
    """A part that writes down each event it is told of, and keeps a count across a resume."""

    def __init__(self):
        self.events, self.batches = [], 0

    def on_train_begin(self, run):
        self.events.append("train begins")

    def on_attach(self, run):
        self.events.append(f"attached, session {'found' if run.session else 'missing'}")

    def on_epoch_begin(self, run, epoch, batches):
        self.events.append(f"epoch {epoch} of {batches} batches, {run.batch_in_epoch} done")

    def on_batch_end(self, run):
        self.batches += 1
        self.events.append(f"batch, step {run.step}")

    def on_epoch_end(self, run):
        self.events.append(f"epoch {run.epoch} done")

    def on_stop(self, run, error):
        self.events.append(f"stopped by {type(error).__name__}")

    def on_train_end(self, run):
        self.events.append("train ends")

    def state(self):
        return {"recorded_batches": self.batches}

    def restore(self, run, state):
        self.batches = state["recorded_batches"]
