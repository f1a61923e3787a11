"""The check of ``model_inputs``: float32 placeholders of the right shapes, in order."""

import tensorflow.compat.v1 as tf

from harness.checks.common import call, require
from harness.evidence import Evidence

# (width, height, channels, z_dim) it is called with.
CASES = ((28, 28, 3, 100), (32, 32, 1, 64))
_NAMES = ("real images", "z", "learning rate")


def _description(case):
    return "model_inputs({}, {}, {}, {})".format(*case)


def scaffold(case):
    """Nothing of ours: model_inputs builds on an empty graph."""
    return {}


def evidence(model_inputs, case, handles):
    """Calls ``model_inputs`` with ``case``; its evidence names the three tensors it returned."""
    description = _description(case)
    result = call(description, model_inputs, *case)
    require(
        isinstance(result, (tuple, list)) and len(result) == 3,
        f"{description} should return three tensors, (real images, z, learning rate); got {result!r}.",
    )
    for value, name in zip(result, _NAMES):
        require(
            isinstance(value, tf.Tensor),
            f"The {name} input is a {type(value).__name__}, not a placeholder: create it with "
            "tf.placeholder(...) so that values can be fed to it.",
        )
    return Evidence(tf.get_default_graph(), {"inputs": [tensor.name for tensor in result]})


def verify(evidence, case, rng):
    """Judges the three tensors: placeholders, float32, (real images, z) shaped for ``case``."""
    width, height, channels, z_dim = case
    description = _description(case)
    tensors = evidence.elements("inputs", 3)
    ranks = [t.shape.ndims for t in tensors]
    require(
        ranks[:2] != [2, 4],
        f"{description} returned z before the real images: return (real images, z, learning rate).",
    )
    for tensor, name in zip(tensors, _NAMES):
        require(
            tensor.op.type in ("Placeholder", "PlaceholderWithDefault"),
            f"The {name} input is a {tensor.op.type} op, not a placeholder: create it with "
            "tf.placeholder(...) so that values can be fed to it.",
        )
        require(
            tensor.dtype == tf.float32,
            f"The {name} placeholder has dtype {tensor.dtype.name}; use tf.float32.",
        )
    real, z, learning_rate = tensors
    for tensor, name, expected in (
        (real, "real images", [None, height, width, channels]),
        (z, "z", [None, z_dim]),
    ):
        shape = tensor.shape.as_list() if tensor.shape.ndims is not None else None
        require(
            shape is not None and len(shape) == len(expected),
            f"The {name} placeholder has shape {shape}; expected {expected} (rank {len(expected)}).",
        )
        require(
            shape[0] is None,
            f"The {name} placeholder fixes the batch size to {shape[0]}: use None as the first "
            "dimension so that any batch size can be fed.",
        )
        require(
            shape == expected,
            f"The {name} placeholder has shape {shape}; expected {expected} for {description}.",
        )
    require(
        learning_rate.shape.ndims in (None, 0),
        f"The learning rate placeholder has shape {learning_rate.shape}; it should be a "
        "scalar: tf.placeholder(tf.float32, (), name='learning_rate').",
    )
