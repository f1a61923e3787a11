"""Speed of the notebook's model against the model choices it was picked over.

The notebook's generator and discriminator (loaded from the notebook) train with its `train`
loop on random MNIST-shaped batches, beside two alternatives built here with the same layers:
  * twice the channels (generator from 7x7x256, discriminator 64-128-256), the widths of many
    DCGANs for 28x28 images;
  * the notebook's widths, but the generator upsampling (nearest neighbour) and then convolving
    with stride 1, instead of `conv2d_transpose` with stride 2.
Each runs in the same process, with the same settings, batch and number of steps. What each
choice does to the samples' quality is measured by the notebook itself (see its text).

Usage: python benchmarks/model_choice.py [--steps 60] [--batch 32]
The last line is ``notebook model: N.Nx the speed of twice the channels``.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # As the notebook configures TensorFlow.


from benchmarks.train_step import train_images_per_second  # noqa: E402
from harness import project  # noqa: E402


def alternatives(tf) -> dict:
    """Generator and discriminator pairs to compare with the notebook's, by name."""
    init = tf.glorot_normal_initializer()

    def discriminator(images, reuse=False, widths=(64, 128, 256)):
        with tf.variable_scope("discriminator", reuse=reuse):
            x = tf.nn.leaky_relu(
                tf.layers.conv2d(images, widths[0], 5, 2, "same", kernel_initializer=init), 0.2
            )
            for filters in widths[1:]:
                x = tf.layers.conv2d(x, filters, 5, 2, "same", kernel_initializer=init)
                x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=True), 0.2)
            x = tf.layers.flatten(x)  # No dropout: as the notebook's discriminator.
            logits = tf.layers.dense(x, 1, kernel_initializer=init)
            return tf.sigmoid(logits), logits

    def generator(z, out_channel_dim, is_train=True, widths=(256, 128, 64), upsample=False):
        with tf.variable_scope("generator", reuse=not is_train):
            x = tf.reshape(
                tf.layers.dense(z, 7 * 7 * widths[0], kernel_initializer=init), (-1, 7, 7, widths[0])
            )
            x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), 0.2)
            for filters in widths[1:]:
                if upsample:
                    x = tf.image.resize(x, (2 * x.shape[1], 2 * x.shape[2]), method="nearest")
                    x = tf.layers.conv2d(x, filters, 5, padding="same", kernel_initializer=init)
                else:
                    x = tf.layers.conv2d_transpose(x, filters, 5, 2, "same", kernel_initializer=init)
                x = tf.nn.leaky_relu(tf.layers.batch_normalization(x, training=is_train), 0.2)
            logits = tf.layers.conv2d_transpose(
                x, out_channel_dim, 5, padding="same", kernel_initializer=init
            )
            return tf.tanh(logits)

    def narrow_upsampling_generator(z, out_channel_dim, is_train=True):
        return generator(z, out_channel_dim, is_train, widths=(128, 64, 32), upsample=True)

    return {
        "twice the channels": (generator, discriminator),
        "upsample + conv": (narrow_upsampling_generator, None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()

    notebook = project.load_functions()
    shipped, _ = train_images_per_second(notebook, args.batch, 1, args.steps, args.warmup)
    print(f"notebook model: {shipped:.0f} images/s")
    rates = {}
    for name, (generator, discriminator) in alternatives(notebook["tf"]).items():
        variant = dict(notebook)
        variant["generator"] = generator
        variant["discriminator"] = discriminator or notebook["discriminator"]
        # model_loss and train look the networks up in the namespace they were defined in.
        for function in ("model_loss", "train"):
            code = notebook[function]
            variant[function] = type(code)(code.__code__, variant, code.__name__, code.__defaults__)
        rates[name], _ = train_images_per_second(variant, args.batch, 1, args.steps, args.warmup)
        print(
            f"{name}: {rates[name]:.0f} images/s, the notebook's model is {shipped / rates[name]:.1f}x faster"
        )
    print(f"notebook model: {shipped / rates['twice the channels']:.1f}x the speed of twice the channels")


if __name__ == "__main__":
    main()
