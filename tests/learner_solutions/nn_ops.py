# A learner who writes layers with tf.nn ops and tf.get_variable, uses tf.losses helpers and
# tf.nn.leaky_relu, draws z from a normal distribution, and returns the losses from train.
import numpy as np
import tensorflow.compat.v1 as tf


def model_inputs(image_width, image_height, image_channels, z_dim):
    real = tf.placeholder(tf.float32, [None, image_height, image_width, image_channels])
    z = tf.placeholder(tf.float32, [None, z_dim])
    lr = tf.placeholder(tf.float32, [])
    return real, z, lr


def conv(x, filters, name):
    w = tf.get_variable(name + "_w", [4, 4, x.shape[-1], filters])
    b = tf.get_variable(name + "_b", [filters], initializer=tf.zeros_initializer())
    return tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding="SAME") + b


def discriminator(images, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.nn.leaky_relu(conv(images, 24, "c1"), alpha=0.1)
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(conv(h, 48, "c2"), training=True), alpha=0.1)
        h = tf.layers.flatten(h)
        w = tf.get_variable("out_w", [h.shape[-1], 1])
        b = tf.get_variable("out_b", [1], initializer=tf.zeros_initializer())
        logits = tf.matmul(h, w) + b
        return tf.nn.sigmoid(logits), logits


def deconv(x, filters, size, name):
    w = tf.get_variable(name + "_w", [4, 4, filters, x.shape[-1]])
    out_shape = tf.stack([tf.shape(x)[0], size, size, filters])
    return tf.nn.conv2d_transpose(x, w, out_shape, strides=[1, 2, 2, 1], padding="SAME")


def generator(z, out_channel_dim, is_train=True):
    with tf.variable_scope("generator", reuse=tf.AUTO_REUSE if not is_train else False):
        w = tf.get_variable("fc_w", [z.shape[-1], 7 * 7 * 96])
        h = tf.reshape(tf.matmul(z, w), [-1, 7, 7, 96])
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(h, training=is_train))
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(deconv(h, 48, 14, "d1"), training=is_train))
        return tf.nn.tanh(deconv(h, out_channel_dim, 28, "d2"))


def model_loss(input_real, input_z, out_channel_dim):
    fake = generator(input_z, out_channel_dim, is_train=True)
    _, real_logits = discriminator(input_real, reuse=False)
    _, fake_logits = discriminator(fake, reuse=True)
    d_loss = tf.losses.sigmoid_cross_entropy(tf.ones_like(real_logits), real_logits) + tf.losses.sigmoid_cross_entropy(
        tf.zeros_like(fake_logits), fake_logits
    )
    g_loss = tf.losses.sigmoid_cross_entropy(tf.ones_like(fake_logits), fake_logits)
    return d_loss, g_loss


def model_opt(d_loss, g_loss, learning_rate, beta1):
    d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")
    g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="generator")
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="discriminator")):
        d_opt = tf.train.AdamOptimizer(learning_rate=learning_rate, beta1=beta1).minimize(d_loss, var_list=d_vars)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="generator")):
        g_opt = tf.train.AdamOptimizer(learning_rate=learning_rate, beta1=beta1).minimize(g_loss, var_list=g_vars)
    return d_opt, g_opt


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    _, height, width, channels = data_shape
    real, z, lr = model_inputs(width, height, channels, z_dim)
    d_loss, g_loss = model_loss(real, z, channels)
    d_opt, g_opt = model_opt(d_loss, g_loss, lr, beta1)
    losses = []
    step = 0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(epoch_count):
            for images in get_batches(batch_size):
                noise = np.random.normal(0, 1, [images.shape[0], z_dim])
                feed = {real: 2.0 * images, z: noise, lr: learning_rate}
                d_value, _ = sess.run([d_loss, d_opt], feed)
                g_value, _ = sess.run([g_loss, g_opt], feed)
                losses.append((d_value, g_value))
                step += 1
                if step % 10 == 0:
                    print(f"epoch {epoch + 1} step {step}: d_loss {d_value:.3f} g_loss {g_value:.3f}")
                if step % 100 == 0:
                    show_generator_output(sess, 16, z, channels, data_image_mode)
    return losses


batch_size = 16
z_dim = 100
learning_rate = 0.0004
beta1 = 0.5
