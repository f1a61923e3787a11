"""Notes on the learner's practices, as the project's reviewers wrote them: what was done well, and why.

Each note is read from what the learner's functions do, not from how they are written: the
networks are built in a graph of their own and their operations inspected (the kind of layer,
its strides, the activation and its slope, where batch norm sits, the output), so that
``tf.layers``, ``tf.nn`` or hand-written layers are read alike. The hyperparameters are put
against the ranges reviewers accept, with the reason for each range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.quiet import native_log_lines_hidden

# The ranges reviewers accept, and why each is what it is.
HYPERPARAMETERS = {
    "batch_size": (
        16,
        64,
        "small batches give noisier gradients, which keeps the discriminator from winning too fast, "
        "while batch norm still has enough images to normalise over",
    ),
    "z_dim": (100, 128, "100 is DCGAN's: enough directions for every digit and face, few enough to fill"),
    "learning_rate": (
        0.0002,
        0.0008,
        "DCGAN's 0.0002 and a little above train steadily; at 0.001 and more the two networks "
        "overshoot each other and the losses swing",
    ),
    "beta1": (
        0.2,
        0.6,
        "Adam's momentum of 0.5 (DCGAN) follows the moving target the other network is; 0.9 "
        "carries old directions too long and the training oscillates",
    ),
}
_BATCH_NORM = ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
_CONVOLUTIONS = ("Conv2D", "Conv2DBackpropInput", "MatMul")
_ACTIVATIONS = ("Relu", "LeakyRelu", "Maximum", "Elu", "Selu", "Tanh", "Sigmoid")


@dataclass(frozen=True)
class Note:
    """One reviewer's note on a function or a setting.

    Attributes:
        subject: The function or hyperparameter it is about.
        done_well: True for "done well", False for "worth trying".
        text: What, and in one sentence why.
    """

    subject: str
    done_well: bool
    text: str


def notes_on(namespace: dict) -> list[Note]:
    """The notes on the learner's discriminator, generator and hyperparameters in ``namespace``.

    A function that is missing or cannot be built gets no note: its check says what is wrong.
    """
    notes = []
    for name, reader in (("discriminator", _discriminator_notes), ("generator", _generator_notes)):
        if callable(namespace.get(name)):
            try:
                notes += reader(namespace[name])
            except Exception:  # The check of this function says what is wrong with it.
                continue
    if callable(namespace.get("discriminator")) and callable(namespace.get("generator")):
        notes += _size_notes(namespace["discriminator"], namespace["generator"])
    return notes + _hyperparameter_notes(namespace)


def _built(build) -> tuple[list, object, list]:
    """The operations ``build`` makes in a graph of its own, its result, and the trainable variables."""
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default() as graph, native_log_lines_hidden():
        result = build(tf)
        return graph.get_operations(), result, tf.trainable_variables()


def _discriminator_ops(discriminator):
    return _built(lambda tf: discriminator(tf.placeholder(tf.float32, (None, 28, 28, 3))))


def _generator_ops(generator):
    return _built(lambda tf: generator(tf.placeholder(tf.float32, (None, 100)), 3))


def _downsampling_note(ops) -> Note:
    pools = [op for op in ops if op.type in ("MaxPool", "AvgPool", "MaxPoolV2")]
    strided = [op for op in ops if op.type == "Conv2D" and max(op.get_attr("strides")) > 1]
    if pools:
        return Note(
            "discriminator",
            False,
            "Use strided convolutions instead of pooling (DCGAN): the network learns its own "
            "downsampling, and pooling's sparse gradients make the generator's learning harder.",
        )
    if strided:
        return Note(
            "discriminator",
            True,
            "Strided convolutions instead of pooling: the network learns its own downsampling, and "
            "the gradients the generator learns from are not sparse.",
        )
    return Note("discriminator", False, "Downsample with strided convolutions (stride 2), as DCGAN does.")


def _leaky_alphas(ops) -> list[float]:
    """The slopes of the leaky ReLUs: LeakyRelu ops, and max(alpha * x, x) written by hand."""
    from tensorflow.python.framework import tensor_util

    alphas = [round(op.get_attr("alpha"), 6) for op in ops if op.type == "LeakyRelu"]  # float32's 0.2.
    for op in ops:
        if op.type != "Maximum":
            continue
        for product in (t.op for t in op.inputs if t.op.type == "Mul"):
            for factor in product.inputs:
                value = tensor_util.constant_value(factor)
                if value is not None and np.ndim(value) == 0 and 0 < float(value) < 1:
                    alphas.append(round(float(value), 6))
    return alphas


def _activation_note(ops) -> Note:
    alphas = _leaky_alphas(ops)
    if alphas:
        low, high = min(alphas), max(alphas)
        slope = f"{low:g}" if low == high else f"{low:g} to {high:g}"
        if low >= 0.1 and high <= 0.2:
            return Note(
                "discriminator",
                True,
                f"Leaky ReLU (alpha {slope}): units that are off still pass gradient back to the generator.",
            )
        return Note(
            "discriminator",
            False,
            f"Leaky ReLU's alpha is {slope}: reviewers recommend 0.1 to 0.2 (DCGAN uses 0.2).",
        )
    return Note(
        "discriminator",
        False,
        "Try leaky ReLU (alpha 0.2) in the discriminator: with ReLU, a unit that is off passes no "
        "gradient back to the generator.",
    )


def _first_layer_normalised(ops) -> bool:
    """Whether batch norm comes right after the first convolution or dense layer, before any activation."""
    first = next((op for op in ops if op.type in _CONVOLUTIONS), None)
    frontier = [first] if first is not None else []
    for _ in range(4):  # The layer's bias, its batch norm: a few steps at most.
        frontier = [consumer for op in frontier for out in op.outputs for consumer in out.consumers()]
        if any(op.type in _BATCH_NORM or "batchnorm" in op.name for op in frontier):
            return True
        if any(op.type in _ACTIVATIONS for op in frontier):
            return False
    return False


def _batch_norms(ops) -> int:
    fused = sum(op.type in _BATCH_NORM for op in ops)
    unfused = sum(op.type == "Rsqrt" and "batchnorm" in op.name for op in ops)
    return fused + unfused


def _discriminator_notes(discriminator) -> list[Note]:
    ops, _, _ = _discriminator_ops(discriminator)
    notes = [_downsampling_note(ops), _activation_note(ops)]
    if not _batch_norms(ops):
        notes.append(
            Note(
                "discriminator",
                False,
                "Try batch norm after each convolution but the first: it steadies training.",
            )
        )
    elif _first_layer_normalised(ops):
        notes.append(
            Note(
                "discriminator",
                False,
                "Leave batch norm out of the first layer (DCGAN): normalising the images' first features "
                "makes the samples oscillate.",
            )
        )
    else:
        notes.append(Note("discriminator", True, "Batch norm on every layer but the first, as in DCGAN."))
    if any("dropout" in op.name.lower() for op in ops):
        notes.append(
            Note("discriminator", True, "Dropout slows the discriminator down, so the generator keeps up.")
        )
    return notes


def _output_normalised(output) -> bool:
    """Whether batch norm sits between the generator's last layer and its output."""
    op = output.op
    for _ in range(4):
        if op.type in _BATCH_NORM or "batchnorm" in op.name:
            return True
        if op.type in _CONVOLUTIONS or not op.inputs:
            return False
        op = op.inputs[0].op
    return False


def _generator_notes(generator) -> list[Note]:
    ops, output, _ = _generator_ops(generator)
    notes = []
    if output.op.type == "Tanh":
        notes.append(
            Note("generator", True, "A tanh output, in [-1, 1] like the real images it is compared with.")
        )
    if any(op.type == "Conv2DBackpropInput" for op in ops):
        notes.append(
            Note("generator", True, "Transposed convolutions: the network learns its own upsampling.")
        )
    elif any(op.type.startswith("Resize") for op in ops):
        notes.append(
            Note(
                "generator",
                True,
                "Upsampling then convolving: no checkerboard artefacts (Odena et al., 2016).",
            )
        )
    if _output_normalised(output):
        notes.append(
            Note(
                "generator",
                False,
                "Leave batch norm out of the output layer (DCGAN): it would fix the images' mean and spread.",
            )
        )
    elif _batch_norms(ops):
        notes.append(Note("generator", True, "Batch norm on every layer but the output, as in DCGAN."))
    if not any("dropout" in op.name.lower() for op in ops):
        notes.append(
            Note(
                "generator",
                False,
                "Try dropout in the generator (pix2pix uses it as its noise): samples can get more varied.",
            )
        )
    return notes


def _parameters(variables) -> int:
    return int(sum(np.prod(v.shape.as_list()) for v in variables))


def _size_notes(discriminator, generator) -> list[Note]:
    d_size = _parameters(_discriminator_ops(discriminator)[2])
    g_size = _parameters(_generator_ops(generator)[2])
    sizes = f"{g_size:,} weights against the discriminator's {d_size:,}"
    if g_size > d_size:
        return [Note("generator", True, f"Larger than the discriminator ({sizes}): it has the harder job.")]
    return [
        Note(
            "generator",
            False,
            f"Give the generator more weights than the discriminator ({sizes}): drawing is the harder "
            "job, and a strong discriminator wins too early.",
        )
    ]


def _hyperparameter_notes(namespace: dict) -> list[Note]:
    notes = []
    for name, (low, high, reason) in HYPERPARAMETERS.items():
        value = namespace.get(name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if low <= value <= high:
            notes.append(Note(name, True, f"{name} = {value:g}, within {low:g} to {high:g}: {reason}."))
        else:
            notes.append(Note(name, False, f"{name} = {value:g}: try {low:g} to {high:g}, since {reason}."))
    return notes
