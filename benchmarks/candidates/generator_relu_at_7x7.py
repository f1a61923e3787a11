# Between the generator's slopes: plain ReLU (DCGAN's) on its 7x7 layer, leaky ReLU at 0.1 on its two
# transposed convolutions. Plain ReLU throughout drew the 9s into their share and the 8s a point
# short; 0.1 throughout, the 9s about a point over. (docs/tuning.md, issue 36)
SLOPES = (0.0, 0.1, 0.1)  # After the dense layer, then after each transposed convolution.


def generator(z, out_channel_dim, is_train=True, alpha=0.1):  # alpha: the notebook's signature; SLOPES rule.
    init = tf.glorot_normal_initializer()
    with tf.variable_scope("generator", reuse=not is_train):
        x = tf.reshape(tf.layers.dense(z, 7 * 7 * 128, kernel_initializer=init), (-1, 7, 7, 128))
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), SLOPES[0])
        for filters, slope in zip((64, 32), SLOPES[1:]):
            x = tf.layers.conv2d_transpose(x, filters, 4, strides=2, padding="same", kernel_initializer=init)
            x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), slope)
        logits = tf.layers.conv2d_transpose(x, out_channel_dim, 5, padding="same", kernel_initializer=init)
        return tf.tanh(logits)
