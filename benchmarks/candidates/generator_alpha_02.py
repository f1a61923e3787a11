# Leaky ReLU's slope back at 0.2 in the generator only (the discriminator's stays at 0.1): which
# network's slope made alpha 0.1 help. (docs/tuning.md, issue 36)
_generator = generator


def generator(z, out_channel_dim, is_train=True, alpha=0.2):
    return _generator(z, out_channel_dim, is_train, alpha)
