# The relativistic pairing loss (RpGAN; Jolicoeur-Martineau 2019, and R3GAN, Huang et al. 2024):
# each fake is scored against a real image, not on its own, so the generator is pulled towards
# the real digits it falls short of, which helps mode coverage. R1 as in the notebook; R2_WEIGHT
# adds the same penalty on the fakes (R3GAN's objective). (docs/tuning.md, issue 36)
R2_WEIGHT = 0.0


def model_loss(input_real, input_z, out_channel_dim, smooth=0.0, r1_weight=4.0):  # No labels to smooth.
    def squared_slope(logits, images):
        slope = tf.gradients(tf.reduce_sum(logits), images)[0]
        return tf.reduce_mean(tf.reduce_sum(tf.square(slope), axis=[1, 2, 3]))

    fakes = generator(input_z, out_channel_dim, is_train=True)
    _, logits_real = discriminator(input_real)
    _, logits_fake = discriminator(fakes, reuse=True)
    d_loss = tf.reduce_mean(tf.nn.softplus(logits_fake - logits_real))
    g_loss = tf.reduce_mean(tf.nn.softplus(logits_real - logits_fake))
    if r1_weight:
        d_loss += r1_weight / 2 * squared_slope(logits_real, input_real)
    if R2_WEIGHT:
        d_loss += R2_WEIGHT / 2 * squared_slope(logits_fake, fakes)
    return d_loss, g_loss
