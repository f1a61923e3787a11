"""Reading a function's graph: building it apart, the kinds of operation in it, what depends on what."""

from __future__ import annotations

import numpy as np

from harness.quiet import native_log_lines_hidden

# The operation types of a layer's parts, whichever API made them (tf.layers, tf.nn, by hand).
BATCH_NORM = ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
CONVOLUTIONS = ("Conv2D", "Conv2DBackpropInput", "MatMul")
ACTIVATIONS = ("Relu", "LeakyRelu", "Maximum", "Elu", "Selu", "Tanh", "Sigmoid")


def built(build) -> tuple[list, object, list]:
    """The operations ``build`` makes in a graph of its own, its result, and the trainable variables."""
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default() as graph, native_log_lines_hidden():
        result = build(tf)
        return graph.get_operations(), result, tf.trainable_variables()


def initial_weights(build) -> list[np.ndarray]:
    """The starting values of the weight matrices and kernels (2-D or more) that ``build`` creates."""
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default(), native_log_lines_hidden():
        build(tf)
        kernels = [v for v in tf.trainable_variables() if v.shape.ndims >= 2]
        with tf.Session() as session:
            session.run(tf.variables_initializer(kernels))
            return session.run(kernels)


def has_dropout(ops) -> bool:
    """Whether the ops drop anything: a dropout with rate 0 (keep_prob=1.0) leaves only an Identity."""
    return any(op.type == "RandomUniform" and "dropout" in op.name.lower() for op in ops)


def batch_norms(ops) -> int:
    """How many batch norms the ops hold: fused ones (4-D inputs) and unfused ones (dense layers)."""
    fused = sum(op.type in BATCH_NORM for op in ops)
    unfused = sum(op.type == "Rsqrt" and "batchnorm" in op.name for op in ops)
    return fused + unfused


def parameters(variables) -> int:
    """The number of weights in ``variables``."""
    return int(sum(np.prod(v.shape.as_list()) for v in variables))


def depends_on(tensor, source) -> bool:
    """Whether ``tensor`` is computed from ``source``."""
    seen, frontier = set(), [tensor.op]
    while frontier:
        op = frontier.pop()
        if op is source.op:
            return True
        if op.name not in seen:
            seen.add(op.name)
            frontier += [t.op for t in op.inputs]
    return False


def runs_after(op, others: set[str]) -> bool:
    """Whether ``op`` waits for any of the ops named ``others``, through its inputs or control inputs."""
    seen, frontier = set(), [op]
    while frontier:
        current = frontier.pop()
        if current.name in others:
            return True
        if current.name not in seen:
            seen.add(current.name)
            frontier += [t.op for t in current.inputs] + list(current.control_inputs)
    return False
