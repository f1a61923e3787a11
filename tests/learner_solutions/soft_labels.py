# A learner who follows the GAN hacks: random soft labels (real 0.7 to 1.2, fake 0 to 0.3),
# instance noise on the discriminator's inputs, a hand-written cross-entropy on the sigmoid
# output, a loss halved as in the DCGAN paper's code, and two generator steps per batch.
import numpy as np
import tensorflow.compat.v1 as tf

ALPHA = 0.15
NOISE = 0.05
EPS = 1e-7


def model_inputs(image_width, image_height, image_channels, z_dim):
    return (
        tf.placeholder(tf.float32, shape=(None, image_height, image_width, image_channels), name="real"),
        tf.placeholder(tf.float32, shape=(None, z_dim), name="z"),
        tf.placeholder(tf.float32, shape=None, name="lr"),
    )


def discriminator(images, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.conv2d(images, 32, 3, 2, "same", activation=lambda t: tf.nn.leaky_relu(t, ALPHA))
        h = tf.layers.conv2d(h, 64, 3, 2, "same")
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(h, training=True), ALPHA)
        h = tf.layers.conv2d(h, 128, 3, 2, "same")
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(h, training=True), ALPHA)
        logits = tf.layers.dense(tf.layers.flatten(h), 1)
    return tf.nn.sigmoid(logits), logits


def generator(z, out_channel_dim, is_train=True):
    with tf.variable_scope("generator", reuse=not is_train):
        h = tf.reshape(tf.layers.dense(z, 4 * 4 * 256), [-1, 4, 4, 256])
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(h, training=is_train), ALPHA)
        h = tf.layers.conv2d_transpose(h, 128, 4, 1, "valid")  # 7x7
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(h, training=is_train), ALPHA)
        h = tf.layers.conv2d_transpose(h, 64, 5, 2, "same")  # 14x14
        h = tf.nn.leaky_relu(tf.layers.batch_normalization(h, training=is_train), ALPHA)
        h = tf.layers.conv2d_transpose(h, out_channel_dim, 5, 2, "same")  # 28x28
    return tf.tanh(h)


def with_noise(images):
    return images + tf.random_normal(tf.shape(images), stddev=NOISE)


def bce(probabilities, labels):
    p = tf.clip_by_value(probabilities, EPS, 1 - EPS)
    return -tf.reduce_mean(labels * tf.log(p) + (1 - labels) * tf.log(1 - p))


def model_loss(input_real, input_z, out_channel_dim):
    fakes = generator(input_z, out_channel_dim)
    p_real, _ = discriminator(with_noise(input_real))
    p_fake, _ = discriminator(with_noise(fakes), reuse=True)
    real_labels = tf.random_uniform(tf.shape(p_real), 0.7, 1.2)
    fake_labels = tf.random_uniform(tf.shape(p_fake), 0.0, 0.3)
    d_loss = 0.5 * (bce(p_real, real_labels) + bce(p_fake, fake_labels))
    g_loss = bce(p_fake, tf.ones_like(p_fake))
    return d_loss, g_loss


def model_opt(d_loss, g_loss, learning_rate, beta1):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    d_vars = [v for v in tf.trainable_variables() if "discriminator" in v.name]
    g_vars = [v for v in tf.trainable_variables() if "generator" in v.name]
    with tf.control_dependencies(update_ops):
        d_train = tf.train.AdamOptimizer(learning_rate, beta1).minimize(d_loss, var_list=d_vars)
        g_train = tf.train.AdamOptimizer(learning_rate, beta1).minimize(g_loss, var_list=g_vars)
    return d_train, g_train


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    real, z, lr = model_inputs(data_shape[2], data_shape[1], data_shape[3], z_dim)
    d_loss, g_loss = model_loss(real, z, data_shape[3])
    d_train, g_train = model_opt(d_loss, g_loss, lr, beta1)
    batches_done = 0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(epoch_count):
            for batch in get_batches(batch_size):
                batch = batch * 2.0
                zs = np.random.uniform(-1.0, 1.0, size=(len(batch), z_dim))
                sess.run(d_train, feed_dict={real: batch, z: zs, lr: learning_rate})
                for _ in range(2):
                    sess.run(g_train, feed_dict={real: batch, z: zs, lr: learning_rate})
                batches_done += 1
                if batches_done % 10 == 0:
                    loss_d, loss_g = sess.run([d_loss, g_loss], feed_dict={real: batch, z: zs})
                    print("Step %d: loss_d=%.4f, loss_g=%.4f" % (batches_done, loss_d, loss_g))
                if batches_done % 100 == 0:
                    show_generator_output(sess, 25, z, data_shape[3], data_image_mode)


batch_size = 16
z_dim = 100
learning_rate = 0.0004
beta1 = 0.5
