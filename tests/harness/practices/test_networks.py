"""harness/practices/networks.py: the layers, activations and batch norm, read from the graph."""

import functools
import re

import pytest
import tensorflow.compat.v1 as tf
from variants import discriminator_with, generator_with, keys, pooled

from harness import practices

VARIANTS = {
    "max pooling": (discriminator_with(layer=pooled), ("discriminator", False, "Use strided convolutions")),
    "ReLU": (discriminator_with(activation=tf.nn.relu), ("discriminator", False, "Try leaky ReLU")),
    "alpha 0.3 by hand": (
        discriminator_with(activation=lambda x: tf.maximum(0.3 * x, x)),
        ("discriminator", False, "Leaky ReLU's alpha"),
    ),
    "alpha 0.2 by hand": (
        discriminator_with(activation=lambda x: tf.maximum(x * 0.2, x)),
        ("discriminator", True, "Leaky ReLU (alpha"),
    ),
    "batch norm on the first layer": (
        discriminator_with(first_norm=True),
        ("discriminator", False, "Leave batch norm"),
    ),
    "no batch norm": (discriminator_with(norm=False), ("discriminator", False, "Try batch norm")),
    "tf.layers' default initialiser": (
        discriminator_with(),
        ("discriminator", True, "Xavier (Glorot) initialisation:"),
    ),
    "DCGAN's normal(0, 0.02)": (
        discriminator_with(layer=lambda x, f: conv(x, f, tf.random_normal_initializer(stddev=0.02))),
        ("discriminator", True, "DCGAN's initialisation, normal"),
    ),
    "normal(0, 1)": (
        discriminator_with(layer=lambda x, f: conv(x, f, tf.random_normal_initializer(stddev=1.0))),
        ("discriminator", False, "Try Xavier initialisation"),
    ),
}


def conv(x, filters, initializer):
    return tf.layers.conv2d(x, filters, 5, strides=2, padding="same", kernel_initializer=initializer)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_discriminator_variant_gets_its_note(variant):
    discriminator, expected = VARIANTS[variant]

    assert expected in keys(practices.notes_on({"discriminator": discriminator}))


def test_an_initialiser_too_large_says_by_how_much():
    [note] = [
        n for n in practices.notes_on({"discriminator": VARIANTS["normal(0, 1)"][0]}) if "Xavier" in n.text
    ]

    # Its two convolutions (5x5, 3 to 32 and 32 to 64 channels) start 21 and 35 times Xavier's
    # spread, give or take the sampling of their starting values.
    low, high = map(int, re.search(r"some weights start (\d+) to (\d+) times its scale", note.text).groups())
    assert 19 <= low <= 23 and 33 <= high <= 37


def test_batch_norm_on_the_generators_output_is_worth_changing():
    notes = keys(practices.notes_on({"generator": generator_with(output_norm=True)}))

    assert ("generator", False, "Leave batch norm") in notes
    assert ("generator", True, "Batch norm on") not in notes


def test_dropout_in_the_generator_is_not_suggested_again():
    notes = keys(practices.notes_on({"generator": generator_with(dropout=True)}))

    assert not any(text.startswith("Try dropout") for _, _, text in notes)
    assert ("generator", False, "Try dropout in") in keys(practices.notes_on({"generator": generator_with()}))


def test_a_generator_smaller_than_the_discriminator_is_worth_changing():
    namespace = {"discriminator": discriminator_with(), "generator": generator_with(width=4)}

    assert ("generator", False, "Give the generator") in keys(practices.notes_on(namespace))


def test_dropout_is_noted_only_when_it_drops_something(notebook):
    dropping = functools.partial(notebook["discriminator"], keep_prob=0.7)

    assert ("discriminator", True, "Dropout slows the") in keys(
        practices.notes_on({"discriminator": dropping})
    )
    # keep_prob=1.0, the notebook's choice: tf.layers.dropout with rate 0 leaves an Identity op.
    off = keys(practices.notes_on({"discriminator": notebook["discriminator"]}))
    assert ("discriminator", True, "Dropout slows the") not in off
