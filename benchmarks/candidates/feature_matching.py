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


def model_loss(input_real, input_z, out_channel_dim, smooth=0.0, r1_weight=4.0):
    def cross_entropy(logits, label):
        labels = tf.fill(tf.shape(logits), label)
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=labels))

    fakes = generator(input_z, out_channel_dim, is_train=True)
    _, logits_real = discriminator(input_real)
    _, logits_fake = discriminator(fakes, reuse=True)
    d_loss = cross_entropy(logits_real, 1.0 - smooth) + cross_entropy(logits_fake, 0.0)
    if r1_weight:
        slope = tf.gradients(tf.reduce_sum(logits_real), input_real)[0]
        d_loss += r1_weight / 2 * tf.reduce_mean(tf.reduce_sum(tf.square(slope), axis=[1, 2, 3]))
    mean_real = tf.stop_gradient(tf.reduce_mean(_features[input_real.name], axis=0))
    mean_fake = tf.reduce_mean(_features[fakes.name], axis=0)
    g_loss = cross_entropy(logits_fake, 1.0) + FM_WEIGHT * tf.reduce_mean(tf.square(mean_real - mean_fake))
    return d_loss, g_loss
