# Two discriminator updates a batch (each on new noise, the same real batch), then the generator's
# two: a discriminator that keeps up rejects the vague digits. (docs/tuning.md, issue 36)
D_STEPS = 2


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    """Trains the GAN.

    Returns:
        The printed losses: a list of (discriminator loss, generator loss) pairs.
    """
    # --- Build the model (the exercise) ---
    input_real, input_z, lr = model_inputs(data_shape[2], data_shape[1], data_shape[3], z_dim)
    d_loss, g_loss = model_loss(input_real, input_z, data_shape[3])
    d_opt, g_opt = model_opt(d_loss, g_loss, lr, beta1)
    # --- end ---
    losses, steps = [], 0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch_i in range(epoch_count):
            for batch_images in get_batches(batch_size):
                # --- Train the model on this batch (the exercise) ---
                # In the later half of the epochs, smaller steps let the digits settle into clear shapes.
                rate = learning_rate * (LATE_RATE if 2 * epoch_i >= epoch_count else 1.0)
                batch_z = np.random.uniform(-1, 1, size=(len(batch_images), z_dim))
                feed = {input_real: batch_images * 2, input_z: batch_z, lr: rate}
                # Each loss comes with its own update, at no extra cost: the update computes it anyway.
                for _ in range(D_STEPS):
                    feed[input_z] = np.random.uniform(-1, 1, size=(len(batch_images), z_dim))
                    _, d_value = sess.run([d_opt, d_loss], feed_dict=feed)
                for _ in range(G_STEPS):  # The generator learns slower: it gets more steps.
                    feed[input_z] = np.random.uniform(-1, 1, size=(len(batch_images), z_dim))
                    _, g_value = sess.run([g_opt, g_loss], feed_dict=feed)
                steps += 1
                if steps % PRINT_EVERY == 0:
                    losses.append((d_value, g_value))
                    print(
                        f"Epoch {epoch_i + 1}/{epoch_count}...",
                        f"Discriminator Loss: {d_value:.4f}...",
                        f"Generator Loss: {g_value:.4f}",
                    )
                if steps % SHOW_EVERY == 0:
                    show_generator_output(sess, 25, input_z, data_shape[3], data_image_mode)
                # --- end ---
    return losses
