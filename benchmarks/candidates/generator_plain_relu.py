# DCGAN's own choice (Radford et al. 2016): plain ReLU in the generator; the discriminator's leaky
# ReLU stays at 0.1. (docs/tuning.md, issue 36)
_generator = generator


def generator(z, out_channel_dim, is_train=True, alpha=0.0):
    return _generator(z, out_channel_dim, is_train, alpha)
