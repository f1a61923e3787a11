"""harness/practices.py: reviewers' notes read from what the learner's networks do, in any style."""

import runpy
from pathlib import Path

import pytest
import tensorflow.compat.v1 as tf

from harness import practices

SOLUTIONS = Path(__file__).resolve().parent.parent / "learner_solutions"
# What every learner solution does well, whatever its style.
SHARED = {
    ("discriminator", True, "Strided convolutions instead"),
    ("discriminator", True, "Batch norm on"),
    ("generator", True, "A tanh output,"),
    ("generator", True, "Batch norm on"),
    ("generator", False, "Try dropout in"),
    ("generator", True, "Larger than the"),
    ("batch_size", True, "batch_size = 16,"),
    ("z_dim", True, "z_dim = 100,"),
    ("learning_rate", True, "learning_rate = 0.0004,"),
    ("beta1", True, "beta1 = 0.5,"),
}
EXPECTED = {
    "classic": SHARED
    | {
        ("discriminator", True, "Leaky ReLU (alpha"),
        ("discriminator", True, "Dropout slows the"),
        ("generator", True, "Transposed convolutions: the"),
    },
    "nn_ops": SHARED
    | {("discriminator", True, "Leaky ReLU (alpha"), ("generator", True, "Transposed convolutions: the")},
    "one_call": SHARED
    | {("discriminator", True, "Leaky ReLU (alpha"), ("generator", True, "Transposed convolutions: the")},
    "soft_labels": SHARED
    | {("discriminator", True, "Leaky ReLU (alpha"), ("generator", True, "Transposed convolutions: the")},
    "upsampling": SHARED
    | {
        ("discriminator", True, "Leaky ReLU (alpha"),
        ("discriminator", True, "Dropout slows the"),
        ("generator", True, "Upsampling then convolving:"),
    },
}


def keys(notes):
    """Each note as (subject, done well, its first three words): what a test can name."""
    return {(note.subject, note.done_well, " ".join(note.text.split()[:3])) for note in notes}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_learner_solution_gets_its_notes(name):
    namespace = runpy.run_path(str(SOLUTIONS / f"{name}.py"))

    assert keys(practices.notes_on(namespace)) == EXPECTED[name]


# Variants in other styles, each with the note it must get.


def discriminator_with(layer=None, activation=None, first_norm=False, norm=True):
    def discriminator(images, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            x = images
            for index, filters in enumerate((32, 64)):
                x = (layer or (lambda x, f: tf.layers.conv2d(x, f, 5, strides=2, padding="same")))(x, filters)
                if norm and (index > 0 or first_norm):
                    x = tf.layers.batch_normalization(x, training=True)
                x = (activation or (lambda x: tf.nn.leaky_relu(x, alpha=0.2)))(x)
            logits = tf.layers.dense(tf.layers.flatten(x), 1)
            return tf.sigmoid(logits), logits

    return discriminator


def pooled(x, filters):
    return tf.layers.max_pooling2d(tf.layers.conv2d(x, filters, 3, padding="same"), 2, 2)


def generator_with(output_norm=False, dropout=False, width=256):
    def generator(z, out_channel_dim, is_train=True):
        with tf.variable_scope("generator", reuse=not is_train):
            x = tf.reshape(tf.layers.dense(z, 7 * 7 * width), (-1, 7, 7, width))
            x = tf.nn.relu(tf.layers.batch_normalization(x, training=is_train))
            if dropout:
                x = tf.nn.dropout(x, rate=0.3)
            x = tf.nn.relu(tf.layers.conv2d_transpose(x, width // 2, 5, strides=2, padding="same"))
            x = tf.layers.conv2d_transpose(x, out_channel_dim, 5, strides=2, padding="same")
            if output_norm:
                x = tf.layers.batch_normalization(x, training=is_train)
            return tf.tanh(x)

    return generator


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
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_discriminator_variant_gets_its_note(variant):
    discriminator, expected = VARIANTS[variant]

    assert expected in keys(practices.notes_on({"discriminator": discriminator}))


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


def test_hyperparameters_out_of_range_say_the_range_and_why():
    notes = practices.notes_on({"learning_rate": 0.002, "beta1": 0.9, "batch_size": 128, "z_dim": 100})

    texts = {note.subject: note for note in notes}
    assert (
        not texts["learning_rate"].done_well and "try 0.0002 to 0.0008, since" in texts["learning_rate"].text
    )
    assert not texts["beta1"].done_well and "oscillates" in texts["beta1"].text
    assert not texts["batch_size"].done_well and texts["z_dim"].done_well


def test_a_function_that_cannot_be_built_gets_no_note():
    def broken(images, reuse=False):
        raise NameError("name 'conv' is not defined")

    assert practices.notes_on({"discriminator": broken}) == []
