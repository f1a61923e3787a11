"""Networks, losses and optimizers in other styles than the learner solutions', for the notes' tests."""

import tensorflow.compat.v1 as tf


def keys(notes):
    """Each note as (subject, done well, its first three words): what a test can name."""
    return {(note.subject, note.done_well, " ".join(note.text.split()[:3])) for note in notes}


def discriminator_with(layer=None, activation=None, first_norm=False, norm=True):
    def discriminator(images, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            x = images
            for index, filters in enumerate((32, 64)):
                x = (layer or (lambda x, f: tf.layers.conv2d(x, f, 5, strides=2, padding="same")))(x, filters)
                if norm and (index > 0 or first_norm):
                    x = tf.layers.batch_normalization(x, training=True)
                x = (activation or (lambda x: tf.nn.leaky_relu(x, alpha=0.2)))(x)
            logits = tf.layers.dense(tf.layers.flatten(x), 1)
            return tf.sigmoid(logits), logits

    return discriminator


def pooled(x, filters):
    return tf.layers.max_pooling2d(tf.layers.conv2d(x, filters, 3, padding="same"), 2, 2)


def generator_with(output_norm=False, dropout=False, width=256):
    def generator(z, out_channel_dim, is_train=True):
        with tf.variable_scope("generator", reuse=not is_train):
            x = tf.reshape(tf.layers.dense(z, 7 * 7 * width), (-1, 7, 7, width))
            x = tf.nn.relu(tf.layers.batch_normalization(x, training=is_train))
            if dropout:
                x = tf.nn.dropout(x, rate=0.3)
            x = tf.nn.relu(tf.layers.conv2d_transpose(x, width // 2, 5, strides=2, padding="same"))
            x = tf.layers.conv2d_transpose(x, out_channel_dim, 5, strides=2, padding="same")
            if output_norm:
                x = tf.layers.batch_normalization(x, training=is_train)
            return tf.tanh(x)

    return generator


def loss_with(real_labels):
    """A model_loss in the notebook's networks' place: any D and G, the labels of the real images."""
    discriminator, generator = discriminator_with(), generator_with(width=8)

    def model_loss(input_real, input_z, out_channel_dim):
        _, real = discriminator(input_real)
        _, fake = discriminator(generator(input_z, out_channel_dim), reuse=True)
        xent = tf.nn.sigmoid_cross_entropy_with_logits
        d_loss = tf.reduce_mean(xent(logits=real, labels=real_labels(real))) + tf.reduce_mean(
            xent(logits=fake, labels=tf.zeros_like(fake))
        )
        return d_loss, tf.reduce_mean(xent(logits=fake, labels=tf.ones_like(fake)))

    return model_loss
