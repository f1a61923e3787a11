# No batch norm in the discriminator (R1 alone steadies it, as in Mescheder et al. 2018): batch
# norm over a batch of fakes alone takes away each feature's batch mean, where the share of each
# digit shows. (docs/tuning.md, issue 36)


def discriminator(images, reuse=False, alpha=0.1, keep_prob=1.0):
    init = tf.glorot_normal_initializer()
    with tf.variable_scope("discriminator", reuse=reuse):
        x = images
        for filters in (32, 64, 128):
            x = tf.layers.conv2d(x, filters, 5, strides=2, padding="same", kernel_initializer=init)
            x = tf.nn.leaky_relu(x, alpha)
        x = tf.layers.dropout(tf.layers.flatten(x), rate=1 - keep_prob, training=True)
        logits = tf.layers.dense(x, 1, kernel_initializer=init)
        return tf.sigmoid(logits), logits
