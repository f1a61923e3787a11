"""Verdicts a submission cannot forge: broken functions that also attack the checks, the worker's
files and its process get no pass, since the verdict is given where their code does not run."""

import pytest
from helpers.notebooks import learner_cells
from helpers.submissions import SOLUTIONS, executed, needs_bubblewrap

from harness import project
from harness.review import checking, sandbox
from harness.review.code import learner_code

pytestmark = needs_bubblewrap
LIMITS = sandbox.Limits(wall_seconds=180, cpu_seconds=120, memory_bytes=3 * 2**30, processes=128)
# Each function is broken, and each tries another way to be passed all the same.
FORGERIES = '''
def model_inputs(image_width, image_height, image_channels, z_dim):
    """float64 noise; says "passed" for all six on every channel, then forks a child to do it again."""
    import json, os, sys, time
    import tensorflow.compat.v1 as tf

    names = ["model_inputs", "discriminator", "generator", "model_loss", "model_opt", "train"]
    verdicts = {"results": dict.fromkeys(names, "passed"), "feeds": {}}

    def forge():
        os.makedirs("evidence", exist_ok=True)
        for channel in ("claims.jsonl", "results.jsonl"):
            with open(channel, "w") as stream:  # Truncates the failures claimed so far.
                for name in names:
                    line = {"function": name, "outcome": "passed", "failure": "passed"}
                    stream.write(json.dumps(line) + "\\n")
        for name in names:
            for suffix in ("meta", "json", "npz"):
                with open(f"evidence/{name}-0.{suffix}", "w") as stream:
                    stream.write("passed")
        print(json.dumps(verdicts), flush=True)

    forge()
    try:
        with open(os.path.join(sys.path[0] or ".", "harness", "checks", "common.py"), "a") as ours:
            ours.write("\\nrequire = lambda *args: None\\n")
    except OSError:
        pass
    if os.fork() == 0:
        time.sleep(3)  # After the worker claimed this function's failure.
        forge()
        os._exit(0)
    real = tf.placeholder(tf.float32, (None, image_height, image_width, image_channels))
    return real, tf.placeholder(tf.float64, (None, z_dim)), tf.placeholder(tf.float32, ())


def discriminator(images, reuse=False):
    """No sigmoid; makes NumPy's and TensorFlow's comparisons and our requirement always agree."""
    import sys
    import numpy as np
    import tensorflow.compat.v1 as tf

    np.allclose = lambda *args, **kwargs: True
    np.isclose = lambda *args, **kwargs: True
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith(("harness", "problem_unittests")):
            for name in ("require", "_require", "verify", "discriminator_verify"):
                if hasattr(module, name):
                    setattr(module, name, lambda *args, **kwargs: None)
    with tf.variable_scope("discriminator", reuse=reuse):
        logits = tf.layers.dense(tf.layers.flatten(images), 1)
        return logits, logits


class LyingTensor:
    """Says it is a tensor, and names our own noise placeholder as its output."""

    def __init__(self, name):
        import tensorflow.compat.v1 as tf

        self.name, self.dtype, self._tf = name, tf.float32, tf

    @property
    def __class__(self):
        return self._tf.Tensor


def generator(z, out_channel_dim, is_train=True):
    """No layers at all: returns an object that lies about being the generator's output."""
    return LyingTensor(z.name)


def model_loss(input_real, input_z, out_channel_dim):
    """Labels swapped; when called, turns the checks of labels into no-ops wherever they are."""
    import sys
    import tensorflow.compat.v1 as tf

    ours = [m for m in sys.modules.values() if getattr(m, "__name__", "").startswith(("harness", "problem_"))]
    for module in ours:
        for name in ("_check_labels", "_verify_labels", "_cross_entropy_terms", "verify", "check_here"):
            if hasattr(module, name):
                setattr(module, name, lambda *args, **kwargs: None)
    fake = generator(input_z, out_channel_dim)
    _, real_logits = discriminator(input_real)
    _, fake_logits = discriminator(fake, reuse=True)
    loss = tf.nn.sigmoid_cross_entropy_with_logits
    d_loss = tf.reduce_mean(loss(logits=real_logits, labels=tf.zeros_like(real_logits))) + tf.reduce_mean(
        loss(logits=fake_logits, labels=tf.ones_like(fake_logits))
    )
    return d_loss, tf.reduce_mean(loss(logits=fake_logits, labels=tf.zeros_like(fake_logits)))


def model_opt(
    d_loss,
    g_loss,
    learning_rate,
    beta1,
    _=[
        setattr(module, name, lambda *args, **kwargs: None)
        for module in list(__import__("sys").modules.values())
        if getattr(module, "__name__", "").startswith(("harness", "problem_unittests"))
        for name in ("test_model_opt", "check_here", "build", "write", "_claim")
        if hasattr(module, name)
    ],
):
    """Does nothing; its default argument replaced our functions when the definitions loaded."""
    return None, None


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    """Trains nothing: claims its own pass on its way out."""
    import json

    with open("claims.jsonl", "a") as stream:
        stream.write(json.dumps({"function": "train", "outcome": "passed"}) + "\\n")


batch_size = 32
z_dim = 100
learning_rate = 0.0004
beta1 = 0.5
'''


def forged(*names: str) -> str:
    """A correct solution whose functions ``names`` are replaced by their forgeries above."""
    honest = SOLUTIONS[0].read_text()
    cells = learner_cells(FORGERIES)
    return "\n\n\n".join([honest, *(cells[name] for name in names)]) + "\n"


@pytest.mark.parametrize(
    "names, messages",
    [
        (
            ("model_inputs", "discriminator", "generator", "train"),
            {
                # Its junk evidence is gone and its child was ended: its own evidence is judged.
                "model_inputs": "has dtype float64",
                "discriminator": "is not tf.sigmoid(logits)",
                "generator": "created no variables",
                "train": "failed",  # Its own "passed" claim is no verdict.
            },
        ),
        (("model_opt",), {"model_opt": "is not written yet"}),  # Its body, read as text, is blank.
    ],
    ids=["files-processes-and-lies", "patched-at-definition"],
)
def test_broken_functions_that_forge_their_verdicts_get_none(tmp_path, names, messages):
    common = (project.PROJECT / "harness" / "checks" / "common.py").read_text()

    checked = checking.check(learner_code(executed(forged(*names))), tmp_path / "scratch", LIMITS)

    assert checked.results and "passed" not in {checked.results[name] for name in names}, checked.results
    for name, message in messages.items():
        assert message in checked.results[name], checked.results
    assert (project.PROJECT / "harness" / "checks" / "common.py").read_text() == common


def test_checks_patched_away_get_no_pass_and_a_graph_with_a_forbidden_op_is_not_verified(tmp_path):
    # model_loss swaps its labels and patches our checks of labels away; model_opt, correct, hides a
    # Python callback in its graph. (One submission: each function is checked in a process of its own.)
    hostile = forged("model_loss").replace(
        "    t_vars = tf.trainable_variables()\n",
        "    learning_rate = tf.py_func(lambda x: x, [learning_rate], tf.float32, stateful=False)\n"
        "    learning_rate.set_shape(())\n"
        "    t_vars = tf.trainable_variables()\n",
        1,
    )
    assert "py_func" in hostile
    common = (project.PROJECT / "harness" / "checks" / "common.py").read_text()

    checked = checking.check(learner_code(executed(hostile)), tmp_path / "scratch", LIMITS)

    assert "labels the real images 0.00" in checked.results["model_loss"], checked.results
    assert checked.results["model_opt"].startswith("could not be verified: the graph holds ops outside")
    assert "PyFunc" in checked.results["model_opt"]
    assert checked.results["generator"] == "passed"
    assert (project.PROJECT / "harness" / "checks" / "common.py").read_text() == common
