# A learner who upsamples and convolves in the generator (no transposed convolutions), uses ReLU
# there, dropout through tf.layers.dropout, labels made with tf.fill, optimizers built in their
# own name scopes, and keeps the losses in a dict that train returns.
import numpy as np
import tensorflow.compat.v1 as tf


def model_inputs(image_width, image_height, image_channels, z_dim):
    real_input = tf.placeholder(dtype=tf.float32, shape=[None, image_height, image_width, image_channels])
    z_input = tf.placeholder(dtype=tf.float32, shape=[None, z_dim])
    learning_rate = tf.placeholder(dtype=tf.float32, shape=(), name="lr")
    return real_input, z_input, learning_rate


def discriminator(images, reuse=False):
    with tf.variable_scope("discriminator") as scope:
        if reuse:
            scope.reuse_variables()
        net = tf.layers.conv2d(images, 32, 5, strides=2, padding="same")
        net = tf.nn.leaky_relu(net, 0.2)
        net = tf.layers.conv2d(net, 64, 5, strides=2, padding="same", use_bias=False)
        net = tf.nn.leaky_relu(tf.layers.batch_normalization(net, training=True), 0.2)
        net = tf.layers.dropout(tf.layers.flatten(net), rate=0.3, training=True)
        logits = tf.layers.dense(net, 1)
        probability = tf.sigmoid(logits)
    return probability, logits


def generator(z, out_channel_dim, is_train=True):
    with tf.variable_scope("generator", reuse=tf.AUTO_REUSE):
        net = tf.layers.dense(z, 7 * 7 * 64, use_bias=False)
        net = tf.nn.relu(tf.layers.batch_normalization(tf.reshape(net, [-1, 7, 7, 64]), training=is_train))
        net = tf.image.resize_nearest_neighbor(net, [14, 14])
        net = tf.layers.conv2d(net, 32, 3, padding="same", use_bias=False)
        net = tf.nn.relu(tf.layers.batch_normalization(net, training=is_train))
        net = tf.image.resize_nearest_neighbor(net, [28, 28])
        net = tf.layers.conv2d(net, out_channel_dim, 3, padding="same")
        return tf.tanh(net)


def model_loss(input_real, input_z, out_channel_dim):
    fake_images = generator(input_z, out_channel_dim, is_train=True)
    _, logits_real = discriminator(input_real)
    _, logits_fake = discriminator(fake_images, reuse=True)
    loss = tf.nn.sigmoid_cross_entropy_with_logits
    d_real = tf.reduce_mean(loss(labels=tf.fill(tf.shape(logits_real), 0.9), logits=logits_real))
    d_fake = tf.reduce_mean(loss(labels=tf.fill(tf.shape(logits_fake), 0.0), logits=logits_fake))
    g = tf.reduce_mean(loss(labels=tf.fill(tf.shape(logits_fake), 1.0), logits=logits_fake))
    return tf.add(d_real, d_fake, name="d_loss"), tf.identity(g, name="g_loss")


def model_opt(d_loss, g_loss, learning_rate, beta1):
    d_vars = tf.trainable_variables(scope="discriminator")
    g_vars = tf.trainable_variables(scope="generator")
    with tf.name_scope("optimizers"), tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        d_step = tf.train.AdamOptimizer(learning_rate, beta1=beta1, name="d_adam").minimize(d_loss, var_list=d_vars)
        g_step = tf.train.AdamOptimizer(learning_rate, beta1=beta1, name="g_adam").minimize(g_loss, var_list=g_vars)
    return d_step, g_step


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    count, height, width, channels = data_shape
    real_input, z_input, lr = model_inputs(width, height, channels, z_dim)
    d_loss, g_loss = model_loss(real_input, z_input, channels)
    d_step, g_step = model_opt(d_loss, g_loss, lr, beta1)
    history = {"d_losses": [], "g_losses": []}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(epoch_count):
            for i, batch in enumerate(get_batches(batch_size)):
                z_batch = np.random.uniform(-1, 1, size=[batch.shape[0], z_dim]).astype(np.float32)
                feed = {real_input: batch * 2, z_input: z_batch, lr: learning_rate}
                d_value, _ = sess.run([d_loss, d_step], feed_dict=feed)
                g_value, _ = sess.run([g_loss, g_step], feed_dict=feed)
                history["d_losses"].append(d_value)
                history["g_losses"].append(g_value)
                if i % 10 == 9:
                    print("Epoch", epoch + 1, "batch", i + 1, "D:", round(float(d_value), 4), "G:", round(float(g_value), 4))
                if i % 100 == 99:
                    show_generator_output(sess, 25, z_input, channels, data_image_mode)
    return history


batch_size = 16
z_dim = 100
learning_rate = 0.0004
beta1 = 0.5
