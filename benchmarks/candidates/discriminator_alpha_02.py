# Leaky ReLU's alpha back at 0.2 in the discriminator only (the generator's stays at 0.1): the
# generator's slope is the one that moved the 9s; this is the other half. (docs/tuning.md, issue 36)
_discriminator = discriminator


def discriminator(images, reuse=False, alpha=0.2, keep_prob=1.0):
    return _discriminator(images, reuse, alpha, keep_prob)
