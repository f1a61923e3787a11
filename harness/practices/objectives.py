"""Notes on the losses and the optimizers: logits, label smoothing, batch norm's updates."""

from __future__ import annotations

import numpy as np

from harness.practices.graphs import depends_on, runs_after
from harness.practices.note import Note
from harness.quiet import native_log_lines_hidden


def _cross_entropies(ops) -> list[tuple]:
    """(logits, labels) of each sigmoid cross-entropy on logits, whoever wrote it: TensorFlow's
    ``relu(x) - x * labels + log1p(exp(-|x|))``, found by its shape rather than its name."""
    found = []
    for op in ops:
        if op.type not in ("Add", "AddV2") or {t.op.type for t in op.inputs} != {"Sub", "Log1p"}:
            continue
        difference = next(t.op for t in op.inputs if t.op.type == "Sub")
        product = difference.inputs[1].op
        if product.type == "Mul":
            found.append((product.inputs[0], product.inputs[1]))
    return found


def loss_notes(model_loss) -> list[Note]:
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default() as graph, native_log_lines_hidden():
        real = tf.placeholder(tf.float32, (None, 28, 28, 3))
        z = tf.placeholder(tf.float32, (None, 100))
        model_loss(real, z, 3)
        pairs = _cross_entropies(graph.get_operations())
        if not pairs:
            return [
                Note(
                    "model_loss",
                    False,
                    "Compute the losses from the logits with tf.nn.sigmoid_cross_entropy_with_logits: it "
                    "stays finite where the log of a saturated probability is minus infinity.",
                )
            ]
        real_labels = [labels for logits, labels in pairs if depends_on(logits, real)]
        rng = np.random.default_rng(0)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            feed = {real: rng.uniform(-1, 1, (16, 28, 28, 3)), z: rng.uniform(-1, 1, (16, 100))}
            values = (
                np.concatenate([np.ravel(v) for v in session.run(real_labels, feed)]) if real_labels else []
            )
    notes = [Note("model_loss", True, "Losses on the logits: numerically stable, where log(sigmoid) is not.")]
    return notes + _smoothing_notes(np.asarray(values, dtype=float))


def _smoothing_notes(real_labels: np.ndarray) -> list[Note]:
    if real_labels.size == 0:
        return []
    low, high = float(real_labels.min()), float(real_labels.max())
    if np.isclose(low, 1) and np.isclose(high, 1):
        return [
            Note(
                "model_loss",
                False,
                "Try one-sided label smoothing (real labels 0.9): a less certain discriminator still "
                "gives the generator gradients to learn from.",
            )
        ]
    if np.isclose(low, high):
        return [
            Note(
                "model_loss",
                True,
                f"One-sided label smoothing (real labels {low:.2g}): D stays less certain.",
            )
        ]
    return [
        Note(
            "model_loss",
            True,
            f"Random soft labels (real labels {low:.2g} to {high:.2g}): the discriminator is never certain.",
        )
    ]


def optimizer_notes(model_loss, model_opt) -> list[Note]:
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default(), native_log_lines_hidden():
        real = tf.placeholder(tf.float32, (None, 28, 28, 3))
        d_loss, g_loss = model_loss(real, tf.placeholder(tf.float32, (None, 100)), 3)
        steps = model_opt(d_loss, g_loss, tf.placeholder(tf.float32, ()), 0.5)
        updates = {op.name for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)}
        if not updates:
            return []
        if all(runs_after(step if isinstance(step, tf.Operation) else step.op, updates) for step in steps):
            return [
                Note(
                    "model_opt",
                    True,
                    "Batch norm's moving statistics update with every step (UPDATE_OPS), so the samples "
                    "drawn in inference mode use them.",
                )
            ]
    return [
        Note(
            "model_opt",
            False,
            "Run batch norm's update ops with each step, inside tf.control_dependencies(tf.get_collection("
            "tf.GraphKeys.UPDATE_OPS)): without them, inference-mode samples use its initial statistics.",
        )
    ]
