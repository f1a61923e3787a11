# Adam's beta2 0.99 instead of its default 0.999, for both networks. (docs/tuning.md, issue 36)


def model_opt(d_loss, g_loss, learning_rate, beta1):
    variables = tf.trainable_variables()
    d_vars = [v for v in variables if v.name.startswith("discriminator/")]
    g_vars = [v for v in variables if v.name.startswith("generator/")]
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        d_opt = tf.train.AdamOptimizer(learning_rate, beta1, beta2=0.99).minimize(d_loss, var_list=d_vars)
        g_opt = tf.train.AdamOptimizer(learning_rate, beta1, beta2=0.99).minimize(g_loss, var_list=g_vars)
    return d_opt, g_opt
