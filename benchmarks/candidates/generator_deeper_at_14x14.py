# One more layer in the generator, at 14x14: a 3x3 stride-1 convolution of 64 channels after the
# first transposed convolution (a quarter more time a batch). (docs/tuning.md, issue 36)
def generator(z, out_channel_dim, is_train=True, alpha=0.1):
    init = tf.glorot_normal_initializer()
    with tf.variable_scope("generator", reuse=not is_train):
        x = tf.reshape(tf.layers.dense(z, 7 * 7 * 128, kernel_initializer=init), (-1, 7, 7, 128))
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), alpha)
        x = tf.layers.conv2d_transpose(x, 64, 4, strides=2, padding="same", kernel_initializer=init)
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), alpha)
        x = tf.layers.conv2d(x, 64, 3, padding="same", kernel_initializer=init)
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), alpha)
        x = tf.layers.conv2d_transpose(x, 32, 4, strides=2, padding="same", kernel_initializer=init)
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), alpha)
        logits = tf.layers.conv2d_transpose(x, out_channel_dim, 5, padding="same", kernel_initializer=init)
        return tf.tanh(logits)
