"""Notes on the discriminator and the generator: their layers, activations, batch norm, sizes."""

from __future__ import annotations

import numpy as np

from harness.practices.graphs import (
    ACTIVATIONS,
    BATCH_NORM,
    CONVOLUTIONS,
    batch_norms,
    built,
    has_dropout,
    initial_weights,
    parameters,
)
from harness.practices.note import Note


def _discriminator_ops(discriminator, read=built):
    return read(lambda tf: discriminator(tf.placeholder(tf.float32, (None, 28, 28, 3))))


def _generator_ops(generator, read=built):
    return read(lambda tf: generator(tf.placeholder(tf.float32, (None, 100)), 3))


def _initialiser_note(subject: str, kernels: list[np.ndarray]) -> Note | None:
    """Xavier's (Glorot's) scale, or DCGAN's normal(0, 0.02), read from the weights' starting values."""
    if not kernels:
        return None
    # Xavier: a spread of sqrt(2 / (fan_in + fan_out)); a kernel's fans include its window.
    ratios = [
        kernel.std() / np.sqrt(2 / (np.prod(kernel.shape[:-2]) * (kernel.shape[-2] + kernel.shape[-1])))
        for kernel in kernels
    ]
    xavier = [0.75 <= ratio <= 1.3 for ratio in ratios]
    dcgan = [abs(kernel.std() - 0.02) <= 0.005 for kernel in kernels]
    off = [ratio for ratio, x, d in zip(ratios, xavier, dcgan) if not (x or d)]
    if off:
        return Note(
            subject,
            False,
            "Try Xavier initialisation (tf.glorot_normal_initializer()): some weights start "
            f"{min(off):.0f} to {max(off):.0f} times its scale, and the first gradients grow or fade "
            "with the difference.",
        )
    if all(xavier):
        return Note(
            subject,
            True,
            "Xavier (Glorot) initialisation: each layer starts with outputs on the scale of its "
            "inputs, so the first gradients neither vanish nor explode.",
        )
    return Note(subject, True, "DCGAN's initialisation, normal with a spread of 0.02: small, even starts.")


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
    first = next((op for op in ops if op.type in CONVOLUTIONS), None)
    frontier = [first] if first is not None else []
    for _ in range(4):  # The layer's bias, its batch norm: a few steps at most.
        frontier = [consumer for op in frontier for out in op.outputs for consumer in out.consumers()]
        if any(op.type in BATCH_NORM or "batchnorm" in op.name for op in frontier):
            return True
        if any(op.type in ACTIVATIONS for op in frontier):
            return False
    return False


def discriminator_notes(discriminator) -> list[Note]:
    ops, _, _ = _discriminator_ops(discriminator)
    notes = [_downsampling_note(ops), _activation_note(ops)]
    notes += filter(
        None, [_initialiser_note("discriminator", _discriminator_ops(discriminator, initial_weights))]
    )
    if not batch_norms(ops):
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
    if has_dropout(ops):
        notes.append(
            Note("discriminator", True, "Dropout slows the discriminator down, so the generator keeps up.")
        )
    return notes


def _output_normalised(output) -> bool:
    """Whether batch norm sits between the generator's last layer and its output."""
    op = output.op
    for _ in range(4):
        if op.type in BATCH_NORM or "batchnorm" in op.name:
            return True
        if op.type in CONVOLUTIONS or not op.inputs:
            return False
        op = op.inputs[0].op
    return False


def generator_notes(generator) -> list[Note]:
    ops, output, _ = _generator_ops(generator)
    notes = list(filter(None, [_initialiser_note("generator", _generator_ops(generator, initial_weights))]))
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
    elif batch_norms(ops):
        notes.append(Note("generator", True, "Batch norm on every layer but the output, as in DCGAN."))
    if not has_dropout(ops):
        notes.append(
            Note(
                "generator",
                False,
                "Try dropout in the generator (pix2pix uses it as its noise): samples can get more varied.",
            )
        )
    return notes


def size_notes(discriminator, generator) -> list[Note]:
    d_size = parameters(_discriminator_ops(discriminator)[2])
    g_size = parameters(_generator_ops(generator)[2])
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
