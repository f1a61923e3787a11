"""Checks for the functions you write in dlnd_face_generation.ipynb.

Each check builds a small graph with your function, runs it in a session on small batches and
looks at what it computes: values, gradients, which variables exist and which change. Any
correct implementation passes (other layer counts, other activations, dense or convolutional
output layers); a failing check says what is wrong and how to fix it.

Call them right after writing each function, as the notebook does:
``test_model_inputs(model_inputs)``, ``test_discriminator(discriminator, tf)``,
``test_generator(generator, tf)``, ``test_model_loss(model_loss)``,
``test_model_opt(model_opt, tf)`` and ``test_train(train)``.
"""

import functools
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook: the fast CPU kernels.

from harness.quiet import native_log_lines_hidden

# Imported first in a notebook, TensorFlow's C++ start-up lines would reach the cell in red.
with native_log_lines_hidden():
    import tensorflow.compat.v1 as tf

from harness.checks import CheckFailed, NotWrittenYet, check_here, require_tf_v1, require_written
from harness.checks.common import as_failure, function_name
from harness.checks.outcomes import Outcomes
from harness.messages import show_briefly
from harness.training import TrainingDiverged

__all__ = [
    "OUTCOMES",
    "CheckFailed",
    "NotWrittenYet",
    "require_written",
    "test_discriminator",
    "test_generator",
    "test_model_inputs",
    "test_model_loss",
    "test_model_opt",
    "test_train",
]
# The last outcome of each check in this session, and what train fed: the notebook hands it to its
# self-review before submitting (``self_review.self_check(globals(), problem_unittests.OUTCOMES)``).
OUTCOMES = Outcomes()

# In Jupyter a failed check shows its message (which names your line), not our traceback.
show_briefly(CheckFailed, TrainingDiverged)


def _check(check):
    """Runs a check in a graph of its own and prints 'Tests Passed' as the original did.

    Whatever goes wrong inside becomes a CheckFailed that names the function and the learner's
    line: a check never ends in a traceback from inside this file.
    """

    name = check.__name__.removeprefix("test_")

    @functools.wraps(check)
    def run(function, *args, **kwargs):
        OUTCOMES.results[name] = "did not finish"
        try:
            # TensorFlow's C++ core logs as it optimises some graphs ("remapper failed"): not the
            # learner's business. Their own prints and our messages go through Python, not hidden.
            with tf.Graph().as_default(), native_log_lines_hidden():
                result = check(function, *args, **kwargs)
        except CheckFailed as failure:
            OUTCOMES.results[name] = f"failed: {failure}"
            raise
        except Exception as error:
            OUTCOMES.results[name] = (
                "failed: training diverged"
                if isinstance(error, TrainingDiverged)
                else (f"failed: {type(error).__name__}")
            )
            raise as_failure(error, function_name(function)) from error
        OUTCOMES.results[name] = "passed"
        print("Tests Passed")
        return result

    return run


@_check
def test_model_inputs(model_inputs):
    """Checks that model_inputs returns float32 placeholders of the right shapes, in order."""
    check_here("model_inputs", model_inputs)


@_check
def test_discriminator(discriminator, tf_module):
    """Checks the discriminator's outputs, sigmoid, weight sharing and scope on real batches."""
    require_tf_v1(tf_module)
    check_here("discriminator", discriminator)


@_check
def test_generator(generator, tf_module):
    """Checks the generator's size, tanh range, weight sharing and inference-mode batch norm."""
    require_tf_v1(tf_module)
    check_here("generator", generator)


@_check
def test_model_loss(model_loss):
    """Checks model_loss's wiring and labels by recording the networks it builds, then running it."""
    check_here("model_loss", model_loss)


@_check
def test_model_opt(model_opt, tf_module):
    """Checks that each training op changes only its own network, at the fed rate, with UPDATE_OPS."""
    require_tf_v1(tf_module)
    check_here("model_opt", model_opt)


@_check
def test_train(train):
    """Trains a few batches of random data exactly as the notebook's training cells call train.

    Checks that train trains both networks inside its session, feeds real images scaled to
    [-1, 1] and keeps the losses finite.
    """
    OUTCOMES.train_feeds = {}
    [OUTCOMES.train_feeds] = check_here("train", train)
