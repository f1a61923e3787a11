"""Other solutions to the notebook's exercises: correct alternatives, and one-bug variants.

The correct alternatives differ from the notebook's solution in ways a learner may choose
(smaller networks, tf.maximum for leaky ReLU, no batch norm, a dense output layer, labels made
with tf.ones_like, per-scope update ops): every check must accept them. Each broken variant
makes one mistake reviewers of this project meet; the check of that function must reject it
with a message naming the mistake. The networks are small so that the checks run fast.
"""

import functools

import numpy as np
import tensorflow.compat.v1 as tf

# Correct alternatives


def model_inputs(
    image_width, image_height, image_channels, z_dim, *, batch=None, lr_shape=(), kind="placeholder"
):
    real = tf.placeholder(tf.float32, (batch, image_height, image_width, image_channels), name="input_real")
    z = tf.placeholder(tf.float32, (None, z_dim), name="input_z")
    if kind == "constant":
        return real, z, tf.constant(0.001)
    if kind == "variable":
        return real, z, tf.Variable(0.001, name="learning_rate")
    return real, z, tf.placeholder(tf.float32, lr_shape, name="learning_rate")


def model_inputs_with_default_rate(image_width, image_height, image_channels, z_dim):
    real, z, _ = model_inputs(image_width, image_height, image_channels, z_dim)
    return real, z, tf.placeholder_with_default(0.0002, (), name="learning_rate")


def model_inputs_z_first(image_width, image_height, image_channels, z_dim):
    real, z, learning_rate = model_inputs(image_width, image_height, image_channels, z_dim)
    return z, real, learning_rate


def model_inputs_fixed_z_dim(image_width, image_height, image_channels, z_dim):
    return model_inputs(image_width, image_height, image_channels, 100)


def model_inputs_flat_images(image_width, image_height, image_channels, z_dim):
    _, z, learning_rate = model_inputs(image_width, image_height, image_channels, z_dim)
    return tf.placeholder(tf.float32, (None, image_width * image_height * image_channels)), z, learning_rate


def model_inputs_float64_z(image_width, image_height, image_channels, z_dim):
    real, _, learning_rate = model_inputs(image_width, image_height, image_channels, z_dim)
    return real, tf.placeholder(tf.float64, (None, z_dim)), learning_rate


def discriminator(images, reuse=False, *, scope="discriminator", units=1, activation=tf.sigmoid, swap=False):
    with tf.variable_scope(scope, reuse=reuse):
        x = tf.layers.conv2d(images, 8, 5, strides=2, padding="same")
        x = tf.maximum(0.2 * x, x)
        logits = tf.layers.dense(tf.layers.flatten(x), units)
        output = activation(logits)
        return (logits, output) if swap else (output, logits)


def generator(
    z,
    out_channel_dim,
    is_train=True,
    *,
    reuse=None,
    bn_training=None,
    channels=None,
    size=28,
    activation=tf.tanh,
):
    with tf.variable_scope("generator", reuse=(not is_train) if reuse is None else reuse):
        x = tf.reshape(tf.layers.dense(z, 7 * 7 * 16), (-1, 7, 7, 16))
        x = tf.layers.batch_normalization(x, training=is_train if bn_training is None else bn_training)
        x = tf.layers.conv2d_transpose(tf.nn.leaky_relu(x), 8, 5, strides=2, padding="same")
        strides = 2 if size == 28 else 1
        x = tf.layers.conv2d_transpose(x, channels or out_channel_dim, 5, strides=strides, padding="same")
        return activation(x)


def model_loss(
    input_real,
    input_z,
    out_channel_dim,
    *,
    real_label=0.9,
    fake_label=0.0,
    g_label=1.0,
    use_probabilities=False,
    reduce=tf.reduce_mean,
    g_on_real=False,
    is_train=True,
    channels=None,
    fakes=None,
    scale=1.0,
    instance_noise=0.0,
    g_sign=1.0,
):
    def cross_entropy(scores, label):
        probabilities, logits = scores
        chosen = probabilities if use_probabilities else logits
        if isinstance(label, tuple):  # Random labels, drawn anew for each batch.
            labels = tf.random_uniform(tf.shape(chosen), *label)
        else:
            labels = tf.ones_like(chosen) * label
        return reduce(tf.nn.sigmoid_cross_entropy_with_logits(logits=chosen, labels=labels))

    # Instance noise, shaped like the real batch for both calls (a shape read is no mixing).
    noise = tf.random_normal(tf.shape(input_real), stddev=instance_noise) if instance_noise else 0.0
    generated = generator(input_z, channels or out_channel_dim)
    if fakes == "inference":
        generated = generator(input_z, out_channel_dim, is_train=False)
    if fakes == "noise":
        generated = tf.random_uniform(tf.shape(input_real), -1.0, 1.0)
    real = discriminator(input_real + noise)
    fake = discriminator(generated + noise, reuse=True)
    d_loss = scale * (cross_entropy(real, real_label) + cross_entropy(fake, fake_label))
    return d_loss, g_sign * cross_entropy(real if g_on_real else fake, g_label)


def model_opt(
    d_loss,
    g_loss,
    learning_rate,
    beta1,
    *,
    optimizer="adam",
    select="scope",
    update_ops=True,
    fixed_rate=None,
    fixed_beta1=None,
    d_minimizes="d_loss",
    g_minimizes="g_loss",
    swap=False,
):
    def variables(name):
        if select == "all":
            return None
        if select == "not-the-other":
            other = "generator" if name == "discriminator" else "discriminator"
            return [v for v in tf.trainable_variables() if not v.name.startswith(other)]
        return tf.trainable_variables(scope=name)

    def minimize(loss, name):
        rate = learning_rate if fixed_rate is None else fixed_rate
        if optimizer == "sgd":
            step = tf.train.GradientDescentOptimizer(rate)
        else:
            step = tf.train.AdamOptimizer(rate, beta1=beta1 if fixed_beta1 is None else fixed_beta1)
        dependencies = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope=name) if update_ops else []
        with tf.control_dependencies(dependencies):
            return step.minimize(loss, var_list=variables(name))

    losses = {"d_loss": d_loss, "g_loss": g_loss, "-d_loss": -d_loss}
    ops = minimize(losses[d_minimizes], "discriminator"), minimize(losses[g_minimizes], "generator")
    return ops[::-1] if swap else ops


def train(
    epoch_count,
    batch_size,
    z_dim,
    learning_rate,
    beta1,
    get_batches,
    data_shape,
    data_image_mode,
    *,
    scale=2,
    train_generator=True,
    initialize=True,
    reset_graph=False,
    epochs_seen=None,
    batches_outside_session=False,
    real="batch",
    train_every=1,
):
    if reset_graph:
        tf.reset_default_graph()
    input_real, input_z, lr = model_inputs(data_shape[2], data_shape[1], data_shape[3], z_dim)
    d_loss, g_loss = model_loss(input_real, input_z, data_shape[3])
    d_opt, g_opt = model_opt(d_loss, g_loss, lr, beta1)
    losses = []
    epochs = [list(get_batches(batch_size)) for _ in range(epoch_count)] if batches_outside_session else None
    with tf.Session() as sess:
        if initialize:
            sess.run(tf.global_variables_initializer())
        for epoch in range(epochs_seen or epoch_count):
            for index, batch in enumerate(epochs[epoch] if epochs else get_batches(batch_size)):
                if index % train_every:
                    continue
                z = np.random.uniform(-1, 1, (len(batch), z_dim))
                images = {
                    "batch": batch * scale,
                    "noise": np.random.uniform(-1, 1, batch.shape),  # Not the batch at all.
                    "flipped": batch[:, :, ::-1] * scale,  # Augmented: the batch, mirrored.
                    "noisy": np.clip(batch * scale + np.random.normal(0, 0.1, batch.shape), -1, 1),
                }[real]
                feed = {input_real: images, input_z: z, lr: learning_rate}
                sess.run(d_opt, feed)
                if train_generator:
                    sess.run(g_opt, feed)
                losses.append(sess.run([d_loss, g_loss], feed))
    return losses


class KerasLayersDiscriminator:
    """Keras layer objects made on every call: reuse=True cannot share their weights."""

    def __call__(self, images, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            logits = tf.keras.layers.Dense(1)(tf.keras.layers.Flatten()(images))
            return tf.sigmoid(logits), logits


def generator_with_dense_outside_scope(z, out_channel_dim, is_train=True):
    x = tf.layers.dense(z, 7 * 7 * 16)  # Forgot to put this layer in the scope.
    with tf.variable_scope("generator", reuse=not is_train):
        x = tf.layers.conv2d_transpose(tf.reshape(x, (-1, 7, 7, 16)), 8, 5, strides=2, padding="same")
        return tf.tanh(tf.layers.conv2d_transpose(x, out_channel_dim, 5, strides=2, padding="same"))


def discriminator_with_fixed_batch(images, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        x = tf.reshape(images, (64, 28 * 28 * images.shape[-1]))
        logits = tf.layers.dense(x, 1)
        return tf.sigmoid(logits), logits


def generator_from_a_table(z, out_channel_dim, is_train=True):
    """Returns stored images picked by a hash of z, with a layer that changes nothing."""
    stored = np.random.default_rng(0).uniform(-2, 2, (16, 28, 28, out_channel_dim)).astype(np.float32)
    with tf.variable_scope("generator", reuse=not is_train):
        unused = tf.reshape(tf.layers.dense(z, 1), (-1, 1, 1, 1))
        index = tf.cast(tf.floor(tf.abs(tf.reduce_sum(z, axis=1)) * 1000), tf.int32) % len(stored)
        return tf.tanh(tf.gather(tf.constant(stored), index) + 0 * unused)


def generator_picking_from_weights(z, out_channel_dim, is_train=True, every=10):
    """Images kept in a variable, picked by rounding z (every=10**6: by a hash that changes at once)."""
    with tf.variable_scope("generator", reuse=not is_train):
        stored = tf.get_variable("stored", (16, 28, 28, out_channel_dim))
        unused = tf.reshape(tf.layers.dense(z, 1), (-1, 1, 1, 1))
        index = tf.cast(tf.floor(tf.abs(tf.reduce_sum(z, axis=1)) * every), tf.int32) % 16
        return tf.tanh(tf.gather(stored, index) + 0 * unused)


def generator_ignoring_its_weights(z, out_channel_dim, is_train=True):
    """Draws from z alone; its layer's output is multiplied by 0."""
    with tf.variable_scope("generator", reuse=not is_train):
        pixels = tf.reshape(tf.tile(z[:, :49], (1, 16 * out_channel_dim)), (-1, 28, 28, out_channel_dim))
        unused = tf.reshape(tf.layers.dense(z, 1), (-1, 1, 1, 1))
        return tf.tanh(pixels + 0 * unused)


CORRECT = {
    "model_inputs": [
        model_inputs,
        model_inputs_with_default_rate,
        functools.partial(model_inputs, lr_shape=None),
    ],
    "discriminator": [discriminator],
    "generator": [generator],
    "model_loss": [
        model_loss,
        functools.partial(model_loss, real_label=1.0),
        functools.partial(model_loss, scale=0.5),
        functools.partial(model_loss, real_label=(0.7, 1.2)),
        functools.partial(model_loss, real_label=(0.7, 1.2), fake_label=(0.0, 0.3), scale=0.5),
        functools.partial(model_loss, instance_noise=0.1),
        functools.partial(model_loss, use_probabilities=False, reduce=lambda t: 3.0 * tf.reduce_mean(t)),
    ],
    "model_opt": [model_opt],
    "train": [train, functools.partial(train, real="flipped"), functools.partial(train, real="noisy")],
}

# Each broken variant, with (a fragment of) what its check must say.
BROKEN = {
    "model_inputs": [
        (functools.partial(model_inputs, batch=64), "fixes the batch size to 64"),
        (
            functools.partial(model_inputs, kind="constant"),
            "learning rate input is a Const op, not a placeholder",
        ),
        (functools.partial(model_inputs, kind="variable"), "not a placeholder"),
        (functools.partial(model_inputs, lr_shape=(None,)), "it should be a scalar"),
        (model_inputs_z_first, "returned z before the real images"),
        (model_inputs_fixed_z_dim, "z placeholder has shape [None, 100]; expected [None, 64]"),
        (model_inputs_flat_images, "expected [None, 28, 28, 3] (rank 4)"),
        (model_inputs_float64_z, "has dtype float64; use tf.float32"),
    ],
    "discriminator": [
        (functools.partial(discriminator, activation=tf.identity), "is not tf.sigmoid(logits)"),
        (functools.partial(discriminator, activation=tf.tanh), "is not tf.sigmoid(logits)"),
        (functools.partial(discriminator, swap=True), "returned (logits, output)"),
        (functools.partial(discriminator, units=2), "has shape (5, 2) for a batch of 5"),
        (functools.partial(discriminator, scope="d"), "outside the 'discriminator' scope"),
        (KerasLayersDiscriminator(), "created new variables instead of reusing"),
        (discriminator_with_fixed_batch, "the batch size must stay open"),
    ],
    "generator": [
        (functools.partial(generator, activation=tf.identity), "pass the last layer through tf.tanh"),
        (functools.partial(generator, activation=tf.sigmoid), "goes through a sigmoid"),
        (functools.partial(generator, bn_training=True), "Batch norm must use its learned statistics"),
        (functools.partial(generator, reuse=False), "already exists"),
        (lambda z, c, is_train=True: generator(z, c, is_train, reuse=is_train), "reuse"),
        (functools.partial(generator, size=14), "expected (6, 28, 28, 5)"),
        (functools.partial(generator, channels=3), "expected (6, 28, 28, 5)"),
        (generator_with_dense_outside_scope, "outside the 'generator' scope"),
        (generator_from_a_table, "never from a stored table of images"),
        (functools.partial(generator_picking_from_weights, every=10**6), "changes them only"),
        (functools.partial(generator_picking_from_weights, every=10), "changes them not at all"),
        (functools.partial(generator_picking_from_weights, every=1), "do not change when z moves a little"),
        (generator_ignoring_its_weights, "do not change when its weights do"),
    ],
    "model_loss": [
        (functools.partial(model_loss, real_label=0.0, fake_label=1.0), "labels the real images 0.00"),
        (functools.partial(model_loss, fake_label=1.0), "labels the fake images 1.00"),
        (functools.partial(model_loss, fake_label=0.1), "smooth only the real labels"),
        (functools.partial(model_loss, g_label=0.0), "g_loss labels the fake images 0.00"),
        (
            functools.partial(model_loss, g_on_real=True),
            "does not use the discriminator's logits on the fake",
        ),
        (functools.partial(model_loss, use_probabilities=True), "Pass the logits (not the sigmoid output)"),
        (functools.partial(model_loss, reduce=tf.reduce_sum), "grows with the batch size"),
        (functools.partial(model_loss, reduce=tf.identity), "a loss is a scalar"),
        (
            functools.partial(model_loss, fakes="noise"),
            "never shows the discriminator the generator's output",
        ),
        (functools.partial(model_loss, fakes="inference"), "calls the generator with is_train=False"),
        (functools.partial(model_loss, channels=3), "pass out_channel_dim on to the generator"),
        (functools.partial(model_loss, real_label=(0.4, 0.6)), "d_loss labels the real images from 0."),
        (functools.partial(model_loss, fake_label=(0.3, 0.7)), "d_loss labels the fake images from 0."),
        (functools.partial(model_loss, g_label=0.0, g_sign=-1.0), "the minimax loss log(1 - D(G(z)))"),
        (
            functools.partial(model_loss, scale=-1.0),
            "d_loss gets smaller as the discriminator's cross-entropy",
        ),
    ],
    "model_opt": [
        (functools.partial(model_opt, select="all"), "d_train_opt also changes the generator"),
        (functools.partial(model_opt, select="not-the-other"), "changes variables outside the discriminator"),
        (
            functools.partial(model_opt, update_ops=False),
            "does not run the discriminator's batch norm updates",
        ),
        (functools.partial(model_opt, fixed_rate=0.001), "ignores the learning_rate placeholder"),
        (functools.partial(model_opt, fixed_beta1=0.9), "do not use the beta1 passed to model_opt"),
        (functools.partial(model_opt, optimizer="sgd"), "should use Adam"),
        (
            lambda d_loss, g_loss, lr, beta1: model_opt(d_loss, g_loss, lr, beta1)[:1] * 2,
            "g_train_opt changes the discriminator and not the generator",
        ),
        (functools.partial(model_opt, d_minimizes="g_loss"), "d_train_opt makes d_loss larger, not smaller"),
        (functools.partial(model_opt, g_minimizes="d_loss"), "g_train_opt makes g_loss larger, not smaller"),
        (functools.partial(model_opt, d_minimizes="-d_loss"), "d_train_opt makes d_loss larger, not smaller"),
        (functools.partial(model_opt, swap=True), "return (d_train_opt, g_train_opt) in this order"),
    ],
    "train": [
        (functools.partial(train, scale=1), "feed batch_images * 2"),
        (functools.partial(train, train_generator=False), "did not change the generator's weights"),
        (functools.partial(train, initialize=False), "Run sess.run(tf.global_variables_initializer())"),
        (functools.partial(train, reset_graph=True), "Remove tf.reset_default_graph()"),
        (functools.partial(train, epochs_seen=1), "went through 1 epoch(s) of get_batches"),
        (functools.partial(train, batches_outside_session=True), "inside `with tf.Session() as sess:`"),
        (functools.partial(train, real="noise"), "not the batches get_batches yielded"),
        (functools.partial(train, train_every=2), "fed 6 of the 12 batches"),
    ],
}
