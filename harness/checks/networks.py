"""The checks of ``discriminator`` and ``generator``: outputs, ranges, scopes and shared weights.

The evidence of each call names the tensors it returned and the variables the first call made;
the verdict judges them from the graph alone, on inputs of its own.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from harness.checks.common import (
    Z_DIM,
    as_tensor,
    assign,
    call,
    pair,
    producer,
    require,
    run,
    sigmoid,
    variable_names,
)
from harness.evidence import Evidence, EvidenceError

DISCRIMINATOR_CASES, GENERATOR_CASES = (3, 1), (5, 1)  # Channels of the images.
# A generator's graph holds shapes, scalars and filled initial values; a constant of more values
# than this, not all the same, is a stored table (of images), not something drawn from z.
MOST_CONSTANT = 1024
# A step of this length in z, and one eight times shorter: a network's images move about eight
# times less on the shorter (they are smooth in z); images picked from a table move as much, or not
# at all. The median ratio over a few points lies between LEAST_ and MOST_SCALING (docs/review.md).
Z_STEP, LEAST_SCALING, MOST_SCALING, SMOOTH_POINTS = 0.1, 4.0, 16.0, 8


def _check_network_variables(created, scope, description):
    require(created, f"{description} created no variables: the network needs trainable layers.")
    outside = [name for name in created if not name.startswith(f"{scope}/")]
    require(
        not outside,
        f"{description} created variables outside the '{scope}' scope: {outside}. Create every layer "
        f"inside `with tf.variable_scope('{scope}', reuse=...):` so that the optimizer can find them.",
    )


def _check_reuse(graph, before, description, scope):
    new = sorted(set(variable_names(graph)) - set(before))
    require(
        not new,
        f"{description} created new variables instead of reusing the first call's: {new}. Open the scope "
        f"with tf.variable_scope('{scope}', reuse=...) and build the layers with tf.layers functions "
        "(a Keras layer object, such as tf.keras.layers.Dense(...), makes new weights on every call).",
    )


def _check_all_weights_used(output, description, scope):
    weights = tf.trainable_variables(scope)
    unused = [v.name for v, g in zip(weights, tf.gradients(tf.reduce_sum(output), weights)) if g is None]
    require(
        not unused,
        f"The output of {description} does not depend on these weights: {unused}. Every layer must "
        "feed the next one, and a reusing call must go through the same weights.",
    )


def _before(evidence):
    """The variables the first call made, as the evidence says: a subset of the graph's."""
    before = evidence.roles.get("before")
    if not isinstance(before, list) or not set(before) <= set(variable_names(evidence.graph)):
        raise EvidenceError("the variables of the first call are not the graph's")
    return before


def discriminator_scaffold(channels):
    """The images placeholder the discriminator is called on."""
    return {"images": tf.placeholder(tf.float32, (None, 28, 28, channels), name="images")}


def discriminator_evidence(discriminator, channels, handles):
    """Calls ``discriminator`` on our images, then again with reuse=True."""
    images = handles["images"]
    description = f"discriminator(images) on {channels}-channel images"
    first = pair(call(description, discriminator, images), description, "output, logits")
    before = variable_names(tf.get_default_graph())
    reused = f"discriminator(images, True) on {channels}-channel images"
    second = pair(call(reused, discriminator, images, True), reused, "output, logits")
    roles = {"first": [t.name for t in first], "reused": [t.name for t in second], "before": before}
    return Evidence(tf.get_default_graph(), roles)


def discriminator_verify(evidence, channels, rng):
    """Judges the discriminator: its scope, its reuse, sigmoid(logits), and (N, 1) scores."""
    graph, images = evidence.graph, evidence.element("images:0")
    out, logits = evidence.elements("first", 2)
    out_reused, logits_reused = evidence.elements("reused", 2)
    description = f"discriminator(images) on {channels}-channel images"
    reused = f"discriminator(images, True) on {channels}-channel images"
    before = _before(evidence)
    _check_network_variables(before, "discriminator", description)
    _check_reuse(graph, before, reused, "discriminator")
    _check_all_weights_used(logits, description, "discriminator")
    _check_all_weights_used(logits_reused, reused, "discriminator")
    input_gradient = tf.gradients(tf.reduce_sum(logits), images)[0]
    require(
        input_gradient is not None,
        f"The logits of {description} do not depend on the images: pass `images` to the first layer.",
    )
    batch = rng.uniform(-1, 1, (5, 28, 28, channels)).astype(np.float32)
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        values = run(
            sess, [out, logits, out_reused, logits_reused, input_gradient], {images: batch}, description
        )
    for value, name in zip(values[:4], ("output", "logits", "reused output", "reused logits")):
        require(
            value.shape == (5, 1),
            f"The {name} of the discriminator has shape {value.shape} for a batch of 5; expected "
            "(5, 1): one score per image. End with a dense layer of 1 unit.",
        )
    for probability, raw, name in ((values[0], values[1], description), (values[2], values[3], reused)):
        require(
            not np.allclose(raw, sigmoid(probability), atol=1e-5),
            f"{name} returned (logits, output): return (output, logits), with output = tf.sigmoid(logits).",
        )
        require(
            np.allclose(probability, sigmoid(raw), atol=1e-5),
            f"The output of {name} is not tf.sigmoid(logits): return (tf.sigmoid(logits), logits).",
        )
    require(np.abs(values[4]).max() > 0, f"The logits of {description} do not change with the images.")


def generator_scaffold(channels):
    """The noise placeholder the generator is called on."""
    return {"z": tf.placeholder(tf.float32, (None, Z_DIM), name="z")}


def generator_evidence(generator, channels, handles):
    """Calls ``generator`` on our noise to train, then to draw (is_train=False)."""
    z = handles["z"]
    description = f"generator(z, {channels}, True)"
    trained = as_tensor(call(description, generator, z, channels, True), f"The output of {description}")
    before = variable_names(tf.get_default_graph())
    inference = f"generator(z, {channels}, False)"
    sampled = as_tensor(call(inference, generator, z, channels, False), f"The output of {inference}")
    roles = {"trained": trained.name, "sampled": sampled.name, "before": before}
    return Evidence(tf.get_default_graph(), roles)


def generator_verify(evidence, channels, rng):
    """Judges the generator: its scope, its reuse, tanh, 28x28 images, inference-mode batch norm, and
    images drawn from z by its weights (no stored table; smooth in z; moved by the weights)."""
    graph, z = evidence.graph, evidence.element("z:0")
    trained, sampled = (
        evidence.element(evidence.roles.get("trained")),
        evidence.element(evidence.roles.get("sampled")),
    )
    description, inference = f"generator(z, {channels}, True)", f"generator(z, {channels}, False)"
    before = _before(evidence)
    _check_network_variables(before, "generator", description)
    _check_reuse(graph, before, inference, "generator")
    for output, name in ((trained, description), (sampled, inference)):
        last = producer(output).type
        require(
            last != "Sigmoid",
            f"The output of {name} goes through a sigmoid, between 0 and 1: use tf.tanh, between -1 "
            "and 1, like the scaled real images.",
        )
        require(
            last == "Tanh",
            f"The output of {name} comes from a {last} op: pass the last layer through tf.tanh, so "
            "that images lie between -1 and 1 like the scaled real images.",
        )
    _check_all_weights_used(sampled, inference, "generator")
    require_no_table(graph, inference)
    batch = rng.uniform(-1, 1, (6, Z_DIM)).astype(np.float32)
    other = np.concatenate([batch[:1], rng.uniform(-1, 1, (3, Z_DIM)).astype(np.float32)])
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        train_images, images = run(sess, [trained, sampled], {z: batch}, "the generator")
        alone = run(sess, sampled, {z: other}, inference)
        _check_images(channels, description, inference, train_images, images, alone)
        require_smooth_in_z(sess, z, sampled, rng, inference)
        _require_moved_by_weights(sess, z, sampled, batch, inference)


def _check_images(channels, description, inference, train_images, images, alone):
    """Images of the right shape, different for different z, and not changed by the rest of a batch."""
    for value, name in ((train_images, description), (images, inference)):
        require(
            value.shape == (6, 28, 28, channels),
            f"{name} gave images of shape {value.shape} for 6 noise vectors; expected "
            f"(6, 28, 28, {channels}): 28x28 pixels with out_channel_dim channels.",
        )
    require(
        np.abs(images[0] - images[1]).max() > 0,
        f"{inference} draws the same image for different z: the output must depend on z.",
    )
    require(
        np.allclose(images[0], alone[0], atol=1e-4),
        "With is_train=False, a sample depends on the other samples in its batch. Batch norm "
        "must use its learned statistics at inference: tf.layers.batch_normalization(x, training=is_train) "
        "(and dropout, if any, training=is_train).",
    )


def require_no_table(graph, description):
    """The generator's graph holds no stored table: no constant of more than ``MOST_CONSTANT``
    values that are not all the same."""
    for op in graph.get_operations():
        if op.type != "Const" or (op.outputs[0].shape.num_elements() or 0) <= MOST_CONSTANT:
            continue
        values = tf.make_ndarray(op.get_attr("value"))
        require(
            values.size <= MOST_CONSTANT or np.all(values == values.flat[0]),
            f"The graph of {description} holds a constant of {values.size} values ({op.name}): a generator "
            "draws its images from z through its trained layers, never from a stored table of images.",
        )


def require_smooth_in_z(sess, z, images, rng, description):
    """Images that move with z, and smoothly: a step of ``Z_STEP`` moves them about eight times more
    than a step eight times shorter (at least ``LEAST_SCALING`` times, the median of a few points)."""
    start = rng.uniform(-0.9, 0.9, (SMOOTH_POINTS, z.shape.as_list()[-1]))
    direction = rng.standard_normal(start.shape)
    direction *= Z_STEP / np.linalg.norm(direction, axis=1, keepdims=True)
    feed = np.concatenate([start, start + direction, start + direction / 8]).astype(np.float32)
    base, far, near = np.split(run(sess, images, {z: feed}, description).astype(np.float64), 3)
    moved = [np.sqrt(np.mean((other - base) ** 2, axis=(1, 2, 3))) for other in (far, near)]
    how = "a generator's images change smoothly with z. Draw them from z with layers (dense, transposed "
    how += "convolutions), not by picking stored images or rounding."
    require(
        np.median(moved[0]) > 0, f"The images of {description} do not change when z moves a little: {how}"
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        scaling = float(np.median(np.where(moved[1] > 0, moved[0] / moved[1], np.inf)))
    shorter = "not at all" if not np.isfinite(scaling) else f"only {scaling:.1f} times less"
    require(
        LEAST_SCALING <= scaling <= MOST_SCALING,
        f"The images of {description} jump as z moves: a step 8 times shorter changes them {shorter} "
        f"(a network's images, about 8 times less); {how}",
    )


def _require_moved_by_weights(sess, z, images, batch, description):
    """Changing the generator's weights a little changes its images: they are made by the weights."""
    weights = tf.trainable_variables("generator")
    values = sess.run(weights)
    drawn = sess.run(images, {z: batch})
    noise = np.random.default_rng(len(values))
    assign(
        sess,
        [(v, value * (1 + 0.05 * noise.standard_normal(value.shape))) for v, value in zip(weights, values)],
    )
    moved = sess.run(images, {z: batch})
    assign(sess, list(zip(weights, values)))
    require(
        np.abs(moved - drawn).max() > 1e-6,
        f"The images of {description} do not change when its weights do: make them with the "
        "generator's layers, so that training can change them.",
    )
