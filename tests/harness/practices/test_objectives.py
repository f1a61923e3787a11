"""harness/practices/objectives.py: the labels and the batch-norm updates, read from the running graph."""

import pytest
import tensorflow.compat.v1 as tf
from variants import keys, loss_with

from harness import practices


@pytest.mark.parametrize(
    "labels, expected",
    [
        (tf.ones_like, ("model_loss", False, "Try one-sided label")),
        (lambda real: tf.ones_like(real) * 0.9, ("model_loss", True, "One-sided label smoothing")),
        (
            lambda real: tf.random_uniform(tf.shape(real), 0.7, 1.2),
            ("model_loss", True, "Random soft labels"),
        ),
    ],
    ids=["hard labels", "one-sided 0.9", "random soft labels"],
)
def test_the_real_images_labels_are_read_from_the_running_graph(labels, expected):
    notes = practices.notes_on({"model_loss": loss_with(labels)})

    assert keys(notes) == {("model_loss", True, "Losses on the"), expected}


def test_optimizers_that_leave_batch_norms_statistics_behind_are_told_how():
    def model_opt(d_loss, g_loss, learning_rate, beta1):
        variables = tf.trainable_variables()
        adam = tf.train.AdamOptimizer(learning_rate, beta1=beta1)
        d_step = adam.minimize(d_loss, var_list=[v for v in variables if v.name.startswith("discriminator")])
        g_step = adam.minimize(g_loss, var_list=[v for v in variables if v.name.startswith("generator")])
        return d_step, g_step  # No tf.control_dependencies on UPDATE_OPS.

    notes = keys(practices.notes_on({"model_loss": loss_with(tf.ones_like), "model_opt": model_opt}))

    assert ("model_opt", False, "Run batch norm's") in notes
