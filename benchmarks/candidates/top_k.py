# Top-k training (Sinha et al. 2020): the generator's loss over the TOP_K_SHARE of its batch that
# the discriminator finds most real, since the vaguest samples' gradients point between digits.
# (docs/tuning.md, issue 36)
TOP_K_SHARE = 0.75


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
    scores = tf.reshape(logits_fake, [-1])
    k = tf.maximum(1, tf.cast(TOP_K_SHARE * tf.cast(tf.size(scores), tf.float32), tf.int32))
    g_loss = cross_entropy(tf.nn.top_k(scores, k).values, 1.0)
    return d_loss, g_loss
