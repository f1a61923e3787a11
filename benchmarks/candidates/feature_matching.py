# Feature matching (Salimans et al. 2016) added to the generator's loss: the squared distance
# between the real and the generated batch's mean features on the discriminator's last layer
# (4x4x128, after its batch norm), since a digit's share is a batch mean. (docs/tuning.md, issue 36)
FM_WEIGHT = 1.0
_features = {}


def discriminator(images, reuse=False, alpha=0.1, keep_prob=1.0):
    init = tf.glorot_normal_initializer()
    with tf.variable_scope("discriminator", reuse=reuse):
        x = tf.layers.conv2d(images, 32, 5, strides=2, padding="same", kernel_initializer=init)
        x = tf.nn.leaky_relu(x, alpha)
        for filters in (64, 128):
            x = tf.layers.conv2d(x, filters, 5, strides=2, padding="same", kernel_initializer=init)
            x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=True), alpha)
        _features[images.name] = x
        x = tf.layers.dropout(tf.layers.flatten(x), rate=1 - keep_prob, training=True)
        logits = tf.layers.dense(x, 1, kernel_initializer=init)
        return tf.sigmoid(logits), logits


_model_loss = model_loss


def model_loss(input_real, input_z, out_channel_dim, smooth=0.0, r1_weight=4.0):
    _features.clear()  # The notebook's model_loss scores the real images, then its fakes.
    d_loss, g_loss = _model_loss(input_real, input_z, out_channel_dim, smooth, r1_weight)
    mean_real = tf.stop_gradient(tf.reduce_mean(_features.pop(input_real.name), axis=0))
    [fake_features] = _features.values()
    mean_fake = tf.reduce_mean(fake_features, axis=0)
    return d_loss, g_loss + FM_WEIGHT * tf.reduce_mean(tf.square(mean_real - mean_fake))
