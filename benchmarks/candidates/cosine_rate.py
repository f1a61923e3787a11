# The learning rate down a cosine from learning_rate to LATE_RATE of it over all the epochs'
# batches, instead of the notebook's step to LATE_RATE at half-way. (docs/tuning.md, issue 36)


def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, data_image_mode):
    input_real, input_z, lr = model_inputs(data_shape[2], data_shape[1], data_shape[3], z_dim)
    d_loss, g_loss = model_loss(input_real, input_z, data_shape[3])
    d_opt, g_opt = model_opt(d_loss, g_loss, lr, beta1)
    losses, steps = [], 0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch_i in range(epoch_count):
            for batch_i, batch_images in enumerate(get_batches(batch_size)):
                done = (epoch_i + batch_i * batch_size / data_shape[0]) / epoch_count
                rate = learning_rate * (LATE_RATE + (1 - LATE_RATE) * (1 + np.cos(np.pi * done)) / 2)
                batch_z = np.random.uniform(-1, 1, size=(len(batch_images), z_dim))
                feed = {input_real: batch_images * 2, input_z: batch_z, lr: rate}
                _, d_value = sess.run([d_opt, d_loss], feed_dict=feed)
                for _ in range(G_STEPS):
                    feed[input_z] = np.random.uniform(-1, 1, size=(len(batch_images), z_dim))
                    _, g_value = sess.run([g_opt, g_loss], feed_dict=feed)
                steps += 1
                if steps % PRINT_EVERY == 0:
                    losses.append((d_value, g_value))
                if steps % SHOW_EVERY == 0:
                    show_generator_output(sess, 25, input_z, data_shape[3], data_image_mode)
    return losses
