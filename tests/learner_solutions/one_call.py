# A terse learner: both optimizers in one sess.run, labels through tf.ones_like, losses printed
# with f-strings, z from a normal distribution, Keras-free tf.layers with activation arguments,
# and the optimizers' variables picked by scope name.
import numpy as np
import tensorflow.compat.v1 as tf


def model_inputs(image_width, image_height, image_channels, z_dim):
    images = tf.placeholder("float32", (None, image_height, image_width, image_channels), "images")
    noise = tf.placeholder("float32", (None, z_dim), "noise")
    rate = tf.placeholder_with_default(0.0005, (), "rate")
    return images, noise, rate


def discriminator(images, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        x = tf.layers.conv2d(images, 16, 4, 2, "same", activation=tf.nn.leaky_relu)
        x = tf.layers.conv2d(x, 32, 4, 2, "same")
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=True))
        logits = tf.layers.dense(tf.reshape(x, (-1, 7 * 7 * 32)), 1)
    return tf.sigmoid(logits), logits


def generator(z, out_channel_dim, is_train=True):
    with tf.variable_scope("generator", reuse=not is_train):
        x = tf.layers.dense(z, 3 * 3 * 128)
        x = tf.reshape(x, (-1, 3, 3, 128))
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train))
        x = tf.layers.conv2d_transpose(x, 64, 3, 2, "valid")  # 7x7
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train))
        x = tf.layers.conv2d_transpose(x, 32, 4, 2, "same")  # 14x14
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train))
        return tf.tanh(tf.layers.conv2d_transpose(x, out_channel_dim, 4, 2, "same"))


def model_loss(input_real, input_z, out_channel_dim):
    xent = tf.nn.sigmoid_cross_entropy_with_logits
    _, real = discriminator(input_real)
    _, fake = discriminator(generator(input_z, out_channel_dim), reuse=True)
    d_loss = tf.reduce_mean(xent(logits=real, labels=tf.ones_like(real))) + tf.reduce_mean(
        xent(logits=fake, labels=tf.zeros_like(fake))
    )
    g_loss = tf.reduce_mean(xent(logits=fake, labels=tf.ones_like(fake)))
    return d_loss, g_loss


def model_opt(d_loss, g_loss, learning_rate, beta1):
    adam = lambda: tf.train.AdamOptimizer(learning_rate, beta1=beta1)  # noqa: E731
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return (
            adam().minimize(d_loss, var_list=tf.trainable_variables("discriminator")),
            adam().minimize(g_loss, var_list=tf.trainable_variables("generator")),
        )


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    images, noise, rate = model_inputs(*data_shape[1:3], data_shape[3], z_dim)
    d_loss, g_loss = model_loss(images, noise, data_shape[3])
    d_opt, g_opt = model_opt(d_loss, g_loss, rate, beta1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        step = 0
        for epoch in range(epoch_count):
            for batch in get_batches(batch_size):
                step += 1
                feed = {images: 2 * batch, noise: np.random.randn(len(batch), z_dim), rate: learning_rate}
                d, g, _, _ = sess.run([d_loss, g_loss, d_opt, g_opt], feed)
                if step % 10 == 0:
                    print(f"Epoch {epoch + 1}/{epoch_count} step {step}: D loss {d:.4f}, G loss {g:.4f}")
                if step % 100 == 0:
                    show_generator_output(sess, 16, noise, data_shape[3], data_image_mode)


batch_size = 16
z_dim = 100
learning_rate = 0.0004
beta1 = 0.5
