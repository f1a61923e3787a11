# Batch norm on the discriminator's second layer only: between the notebook's discriminator (batch
# norm on its second and third layers) and one without any. (docs/tuning.md, issue 36)


def discriminator(images, reuse=False, alpha=0.1, keep_prob=1.0):
    init = tf.glorot_normal_initializer()
    with tf.variable_scope("discriminator", reuse=reuse):
        x = tf.layers.conv2d(images, 32, 5, strides=2, padding="same", kernel_initializer=init)
        x = tf.nn.leaky_relu(x, alpha)
        x = tf.layers.conv2d(x, 64, 5, strides=2, padding="same", kernel_initializer=init)
        x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=True), alpha)
        x = tf.layers.conv2d(x, 128, 5, strides=2, padding="same", kernel_initializer=init)
        x = tf.nn.leaky_relu(x, alpha)
        x = tf.layers.dropout(tf.layers.flatten(x), rate=1 - keep_prob, training=True)
        logits = tf.layers.dense(x, 1, kernel_initializer=init)
        return tf.sigmoid(logits), logits
